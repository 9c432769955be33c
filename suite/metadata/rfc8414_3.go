package metadata

import (
	"context"
	"fmt"
	"net/http"

	"github.com/mcpauth/conformance/suite/framework"
)

// RFC 8414 §3: the metadata of an issuer with a path is at the issuer's host
// with /.well-known/oauth-authorization-server inserted before the path (any
// trailing slash dropped first). Judged apart from "discovery works"
// (requirements §13 pitfall 2): an AS that serves RFC 8414 metadata anywhere
// else, or runs under the 2025-06-18 profile, which requires RFC 8414, must
// serve it here. An OIDC-only AS is allowed from MCP 2025-11-25: SKIP.
var _ = framework.It("RFC8414-3-path-insertion",
	"the RFC 8414 document is served at the well-known URL with the suffix inserted before the issuer path",
	func(ctx context.Context, t *framework.T) {
		d := t.Discovery()
		ins := d.RFC8414()
		if ins == nil {
			t.Skipf("the issuer %q gives no well-known URL: %s", d.Issuer, d.Report())
		}
		if ins.Usable() {
			if ins.Redirected() {
				t.Notef("%s answered with a same-origin redirect first, followed to %s", ins.URL, ins.Last().URL)
			}
			if !hasPath(d.Issuer) {
				t.Notef("the issuer %q has no path, so the inserted and the root form are the same URL", d.Issuer)
			}
			return
		}

		if e := ins.Last(); e != nil && !looksAbsent(e) && isJSONObject(e.Body) {
			// A JSON object served here with the wrong status or media type:
			// the placement is right; the format is RFC8414-3.2's finding.
			t.Notef("%s serves a JSON object, though not a usable document (%s); RFC8414-3.2-response-format judges that", ins.URL, ins.Problem)
			return
		}

		// Does the AS claim RFC 8414? Look where misconfigured servers put it.
		var elsewhere []string
		if app := misplacedRFC8414(d); app != nil {
			elsewhere = append(elsewhere, fmt.Sprintf("%s (suffix appended after the issuer path)", app.URL))
		}
		if hasPath(d.Issuer) {
			root := originOf(d.Issuer) + "/.well-known/oauth-authorization-server"
			e := t.HTTP().Get(ctx, root, http.Header{"Accept": {"application/json"}})
			if e.Err == nil && e.Status == http.StatusOK && e.MediaType() == "application/json" {
				if doc, err := e.JSONObject(); err == nil && doc["issuer"] == d.Issuer {
					elsewhere = append(elsewhere, fmt.Sprintf("%s (the issuer path left out, though the document's issuer has it)", root))
				}
			}
		}
		profile := t.Config().MCPVersion
		expected := fmt.Sprintf("the RFC 8414 document at %s", ins.URL)
		actual := fmt.Sprintf("%s gave %s", ins.URL, describeLocation(ins))
		switch {
		case len(elsewhere) > 0:
			t.FailExpected(expected, actual+"; the AS serves its RFC 8414 document elsewhere, where RFC 8414 §3 clients do not look: "+joinList(elsewhere))
		case profile == framework.MCP20250618:
			t.FailExpected(expected+" (the MCP 2025-06-18 profile requires RFC 8414 metadata)", actual)
		case len(oidcDocuments(t)) > 0:
			t.Skipf("the AS serves only OpenID Connect Discovery metadata (allowed from MCP 2025-11-25), so RFC 8414 placement does not apply; %s", actual)
		default:
			t.Skipf("the AS serves no metadata at any location, so RFC 8414 placement could not be judged (MCP-Overview-as-discovery-available reports it):\n%s", d.Report())
		}
	})

func joinList(items []string) string {
	if len(items) == 1 {
		return items[0]
	}
	s := ""
	for _, it := range items {
		s += "\n  - " + it
	}
	return s
}
