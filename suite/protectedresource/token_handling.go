package protectedresource

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/mcpauth/conformance/suite/framework"
)

// MCP "Token Handling" and "Access Token Privilege Restriction", RFC 8707 §2:
// the MCP server accepts only tokens issued for itself. The probe is a token
// the same AS minted for the second resource (RES2), used here. When that
// token's audience also covers this resource, or cannot be seen, the server
// cannot be blamed for accepting it: SKIP.
var _ = framework.It("MCP-TokenHandling-audience-enforced",
	"a token the authorization server minted for another resource is refused with 401",
	func(ctx context.Context, t *framework.T) {
		target := mcpServer(t)
		res := resource(t)
		res2 := t.Config().SecondResource
		if res2 == "" {
			t.Skipf("this requirement needs a second resource the authorization server knows, to mint a token for another audience; give one with --second-resource (second_resource in the config file)")
		}
		tr := tokenFor(t, res2, "", nil)
		j, err := framework.DecodeJWT(tr.AccessToken)
		if err != nil {
			t.Skipf("the token for %s is not a JWS (%v), so whether its audience excludes %s cannot be seen; cannot construct a foreign-audience token", res2, err, res)
		}
		aud, _ := j.Audience()
		if len(aud) == 0 || slices.Contains(aud, res) || !slices.Contains(aud, res2) {
			t.Infof("not applicable (see RFC8707-2-audience-restriction): the token requested for %s has aud %q, so the authorization server gave no token for another audience only, and the MCP server cannot be judged on it", res2, aud)
			return
		}
		e := rsCall(t, target, "Bearer "+tr.AccessToken)
		expectRefused(t, e, fmt.Sprintf("initialize at %s with a token whose aud is %q (minted for %s)", target, aud, res2))
	})

// requestedLifetime is the lifetime the expiry spec asks for with the token
// request parameter expires_in, which servers that do not know it ignore
// (RFC 6749 §3.2); maxExpiryWait is the longest the spec waits for a token
// to expire; the clock skew it allows is --clock-skew (requirements §11).
const (
	requestedLifetime = 1
	maxExpiryWait     = 2 * time.Minute
)

// MCP "Token Handling", OAuth 2.1 §5.2: an expired token gets 401. The spec
// needs a token that really expires: it asks the AS for a short lifetime
// (expires_in=1 at the token endpoint); an AS whose tokens live longer than
// two minutes makes the wait too long, and the requirement is SKIPped.
var _ = framework.It("MCP-TokenHandling-expired-token-401",
	"an access token is refused with 401 once it has expired",
	func(ctx context.Context, t *framework.T) {
		target := mcpServer(t)
		tr := tokenFor(t, resource(t), "", url.Values{"expires_in": {fmt.Sprint(requestedLifetime)}})
		exp, ok := lifetime(tr)
		if !ok {
			t.Skipf("the access token's expiry cannot be seen (no JWT exp, no expires_in), so the suite cannot tell when it has expired")
		}
		if wait := time.Until(exp); wait > maxExpiryWait {
			// A crafted expired token (exp in the past, signature kept)
			// proves nothing about expiry, only about signatures.
			if j, err := framework.DecodeJWT(tr.AccessToken); err == nil {
				crafted := resign(tr.AccessToken, j, "exp", time.Now().Add(-time.Hour).Unix())
				if e := rsCall(t, target, "Bearer "+crafted); accepted(e) {
					t.Notef("a copy of the token with exp in the past and the original signature was accepted (see MCP-TokenHandling-forged-jwt-rejected)")
				}
			}
			t.Skipf("the access token is valid for another %s (the authorization server ignored the request for a %d s lifetime); waiting more than %s for it to expire is too slow for this run", wait.Round(time.Second), requestedLifetime, maxExpiryWait)
		}
		acceptedOrSkip(t, tr.AccessToken, "the short-lived access token before it expired")
		skew := t.Config().ClockSkew
		deadline := exp.Add(skew)
		// exp has whole seconds and a server refuses from exp on (RFC 7519
		// §4.1.4); retries cover a server whose clock is behind.
		sleepUntil(ctx, exp.Add(50*time.Millisecond))
		for {
			e := rsCall(t, target, "Bearer "+tr.AccessToken)
			if !accepted(e) {
				expectRefused(t, e, "initialize with an expired token")
				return
			}
			if time.Now().After(deadline) {
				t.FailExpected(fmt.Sprintf("initialize with a token that expired at %s to be refused with 401 (allowing %s of clock skew)", exp.UTC().Format(time.RFC3339), skew), describe(e))
			}
			sleepUntil(ctx, time.Now().Add(time.Second))
		}
	})

func sleepUntil(ctx context.Context, when time.Time) {
	timer := time.NewTimer(time.Until(when))
	defer timer.Stop()
	select {
	case <-ctx.Done():
	case <-timer.C:
	}
}

