package tokens

import (
	"net/http"
	"testing"
)

func TestNoStore(t *testing.T) {
	tests := []struct {
		fields []string
		want   bool
	}{
		{[]string{"no-store"}, true},
		{[]string{"no-cache, No-Store, max-age=0"}, true},
		{[]string{"private", "no-store"}, true},
		{[]string{"no-cache, private"}, false},
		{[]string{`no-cache="no-store"`}, false},
		{nil, false},
	}
	for _, tt := range tests {
		if got := noStore(http.Header{"Cache-Control": tt.fields}); got != tt.want {
			t.Errorf("noStore(%q) = %v, want %v", tt.fields, got, tt.want)
		}
	}
}

func TestRelatesTo(t *testing.T) {
	const res = "https://mcp.example/api/mcp"
	tests := []struct {
		aud  string
		want bool
	}{
		{res, true},
		{"HTTPS://MCP.EXAMPLE/api/mcp/", true},
		{"https://mcp.example", true},
		{"https://mcp.example/api", true},
		{"https://mcp.example/other/mcp", false},
		{"https://other.example/api/mcp", false},
		{"client-123", false},
	}
	for _, tt := range tests {
		if got := relatesTo(tt.aud, res); got != tt.want {
			t.Errorf("relatesTo(%q) = %v, want %v", tt.aud, got, tt.want)
		}
	}
}
