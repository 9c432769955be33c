package errors

import (
	"net/url"
	"strings"

	"github.com/mcpauth/conformance/suite/framework"
)

// The state every refused authorization request of this package sends
// (requirements RFC6749-4.1.2.1-state-in-error): unreserved and reserved
// characters, a plus and a space. It goes on the wire as stateOnWire, with
// %20 for the space so that the value stays unambiguous whether the server
// form-decodes ("+" is a space) or percent-decodes the query.
const (
	sentState   = "s_~.-+ /=&"
	stateOnWire = "s_~.-%2B%20%2F%3D%26"
)

// authorizeWith runs STD-AUTHZ for client c with one defect applied by
// mutate, and with sentState as the state. The state is written into the
// endpoint's query by hand (url.Values would encode the space as "+"); the
// framework keeps an endpoint's own query and adds the other parameters.
func authorizeWith(t *framework.T, m *framework.Metadata, c *framework.Client, mutate func(url.Values)) *framework.AuthorizationResponse {
	params := t.AuthorizationParams(c, framework.NewPKCE())
	params.Del("state")
	mutate(params)
	endpoint := t.Endpoint(m, "authorization_endpoint")
	u, err := url.Parse(endpoint)
	if err != nil {
		t.Skipf("the authorization_endpoint %q is not a URL: %v", endpoint, err)
	}
	if u.RawQuery != "" && !strings.HasSuffix(u.RawQuery, "&") {
		u.RawQuery += "&"
	}
	u.RawQuery += "state=" + stateOnWire
	return t.Authorize(m, framework.AuthorizationRequest{Endpoint: u.String(), Params: params})
}

// errorParams returns the parameters of an error redirect and whether they
// came in the fragment; nil when the flow did not end in an error redirect.
func errorParams(res *framework.AuthorizationResponse) (url.Values, bool) {
	if !res.Redirected {
		return nil, false
	}
	if res.Query.Get("error") != "" {
		return res.Query, false
	}
	if res.Fragment.Get("error") != "" {
		return res.Fragment, true
	}
	return nil, false
}

// issuedCode reports whether the flow ended with a code, in the query or the
// fragment.
func issuedCode(res *framework.AuthorizationResponse) bool {
	return res.Redirected && (res.Query.Get("code") != "" || res.Fragment.Get("code") != "")
}

// registeredByDCR tells a client the server registered dynamically (its
// redirect URI is untrusted, RFC 9700 §4.11.2) from a pre-registered one.
func registeredByDCR(c *framework.Client) bool { return c.Registration != nil }

// sameEndpoint reports whether the redirect went to the redirect URI itself
// (scheme, host and path), whatever parameters it carries.
func sameEndpoint(got *url.URL, redirectURI string) bool {
	want, err := url.Parse(redirectURI)
	if err != nil {
		return false
	}
	return got.Scheme == want.Scheme && got.Host == want.Host && got.Path == want.Path
}

// errorPageVerdict is how an error page shown instead of a redirect is
// judged: allowed with a WARN for a dynamically registered client, whose
// redirect URI the server has no reason to trust (RFC 9700 §4.11.2), a FAIL
// for a pre-registered one.
func errorPageVerdict(c *framework.Client) (framework.Verdict, string) {
	if registeredByDCR(c) {
		return framework.Warn, " (a WARN, not a FAIL: the client was registered dynamically, and RFC 9700 §4.11.2 lets a server show an error page rather than redirect to an untrusted redirect URI)"
	}
	return framework.Fail, ""
}

// issNote says whether an error redirect carried the RFC 9207 iss the server
// advertises. The iss rules are judged by their own specs; here it is a note.
func issNote(t *framework.T, m *framework.Metadata, params url.Values, what string) {
	advertised, _ := m.Doc["authorization_response_iss_parameter_supported"].(bool)
	if !advertised {
		return
	}
	want, _ := framework.MemberString(m.Doc, "issuer")
	switch got := params.Get("iss"); {
	case !params.Has("iss"):
		t.Notef("%s: the server advertises authorization_response_iss_parameter_supported but the error redirect has no iss (RFC 9207 §2; judged by the iss specs)", what)
	case got != want:
		t.Notef("%s: iss %q differs from the metadata issuer %q (RFC 9207 §2; judged by the iss specs)", what, got, want)
	default:
		t.Notef("%s: iss equals the metadata issuer", what)
	}
}
