// Package errors holds the specs of requirements §5: the OAuth error
// responses of the token endpoint (RFC 6749 §5.2, OAuth 2.1 §3.2.4) and of the
// authorization endpoint (RFC 6749 §4.1.2.1 and §3.1.1, OAuth 2.1 §4.1.2.1),
// and how the server handles an unknown scope (RFC 6749 §3.3).
//
// The package is named errors after its directory; it never needs the
// standard library's errors package, so nothing is shadowed in practice.
//
// Two kinds of spec live here:
//
//   - shape checks that apply to every token error (status, media type, JSON
//     members, the registered code, the allowed characters). Each runs the
//     same small battery of HTTP-only triggers (tokenErrorBattery), because a
//     spec is bound to one requirement and cannot judge another spec's
//     responses;
//   - one spec per error case (unknown client, unknown grant type, missing or
//     duplicated parameters, unknown code, failed Basic authentication, two
//     authentication methods, refused authorization requests), each with the
//     accepted set of error codes from requirements §5. A known code that is
//     the wrong one for the case is a WARN there unless the entry says FAIL.
//
// Client authentication is tested only with the method the server returned at
// registration (requirements §13 pitfall 6), and a case whose only defect must
// be the client authentication uses a fresh, valid code issued to that client;
// an unknown-client case uses a fresh, valid code issued to another client.
//
// One defect, one FAIL: a case spec that gets a refusal whose error code
// cannot be read WARNs and points to RFC6749-5.2-token-error-format (which
// FAILs it), and the rows that need some error redirect try every defect the
// package has (PKCE, scope, response_type) before they SKIP.
package errors
