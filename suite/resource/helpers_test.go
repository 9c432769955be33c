package resource

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"testing"

	"github.com/mcpauth/conformance/suite/framework"
)

func TestRelate(t *testing.T) {
	const res = "https://mcp.example.com/tenant/mcp"
	cases := []struct {
		aud  string
		want relation
	}{
		{res, exact},
		{res + "/", variant},
		{"HTTPS://MCP.Example.COM/tenant/mcp", variant},
		{"https://mcp.example.com", broader},
		{"https://mcp.example.com/", broader},
		{"https://mcp.example.com/tenant", broader},
		{"https://mcp.example.com/ten", unrelated},
		{"https://mcp.example.com/tenant/mcp/x", unrelated},
		{"https://mcp.example.com:8443/tenant/mcp", unrelated},
		{"http://mcp.example.com/tenant/mcp", unrelated},
		{"https://other.example.com/tenant/mcp", unrelated},
		{res + "#frag", unrelated},
		{"api://default", unrelated},
		{"client-123", unrelated},
	}
	for _, c := range cases {
		if got := relate(c.aud, res); got != c.want {
			t.Errorf("relate(%q) = %d, want %d", c.aud, got, c.want)
		}
	}
}

func TestOriginOnlyAndPath(t *testing.T) {
	const res = "https://h.example/mcp"
	for aud, want := range map[string]bool{"https://h.example": true, "https://H.EXAMPLE/": true, "https://h.example/mcp": false, "https://g.example": false, "h.example": false} {
		if got := originOnly(aud, res); got != want {
			t.Errorf("originOnly(%q) = %t, want %t", aud, got, want)
		}
	}
	for r, want := range map[string]bool{"https://h.example/mcp": true, "https://h.example/": false, "https://h.example": false} {
		if got := hasPath(r); got != want {
			t.Errorf("hasPath(%q) = %t, want %t", r, got, want)
		}
	}
}

func TestVariants(t *testing.T) {
	for in, want := range map[string]string{
		"https://mcp.example.com/Mcp":         "HTTPS://MCP.EXAMPLE.COM/Mcp",
		"https://127.0.0.1:8443/mcp?x=a":      "HTTPS://127.0.0.1:8443/mcp?x=a",
		"https://localhost":                   "HTTPS://LOCALHOST",
		"https://mcp.example.com/a/b#ignored": "HTTPS://MCP.EXAMPLE.COM/a/b#ignored",
	} {
		if got := caseVariant(in); got != want {
			t.Errorf("caseVariant(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{
		"https://h/mcp":     "https://h/mcp/",
		"https://h/mcp/":    "https://h/mcp",
		"https://h":         "https://h/",
		"https://h/mcp?x=1": "https://h/mcp/?x=1",
	} {
		if got := slashVariant(in); got != want {
			t.Errorf("slashVariant(%q) = %q, want %q", in, got, want)
		}
	}
	got := malformedResources("https://127.0.0.1:8443/mcp")
	if got[0].value != "127.0.0.1/mcp" || got[1].value != "https://127.0.0.1:8443/mcp#frag" {
		t.Errorf("malformedResources = %v", got)
	}
}

// jws builds an unsigned compact JWS with the given header and claims.
func jws(t *testing.T, header, claims map[string]any) string {
	t.Helper()
	seg := func(v any) string {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return base64.RawURLEncoding.EncodeToString(b)
	}
	return seg(header) + "." + seg(claims) + ".c2ln"
}

func TestObserve(t *testing.T) {
	at := map[string]any{"typ": "at+jwt", "alg": "RS256"}
	o := observe(jws(t, at, map[string]any{"aud": "https://h/mcp", "client_id": "c1"}))
	if o.opaque() || !o.rfc9068() || !o.hasAud("https://h/mcp") {
		t.Errorf("string aud: %+v", o)
	}
	o = observe(jws(t, map[string]any{"typ": "Application/AT+JWT"}, map[string]any{"aud": []string{"a", "https://h/mcp"}}))
	if !o.rfc9068() || !o.hasAud("https://h/mcp") || len(o.Aud) != 2 {
		t.Errorf("array aud: %+v", o)
	}
	if o := observe(jws(t, map[string]any{"typ": "JWT"}, map[string]any{"sub": "x"})); o.rfc9068() || !errors.Is(o.AudErr, framework.ErrNoAudience) {
		t.Errorf("no aud: %+v", o)
	}
	if o := observe(jws(t, at, map[string]any{"aud": 5})); o.AudErr == nil || errors.Is(o.AudErr, framework.ErrNoAudience) {
		t.Errorf("numeric aud: %+v", o)
	}
	for _, opaque := range []string{"2YotnFZFEjr1zCsicMWpAA", "a.b.c.d.e", "e30.bm90IGpzb24.c2ln"} {
		if o := observe(opaque); !o.opaque() || o.Why == "" {
			t.Errorf("observe(%q) = %+v, want opaque", opaque, o)
		}
	}
	a := observe(jws(t, at, map[string]any{"aud": []string{"x", "y", "x"}}))
	b := observe(jws(t, at, map[string]any{"aud": []string{"y", "x"}}))
	c := observe(jws(t, at, map[string]any{"aud": "x"}))
	if !sameAud(a, b) || sameAud(a, c) {
		t.Error("sameAud must compare audiences as sets")
	}
	o = observe(jws(t, at, map[string]any{"aud": "c1", "client_id": "c1"}))
	if !onlyClientOrIssuer(o, "https://as") || onlyClientOrIssuer(observe(jws(t, at, map[string]any{"aud": "api", "client_id": "c1"})), "https://as") {
		t.Error("onlyClientOrIssuer")
	}
}
