package metadata

import (
	"slices"
	"strings"
	"testing"
)

func TestIssuerDifference(t *testing.T) {
	cases := []struct{ expected, got, want string }{
		{"https://as.example.com", "https://as.example.com/", "trailing slash was added"},
		{"https://as.example.com/t1/", "https://as.example.com/t1", "trailing slash of the issuer is missing"},
		{"https://as.example.com", "https://AS.example.com", "letter case"},
		{"https://as.example.com/t1", "https://as.example.com:443/t1", "default port :443 is written out"},
		{"https://as.example.com:8443/t1", "https://as.example.com:9443/t1", "port"},
		{"https://as.example.com/t1", "https://as.example.com/t2", "path"},
		{"https://as.example.com/t1", "https://as.example.com/t1?tenant=a", "query"},
		{"https://as.example.com/t1", "http://as.example.com/t1", "scheme"},
		{"https://as.example.com/a%20b", "https://as.example.com/a b", "percent-encoding"},
	}
	for _, c := range cases {
		if got := issuerDifference(c.expected, c.got); !strings.Contains(got, c.want) {
			t.Errorf("issuerDifference(%q, %q) = %q, want it to mention %q", c.expected, c.got, got, c.want)
		}
	}
}

func TestDuplicateMembers(t *testing.T) {
	if got := duplicateMembers([]byte(`{"a":1,"b":{"c":1,"c":2},"a":[{"d":1}]}`)); !slices.Equal(got, []string{"c", "a"}) {
		t.Errorf("duplicateMembers = %v, want [c a]", got)
	}
	if got := duplicateMembers([]byte(`{"a":1,"b":[1,2]}`)); len(got) != 0 {
		t.Errorf("duplicateMembers = %v, want none", got)
	}
}

func TestSameResponseType(t *testing.T) {
	if !sameResponseType("id_token code", "code id_token") || sameResponseType("code id_token", "code") || !sameResponseType("code", "code") {
		t.Error("response types must compare as order-insensitive sets")
	}
}

func TestIsScopeToken(t *testing.T) {
	for s, want := range map[string]bool{"mcp:read": true, "offline_access": true, "": false, "a b": false, `a"b`: false, `a\b`: false, "é": false} {
		if isScopeToken(s) != want {
			t.Errorf("isScopeToken(%q) = %v, want %v", s, !want, want)
		}
	}
}
