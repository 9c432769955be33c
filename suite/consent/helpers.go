package consent

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"

	"github.com/mcpauth/conformance/suite/framework"
)

// attackerURI is a redirect URI no client registered, on a host that never
// resolves (RFC 6761 .invalid): the browser's attempt to go there is seen
// even though the connection fails.
const attackerURI = "https://attacker.invalid/cb"

// loggedIn runs one approved standard flow for a fresh public client, so that
// the spec's browser context has a session, and returns the client and the
// flow. A flow without a code SKIPs (ObtainCode).
func loggedIn(t *framework.T, m *framework.Metadata) (*framework.Client, *framework.AuthorizationResponse) {
	c := t.PublicClient()
	var res *framework.AuthorizationResponse
	// The specs go on in the browser's session, so the login happens there.
	t.InBrowser(func() { _, res = t.ObtainCode(m, t.AuthorizationParams(c, framework.NewPKCE())) })
	return c, res
}

// authorizationURL is the authorization request as the browser sends it.
func authorizationURL(t *framework.T, m *framework.Metadata, params url.Values) string {
	u, err := framework.MergeQuery(t.Endpoint(m, "authorization_endpoint"), params)
	if err != nil {
		t.Skipf("the authorization_endpoint is not a URL: %v", err)
	}
	return u
}

// registerWith registers a public client with other metadata (redirect URIs,
// a name), the way an MCP client of the profile does otherwise. It returns
// nil and the error when the server refuses it; it SKIPs when the server has
// no registration endpoint.
func registerWith(t *framework.T, m *framework.Metadata, edit func(map[string]any)) (*framework.Client, error) {
	reg, ok := framework.MemberString(m.Doc, "registration_endpoint")
	if !ok || reg == "" {
		t.Skipf("the server offers no dynamic client registration, which this requirement needs to register a client with particular metadata")
	}
	md := framework.ClientMetadataFor(t.Config().MCPVersion, "none", t.RedirectURI())
	edit(md)
	return t.Register(reg, md)
}

// mustRegister is registerWith that SKIPs when the server refuses.
func mustRegister(t *framework.T, m *framework.Metadata, what string, edit func(map[string]any)) *framework.Client {
	c, err := registerWith(t, m, edit)
	if err != nil {
		t.Skipf("the server refused to register a client %s, which this requirement needs: %v", what, err)
	}
	return c
}

// withParam returns a copy of params with name set to values (none: deleted).
func withParam(params url.Values, name string, values ...string) url.Values {
	out := url.Values{}
	for k, v := range params {
		out[k] = slices.Clone(v)
	}
	if len(values) == 0 {
		out.Del(name)
	} else {
		out[name] = values
	}
	return out
}

// parallel runs fns at once and waits for all. A verdict that stops the spec
// (Failf, Skipf, Errorf panic) is raised again in the spec's goroutine.
func parallel(fns ...func()) {
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first any
	)
	for _, f := range fns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() {
				if r := recover(); r != nil {
					mu.Lock()
					if first == nil {
						first = r
					}
					mu.Unlock()
				}
			}()
			f()
		}()
	}
	wg.Wait()
	if first != nil {
		panic(first)
	}
}

// consentPage opens the authorization request for c in a tab of the spec's
// browser context, where the user is logged in, and stops on the consent
// page without deciding. It returns the tab and what it shows; SKIPs when the
// server approves without a consent page (first-party setups, remembered
// consent), and is an ERROR when the login page comes back.
func consentPage(t *framework.T, m *framework.Metadata, params url.Values, initScript string) (*pageDriver, *view) {
	d, v := consentPageIfAny(t, m, params, initScript)
	if v == nil {
		t.Skipf("no consent step: the server approved an authorization request of a client the user never approved without a consent page, so this requirement cannot be exercised")
	}
	return d, v
}

// consentPageIfAny is consentPage for specs that judge other pages too: with
// no consent step it notes that and returns a nil view.
func consentPageIfAny(t *framework.T, m *framework.Metadata, params url.Values, initScript string) (*pageDriver, *view) {
	d := newDriver(t, false, initScript)
	v := d.open(authorizationURL(t, m, params), params.Get("redirect_uri"))
	switch {
	case v.Redirect != nil:
		t.Notef("no consent step: the server answered an authorization request of a new client with %s, without a consent page, so only the other pages were judged", v.describe())
		return d, nil
	case v.Login:
		t.Errorf("the login page was shown again although the user had logged in in this browser context, so the consent page could not be reached")
	case !v.Consent:
		t.Errorf("the authorization request ended on a page that no consent task matches (%s), so the consent page could not be examined (check the consent task of the configuration)", v.describe())
	}
	return d, v
}

// navigatedTo returns the first navigation of a flow to origin's scheme and
// host, nil if none.
func navigatedTo(res *framework.AuthorizationResponse, origin string) *url.URL {
	o, err := url.Parse(origin)
	if err != nil {
		return nil
	}
	for _, n := range res.Navigations {
		if u, err := url.Parse(n.URL); err == nil && sameOrigin(u, o) {
			return u
		}
	}
	return nil
}

// hasCode reports whether a flow ended with a code, in the query or the
// fragment.
func hasCode(res *framework.AuthorizationResponse) bool {
	return res.Redirected && (res.Query.Get("code") != "" || res.Fragment.Get("code") != "")
}

// describeRedirect says where a flow went, without the code's value.
func describeRedirect(res *framework.AuthorizationResponse) string {
	if !res.Redirected {
		return res.Describe()
	}
	return "a redirect to " + redactCode(res.URL)
}

// dcrClient tells a dynamically registered client (whose redirect URI the
// server has no reason to trust, RFC 9700 §4.11.2) from a configured one.
func dcrClient(c *framework.Client) bool { return c.Registration != nil }

// failures collects findings of one spec that each stand alone (every
// mutation reported separately), and FAILs once with all of them.
type failures []string

func (f *failures) add(format string, args ...any) { *f = append(*f, fmt.Sprintf(format, args...)) }

func (f failures) report(t *framework.T) {
	if len(f) > 0 {
		t.Failf("%s", strings.Join(f, "\n\n"))
	}
}
