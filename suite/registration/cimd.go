package registration

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/mcpauth/conformance/suite/framework"
)

// authorizeCIMD drives an authorization request for a metadata-document
// client; the user approves, unless deny.
func authorizeCIMD(t *framework.T, m *framework.Metadata, clientID, redirectURI string) *framework.AuthorizationResponse {
	c := &framework.Client{ID: clientID, AuthMethod: "none", RedirectURI: redirectURI}
	return t.Authorize(m, framework.AuthorizationRequest{Params: t.AuthorizationParams(c, framework.NewPKCE())})
}

// admitted reports whether an authorization request was let through: a
// consent page was shown or a code issued.
func admitted(res *framework.AuthorizationResponse) bool {
	return res.ConsentShown || res.Code() != "" || res.Fragment.Get("code") != ""
}

// MCP 2025-11-25 and later: the server should accept https client_ids whose
// metadata documents it fetches. Advertising support and failing the flow is
// a FAIL; not supporting it a WARN (before 2025-11-25, INFO).
var _ = framework.It("MCP-CIMD-supported", "a client whose client_id is the URL of its metadata document completes the authorization code flow",
	func(ctx context.Context, t *framework.T) {
		m := t.Metadata()
		if !framework.CIMDSupported(m) {
			if !atLeast(t, framework.MCP20251125) {
				t.Infof("client ID metadata documents are not advertised; MCP %s does not have them", t.Config().MCPVersion)
				return
			}
			t.WarnExpected("client_id_metadata_document_supported: true (MCP "+t.Config().MCPVersion+": the server SHOULD support client ID metadata documents)", "the metadata at "+m.Location.URL+" does not advertise it")
			return
		}
		c, d := t.CIMDClient(m)
		p := framework.NewPKCE()
		res := t.ApprovedAuthorization(m, t.AuthorizationParams(c, p))
		if res.Code() == "" {
			t.FailExpected("an authorization code for the metadata-document client "+c.ID+" (the server advertises support)", res.Describe())
		}
		e := t.TokenRequest(m, c, t.CodeRedemption(c, res.Code(), p))
		if _, err := framework.ParseTokenResponse(e); err != nil {
			t.FailExpected("tokens for the metadata-document client's code", e.Summary())
		}
		if d.Fetches() == 0 {
			t.Notef("the flow worked but the suite saw no fetch of the document (a document served through --cimd-base-url may be fetched elsewhere)")
		}
	}, framework.Browser)

// CIMD "Client ID Metadata Document": the document's client_id must equal its
// URL exactly, and the server must check it.
var _ = framework.It("CIMD-client-id-must-match-url", "a metadata document whose client_id differs from its URL is refused",
	func(ctx context.Context, t *framework.T) {
		m := t.Metadata()
		h := t.CIMD(m)
		md := t.CIMDMetadata()
		md["client_id"] = h.Base + "/clients/other-" + framework.RandomString(6) + ".json"
		d := h.Document(md)
		res := authorizeCIMD(t, m, d.URL, t.RedirectURI())
		if admitted(res) {
			t.FailExpected("the authorization request of "+d.URL+" to be refused: its document names another client_id", "it went on: "+res.Describe())
		}
	}, framework.Browser)

// CIMD: redirect URIs are checked against the document's redirect_uris.
var _ = framework.It("CIMD-redirect-uri-from-document", "a redirect_uri that the metadata document does not list is refused without a redirect",
	func(ctx context.Context, t *framework.T) {
		m := t.Metadata()
		d := t.CIMD(m).Document(t.CIMDMetadata())
		evil := strings.TrimSuffix(t.RedirectURI(), "/callback") + "/evil"
		res := authorizeCIMD(t, m, d.URL, evil)
		if res.Redirected && strings.HasSuffix(res.URL.Path, "/evil") || res.Code() != "" {
			t.FailExpected("no redirect to "+evil+", which the client's metadata document does not list", res.Describe())
		}
		if res.ConsentShown {
			t.Notef("the consent page was shown for the unlisted redirect_uri, but no redirect to it followed")
		}
	}, framework.Browser)

// CIMD "Client Information Discovery": the server does not follow redirects
// when fetching a document; anything but 200 is an error.
var _ = framework.It("CIMD-no-redirect-following", "a client_id URL that answers 302 to a valid document is refused",
	func(ctx context.Context, t *framework.T) {
		m := t.Metadata()
		h := t.CIMD(m)
		from := h.Document(t.CIMDMetadata())
		to := h.Document(with(t.CIMDMetadata(), "client_id", from.URL))
		from.Redirect(to.URL)
		res := authorizeCIMD(t, m, from.URL, t.RedirectURI())
		if admitted(res) {
			t.Violation("the client_id "+from.URL+", which answers 302, to be refused (redirects are not followed)", "the server followed the redirect to the document and went on: "+res.Describe())
		}
	}, framework.Browser)

// CIMD "Credential and Key Material Restrictions": a document must not use a
// shared secret. The server's duty is implied, hence a WARN.
var _ = framework.It("CIMD-no-shared-secret-methods", "a metadata document that declares client_secret_basic is refused",
	func(ctx context.Context, t *framework.T) {
		m := t.Metadata()
		d := t.CIMD(m).Document(with(t.CIMDMetadata(), "token_endpoint_auth_method", "client_secret_basic"))
		if res := authorizeCIMD(t, m, d.URL, t.RedirectURI()); admitted(res) {
			t.WarnExpected("a metadata document with token_endpoint_auth_method client_secret_basic to be treated as invalid", "the server accepted the client: "+res.Describe())
		}
	}, framework.Browser)

