// Package framework is the shared machinery of the conformance suite, and has
// no specs of its own (like Kubernetes' test/e2e/framework). Area packages
// (metadata, pkce, errors, ...) declare specs with It; the suite's entry point
// (suite/suite_test.go) loads the Config, calls Setup and DefineSpecs, and
// writes the reports from ReportAfterSuite.
//
// # Declaring a spec
//
// One file per RFC section where that reads well (pkce/rfc7636_4_6.go), specs
// at package level:
//
//	var _ = framework.It("RFC7636-4.6-wrong-verifier-invalid-grant",
//		"a token request with another well-formed verifier is refused with invalid_grant",
//		func(ctx context.Context, t *framework.T) {
//			m := t.Metadata()                  // SKIPs when discovery found nothing usable
//			c := t.PublicClient()              // fresh DCR client, or the configured one; SKIPs if none
//			p := framework.NewPKCE()
//			code, _ := t.ObtainCode(m, t.AuthorizationParams(c, p)) // login + consent
//			form := t.CodeRedemption(c, code, framework.NewPKCE())  // STD-TOKEN with a wrong verifier
//			e := t.TokenRequest(m, c, form)
//			t.ExpectRejected(e, "a wrong code_verifier", []string{"invalid_grant"}, framework.Warn)
//		}, framework.Browser)
//
// The requirement ID must be in suite/catalog/requirements.yaml. Its level,
// priority and area, and the name of the declaring package, become Ginkgo
// labels; framework.Browser adds "browser", framework.Slow adds "slow" (and
// leaves the spec out unless the label filter names slow).
//
// # Verdicts
//
//   - t.Failf / t.FailExpected(expected, actual): a MUST is violated. FAIL; the spec stops.
//   - t.Warnf / t.WarnExpected: a SHOULD is violated. WARN; the spec goes on.
//   - t.Infof: an optional behaviour observed. INFO.
//   - t.Violation(expected, actual): at the requirement's own level (FAIL for
//     MUST, WARN for SHOULD or hardening, INFO for MAY).
//   - t.Skipf: a precondition is missing; the requirement was not exercised.
//   - t.Errorf: the suite could not judge (browser trouble, a login that never
//     completes, a page no login task matches). ERROR, never a FAIL.
//   - t.Notef: a note on a PASS, such as "implicitly enforced".
//   - t.Expect(...): Gomega bound to the spec; a failed assertion is a FAIL.
//
// A spec with no findings PASSes (INFO for a MAY requirement). Never judge on
// error_description text, accept every error code a requirement allows, and
// compare media types without parameters (Exchange.MediaType).
//
// One defect, one FAIL: a root cause fails its own requirement once, and the
// rows that depend on it say so with a WARN or INFO that names it ("see
// RFC6749-5.2-token-error-format"). ExpectRejected does this for refusals whose
// error code cannot be read.
//
// Every message, note and piece of evidence passes Redact before a report or
// the terminal shows it: secrets the suite learns are registered
// (RegisterSecret) and masked wherever they appear.
//
// # Talking to the target
//
//   - t.Discovery(): every metadata location probed once per process.
//   - t.HTTP(): the recording resty client; every exchange becomes evidence
//     when the spec fails. Redirects are never followed.
//   - t.Authorize(m, AuthorizationRequest{...}): drives the user's agent
//     through login and consent; returns the redirect (Query, Fragment) or
//     the page it stayed on. The HTTP form agent (formagent.go) tries first
//     and hands anything that does not end in a redirect to Chrome, in the
//     spec's own browser context with the same cookies. Deny declines
//     consent; Fresh uses a new session; Browser drives Chrome from the start.
//   - t.BrowserTab(fresh): a Chrome tab in the spec's browser context.
//   - t.AuthorizeAll(m, reqs): several flows at once, each in its own tab,
//     so that their settle windows overlap (NO-REDIRECT probes).
//   - t.ListeningTab(fresh, fn): a tab for specs that drive pages without
//     the login tasks (consent-page inspection, replays, framing).
//   - t.TokenRequest, ParseTokenResponse, ParseOAuthError, ExpectRejected,
//     ExpectAuthorizationRefused: the token and error helpers.
package framework
