package metadata

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/mcpauth/conformance/suite/framework"
)

// RFC 8414 §3.3 (and OIDC Discovery §4.3): the issuer in the document is
// identical to the issuer the well-known URL was built from; a client must
// not use a document whose issuer differs. Compared exactly: no case folding,
// no trailing-slash trimming, no default-port removal, no percent-decoding.
// The expected issuer comes from configuration or the embedded server, never
// from the document (requirements §13 pitfall 1). Every served document is
// judged, since a client may land on any of them.
var _ = framework.It("RFC8414-3.3-issuer-match",
	"the issuer member of every metadata document is identical to the issuer the well-known URL was built from",
	func(ctx context.Context, t *framework.T) {
		expected := t.Discovery().Issuer
		var bad findings
		for _, doc := range requireDocuments(t) {
			if doc.Loc.Redirected() {
				t.Notef("%s was reached through a redirect to %s; the issuer is still compared with %q", doc.Name(), doc.Loc.Last().URL, expected)
			}
			got, ok := framework.MemberString(doc.Doc, "issuer")
			switch {
			case !ok:
				bad.add(doc, "issuer is %s, not a string", framework.DescribeJSON(doc.Doc["issuer"]))
			case got != expected:
				bad.add(doc, "issuer %q differs from %q: %s", got, expected, issuerDifference(expected, got))
			}
		}
		if len(bad) > 0 {
			t.FailExpected(fmt.Sprintf("issuer %q, character for character (RFC 8414 §3.3; clients must not use a document with another issuer)", expected), bad.String())
		}
	})

// issuerDifference names how two issuer strings differ, for the diagnostic.
func issuerDifference(expected, got string) string {
	switch {
	case got == expected+"/":
		return "a trailing slash was added (both build the same well-known URL, but the issuer must be identical)"
	case expected == got+"/":
		return "the trailing slash of the issuer is missing"
	case strings.EqualFold(got, expected):
		return "they differ only in letter case"
	}
	e, err1 := url.Parse(expected)
	g, err2 := url.Parse(got)
	if err1 != nil || err2 != nil {
		return "the document's issuer is not a URL"
	}
	var diffs []string
	if e.Scheme != g.Scheme {
		if strings.EqualFold(e.Scheme, g.Scheme) {
			diffs = append(diffs, fmt.Sprintf("scheme case (%s vs %s)", g.Scheme, e.Scheme))
		} else {
			diffs = append(diffs, fmt.Sprintf("scheme (%s vs %s)", g.Scheme, e.Scheme))
		}
	}
	if e.Hostname() != g.Hostname() {
		if strings.EqualFold(e.Hostname(), g.Hostname()) {
			diffs = append(diffs, fmt.Sprintf("host case (%s vs %s)", g.Hostname(), e.Hostname()))
		} else {
			diffs = append(diffs, fmt.Sprintf("host (%s vs %s)", g.Hostname(), e.Hostname()))
		}
	}
	if e.Port() != g.Port() {
		switch {
		case e.Port() == "" && isDefaultPort(g.Scheme, g.Port()):
			diffs = append(diffs, fmt.Sprintf("the default port :%s is written out", g.Port()))
		case g.Port() == "" && isDefaultPort(e.Scheme, e.Port()):
			diffs = append(diffs, fmt.Sprintf("the default port :%s is left out", e.Port()))
		default:
			diffs = append(diffs, fmt.Sprintf("port (%q vs %q)", g.Port(), e.Port()))
		}
	}
	if ep, gp := rawPath(expected), rawPath(got); ep != gp {
		switch {
		case gp == ep+"/":
			diffs = append(diffs, "a trailing slash was added to the path")
		case ep == gp+"/":
			diffs = append(diffs, "the trailing slash of the path is missing")
		case e.Path == g.Path:
			diffs = append(diffs, fmt.Sprintf("percent-encoding of the path (%s vs %s)", gp, ep))
		case strings.EqualFold(ep, gp):
			diffs = append(diffs, fmt.Sprintf("path case (%s vs %s)", gp, ep))
		default:
			diffs = append(diffs, fmt.Sprintf("path (%q vs %q)", gp, ep))
		}
	}
	if e.RawQuery != g.RawQuery || e.ForceQuery != g.ForceQuery {
		diffs = append(diffs, fmt.Sprintf("query (%q vs %q)", g.RawQuery, e.RawQuery))
	}
	if e.Fragment != g.Fragment || strings.Contains(got, "#") != strings.Contains(expected, "#") {
		diffs = append(diffs, fmt.Sprintf("fragment (%q vs %q)", g.Fragment, e.Fragment))
	}
	if e.User.String() != g.User.String() {
		diffs = append(diffs, "userinfo")
	}
	if len(diffs) == 0 {
		return "they differ in their spelling"
	}
	return "differences (document vs expected): " + strings.Join(diffs, "; ")
}

func isDefaultPort(scheme, port string) bool {
	return strings.EqualFold(scheme, "https") && port == "443" || strings.EqualFold(scheme, "http") && port == "80"
}

// rawPath is the path of a URL exactly as written (no decoding or
// re-encoding), so that percent-encoding differences stay visible.
func rawPath(raw string) string {
	if _, rest, ok := strings.Cut(raw, "://"); ok {
		raw = rest
	}
	i := strings.IndexAny(raw, "/?#")
	if i < 0 || raw[i] != '/' {
		return ""
	}
	raw = raw[i:]
	if j := strings.IndexAny(raw, "?#"); j >= 0 {
		raw = raw[:j]
	}
	return raw
}
