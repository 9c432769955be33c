package security

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"strings"

	"github.com/mcpauth/conformance/suite/framework"
)

// entropyCodes is how many codes (and so tokens) one logged-in session
// yields for the entropy check; each costs one browser flow.
const entropyCodes = 5

// alphabets, smallest first: the bits per character of a value are those of
// the smallest alphabet that holds every character of every sample.
var alphabets = []struct {
	chars string
	name  string
}{
	{"0123456789", "decimal digits"},
	{"0123456789abcdef", "lower-case hex"},
	{"0123456789ABCDEF", "upper-case hex"},
	{"0123456789abcdefABCDEF", "hex"},
	{"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ", "letters and digits"},
	{"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_", "base64url"},
	{"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_+/=.~", "base64 and URL characters"},
}

// entropy estimates an upper bound of the guessable bits of a credential
// from several samples: the shortest sample's length times the bits of its
// alphabet, less the positions where every sample has the same character
// (a fixed prefix or format). It can show weakness, never strength.
func entropy(samples []string) (bits float64, alphabet string) {
	minLen := math.MaxInt
	all := strings.Join(samples, "")
	for _, s := range samples {
		minLen = min(minLen, len(s))
	}
	size, alphabet := 95, "printable characters"
	for _, a := range alphabets {
		if strings.Trim(all, a.chars) == "" {
			size, alphabet = len(a.chars), a.name
			break
		}
	}
	varying := 0
	for i := range minLen {
		for _, s := range samples[1:] {
			if s[i] != samples[0][i] {
				varying++
				break
			}
		}
	}
	if len(samples) < 2 {
		varying = minLen
	}
	return float64(varying) * math.Log2(float64(size)), alphabet
}

// sequential reports whether decimal samples are numbers close together.
func sequential(samples []string) bool {
	var prev *big.Int
	for _, s := range samples {
		n, ok := new(big.Int).SetString(s, 10)
		if !ok {
			return false
		}
		if prev != nil {
			d := new(big.Int).Sub(n, prev)
			if d.Abs(d).Cmp(big.NewInt(1_000_000)) > 0 {
				return false
			}
		}
		prev = n
	}
	return len(samples) > 1
}

// judgeEntropy judges one kind of credential: duplicates, sequences and an
// upper bound below 128 bits FAIL, below 160 bits WARN (RFC 6749 §10.10).
func judgeEntropy(t *framework.T, kind string, samples []string) {
	if len(samples) < 2 {
		t.Notef("only %d %s sample(s); not judged", len(samples), kind)
		return
	}
	seen := map[string]bool{}
	for _, s := range samples {
		if seen[s] {
			t.FailExpected("every "+kind+" to be unique", fmt.Sprintf("two of %d %s samples are identical", len(samples), kind))
		}
		seen[s] = true
	}
	if sequential(samples) {
		t.FailExpected(kind+" values that cannot be guessed", fmt.Sprintf("the %d samples are numbers close to each other", len(samples)))
	}
	bits, alphabet := entropy(samples)
	actual := fmt.Sprintf("%d samples of at least %d characters of %s vary in at most %.0f bits", len(samples), len(samples[0]), alphabet, bits)
	switch {
	case bits < 128:
		t.FailExpected(kind+" values with at least 128 bits of entropy (RFC 6749 §10.10)", actual)
	case bits < 160:
		t.WarnExpected(kind+" values with 160 bits of entropy (RFC 6749 §10.10 SHOULD)", actual)
	default:
		t.Notef("%s: %s", kind, actual)
	}
}

// tokenSamples splits tokens into what is random in them: a JWT's signature
// and jti (RFC 6749 §10.10 via requirements §12), or the whole opaque value.
func tokenSamples(tokens []string) (opaque, signatures, jtis []string) {
	for _, tok := range tokens {
		jwt, err := framework.DecodeJWT(tok)
		if err != nil {
			opaque = append(opaque, tok)
			continue
		}
		signatures = append(signatures, tok[strings.LastIndex(tok, ".")+1:])
		if jti, ok := framework.MemberString(jwt.Claims, "jti"); ok {
			jtis = append(jtis, jti)
		}
	}
	return opaque, signatures, jtis
}

