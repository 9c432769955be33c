package metadata

import (
	"context"
	"fmt"
	"slices"

	"github.com/mcpauth/conformance/suite/framework"
)

// OpenID Connect Discovery 1.0 §4.1: the provider configuration is at the
// issuer with /.well-known/openid-configuration appended (any trailing slash
// of the issuer removed first). The inserted variant MCP clients also try
// comes from RFC 8414 §5 and is optional for the AS. An AS without an RFC
// 8414 document relies on OIDC Discovery, so the appended location must work
// (FAIL); an AS that serves OIDC only at the inserted location gets a WARN.
var _ = framework.It("OIDCD-4.1-path-append-location",
	"the OpenID Connect Discovery document is served at the issuer with /.well-known/openid-configuration appended",
	func(ctx context.Context, t *framework.T) {
		d := t.Discovery()
		app := d.Find(framework.KindOIDC, framework.FormAppended)
		ins := d.Find(framework.KindOIDC, framework.FormInserted)
		if app == nil {
			t.Skipf("the issuer %q gives no well-known URL: %s", d.Issuer, d.Report())
		}
		if app.Usable() {
			if ins != nil && ins.URL == app.URL {
				t.Notef("the issuer %q has no path, so the appended and inserted forms are the same URL", d.Issuer)
			}
			return
		}
		expected := fmt.Sprintf("the OpenID Connect Discovery document at %s (OIDC Discovery §4.1)", app.URL)
		actual := fmt.Sprintf("%s gave %s", app.URL, describeLocation(app))
		rfc := d.RFC8414().Usable()
		switch {
		case ins.Usable():
			t.WarnExpected(expected, actual+fmt.Sprintf("; the document is served only at the inserted location %s, which OIDC relying parties other than MCP clients do not try", ins.URL))
		case rfc:
			t.Skipf("the AS serves an RFC 8414 document and no OpenID Connect Discovery document, so it does not rely on OIDC Discovery; %s", actual)
		case t.Config().MCPVersion == framework.MCP20250326:
			t.Skipf("the AS serves no metadata, which MCP 2025-03-26 allows (clients fall back to default endpoints, judged by MCP-2025-03-26-default-endpoints); %s", actual)
		default:
			t.FailExpected(expected+", since the AS serves no RFC 8414 document and so relies on OIDC Discovery", actual)
		}
	})

// OpenID Connect Discovery 1.0 §3: a provider document carries jwks_uri,
// subject_types_supported and id_token_signing_alg_values_supported (which
// includes RS256), besides issuer, the endpoints and response_types_supported.
// Judged only on documents fetched from openid-configuration. This is an
// OpenID Connect profile result: MCP interoperability does not need these
// members, and many pure OAuth servers alias their RFC 8414 document there.
var _ = framework.It("OIDCD-3-required-oidc-members",
	"every OpenID Connect Discovery document carries the members OIDC Discovery §3 requires",
	func(ctx context.Context, t *framework.T) {
		docs := oidcDocuments(t)
		if len(docs) == 0 {
			t.Skipf("the AS serves no usable OpenID Connect Discovery document, so the OpenID Connect profile does not apply")
		}
		var bad findings
		for _, doc := range docs {
			var missing []string
			for _, name := range []string{"issuer", "authorization_endpoint", "token_endpoint", "jwks_uri"} {
				if s, ok := framework.MemberString(doc.Doc, name); !ok || s == "" {
					missing = append(missing, name)
				}
			}
			for _, name := range []string{"response_types_supported", "subject_types_supported", "id_token_signing_alg_values_supported"} {
				if v, present, ok := stringList(doc.Doc, name); !present || !ok || len(v) == 0 {
					missing = append(missing, name)
				}
			}
			if len(missing) > 0 {
				bad.add(doc, "missing or mistyped: %v", missing)
			}
			if algs, _, ok := stringList(doc.Doc, "id_token_signing_alg_values_supported"); ok && len(algs) > 0 && !slices.Contains(algs, "RS256") {
				bad.add(doc, "id_token_signing_alg_values_supported is %s, without RS256", framework.DescribeJSON(doc.Doc["id_token_signing_alg_values_supported"]))
			}
		}
		if len(bad) > 0 {
			t.FailExpected("[OpenID Connect profile, not needed for MCP] issuer, authorization_endpoint, token_endpoint, jwks_uri, response_types_supported, subject_types_supported and id_token_signing_alg_values_supported with RS256 (OIDC Discovery §3)", bad.String())
		}
	})
