package pkce

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/url"
	"testing"

	"github.com/mcpauth/conformance/suite/framework"
)

// TestInspector checks that the challenge is found in the usual ways a code
// can carry it, and not in opaque codes.
func TestInspector(t *testing.T) {
	p := framework.NewPKCE()
	raw, _ := base64.RawURLEncoding.DecodeString(p.Challenge)
	b64 := func(v any) string {
		b, _ := json.Marshal(v)
		return base64.RawURLEncoding.EncodeToString(b)
	}
	header := b64(map[string]string{"alg": "HS256", "typ": "JWT"})
	found := map[string]string{
		"verbatim":              "abc" + p.Challenge + "def",
		"base64url JSON":        b64(map[string]string{"code_challenge": p.Challenge, "n": "x"}),
		"padded std base64":     base64.StdEncoding.EncodeToString([]byte(`{"cc":"` + p.Challenge + `"}`)),
		"JWS payload":           header + "." + b64(map[string]any{"pkce": map[string]string{"c": p.Challenge}}) + ".c2ln",
		"nested base64 in JSON": b64(map[string]string{"blob": base64.StdEncoding.EncodeToString([]byte(p.Challenge))}),
		"raw hash bytes":        base64.RawURLEncoding.EncodeToString(append([]byte("v1:"), raw...)),
		"hex of hash":           "code_" + hex.EncodeToString(raw),
		"percent-encoded JSON":  url.QueryEscape(`{"c":"` + p.Challenge + `"}`),
	}
	for name, code := range found {
		if newInspector(p.Challenge).search([]byte(code), "the code", 3) == "" {
			t.Errorf("%s: the challenge was not found in %q", name, code)
		}
	}
	other := framework.NewPKCE()
	clean := map[string]string{
		"opaque":       framework.RandomString(32),
		"opaque b64":   other.Verifier,
		"JWS":          header + "." + b64(map[string]string{"sub": "alice", "c": other.Challenge}) + ".c2ln",
		"JWE-like":     header + ".a.b.c.d",
		"base64 JSON":  b64(map[string]string{"code_challenge": other.Challenge}),
		"hex of other": hex.EncodeToString([]byte(other.Challenge)),
	}
	for name, code := range clean {
		if where := newInspector(p.Challenge).search([]byte(code), "the code", 3); where != "" {
			t.Errorf("%s: the challenge was reported in %s of %q", name, where, code)
		}
	}
}
