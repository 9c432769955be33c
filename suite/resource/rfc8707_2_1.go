package resource

import (
	"context"

	"github.com/mcpauth/conformance/suite/framework"
)

// RFC 8707 §2.1: without resource, the server may use a default audience,
// issue an unrestricted token, or refuse with invalid_target. MCP clients
// always send resource, so every outcome is legitimate: the behaviour, and
// the audience when it can be observed, are recorded as INFO. The flow is
// shared with RFC9068-3-default-aud.
var _ = framework.It("RFC8707-2.1-missing-resource",
	"an authorization request and a token request without resource (recorded)",
	func(ctx context.Context, t *framework.T) {
		m := t.Metadata()
		f := noResourceFlow.get(func() flowResult { return resourceFlow(t, m, nil, nil) })
		if f.Tokens == nil {
			t.Infof("without resource, %s (refusing is allowed)", f.describe())
			return
		}
		o := observe(f.Tokens.AccessToken)
		if o.opaque() {
			t.Infof("without resource, tokens were issued; the access token is opaque (%s), so its audience could not be observed", o.Why)
			return
		}
		t.Infof("without resource, tokens were issued with %s", o.describe())
	}, framework.Browser)