// OAuth 2.1 §5.1: a token in the URI query is ignored, so the request is
// unauthenticated (401).
var _ = framework.It("OAUTH21-5.1-query-token-ignored",
	"a valid token sent only as the access_token query parameter is ignored (401)",
	func(ctx context.Context, t *framework.T) {
		target := mcpServer(t)
		tok := validToken(t)
		e := rsCall(t, queryURL(target, tok), "")
		responded(t, e, "initialize with the token in the query")
		switch {
		case accepted(e):
			t.FailExpected("initialize with a valid token only in the access_token query parameter to be answered 401 (the query token ignored)", describe(e))
		case e.Status != http.StatusUnauthorized:
			t.Warnf("initialize with the token only in the query was refused, but with %s instead of the 401 of an unauthenticated request (see MCP-PRMDiscovery-401-challenge)", describe(e))
		}
	})

// OAuth 2.1 §5.1.1, RFC 9110 §11.1: the Authorization scheme is
// case-insensitive, so bearer and BEARER work like Bearer.
var _ = framework.It("OAUTH21-5.1.1-bearer-scheme-case-insensitive",
	"the Authorization header scheme is accepted as Bearer, bearer and BEARER",
	func(ctx context.Context, t *framework.T) {
		target := mcpServer(t)
		tr := tokenFor(t, resource(t), "", nil)
		for _, scheme := range []string{"Bearer", "bearer", "BEARER"} {
			e := rsCall(t, target, scheme+" "+tr.AccessToken)
			responded(t, e, "initialize with the scheme "+scheme)
			if !accepted(e) {
				t.FailExpected(fmt.Sprintf("initialize with \"Authorization: %s <a valid token>\" to be accepted", scheme), describe(e))
			}
		}
	})

// OAuth 2.1 §5.2, RFC 9068 §4, MCP "Token Handling": the server verifies the
// token. Forgeries of a real JWT access token, each with one thing wrong:
// alg none, an altered payload with the original signature, a re-signature
// with the suite's key (new kid and a jku pointing elsewhere), an iss
// changed, an exp in the past (signatures kept). An opaque token gets one
// character changed instead.
var _ = framework.It("MCP-TokenHandling-forged-jwt-rejected",
	"forged access tokens (alg none, altered payload, foreign key, changed iss or exp) are refused with 401",
	func(ctx context.Context, t *framework.T) {
		target := mcpServer(t)
		tok := validToken(t)
		forgeries, err := forgeries(tok)
		if err != nil {
			t.Notef("the access token is not a JWS (%v); only a token with one character changed is tried", err)
			forgeries = []forgery{{"the token with one character changed", flipChar(tok)}}
		}
		for _, f := range forgeries {
			expectRefused(t, rsCall(t, target, "Bearer "+f.token), "initialize with "+f.what)
		}
	})

type forgery struct{ what, token string }

func forgeries(tok string) ([]forgery, error) {
	j, err := framework.DecodeJWT(tok)
	if err != nil {
		return nil, err
	}
	parts := strings.Split(tok, ".")
	enc := func(v map[string]any) string {
		b, _ := json.Marshal(v)
		return base64.RawURLEncoding.EncodeToString(b)
	}
	with := func(m map[string]any, k string, v any) map[string]any {
		out := map[string]any{}
		for key, val := range m {
			out[key] = val
		}
		out[k] = v
		return out
	}
	scope, _ := j.Claims["scope"].(string)
	widened := strings.TrimSpace(scope + " admin")
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	foreignHeader := map[string]any{"alg": "ES256", "typ": j.Header["typ"], "kid": "mcp-conformance-forged", "jku": "https://attacker.invalid/jwks.json"}
	signingInput := enc(foreignHeader) + "." + parts[1]
	digest := sha256.Sum256([]byte(signingInput))
	r, s, err := ecdsa.Sign(rand.Reader, key, digest[:])
	if err != nil {
		return nil, err
	}
	sig := append(pad32(r), pad32(s)...)
	return []forgery{
		{"the token re-encoded with alg none and no signature", enc(with(j.Header, "alg", "none")) + "." + parts[1] + "."},
		{"the token with scope widened in the payload and the original signature", resign(tok, j, "scope", widened)},
		{"the token re-signed with a key of the suite (new kid, jku to another host)", signingInput + "." + base64.RawURLEncoding.EncodeToString(sig)},
		{"the token with iss changed and the original signature", resign(tok, j, "iss", "https://attacker.invalid")},
		{"the token with exp in the past and the original signature", resign(tok, j, "exp", time.Now().Add(-time.Hour).Unix())},
	}, nil
}

