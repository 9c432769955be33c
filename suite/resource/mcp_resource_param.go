package resource

import (
	"context"
	"fmt"

	"github.com/mcpauth/conformance/suite/framework"
)

// MCP "Canonical Server URI": the canonical URI has a lower-case scheme and
// host, but implementations should accept upper-case variants (RFC 3986
// §6.2.2.1 makes both case-insensitive). A refused variant is a WARN, never a
// FAIL: the rule pulls against exact matching. A refusal is attributed to the
// letter case only if RES itself works (the standard flow, shared).
var _ = framework.It("MCP-ResourceParam-case-tolerance",
	"resource=RES with its scheme and host in upper case is accepted at the authorization and token endpoints",
	func(ctx context.Context, t *framework.T) {
		res := configuredResource(t)
		m := t.Metadata()
		v := caseVariant(res)
		f := resourceFlow(t, m, []string{v}, []string{v})
		if f.Tokens != nil {
			// A server that ignores resource accepts any value: that says
			// nothing about letter case.
			if notApplicableWithoutRFC8707(t, m, res) {
				return
			}
			t.Notef("resource=%s was accepted; %s", v, observe(f.Tokens.AccessToken).describe())
			return
		}
		if std := standardFlow.get(func() flowResult { return resourceFlow(t, m, []string{res}, []string{res}) }); std.Tokens == nil {
			t.Skipf("precondition not met: resource=%s itself gives no tokens (%s), so a refusal of its case variant says nothing about letter case", res, std.describe())
		}
		want := fmt.Sprintf("resource=%s, which is %s with its scheme and host in upper case, to be accepted like it (MCP: implementations should accept upper-case variants)", v, res)
		t.WarnExpected(want, f.describe())
	}, framework.Browser)

// MCP: the trailing slash should be consistently omitted unless it is
// significant. A server may treat RES with a slash added (or removed) as the
// same resource or as another one; what it does is recorded as INFO.
var _ = framework.It("MCP-ResourceParam-case-tolerance",
	"resource=RES with a trailing slash added or removed (recorded)",
	func(ctx context.Context, t *framework.T) {
		res := configuredResource(t)
		m := t.Metadata()
		v := slashVariant(res)
		t.Infof("resource=%s: %s", v, resourceFlow(t, m, []string{v}, []string{v}).describe())
	}, framework.Browser)
