package registration

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/mcpauth/conformance/suite/framework"
)

// registrationErrors are the error codes of RFC 7591 §3.2.2.
var registrationErrors = []string{"invalid_redirect_uri", "invalid_client_metadata", "invalid_software_statement", "unapproved_software_statement"}

// dcr is the registration endpoint; it SKIPs the spec when there is none.
func dcr(t *framework.T) (*framework.Metadata, string) {
	m := t.Metadata()
	return m, t.Endpoint(m, "registration_endpoint")
}

// minimal is the registration of a public MCP client of the run's profile.
func minimal(t *framework.T) map[string]any {
	return framework.ClientMetadataFor(t.Config().MCPVersion, "none", t.RedirectURI())
}

// confidentialMetadata is the registration of a confidential client with the
// secret method an MCP client would choose at this server.
func confidentialMetadata(t *framework.T, m *framework.Metadata) map[string]any {
	return framework.ClientMetadataFor(t.Config().MCPVersion, framework.ConfidentialAuthMethod(m), t.RedirectURI())
}

// with returns a copy of md with key set to v.
func with(md map[string]any, key string, v any) map[string]any {
	out := make(map[string]any, len(md)+1)
	for k, x := range md {
		out[k] = x
	}
	out[key] = v
	return out
}

// registration is one registration request and its answer.
type registration struct {
	e   *framework.Exchange
	doc map[string]any // the JSON object answered, nil if none
}

// accepted: a 2xx answer (201 is judged by RFC7591-3.2.1-201-json).
func (r registration) accepted() bool { return r.e.Err == nil && r.e.Status >= 200 && r.e.Status < 300 }

// errorCode is the error member of a refusal ("" when it has none).
func (r registration) errorCode() string {
	s, _ := framework.MemberString(r.doc, "error")
	return s
}

// describe says what came back, for messages.
func (r registration) describe() string {
	if r.e.Err != nil {
		return "no response: " + r.e.Err.Error()
	}
	if code := r.errorCode(); code != "" && !r.accepted() {
		return fmt.Sprintf("status %d with error %q", r.e.Status, code)
	}
	return fmt.Sprintf("status %d (%s)", r.e.Status, framework.Snippet(r.e.Body, 120))
}

// register sends md as JSON (with the configured initial access token). A
// registration endpoint that demands an initial access token the suite was
// not given SKIPs the spec: the requirement could not be exercised.
func register(t *framework.T, endpoint string, md any) registration {
	body, _ := json.Marshal(md)
	e := t.RegistrationRequest(endpoint, body)
	r := registration{e: e}
	r.doc, _ = e.JSONObject()
	if e.Status == http.StatusUnauthorized && t.Config().Registration().InitialAccessToken == "" {
		t.Skipf("the registration endpoint answered 401 (%s): it needs an initial access token, so give one with --initial-access-token", e.ResponseHeader.Get("WWW-Authenticate"))
	}
	return r
}

// client is the client a registration created, as the server registered it.
func client(t *framework.T, r registration, md map[string]any) *framework.Client {
	c, err := framework.ClientFromRegistration(r.e, md)
	if err != nil {
		t.Skipf("precondition not met: the registration could not be used: %v", err)
	}
	return c
}

// mustRegister registers md and SKIPs when the server refuses it: the row
// needs a client, and refusals are other rows' findings.
func mustRegister(t *framework.T, endpoint string, md map[string]any) (registration, *framework.Client) {
	r := register(t, endpoint, md)
	if !r.accepted() {
		t.Skipf("precondition not met: a registration the row needs was refused (%s); RFC7591-2-public-client-none and RFC7591-3-post-json judge refusals", r.describe())
	}
	return r, client(t, r, md)
}

// atLeast reports whether the run's MCP profile is version or newer.
func atLeast(t *framework.T, version string) bool {
	return slices.Index(framework.MCPVersions, t.Config().MCPVersion) >= slices.Index(framework.MCPVersions, version)
}

// judgeRefusal records how a request that must be refused was answered:
// accepted is a violation at the row's level, a code outside want is a WARN
// (accepted codes are registration errors).
func judgeRefusal(t *framework.T, what string, r registration, want ...string) bool {
	expected := fmt.Sprintf("%s to be refused with error %s", what, strings.Join(want, " or "))
	switch {
	case r.e.Err != nil:
		t.FailExpected(expected, r.describe())
	case r.accepted():
		t.Violation(expected, "the server registered it: "+r.describe())
		return false
	case r.errorCode() == "":
		t.WarnExpected(expected, "refused, but without a readable JSON error ("+r.describe()+"); see RFC7591-3.2.2-error-format")
	case !slices.Contains(want, r.errorCode()):
		t.WarnExpected(expected, r.describe())
	}
	return true
}

// sameSet compares two string lists as sets.
func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(slices.Compact(a), slices.Compact(b))
}

// strings of a member that is an array of strings, or one string.
func stringsOf(v any) ([]string, bool) {
	switch x := v.(type) {
	case string:
		return strings.Fields(x), true
	case []string:
		return x, true
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			s, ok := e.(string)
			if !ok {
				return nil, false
			}
			out = append(out, s)
		}
		return out, true
	}
	return nil, false
}
