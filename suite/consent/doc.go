// Package consent holds the specs of requirements §6: the authorization
// endpoint, its redirect handling and the consent step, driven in the
// browser (OAuth 2.1 §3.1, §4.1, §7.3, §8.4; RFC 6749 §3.1, §4.1.2, §10.12,
// §10.14; RFC 9207; RFC 9700 §2.6, §4.11.2, §4.12, §4.16; the MCP security
// best practices on consent).
//
// The specs fall in three groups:
//
//   - redirect handling: an unregistered, mismatched (each exact-match
//     mutation reported on its own) or duplicated redirect_uri, and an
//     invalid client_id, never lead the browser there, by any mechanism,
//     with or without a session (NO-REDIRECT); loopback redirect URIs accept
//     any port and nothing else;
//   - the response: code and state in the query, the registered query kept,
//     iss on success and error redirects, access_denied on a deny, unknown
//     and empty parameters, scope and state omitted, the implicit grant
//     refused;
//   - the consent step: it cannot be forged (cross-site POST, GET, no
//     anti-CSRF value, replay), framed, skipped for a new client, or made to
//     run script; it names client, scope and redirect host; its cookies,
//     subresources and redirects are safe.
//
// Probes that wait out a settle window run at once in several tabs
// (framework.AuthorizeAll, parallel). Replays and page inspections use a tab
// of their own without login tasks (browser.go), so that a replay that only
// reaches a login or consent page is never counted as granted. The pages a
// hostile site would serve come from a loopback listener on another host
// name (testpages.go). Against servers without a consent step (first-party
// setups) the specs about it SKIP with "no consent step".
package consent