// RFC 6749 §10.10, OAuth 2.1 §7.7: codes, tokens and client secrets cannot be
// guessed. Several codes come from one logged-in session; each is redeemed
// for tokens; client secrets come from fresh confidential registrations.
var _ = framework.It("RFC6749-10.10-credential-entropy", "codes, access and refresh tokens and client secrets have at least 128 bits of entropy and do not repeat",
	func(ctx context.Context, t *framework.T) {
		m := t.Metadata()
		c := t.PublicClient()
		var codes, access, refresh []string
		for range entropyCodes {
			p := framework.NewPKCE()
			code, _ := t.ObtainCode(m, t.AuthorizationParams(c, p))
			codes = append(codes, code)
			tr, err := framework.ParseTokenResponse(t.TokenRequest(m, c, t.CodeRedemption(c, code, p)))
			if err != nil {
				continue
			}
			access = append(access, tr.AccessToken)
			if tr.RefreshToken != "" {
				refresh = append(refresh, tr.RefreshToken)
			}
		}
		judgeEntropy(t, "authorization code", codes)
		opaque, sigs, jtis := tokenSamples(access)
		judgeEntropy(t, "opaque access token", opaque)
		if len(sigs) > 0 {
			judgeEntropy(t, "JWT access token signature", sigs)
			judgeEntropy(t, "JWT access token jti", jtis)
		}
		judgeEntropy(t, "refresh token", refresh)
		if _, ok := framework.MemberString(m.Doc, "registration_endpoint"); ok && t.Config().Clients.Confidential == nil {
			var secrets, ids []string
			for range 3 {
				cc := t.ConfidentialClient()
				ids = append(ids, cc.ID)
				if cc.Secret != "" {
					secrets = append(secrets, cc.Secret)
				}
			}
			judgeEntropy(t, "client secret", secrets)
			if bits, alphabet := entropy(ids); bits < 128 {
				t.Notef("registered client_ids vary in about %.0f bits (%s); client_ids are public identifiers, so this is not judged", bits, alphabet)
			}
		}
	}, framework.Browser)

// OAuth 2.1 §7.1.3.5, MCP "Token Theft": access tokens should be
// short-lived. The thresholds are the suite's policy: up to 1 h passes, up
// to 24 h is INFO, longer or unknown is a WARN.
var _ = framework.It("OAUTH21-7.1.3.5-short-lived-access-tokens", "access tokens expire within an hour (expires_in, or the JWT's exp - iat)",
	func(ctx context.Context, t *framework.T) {
		m := t.Metadata()
		c := t.PublicClient()
		p := framework.NewPKCE()
		code, _ := t.ObtainCode(m, t.AuthorizationParams(c, p))
		tr, err := framework.ParseTokenResponse(t.TokenRequest(m, c, t.CodeRedemption(c, code, p)))
		if err != nil {
			t.Skipf("precondition not met: the code was not redeemed for tokens: %v", err)
		}
		lifetime, source := int64(-1), ""
		if n, ok := tr.Doc["expires_in"].(json.Number); ok {
			if v, err := n.Int64(); err == nil {
				lifetime, source = v, "expires_in"
			}
		}
		if jwt, err := framework.DecodeJWT(tr.AccessToken); lifetime < 0 && err == nil {
			exp, ok1 := jwt.Claims["exp"].(json.Number)
			iat, ok2 := jwt.Claims["iat"].(json.Number)
			e, e1 := exp.Int64()
			i, e2 := iat.Int64()
			if ok1 && ok2 && e1 == nil && e2 == nil {
				lifetime, source = e-i, "the JWT's exp - iat"
			}
		}
		switch {
		case lifetime < 0:
			t.WarnExpected("an observable access token lifetime of at most 1 hour", "neither expires_in nor a JWT exp and iat")
		case lifetime > 24*3600:
			t.WarnExpected("an access token lifetime of at most 1 hour (suite policy; OAuth 2.1 §7.1.3.5 asks for short-lived tokens)", fmt.Sprintf("%d seconds (%s)", lifetime, source))
		case lifetime > 3600:
			t.Infof("the access token lives %d seconds (%s): more than 1 hour, at most 24", lifetime, source)
		}
	}, framework.Browser)

// RFC 9700 §2.2.1: sender-constrained access tokens (DPoP, RFC 9449, or
// mTLS, RFC 8705) should be supported. MCP does not require them, so their
// absence is INFO; an advertisement that constrains nothing is a WARN.
var _ = framework.It("RFC9700-2.2.1-sender-constrained-tokens", "the server advertises DPoP or mTLS-bound access tokens with usable algorithms",
	func(ctx context.Context, t *framework.T) {
		m := t.Metadata()
		mtls, _ := m.Doc["tls_client_certificate_bound_access_tokens"].(bool)
		raw, hasDPoP := m.Doc["dpop_signing_alg_values_supported"]
		if hasDPoP {
			algs, ok := framework.MemberStrings(m.Doc, "dpop_signing_alg_values_supported")
			bad := !ok || len(algs) == 0
			for _, a := range algs {
				if a == "none" || strings.HasPrefix(a, "HS") {
					bad = true
				}
			}
			if bad {
				t.WarnExpected("dpop_signing_alg_values_supported to list asymmetric JWS algorithms (RFC 9449 §5.1)", fmt.Sprintf("%v", raw))
			}
			return
		}
		if mtls {
			return
		}
		t.Infof("the metadata advertises neither DPoP (dpop_signing_alg_values_supported) nor mTLS-bound tokens (tls_client_certificate_bound_access_tokens); RFC 9700 §2.2.1 recommends one, MCP does not require it")
	})
