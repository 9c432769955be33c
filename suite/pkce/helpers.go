package pkce

import (
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/mcpauth/conformance/suite/framework"
)

// challengeParams is STD-AUTHZ for client c with the given code_challenge and
// code_challenge_method; an empty method leaves the parameter out.
func challengeParams(t *framework.T, c *framework.Client, challenge, method string) url.Values {
	v := t.AuthorizationParams(c, framework.NewPKCE())
	v.Set("code_challenge", challenge)
	if method == "" {
		v.Del("code_challenge_method")
	} else {
		v.Set("code_challenge_method", method)
	}
	return v
}

// withoutChallenge is STD-AUTHZ for client c with neither code_challenge nor
// code_challenge_method. The openid scope is dropped and no nonce is sent:
// OAuth 2.1 §7.5.2 lets a confidential client that uses the OpenID Connect
// nonce go without PKCE, and that exemption must not apply here. If dropping
// openid leaves no scope, a plain OAuth scope the server advertises takes its
// place, so that the request is refused for PKCE or not at all, rather than
// for asking for nothing.
func withoutChallenge(t *framework.T, c *framework.Client) url.Values {
	v := t.AuthorizationParams(c, framework.NewPKCE())
	v.Del("code_challenge")
	v.Del("code_challenge_method")
	v.Del("nonce")
	if scope := v.Get("scope"); scope != "" {
		kept := slices.DeleteFunc(strings.Fields(scope), func(s string) bool { return s == "openid" })
		if len(kept) == 0 {
			kept = strings.Fields(framework.AdvertisedScope(t.Metadata()))
		}
		if len(kept) == 0 {
			v.Del("scope")
		} else {
			v.Set("scope", strings.Join(kept, " "))
		}
	}
	return v
}

// attributeRefusal makes sure that the refusal of a request without
// code_challenge is about PKCE before a spec counts it as enforcement. An
// invalid_request redirect (the code RFC 7636 §4.4.1 names) or an error page
// is taken as such. Any other error is checked with a control request, the
// same one with an S256 challenge: if that gets a code, the missing challenge
// was the reason; if it is refused too, the refusal says nothing about PKCE
// and the requirement could not be exercised (SKIP). A server refusing for
// another reason (no scope granted, a consent policy) would otherwise pass.
func attributeRefusal(t *framework.T, m *framework.Metadata, c *framework.Client, refused url.Values, ae framework.AuthorizationError) {
	if ae.Page || ae.Code == "" || ae.Code == "invalid_request" {
		return
	}
	control := url.Values{}
	for k, vs := range refused {
		control[k] = slices.Clone(vs)
	}
	p := framework.NewPKCE()
	control.Set("code_challenge", p.Challenge)
	control.Set("code_challenge_method", p.Method)
	control.Set("state", framework.RandomString(16))
	res := t.Authorize(m, framework.AuthorizationRequest{Params: control})
	if res.Code() == "" {
		t.Skipf("the request without code_challenge was refused with error %q, but the same request with an S256 challenge was refused too (%s), so the refusal cannot be attributed to PKCE", ae.Code, res.Describe())
	}
	t.Notef("the same request with an S256 challenge got a code, so the %q refusal is due to the missing challenge", ae.Code)
}

// redeem is STD-TOKEN for code as client c with the given code_verifier; an
// empty verifier leaves the parameter out.
func redeem(t *framework.T, m *framework.Metadata, c *framework.Client, code, verifier string) *framework.Exchange {
	form := t.CodeRedemption(c, code, framework.PKCE{Verifier: verifier})
	if verifier == "" {
		form.Del("code_verifier")
	}
	return t.TokenRequest(m, c, form)
}

// issuedTokens reports whether a token response is a success (200 with an
// access_token).
func issuedTokens(e *framework.Exchange) bool {
	_, err := framework.ParseTokenResponse(e)
	return err == nil
}

// outcome says in a few words how a token request ended, for messages.
func outcome(e *framework.Exchange) string {
	if issuedTokens(e) {
		return fmt.Sprintf("tokens were issued (status %d)", e.Status)
	}
	if oe, err := framework.ParseOAuthError(e); err == nil {
		return fmt.Sprintf("refused with error %q (status %d)", oe.Code, oe.Status)
	}
	return e.Summary()
}

// authorizationError is the error code of an error redirect, from the query
// or (wrongly, for response_type=code) the fragment; "" if there is none.
func authorizationError(res *framework.AuthorizationResponse) string {
	if e := res.Query.Get("error"); e != "" {
		return e
	}
	return res.Fragment.Get("error")
}

// anyError accepts invalid_request and, with a note, whatever other error
// code the redirect carries: for requirements that only need the request to
// be refused, and leave the error code to another requirement.
func anyError(t *framework.T, res *framework.AuthorizationResponse, judgedBy string) []string {
	accepted := []string{"invalid_request"}
	if e := authorizationError(res); e != "" && e != "invalid_request" {
		t.Notef("refused with error %q rather than invalid_request; the error code is judged by %s", e, judgedBy)
		accepted = append(accepted, e)
	}
	return accepted
}

// codeIssuedWithoutChallenge reports a code issued for an authorization
// request without code_challenge as a FAIL, and says what the token endpoint
// then did with it: a refusal there is "late enforcement" (requirements §3,
// OAUTH21-4.1.2.1-pkce-required-public: the attack is blocked but the rule,
// refuse at the authorization endpoint, is broken).
func codeIssuedWithoutChallenge(t *framework.T, m *framework.Metadata, c *framework.Client, res *framework.AuthorizationResponse, kind string) {
	want := fmt.Sprintf("an authorization request of a %s client without code_challenge to be refused at the authorization endpoint (an invalid_request error redirect or an error page)", kind)
	e := redeem(t, m, c, res.Code(), "")
	if issuedTokens(e) {
		t.FailExpected(want, fmt.Sprintf("the server issued a code (%s) and the token endpoint redeemed it without any code_verifier: PKCE is not enforced for %s clients", res.Describe(), kind))
	}
	t.FailExpected(want, fmt.Sprintf("late enforcement: the server issued a code (%s); the token endpoint then refused it without a code_verifier (%s), which blocks the attack but not at the authorization endpoint as OAuth 2.1 requires", res.Describe(), outcome(e)))
}

// confidentialAvailable reports whether t.ConfidentialClient can be expected
// to return a client (configured, or registrable by DCR, where the metadata
// allows a secret-based method), so that a spec can fall back to a public
// client instead of SKIPping.
func confidentialAvailable(t *framework.T, m *framework.Metadata) bool {
	if t.Config().Clients.Confidential != nil {
		return true
	}
	reg, ok := framework.MemberString(m.Doc, "registration_endpoint")
	if !ok || reg == "" {
		return false
	}
	if methods, ok := framework.MemberStrings(m.Doc, "token_endpoint_auth_methods_supported"); ok {
		return slices.Contains(methods, "client_secret_basic") || slices.Contains(methods, "client_secret_post")
	}
	// Omitted means client_secret_basic (RFC 8414 §2).
	return true
}

// registeredByDCR reports whether the client is a fresh dynamic registration,
// whose redirect URI the server has no reason to trust (RFC 9700 §4.11.2).
func registeredByDCR(c *framework.Client) bool { return c.Registration != nil }
