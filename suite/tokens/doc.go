// Package tokens holds the specs of the token lifecycle: the token endpoint
// and code redemption (requirements §7, catalog area tokens), refresh tokens
// (§8, area refresh), and token revocation and introspection (§10, area
// revocation). One file per RFC section; the helpers are in helpers.go.
//
// Every spec that needs a code obtains its own (negative token requests use a
// fresh valid code: a failed attempt may burn one, which is allowed), and
// every refresh-token spec its own grant, so verdicts do not depend on order.
package tokens
