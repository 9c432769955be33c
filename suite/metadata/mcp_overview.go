package metadata

import (
	"context"
	"fmt"
	"strings"

	"github.com/mcpauth/conformance/suite/framework"
)

// MCP authorization, "Authorization Server Metadata Discovery": the AS must
// publish metadata at one of the well-known URLs MCP clients probe for its
// issuer. 2025-06-18 requires RFC 8414; 2025-11-25 and later accept OpenID
// Connect Discovery too; 2025-03-26 only said SHOULD and fell back to default
// endpoints (MCP-2025-03-26-default-endpoints). A location counts only if it
// serves a well-formed document (RFC 8414 §3.2) whose issuer is the expected
// one (RFC 8414 §3.3). The appended RFC 8414 form is not an RFC 8414 location
// and never counts; it is only reported.
var _ = framework.It("MCP-Overview-as-discovery-available",
	"a metadata document with the expected issuer is served at a well-known location the MCP profile's clients probe",
	func(ctx context.Context, t *framework.T) {
		d := t.Discovery()
		profile := t.Config().MCPVersion
		found := d.Metadata(profile)

		accepted := "RFC 8414 or OpenID Connect Discovery"
		if profile == framework.MCP20250618 || profile == framework.MCP20250326 {
			accepted = "RFC 8414"
		}
		if found != nil {
			t.Notef("discovery found the %s document at %s (MCP %s accepts %s)", found.Kind, found.URL, profile, accepted)
		}

		// The common mistake: the RFC 8414 suffix appended to the issuer path.
		// Clients never look there, so it is reported and never counted.
		if app := misplacedRFC8414(d); app != nil {
			t.WarnExpected(fmt.Sprintf("the RFC 8414 document at %s (suffix inserted before the issuer path, RFC 8414 §3)", d.RFC8414().URL),
				fmt.Sprintf("it is served at %s (suffix appended), which is not an RFC 8414 location; MCP clients do not find it there, so it does not count toward discovery", app.URL))
		}
		if found != nil {
			return
		}

		var why []string
		for _, l := range d.Locations {
			line := fmt.Sprintf("%s (%s, %s): %s", l.URL, l.Kind, l.Form, describeLocation(l))
			switch {
			case l.Kind == framework.KindRFC8414 && l.Form == framework.FormAppended:
				line += " [not an RFC 8414 location; never counted]"
			case l.Usable() && l.Doc["issuer"] != d.Issuer:
				line += fmt.Sprintf(" [issuer %s is not the expected %q, so clients must not use it]", framework.DescribeJSON(l.Doc["issuer"]), d.Issuer)
			case l.Usable() && l.Kind == framework.KindOIDC:
				line += fmt.Sprintf(" [OpenID Connect Discovery does not count in the MCP %s profile]", profile)
			}
			if l.Redirected() {
				line += fmt.Sprintf(" [after %d redirect(s)]", len(l.Exchanges)-1)
			}
			why = append(why, line)
		}
		expected := fmt.Sprintf("an %s document with issuer %q at one of the well-known locations MCP %s clients probe", accepted, d.Issuer, profile)
		actual := "no location served one:\n  " + strings.Join(why, "\n  ")
		if profile == framework.MCP20250326 {
			// MCP 2025-03-26: servers SHOULD support RFC 8414; without it,
			// clients fall back to the default endpoints.
			t.WarnExpected(expected+" (MCP 2025-03-26: SHOULD; clients fall back to {base}/authorize, /token and /register, judged by MCP-2025-03-26-default-endpoints)", actual)
			return
		}
		t.FailExpected(expected, actual)
	})
