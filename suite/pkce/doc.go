// Package pkce holds the specs of requirements §3: Proof Key for Code
// Exchange as an MCP authorization server must enforce it (RFC 7636, OAuth 2.1
// §4.1 and §7.5, RFC 9700 §2.1.1 and §4.8.2, the MCP authorization
// specification's "Authorization Code Protection").
//
// The specs fall in four groups:
//
//   - PKCE is required: an authorization request without code_challenge is
//     refused at the authorization endpoint, for public and for confidential
//     clients (a code issued there is a FAIL even when the token endpoint then
//     refuses it: "late enforcement"), with a proper invalid_request error
//     redirect (RFC 7636 §4.4.1); and a code_verifier sent for a code issued
//     without a challenge is refused (the downgrade, RFC 9700 §4.8.2).
//   - The verifier is checked (RFC 7636 §4.6, OAuth 2.1 §4.1.3): S256 works
//     for public and confidential clients, and a wrong, missing or
//     cross-flow verifier is refused, each on a fresh code.
//   - Methods are handled as specified: a missing method means plain (RFC 7636
//     §4.3), unknown methods are refused (§4.4.1), method names are
//     case-sensitive (OAuth 2.1 §1.9), plain is refused as a hardening policy,
//     and code_challenge_methods_supported tells the truth about plain.
//   - Syntax and secrecy: malformed verifiers and challenges are refused
//     (RFC 7636 §4.1, §4.2), the challenge cannot be read out of the code
//     (§4.4), and a reused challenge is recorded (RFC 9700 §2.1.1, MAY).
//
// Every negative test runs its own authorization flow and redeems a fresh
// code, because a server may burn a code on a failed attempt (which is
// allowed) and would then contaminate the next test. Refusals at the
// authorization endpoint are judged with framework.T.ExpectAuthorizationRefused
// and refusals at the token endpoint with framework.T.ExpectRejected. Each
// flow costs about a third of a second, so specs run only the flows their
// requirement needs.
package pkce
