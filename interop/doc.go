// Package interop holds the project's interoperability tests: real MCP and
// OAuth client libraries (the official MCP Go SDK, golang.org/x/oauth2)
// against the reference server, starting from nothing but its MCP URL. The
// login and consent pages are driven over plain HTTP, as a browser would
// submit their forms. A change to the reference server that breaks a real
// client breaks go test ./....
package interop
