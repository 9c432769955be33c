package tokens

import (
	"context"
	"net/url"

	"github.com/mcpauth/conformance/suite/framework"
)

// RFC 9700 §2.4: the resource owner password credentials grant must not be
// used, and OAuth 2.1 omits it. Only the suite's dedicated test user is
// sent. unsupported_grant_type or unauthorized_client passes; invalid_grant
// (the credentials were checked) suggests the grant exists: a WARN.
var _ = framework.It("RFC9700-2.4-password-grant-refused",
	"grant_type=password with the test user's credentials gets no tokens",
	func(ctx context.Context, t *framework.T) {
		m := t.Metadata()
		c := t.PublicClient()
		login := t.Config().Login
		form := url.Values{"grant_type": {"password"}, "username": {login.Username}, "password": {login.Password}}
		t.ExpectRejected(t.TokenRequest(m, c, form), "a password-grant request for the test user",
			[]string{"unsupported_grant_type", "unauthorized_client"}, framework.Warn)
	})

// OAuth 2.1 §4.2: client credentials are for confidential clients only.
var _ = framework.It("OAUTH21-4.2-client-credentials-confidential-only",
	"grant_type=client_credentials from a public client gets no tokens",
	func(ctx context.Context, t *framework.T) {
		m := t.Metadata()
		c := t.PublicClient()
		form := url.Values{"grant_type": {"client_credentials"}}
		if r := t.Target().Resource; r != "" {
			form.Set("resource", r)
		}
		t.ExpectRejected(t.TokenRequest(m, c, form), "a client-credentials request from a public client",
			[]string{"unauthorized_client", "invalid_client", "unsupported_grant_type"}, framework.Warn)
	})
