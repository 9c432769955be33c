package metadata

import (
	"context"
	"fmt"

	"github.com/mcpauth/conformance/suite/framework"
)

const issFlag = "authorization_response_iss_parameter_supported"

// RFC 9207 §2.3 (repeated by MCP 2026-07-28): an AS that puts iss in its
// authorization responses must advertise
// authorization_response_iss_parameter_supported: true; an AS that advertises
// true must send iss in every authorization response. One approved flow
// shows whether iss is sent; every document's flag is compared with it.
// The flag is a JSON boolean: "true" as a string is not true.
var _ = framework.It("RFC9207-2.3-iss-metadata-flag",
	"authorization_response_iss_parameter_supported is true exactly when the authorization response carries iss",
	func(ctx context.Context, t *framework.T) {
		docs := requireDocuments(t)
		m := t.Metadata()
		c := t.PublicClient()
		res := t.Authorize(m, framework.AuthorizationRequest{Params: t.AuthorizationParams(c, framework.NewPKCE())})
		if !res.Redirected {
			t.Skipf("precondition not met: the approved authorization request did not redirect back, so whether iss is sent could not be observed; the flow ended in %s", res.Describe())
		}
		issSent := res.Query.Has("iss") || res.Fragment.Has("iss")
		to := res.URL.Scheme + "://" + res.URL.Host + res.URL.Path
		seen := fmt.Sprintf("the authorization response (redirect to %s) carries no iss", to)
		if issSent {
			seen = fmt.Sprintf("the authorization response (redirect to %s) carries iss=%q", to, res.Query.Get("iss")+res.Fragment.Get("iss"))
		}
		var bad findings
		for _, doc := range docs {
			v, present := doc.Doc[issFlag]
			flag := v == true
			switch {
			case issSent && !present:
				bad.add(doc, "%s is absent (meaning false), but %s", issFlag, seen)
			case issSent && !flag:
				bad.add(doc, "%s is %s, not the boolean true, but %s", issFlag, framework.DescribeJSON(v), seen)
			case !issSent && flag:
				bad.add(doc, "%s is true, but %s (RFC9207-2-iss-in-authorization-response judges the response itself)", issFlag, seen)
			}
		}
		if len(bad) > 0 {
			actual := bad.String()
			if issSent {
				actual += "\n(MCP 2026-07-28 clients compare a present iss even without the flag, to tolerate servers that deploy iss before their metadata; the missing flag is still a violation)"
			}
			t.FailExpected(fmt.Sprintf("%s: true in the metadata exactly when authorization responses carry iss (RFC 9207 §2.3)", issFlag), actual)
		}
		t.Notef("%s; every document's flag agrees", seen)
	}, framework.Browser)
