package pkce

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"

	"github.com/mcpauth/conformance/suite/framework"
)

// RFC 7636 §4.4 (and OAuth 2.1 §4.1.2): the server may keep the challenge in
// the code itself, but must not do so in a form anyone but the server can
// read, or an attacker holding the code learns what the verifier must hash
// to. The code is taken apart the way an attacker would: the code and its
// dot-separated parts (JWS, JWE), each decoded as base64url, base64, hex and
// percent-encoding, JSON string members followed, three levels deep; the
// challenge is looked for verbatim, as its 32 raw bytes and as hex. Found is
// a FAIL. A JWE or an opaque code exposes nothing: PASS, with the code's
// form in a note.
var _ = framework.It("RFC7636-4.4-challenge-not-extractable", "the code_challenge cannot be read out of the authorization code",
	func(ctx context.Context, t *framework.T) {
		m := t.Metadata()
		c := t.PublicClient()
		p := framework.NewPKCE()
		code, _ := t.ObtainCode(m, t.AuthorizationParams(c, p))
		in := newInspector(p.Challenge)
		if where := in.search([]byte(code), "the code", 3); where != "" {
			t.FailExpected("the authorization code not to expose the code_challenge to anyone but the server (RFC 7636 §4.4)",
				fmt.Sprintf("the challenge %s can be read from %s; code=%s", p.Challenge, where, framework.Snippet([]byte(code), 300)))
		}
		t.Notef("the code does not expose the challenge; it is %s", describeCode(code))
	}, framework.Browser)

// inspector looks for one challenge in the layers of a code.
type inspector struct {
	challenge []byte
	raw       []byte // the 32 bytes the S256 challenge encodes
	rawHex    []byte
}

func newInspector(challenge string) *inspector {
	in := &inspector{challenge: []byte(challenge)}
	if raw, err := base64.RawURLEncoding.DecodeString(challenge); err == nil && len(raw) >= 16 {
		in.raw = raw
		in.rawHex = []byte(hex.EncodeToString(raw))
	}
	return in
}

type decoder struct {
	name string
	fn   func(string) ([]byte, error)
}

var decoders = []decoder{
	{"base64url", func(s string) ([]byte, error) { return base64.RawURLEncoding.DecodeString(strings.TrimRight(s, "=")) }},
	{"base64", func(s string) ([]byte, error) { return base64.RawStdEncoding.DecodeString(strings.TrimRight(s, "=")) }},
	{"hex", hex.DecodeString},
	{"percent", func(s string) ([]byte, error) {
		if !strings.Contains(s, "%") {
			return nil, fmt.Errorf("not percent-encoded")
		}
		u, err := url.QueryUnescape(s)
		return []byte(u), err
	}},
}

// search returns where in b the challenge was found ("" if nowhere),
// descending depth more layers of encoding.
func (in *inspector) search(b []byte, where string, depth int) string {
	if bytes.Contains(b, in.challenge) ||
		in.raw != nil && (bytes.Contains(b, in.raw) || bytes.Contains(bytes.ToLower(b), in.rawHex)) {
		return where
	}
	if depth == 0 || len(b) == 0 {
		return ""
	}
	var doc any
	if json.Unmarshal(b, &doc) == nil {
		for _, s := range jsonStrings(doc) {
			if w := in.search([]byte(s), where+" → a JSON string", depth-1); w != "" {
				return w
			}
		}
	}
	text := string(b)
	parts := []string{text}
	if dots := strings.Split(text, "."); len(dots) > 1 {
		parts = append(parts, dots...)
	}
	for i, part := range parts {
		label := where
		if i > 0 {
			label = fmt.Sprintf("%s, part %d of %d", where, i, len(parts)-1)
		}
		for _, d := range decoders {
			if dec, err := d.fn(part); err == nil && len(dec) > 0 {
				if w := in.search(dec, label+" → "+d.name+"-decoded", depth-1); w != "" {
					return w
				}
			}
		}
	}
	return ""
}

// jsonStrings returns every string in a JSON value, keys included.
func jsonStrings(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		var out []string
		for _, e := range x {
			out = append(out, jsonStrings(e)...)
		}
		return out
	case map[string]any:
		var out []string
		for k, e := range x {
			out = append(out, k)
			out = append(out, jsonStrings(e)...)
		}
		return out
	}
	return nil
}

// describeCode says what a code looks like, for the report.
func describeCode(code string) string {
	parts := strings.Split(code, ".")
	header := func() bool {
		b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[0], "="))
		return err == nil && json.Valid(b)
	}
	switch {
	case len(parts) == 5 && header():
		return "a JWE (encrypted, so its content cannot be read)"
	case len(parts) == 3 && header():
		return "a JWS, whose readable parts do not hold the challenge"
	case json.Valid([]byte(code)):
		return "JSON without the challenge"
	}
	if b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(code, "=")); err == nil && json.Valid(b) {
		return "base64url-encoded JSON without the challenge"
	}
	return fmt.Sprintf("opaque (%d characters)", len(code))
}