// resign is the token with one claim changed and its original signature.
func resign(tok string, j *framework.JWT, claim string, value any) string {
	parts := strings.Split(tok, ".")
	claims := map[string]any{}
	for k, v := range j.Claims {
		claims[k] = v
	}
	claims[claim] = value
	b, _ := json.Marshal(claims)
	return parts[0] + "." + base64.RawURLEncoding.EncodeToString(b) + "." + parts[2]
}

func pad32(n *big.Int) []byte {
	b := n.Bytes()
	out := make([]byte, 32)
	copy(out[32-len(b):], b)
	return out
}

func flipChar(tok string) string {
	if tok == "" {
		return "x"
	}
	b := []byte(tok)
	i := len(b) / 2
	if b[i] == 'A' {
		b[i] = 'B'
	} else {
		b[i] = 'A'
	}
	return string(b)
}

// MCPSBP "Session Hijacking", MCP "Token Requirements": every request is
// authenticated; an Mcp-Session-Id is never a credential. tools/list with
// the session of an authenticated initialize, but without a token or with an
// invalid one, gets 401. Session IDs are also unguessable: five of them are
// distinct, not sequential, and long enough for 128 bits.
var _ = framework.It("MCPSBP-session-id-not-authentication",
	"a request naming an authenticated session but without a valid token is refused with 401; session IDs are unguessable",
	func(ctx context.Context, t *framework.T) {
		target := mcpServer(t)
		tok := validToken(t)
		var ids []string
		for range 5 {
			e := rsCall(t, target, "Bearer "+tok)
			responded(t, e, "an authenticated initialize")
			if id := e.ResponseHeader.Get("Mcp-Session-Id"); id != "" {
				ids = append(ids, id)
			}
		}
		var session http.Header
		if len(ids) > 0 {
			session = http.Header{"Mcp-Session-Id": {ids[0]}}
			// The client's notification that it is initialized, authenticated.
			mcpRequest(t, target, `{"jsonrpc":"2.0","method":"notifications/initialized"}`, http.Header{"Mcp-Session-Id": {ids[0]}, "Authorization": {"Bearer " + tok}})
		} else {
			t.Notef("the server issued no Mcp-Session-Id (it has no sessions); the follow-up requests name none")
		}
		for _, probe := range []struct{ what, authorization string }{
			{"no Authorization header", ""},
			{"a malformed token", "Bearer " + malformedToken},
		} {
			h := http.Header{}
			for k, v := range session {
				h[k] = v
			}
			if probe.authorization != "" {
				h.Set("Authorization", probe.authorization)
			}
			expectRefused(t, mcpRequest(t, target, toolsListBody, h), "tools/list in an authenticated session but with "+probe.what+" (a session is not authentication)")
		}
		if len(ids) > 0 {
			if problem := weakSessionIDs(ids); problem != "" {
				t.FailExpected("unguessable Mcp-Session-Id values (distinct, not sequential, at least 128 bits)", problem)
			}
		}
	})

// weakSessionIDs says what makes the IDs guessable, "" if nothing visible.
func weakSessionIDs(ids []string) string {
	seen := map[string]bool{}
	for _, id := range ids {
		if seen[id] {
			return "the same session ID was issued twice"
		}
		seen[id] = true
	}
	for _, id := range ids {
		if bits := entropyBound(id); bits < 128 {
			return fmt.Sprintf("a session ID of %d characters carries at most %d bits", len(id), bits)
		}
	}
	if sequential(ids) {
		return fmt.Sprintf("the session IDs differ only by a counter (%d IDs)", len(ids))
	}
	return ""
}

// entropyBound is an upper bound of the bits a string carries, from its
// length and the smallest alphabet that covers it.
func entropyBound(s string) int {
	hex, b64 := true, true
	for _, c := range s {
		switch {
		case c >= '0' && c <= '9', c >= 'a' && c <= 'f', c >= 'A' && c <= 'F':
		case c >= 'g' && c <= 'z', c >= 'G' && c <= 'Z', c == '-', c == '_', c == '+', c == '/', c == '=':
			hex = false
		default:
			hex, b64 = false, false
		}
	}
	switch {
	case hex:
		return 4 * len(s)
	case b64:
		return 6 * len(s)
	}
	return 7 * len(s)
}

// sequential reports whether the IDs share everything but a trailing number
// that counts up.
func sequential(ids []string) bool {
	prefix := func(s string) (string, *big.Int) {
		i := len(s)
		for i > 0 && s[i-1] >= '0' && s[i-1] <= '9' {
			i--
		}
		n, ok := new(big.Int).SetString(s[i:], 10)
		if !ok {
			return s, nil
		}
		return s[:i], n
	}
	p0, n0 := prefix(ids[0])
	if n0 == nil {
		return false
	}
	for _, id := range ids[1:] {
		p, n := prefix(id)
		if p != p0 || n == nil || n.Cmp(n0) <= 0 {
			return false
		}
		n0 = n
	}
	return true
}
