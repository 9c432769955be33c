// Package registration holds the specs of client registration: RFC 7591
// dynamic client registration (DCR) and OAuth client ID metadata documents
// (CIMD, MCP 2025-11-25 and later). Every registration is sent the way an MCP
// client of the selected profile sends it (framework.ClientMetadataFor), and
// whatever the server answers is the truth later steps use (RFC 7591 §3.2.1:
// the server may replace requested values). The CIMD specs serve their
// documents from the suite's own document host (framework.CIMDHost).
package registration
