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
//			code, _ := t.ObtainCode(m, t.AuthorizationParams(c, p)) // browser login + consent
//			form := t.CodeRedemption(c, code, framework.NewPKCE())  // STD-TOKEN with a wrong verifier
//			e := t.TokenRequest(m, c, form)
//			t.ExpectRejected(e, "a wrong code_verifier", []string{"invalid_grant"}, framework.Warn)
//		}, framework.Browser)
//
// The requirement ID must be in suite/catalog/requirements.yaml. Its level,
// priority and area become Ginkgo labels; framework.Browser adds "browser".
//
// # Verdicts
//
//   - t.Failf / t.FailExpected(expected, actual): a MUST is violated. FAIL; the spec stops.
//   - t.Warnf / t.WarnExpected: a SHOULD is violated. WARN; the spec goes on.
//   - t.Infof: an optional behaviour observed. INFO.
//   - t.Violation(expected, actual): at the requirement's own level (FAIL for
//     MUST, WARN for SHOULD or hardening, INFO for MAY).
//   - t.Skipf: a precondition is missing; the requirement was not exercised.
//   - t.Notef: a note on a PASS, such as "implicitly enforced".
//   - t.Expect(...): Gomega bound to the spec; a failed assertion is a FAIL.
//
// A spec with no findings PASSes (INFO for a MAY requirement). Never judge on
// error_description text, accept every error code a requirement allows, and
// compare media types without parameters (Exchange.MediaType).
//
// # Talking to the target
//
//   - t.Discovery(): every metadata location probed once per process.
//   - t.HTTP(): the recording resty client; every exchange becomes evidence
//     when the spec fails. Redirects are never followed.
//   - t.Authorize(m, AuthorizationRequest{...}): drives Chrome through login
//     and consent; returns the redirect (Query, Fragment) or the page it
//     stayed on. Deny declines consent; Fresh uses a new browser context.
//   - t.AuthorizeAll(m, reqs): several flows at once, each in its own tab,
//     so that their settle windows overlap (NO-REDIRECT probes).
//   - t.ListeningTab(fresh, fn): a tab for specs that drive pages without
//     the login tasks (consent-page inspection, replays, framing).
//   - t.TokenRequest, ParseTokenResponse, ParseOAuthError, ExpectRejected,
//     ExpectAuthorizationRefused: the token and error helpers.
package framework
