// Package resource holds the specs of requirements §4: resource indicators
// and audience binding (RFC 8707, RFC 9068 §3, the MCP authorization
// specification's "Resource Parameter Implementation").
//
// MCP clients send resource=RES (the MCP server's canonical URI, --resource)
// on every authorization and token request. Supporting RFC 8707 is a SHOULD
// for the authorization server, so the specs keep two questions apart:
//
//   - a flow must never fail because resource is present (the one MUST,
//     RFC8707-2-resource-param-tolerated), and a server that ignores the
//     parameter entirely is conformant: where a spec can only see that, it
//     reports INFO, never WARN or FAIL;
//   - a server that does process it should audience-restrict the token to the
//     resource, refuse malformed and unknown resources with invalid_target,
//     and never mint a token for a resource the user did not authorize.
//
// One defect, one finding: when the standard token shows that the server does
// not implement RFC 8707 (no aud, an aud that names only the client or the
// issuer, or the same aud for RES and RES2; see withoutRFC8707),
// RFC8707-2-audience-restriction WARNs once and every row that depends on
// audience restriction is INFO "not applicable (see
// RFC8707-2-audience-restriction)": never a WARN of its own, and never a PASS
// on a token it could not judge. A token-endpoint refusal whose error code
// cannot be read is a WARN that points to RFC6749-5.2-token-error-format.
//
// The audience is observed as requirements §1.3 AUD-OBSERVE says, so far only
// in its first way: a JWS access token is decoded without verifying it
// (framework.DecodeJWT). Token introspection and calls to the resource server
// are not available yet, so specs that need the audience of an opaque token
// SKIP and say so. aud may be a string or an array; RFC 8707 lets the server
// map the resource to a broader or abstract audience, which only the RFC 9068
// spec (typ at+jwt) compares exactly.
//
// Some specs need a second resource the server knows (RES2,
// --second-resource); they SKIP without one. For the embedded reference
// server the suite sets RES={origin}/mcp and RES2={origin}/other/mcp.
//
// Several audience specs only read the token of the standard flow (STD-AUTHZ
// and STD-TOKEN with resource=RES), or of the flow without resource, so each
// process runs those flows once and shares the tokens (see shared). Every
// negative test runs its own flow on a fresh client and code.
package resource
