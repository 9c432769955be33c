package protectedresource

import (
	"slices"
	"strings"
	"testing"
)

func TestWeakSessionIDs(t *testing.T) {
	strong := []string{"Zr6l0v6b9cZ6yq2p1ZP0f7bZc8kqv3lYV4s8w2Hq0Jk", "m1p3Lq0Hk8s9dX2v7bN4c6Zt5yW3rE0uI9oP8aS7dF6", "Q2w3E4r5T6y7U8i9O0pA1sD2f3G4h5J6k7L8z9X0c1V", "b2n3m4Q5w6e7r8t9y0u1i2o3p4a5s6d7f8g9h0j1k2L", "z9x8c7v6b5n4m3l2k1j0h9g8f7d6s5a4p3o2i1u0y9T"}
	tests := []struct {
		name string
		ids  []string
		weak bool
	}{
		{"random base64url", strong, false},
		{"a repeat", append(slices.Clone(strong[:4]), strong[0]), true},
		{"counter", []string{"session-1", "session-2", "session-3", "session-4", "session-5"}, true},
		{"long counter", []string{"a4f0c2e1b3d5a4f0c2e1b3d5a4f0c2e1b3d5-01", "a4f0c2e1b3d5a4f0c2e1b3d5a4f0c2e1b3d5-02", "a4f0c2e1b3d5a4f0c2e1b3d5a4f0c2e1b3d5-03"}, true},
		{"short hex", []string{"0123456789abcdef0123456789abcde"}, true},
		{"32 hex characters", []string{"0123456789abcdef0123456789abcdef", "fedcba9876543210fedcba9876543210"}, false},
	}
	for _, tc := range tests {
		if got := weakSessionIDs(tc.ids) != ""; got != tc.weak {
			t.Errorf("%s: weak = %v (%q), want %v", tc.name, got, weakSessionIDs(tc.ids), tc.weak)
		}
	}
}

func TestChallengeCharsets(t *testing.T) {
	for s, want := range map[string]bool{"mcp:read": true, "a b": true, "a  b": false, " a": false, `a"b`: false, "": false, "é": false} {
		if validScope(s) != want {
			t.Errorf("validScope(%q) = %v", s, !want)
		}
	}
	for s, want := range map[string]bool{"invalid_token": true, "The token expired.": true, `say "x"`: false, "tab\there": false} {
		if validErrorChars(s, true) != want {
			t.Errorf("validErrorChars(%q) = %v", s, !want)
		}
	}
}

func TestExpectedResources(t *testing.T) {
	const called = "https://h.example/public/mcp"
	header := &prmFetch{Form: "header"}
	root := &prmFetch{Form: "root"}
	if got := header.expectedResources(called); !slices.Equal(got, []string{called}) {
		t.Errorf("header form: %q", got)
	}
	if got := root.expectedResources(called); !slices.Equal(got, []string{"https://h.example", called}) {
		t.Errorf("root form: %q", got)
	}
	for resource, want := range map[string]string{"https://h.example/public/mcp": "/public/mcp", "https://h.example/mcp/": "/mcp/", "https://h.example/": "", "https://h.example": "", "https://h.example/x?t=1": "/x?t=1"} {
		if p := wellKnownPath(resource); p != want {
			t.Errorf("wellKnownPath(%q) = %q, want %q", resource, p, want)
		}
	}
	for got, want := range map[string]string{
		"https://h.example":             "the origin",
		"https://h.example/public/mcp/": "trailing slash",
		"HTTPS://H.EXAMPLE/public/mcp":  "letter case",
	} {
		if d := resourceDiagnostic(got, called); d == "" || !strings.Contains(d, want) {
			t.Errorf("resourceDiagnostic(%q) = %q, want it to mention %q", got, d, want)
		}
	}
}
