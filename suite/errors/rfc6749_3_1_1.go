package errors

import (
	"context"
	"fmt"

	"github.com/mcpauth/conformance/suite/framework"
)

// RFC 6749 §3.1.1 and §4.1.2.1 (OAuth 2.1 §4.1.1): response_type is
// required, and a missing or unknown value is an authorization error:
// unsupported_response_type, or invalid_request for a missing one (both are
// reasonable for either case). Treating it as code silently is a FAIL. An
// error page rather than a redirect is a WARN.
var _ = framework.It("RFC6749-3.1.1-response-type-errors",
	"an authorization request without response_type, or with an unknown one, gets an error redirect and no code",
	func(ctx context.Context, t *framework.T) {
		m := t.Metadata()
		c := t.PublicClient()
		accepted := []string{"unsupported_response_type", "invalid_request"}
		for _, tc := range responseTypeDefects {
			res := authorizeWith(t, m, c, tc.Mutate)
			expected := fmt.Sprintf("a request with %s to be refused with an error redirect (%s) and no code", tc.What, oneOf(accepted...))
			switch {
			case issuedCode(res):
				t.FailExpected(expected, "the server issued a code: "+res.URL.String())
			case !res.Redirected:
				t.WarnExpected(expected, res.Describe())
				continue
			}
			params, inFragment := errorParams(res)
			if params == nil {
				t.FailExpected(expected, "a redirect with neither error nor code: "+res.URL.String())
			}
			if code := params.Get("error"); code != accepted[0] && code != accepted[1] {
				t.WarnExpected(expected, fmt.Sprintf("error %q in %s", code, res.URL))
			}
			if inFragment {
				t.Notef("a request with %s: the error came in the fragment (the placement is judged by RFC6749-4.1.2.1-authz-error-redirect)", tc.What)
			}
		}
	}, framework.Browser)
