package selftest

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/mcpauth/conformance/refserver"
)

// declared is a verdict a variant run is expected to give a requirement
// other than PASS, with why the research says it is the right one for that
// server.
type declared struct {
	Verdict string
	Reason  string
}

// variantDeclarations: variant → requirement ID → the verdict the whole-suite
// run against that variant must give. An undeclared FAIL, WARN or ERROR fails
// TestVariants, and so does a declaration that no longer matches what the run
// gives (stale). Declaring INFO or SKIP for a requirement asserts that it is
// not reported PASS: the server gives it nothing to judge.
var variantDeclarations = map[string]map[string]declared{
	"client-secret-post-only": {
		"RFC7591-3.2.1-echo-registered-metadata": {"FAIL",
			"the variant omits token_endpoint_auth_method from the registration response, as some real servers do: RFC 7591 §3.2.1 requires every registered member back, so this one row FAILs while the rest of the suite must cope (calibration issue, class 2)"},
	},
	"cimd-off": {
		"MCP-CIMD-supported": {"WARN",
			"the server does not support client ID metadata documents, which MCP 2025-11-25 and later say an AS SHOULD (requirements §9.2)"},
	},
	"consent-remembered": {
		"OAUTH21-7.3.1-no-silent-consent-unknown-client": {"WARN",
			"a second request of the same public DCR client is approved without a consent page: the research makes a remembered approval for a public or DCR client a WARN (OAuth 2.1 §7.3.1 SHOULD NOT), while a new client still sees consent"},
	},
	"refresh-grace-period": {
		"OAUTH21-4.3.1-rotated-rt-rejected": {"WARN",
			"a rotated refresh token still works within a short reuse window: the research reports a grace window as WARN, never FAIL (requirements §8 Tricky)"},
	},
	"authz-errors-as-page": {
		"RFC6749-4.1.2.1-authz-error-redirect": {"WARN",
			"an error page instead of a redirect is a WARN for a DCR client, whose redirect URI the server need not trust (RFC 9700 §4.11.2; requirements §5 Tricky)"},
		"RFC6749-3.1.1-response-type-errors": {"WARN",
			"requirements §5: an AS error page instead of the error redirect is a WARN"},
		"RFC7636-4.4.1-missing-challenge-error": {"WARN",
			"requirements §3 Tricky: for a DCR client an error page instead of the invalid_request redirect is a WARN (RFC 9700 §4.11.2)"},
		"RFC7636-4.4.1-unsupported-method-error": {"WARN",
			"requirements §3: an AS error page only is a WARN (DCR or untrusted redirect, RFC 9700 §4.11.2)"},
	},
	"rfc8707-ignored": {
		"RFC8707-2-audience-restriction": {"WARN",
			"the token's aud is the client_id whatever resource was asked for: the server does not implement RFC 8707, which MCP clients rely on (SHOULD, requirements §4)"},
		"RFC8707-2-audience-includes-path": {"INFO",
			"not applicable: the audience does not reflect resource at all, so whether it keeps the path cannot be judged (see RFC8707-2-audience-restriction)"},
		"RFC8707-2.2-token-resource-within-grant": {"INFO",
			"not applicable: resource is ignored, so no token is bound to a grant's resource (see RFC8707-2-audience-restriction)"},
		"RFC8707-2-invalid-target-malformed": {"INFO",
			"not applicable: a server that ignores resource never judges it, so invalid_target cannot be expected (see RFC8707-2-audience-restriction)"},
		"RFC8707-2-unknown-resource-policy": {"INFO",
			"not applicable: resource is ignored, so there is no policy for unknown resources (see RFC8707-2-audience-restriction)"},
		"RFC9068-3-jwt-aud-matches-resource": {"INFO",
			"not applicable: aud is the client_id, not derived from resource (see RFC8707-2-audience-restriction)"},
		"MCP-ResourceParam-case-tolerance": {"INFO",
			"not applicable: resource is ignored, so its case cannot matter (see RFC8707-2-audience-restriction)"},
	},
}

// variantArgs are extra suite flags a variant needs (none should).
var variantArgs = map[string][]string{
	// The registration endpoint of this variant is protected; the suite is
	// given the initial access token, as its user would be.
	"dcr-initial-access-token": {"-initial-access-token", "refserver-initial-access-token"},
	// The grace window is 3 s: retries after 4 s and 8 s see it close
	// without the default 65 s and 305 s waits.
	"refresh-grace-period": {"-refresh-reuse-wait", "4s,8s"},
}

