// Package security holds the specs of the security BCP and transport items
// that are observable from outside (RFC 9700, OAuth 2.1 §1.5 and §7, RFC 6749
// §10): TLS only, a valid certificate chain, unguessable credentials,
// short-lived and sender-constrained tokens, no open redirector, no tokens in
// URLs, and brute-force protection (an opt-in slow spec).
package security