// fetchLeak matches error texts that report what an internal connection did.
var fetchLeak = regexp.MustCompile(`(?i)connection refused|dial tcp|i/o timeout|no route to host|network is unreachable|connection reset|econnrefused|etimedout|deadline exceeded|169\.254\.169\.254:|\[::1\]:`)

// CIMD security considerations, MCP "Authorization Server Abuse Protection":
// client_ids on private addresses are refused without revealing what a
// connection there did. Whether a fetch happened cannot be seen from outside,
// so the verdict rests on the outcome and the error text.
var _ = framework.It("CIMD-ssrf-private-address", "client_ids on loopback, link-local and metadata-service addresses are refused without revealing fetch results",
	func(ctx context.Context, t *framework.T) {
		m := t.Metadata()
		h := t.CIMD(m)
		probes := []string{"https://[::1]/client.json", "https://169.254.169.254/latest/meta-data/"}
		if u, _ := url.Parse(h.Base); u != nil && u.Hostname() != "127.0.0.1" {
			probes = append(probes, "https://127.0.0.1/client.json")
		} else {
			probes = append(probes, "https://localhost/client.json")
		}
		for _, id := range probes {
			start := time.Now()
			res := authorizeCIMD(t, m, id, t.RedirectURI())
			took := time.Since(start).Round(time.Millisecond)
			switch {
			case admitted(res):
				t.WarnExpected("the client_id "+id+" to be refused", res.Describe())
			case fetchLeak.MatchString(res.Page.Text):
				t.WarnExpected("the refusal of "+id+" not to reveal what a connection to that address did", "the error page says: "+framework.Snippet([]byte(strings.Join(strings.Fields(res.Page.Text), " ")), 200))
			default:
				t.Notef("%s was refused in %s", id, took)
			}
		}
	}, framework.Browser)

// CIMD "Metadata Caching": failed fetches are not cached. The document first
// answers 500, then the valid document; the retry must fetch it again.
var _ = framework.It("CIMD-errors-not-cached", "after a failed document fetch, a retry fetches the document again and works",
	func(ctx context.Context, t *framework.T) {
		m := t.Metadata()
		md := t.CIMDMetadata()
		d := t.CIMD(m).Document(md)
		d.Serve(http.StatusInternalServerError, map[string]any{"error": "temporarily_unavailable"})
		if first := authorizeCIMD(t, m, d.URL, t.RedirectURI()); admitted(first) {
			t.Skipf("precondition not met: the server let the request through although the document answered 500 (%s)", first.Describe())
		}
		failedFetches := d.Fetches()
		d.Serve(http.StatusOK, md)
		// A rate-limited server may back off a little: retry for a while.
		for _, wait := range []time.Duration{0, 2 * time.Second, 5 * time.Second} {
			time.Sleep(wait)
			if res := authorizeCIMD(t, m, d.URL, t.RedirectURI()); admitted(res) {
				return
			}
		}
		if d.Fetches() == failedFetches {
			t.FailExpected("the document to be fetched again after a failed fetch (CIMD: errors are not cached)", "the server kept refusing the client and did not fetch its document again")
		}
		t.Skipf("the server fetched the document again but still refused the client, for a reason the suite cannot tell")
	}, framework.Browser)

// warningWording is what a localhost warning on a consent page says.
var warningWording = regexp.MustCompile(`(?i)warn|caution|careful|only continue|make sure|trust|your (own )?(computer|device|machine)`)

// MCP 2025-11-25 "Localhost Redirect URI Risks": the consent page of a
// metadata-document client shows the redirect URI's host, and should warn
// about localhost-only redirects.
var _ = framework.It("MCP-CIMD-display-redirect-host", "the consent page of a metadata-document client shows the redirect host and warns about localhost",
	func(ctx context.Context, t *framework.T) {
		m := t.Metadata()
		c, _ := t.CIMDClient(m)
		res := t.Authorize(m, framework.AuthorizationRequest{Params: t.AuthorizationParams(c, framework.NewPKCE()), Deny: true})
		if !res.ConsentShown {
			t.Skipf("precondition not met: no consent page was shown for the metadata-document client (%s)", res.Describe())
		}
		u, _ := url.Parse(c.RedirectURI)
		// The issuer's and the resource's URLs may be on the same host: only
		// the host shown elsewhere counts.
		text := res.ConsentText
		if iss, err := url.Parse(t.Target().Issuer); err == nil {
			text = strings.ReplaceAll(text, iss.Host, "")
		}
		if !strings.Contains(text, u.Hostname()) {
			t.FailExpected("the consent page to show the redirect host "+u.Hostname(), "its visible text does not: "+framework.Snippet([]byte(strings.Join(strings.Fields(res.ConsentText), " ")), 300))
		}
		if !warningWording.MatchString(res.ConsentText) {
			t.WarnExpected("a warning on the consent page that the client redirects to this computer (localhost)", "no warning wording found")
		}
	}, framework.Browser)
