package errors

import (
	"context"
	"fmt"

	"github.com/mcpauth/conformance/suite/framework"
)

// OAuth 2.1 §2.4 and §3.2.4 (RFC 6749 §2.3, §5.2): a client must not use more
// than one authentication method in a request, and the invalid_request
// definition covers "utilizes more than one mechanism for authenticating the
// client". The MUST binds the client, so the server's duty is only implied:
// accepting the request is a WARN, not a FAIL. invalid_client is a
// reasonable reading too (the authentication as a whole failed): a PASS with
// a note. Both credentials are correct and the code is fresh and valid, so
// the double authentication is the only defect.
var _ = framework.It("OAUTH21-3.2.4-multiple-auth-methods",
	"a token request authenticated by both HTTP Basic and client_secret in the body is refused with invalid_request",
	func(ctx context.Context, t *framework.T) {
		m := t.Metadata()
		c := t.ConfidentialClient()
		if c.Secret == "" || (c.AuthMethod != "client_secret_basic" && c.AuthMethod != "client_secret_post") {
			t.Skipf("the confidential client authenticates with %s (secret issued: %t), so Basic and body credentials could not both be sent", c.AuthMethod, c.Secret != "")
		}
		p := framework.NewPKCE()
		code, _ := t.ObtainCode(m, t.AuthorizationParams(c, p))
		form := t.CodeRedemption(c, code, p)
		if c.AuthMethod == "client_secret_post" {
			form.Set("client_id", c.ID)
		}
		form.Set("client_secret", c.Secret)
		e := t.HTTP().PostForm(ctx, t.Endpoint(m, "token_endpoint"), form, &framework.Credentials{ID: c.ID, Secret: c.Secret})
		t.Responded(e, "an HTTP response from the token endpoint")
		o := readTokenOutcome(e)
		expected := "a token request with correct credentials in both HTTP Basic and the body to be refused with invalid_request (invalid_client is accepted)"
		switch {
		case o.Success:
			t.WarnExpected(expected, fmt.Sprintf("status %d: the server accepted two authentication methods (%s)", e.Status, framework.Snippet(e.Body, 160)))
		case o.Code == "invalid_request":
		case o.Code == "invalid_client":
			t.Notef("refused with invalid_client (status %d); invalid_request is the code RFC 6749 §5.2 names for more than one authentication method", o.Status)
		case o.Code == "":
			warnUnreadable(t, "a token request with correct credentials in both HTTP Basic and the body", []string{"invalid_request", "invalid_client"}, o)
		default:
			t.WarnExpected(expected, fmt.Sprintf("error %q (status %d)", o.Code, o.Status))
		}
	}, framework.Browser)