// TestVariants: every conformant variant of the reference server passes the
// whole suite, except the short declared list per variant: faults prove that
// the specs can fail, variants prove that they do not fail correct servers.
func TestVariants(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the whole suite once per variant")
	}
	for name := range variantDeclarations {
		if _, ok := refserver.LookupVariant(name); !ok {
			t.Errorf("variantDeclarations names %s, which is not a refserver variant", name)
		}
	}
	for _, v := range refserver.Variants() {
		t.Run(v.Name, func(t *testing.T) {
			t.Parallel()
			rep, _ := runSuiteWith(t, refserver.Options{Variants: []string{v.Name}}, "", variantArgs[v.Name]...)
			checkVariantRun(t, v.Name, rep, variantDeclarations[v.Name])
		})
	}
}

// checkVariantRun compares a variant run with its declarations.
func checkVariantRun(t *testing.T, variant string, rep *report, decl map[string]declared) {
	t.Helper()
	seen := map[string]bool{}
	var skips []string
	for _, r := range rep.Requirements {
		if len(r.Specs) == 0 {
			continue
		}
		seen[r.ID] = true
		d, isDeclared := decl[r.ID]
		switch {
		case isDeclared && d.Verdict == r.Verdict:
		case isDeclared:
			t.Errorf("variant %s: %s got %s, but %s is declared (%s); fix the suite or the stale declaration:\n%s",
				variant, r.ID, r.Verdict, d.Verdict, d.Reason, r.Reason)
		case r.Verdict == "FAIL", r.Verdict == "WARN", r.Verdict == "ERROR":
			t.Errorf("variant %s is conformant, but %s got %s:\n%s", variant, r.ID, r.Verdict, r.Reason)
		case r.Verdict == "SKIP":
			skips = append(skips, r.ID+": "+firstLineOf(r.Reason))
		}
		if r.Verdict == "PASS" {
			// A requirement is PASS only if a spec judged it; every
			// spec that could not judge must have said so.
			passed := false
			for _, s := range r.Specs {
				switch s.Verdict {
				case "PASS":
					passed = true
				case "ERROR", "FAIL", "WARN":
					t.Errorf("variant %s: %s is PASS although its spec %q is %s", variant, r.ID, s.Name, s.Verdict)
				case "SKIP":
					skips = append(skips, fmt.Sprintf("%s (PASS by its other specs) spec %q: %s", r.ID, s.Name, firstLineOf(s.Reason)))
				}
			}
			if !passed {
				t.Errorf("variant %s: %s is PASS, but none of its specs passed", variant, r.ID)
			}
		}
	}
	for id, d := range decl {
		if !seen[id] {
			t.Errorf("variant %s: %s is declared %s, but no spec of the run exercised it (stale declaration)", variant, id, d.Verdict)
		}
	}
	sort.Strings(skips)
	if len(skips) > 0 {
		t.Logf("variant %s: %d SKIP(s), of requirements or of specs whose requirement passed by the others:\n  %s", variant, len(skips), strings.Join(skips, "\n  "))
	}
}

func firstLineOf(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// crossCuttingFaults break one requirement that many rows see on their way
// to their own: the format of token errors, the state and the place of the
// parameters of authorization error redirects.
var crossCuttingFaults = []string{"token-errors-problem-json", "authz-error-drops-state", "authz-error-in-fragment"}

// TestOneDefectOneFail: with a cross-cutting fault, the whole suite FAILs
// only the requirements the fault is mapped to. Every other row that meets
// the defect points to one of them with a WARN rather than FAIL as well.
func TestOneDefectOneFail(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the whole suite")
	}
	for _, name := range crossCuttingFaults {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f, ok := refserver.LookupFault(name)
			if !ok {
				t.Fatalf("%s is not a refserver fault", name)
			}
			rep, _ := runSuiteWith(t, refserver.Options{Faults: []string{name}}, "")
			for _, r := range rep.Requirements {
				owned := slices.Contains(f.Requirements, r.ID)
				switch {
				case owned && r.Verdict != "FAIL" && r.Verdict != "WARN":
					t.Errorf("fault %s: %s got %s, want FAIL or WARN:\n%s", name, r.ID, r.Verdict, r.Reason)
				case owned:
				case r.Verdict == "FAIL", r.Verdict == "ERROR":
					t.Errorf("fault %s: %s got %s; only %s may FAIL, the others point there with a WARN:\n%s", name, r.ID, r.Verdict, strings.Join(f.Requirements, ", "), r.Reason)
				case r.Verdict == "WARN" && !pointsTo(r.Reason, f.Requirements):
					t.Errorf("fault %s: %s WARNs without pointing to %s:\n%s", name, r.ID, strings.Join(f.Requirements, " or "), r.Reason)
				}
			}
		})
	}
}

func pointsTo(reason string, ids []string) bool {
	return slices.ContainsFunc(ids, func(id string) bool { return strings.Contains(reason, id) })
}
