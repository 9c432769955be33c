package errors

import (
	"fmt"
	"slices"
	"strings"

	"github.com/mcpauth/conformance/suite/framework"
)

// The error codes the suite recognises, kept in this one place. A code outside
// these lists is an unregistered value (RFC 6749 §5.2, §4.1.2.1, §8.5).

// tokenErrorCodes are the values a token endpoint error may carry: the six of
// RFC 6749 §5.2, and the IANA "OAuth Extensions Error" registry entries a
// token endpoint can return (requirements §5, RFC6749-5.2-error-code-known).
var tokenErrorCodes = []string{
	// RFC 6749 §5.2
	"invalid_request",
	"invalid_client",
	"invalid_grant",
	"unauthorized_client",
	"unsupported_grant_type",
	"invalid_scope",
	// RFC 6749 §4.1.2.1 defines these two for the authorization endpoint. A
	// token endpoint that uses them usually answers 5xx, which the format
	// spec judges; the value itself is defined by RFC 6749, so it is known.
	"server_error",
	"temporarily_unavailable",
	// RFC 8707 §2
	"invalid_target",
	// RFC 7009 §2.2.1
	"unsupported_token_type",
	// RFC 9449 §5, §8
	"invalid_dpop_proof",
	"use_dpop_nonce",
	// RFC 8628 §3.5
	"authorization_pending",
	"slow_down",
	"expired_token",
	"access_denied",
	// RFC 9396 §5
	"invalid_authorization_details",
}

// authorizationErrorCodes are the values an authorization error redirect may
// carry: RFC 6749 §4.1.2.1, and the extension codes an authorization endpoint
// returns (RFC 8707, RFC 9396, RFC 9101, OpenID Connect Core §3.1.2.6).
var authorizationErrorCodes = []string{
	// RFC 6749 §4.1.2.1
	"invalid_request",
	"unauthorized_client",
	"access_denied",
	"unsupported_response_type",
	"invalid_scope",
	"server_error",
	"temporarily_unavailable",
	// RFC 8707 §2
	"invalid_target",
	// RFC 9396 §5
	"invalid_authorization_details",
	// RFC 9101 §6.3 and OpenID Connect Core §3.1.2.6
	"invalid_request_uri",
	"invalid_request_object",
	"request_not_supported",
	"request_uri_not_supported",
	"registration_not_supported",
	"interaction_required",
	"login_required",
	"account_selection_required",
	"consent_required",
}

// knownTokenError reports whether code is registered, counting the codes the
// configuration adds (extra_error_codes).
func knownTokenError(t *framework.T, code string) bool {
	return slices.Contains(tokenErrorCodes, code) || slices.Contains(t.Config().ExtraErrorCodes, code)
}

func knownAuthorizationError(t *framework.T, code string) bool {
	return slices.Contains(authorizationErrorCodes, code) || slices.Contains(t.Config().ExtraErrorCodes, code)
}

// badErrorChar returns the first character of an error or error_description
// value outside %x20-21 / %x23-5B / %x5D-7E (RFC 6749 §5.2, §4.1.2.1): no
// control characters, no double quote, no backslash, nothing beyond ASCII.
// The value is the decoded one (the JSON string, or the form-decoded query
// parameter), not its wire form.
func badErrorChar(s string) (rune, bool) {
	for _, r := range s {
		if r < 0x20 || r > 0x7e || r == '"' || r == '\\' {
			return r, true
		}
	}
	return 0, false
}

// badErrorURIChar is badErrorChar for error_uri, whose set is %x21 /
// %x23-5B / %x5D-7E: the same without the space.
func badErrorURIChar(s string) (rune, bool) {
	for _, r := range s {
		if r <= 0x20 || r > 0x7e || r == '"' || r == '\\' {
			return r, true
		}
	}
	return 0, false
}

// charsetProblems checks the three error members of one error response and
// returns a sentence per forbidden character found.
func charsetProblems(where string, values map[string]string) []string {
	var out []string
	for _, member := range []string{"error", "error_description", "error_uri"} {
		v, ok := values[member]
		if !ok {
			continue
		}
		check, set := badErrorChar, "%x20-21 / %x23-5B / %x5D-7E"
		if member == "error_uri" {
			check, set = badErrorURIChar, "%x21 / %x23-5B / %x5D-7E"
		}
		if r, bad := check(v); bad {
			out = append(out, fmt.Sprintf("%s: %s %q contains %s, outside %s", where, member, v, describeRune(r), set))
		}
	}
	return out
}

func describeRune(r rune) string {
	switch {
	case r == '"':
		return "a double quote"
	case r == '\\':
		return "a backslash"
	case r == ' ':
		return "a space"
	case r < 0x20 || r == 0x7f:
		return fmt.Sprintf("the control character U+%04X", r)
	default:
		return fmt.Sprintf("the non-ASCII character %q (U+%04X)", r, r)
	}
}

// scopeSet splits a scope string into its set of scope tokens (RFC 6749 §3.3:
// space-delimited, order irrelevant).
func scopeSet(s string) []string {
	set := strings.Fields(s)
	slices.Sort(set)
	return slices.Compact(set)
}

// oneOf renders an accepted set for messages: "a", "a or b", "a, b or c".
func oneOf(codes ...string) string {
	switch len(codes) {
	case 0:
		return "(none)"
	case 1:
		return codes[0]
	}
	return strings.Join(codes[:len(codes)-1], ", ") + " or " + codes[len(codes)-1]
}
