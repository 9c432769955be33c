// Package metadata holds the specs of requirements §2: authorization server
// metadata as MCP clients discover and read it (RFC 8414, OpenID Connect
// Discovery 1.0, RFC 9207 §2.3, the MCP authorization specification).
//
// Every spec works from framework.T.Discovery: each well-known location of
// the expected issuer probed once per process (RFC 8414 inserted, OIDC
// inserted and appended, and the misplaced RFC 8414 appended form for
// diagnostics). The expected issuer always comes from configuration or the
// embedded server, never from a fetched document (requirements §13 pitfall 1).
//
// The checks fall in three groups:
//
//   - where and how the documents are served: MCP-Overview (discovery works at
//     all, per MCP profile), RFC 8414 §3 path insertion, OIDC Discovery §4.1
//     path appending, RFC 8414 §3.2 response format, §3.3 issuer identity, and
//     the MCP 2025-03-26 default endpoints when no metadata exists;
//   - what the documents say (RFC 8414 §2, OIDC Discovery §3): run over every
//     document the server serves, because a client may land on either, and
//     each finding names the document it is about; omitted members are read
//     with their RFC 8414 defaults (requirements §13 pitfall 13);
//   - whether the documents are true and agree: RFC 8414 §5 consistency
//     between the RFC 8414 and OIDC documents, the RFC 9207 iss flag against
//     an observed authorization response, and endpoint URLs with a query
//     exercised in a real flow (RFC 6749 §3.1).
package metadata
