// Package protectedresource holds the specs of the MCP server's side of
// authorization (requirements §11): the 401 challenge to an unauthenticated
// initialize (RFC 9728 §5.1, RFC 6750 §3), the protected resource metadata
// and where it is found (RFC 9728 §2-§4), and how the server handles tokens:
// missing, malformed, expired, for another audience, forged, in the query,
// with the scheme in any case, with too narrow a scope, and sessions that
// never stand in for a token (OAuth 2.1 §5, MCP "Token Handling", MCPSBP).
//
// The specs run when --mcp-server is given (the embedded default run sets
// it to the reference server's /mcp) and SKIP otherwise. They use the
// Streamable HTTP transport: POST with a JSON-RPC initialize body. Tokens
// come from real flows at the authorization server the MCP server names,
// with resource set to the MCP server.
package protectedresource
