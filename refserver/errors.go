package refserver

import (
	"encoding/json"
	"fmt"
	"html/template"
	"log"
	"net/http"
	"strings"
)

// Error codes from RFC 6749 §4.1.2.1 and §5.2, RFC 7591 §3.2.2 and RFC 8707 §2.
const (
	errInvalidRequest          = "invalid_request"
	errInvalidClient           = "invalid_client"
	errInvalidGrant            = "invalid_grant"
	errUnsupportedGrantType    = "unsupported_grant_type"
	errUnsupportedResponseType = "unsupported_response_type"
	errInvalidScope            = "invalid_scope"
	errInvalidTarget           = "invalid_target"
	errAccessDenied            = "access_denied"
	errServerError             = "server_error"
	errInvalidClientMetadata   = "invalid_client_metadata"
	errInvalidRedirectURI      = "invalid_redirect_uri"
	errUnsupportedTokenType    = "unsupported_token_type" // RFC 7009 §2.2.1
)

// oauthError is an OAuth error response: a code, a sentence for the developer,
// and how the token endpoint must answer it.
type oauthError struct {
	Code        string
	Description string
	// status overrides the default 400 (401 for a failed Basic authentication,
	// 500 for server_error).
	status int
	// basicChallenge marks a failed client authentication through the
	// Authorization header: RFC 6749 §5.2 then requires 401 with a
	// WWW-Authenticate challenge for the scheme the client used.
	basicChallenge bool
}

func (e *oauthError) Error() string { return e.Code + ": " + e.Description }

func newError(code, format string, args ...any) *oauthError {
	return &oauthError{Code: code, Description: fmt.Sprintf(format, args...)}
}

// errorValue makes s safe as an error or error_description value: RFC 6749
// §5.2 and §4.1.2.1 allow only %x20-21 / %x23-5B / %x5D-7E, so descriptions
// that echo client input cannot break the rule by accident.
func errorValue(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e || r == '"' || r == '\\' {
			return '?'
		}
		return r
	}, s)
}

// writeJSON answers v as application/json.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	if err := json.NewEncoder(w).Encode(v); err != nil {
		log.Printf("refserver: writing JSON response: %v", err)
	}
}

type errorBody struct {
	Error            string `json:"error"`
	ErrorDescription string `json:"error_description,omitempty"`
}

// writeError answers a JSON OAuth error for endpoints other than the token
// endpoint (registration, method errors).
func writeError(w http.ResponseWriter, status int, e *oauthError) {
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, status, errorBody{e.Code, errorValue(e.Description)})
}

var tokenErrorPage = template.Must(template.New("token-error").Parse(
	`<!doctype html><title>Error</title><h1>{{.Error}}</h1><p>{{.ErrorDescription}}</p>`))

// writeTokenError answers a token endpoint error as RFC 6749 §5.2 requires: a
// JSON object with status 400, or 401 plus a WWW-Authenticate challenge when
// Basic client authentication failed. The token-error faults bend exactly this.
func (s *Server) writeTokenError(w http.ResponseWriter, e *oauthError) {
	status := http.StatusBadRequest
	if e.status != 0 {
		status = e.status
	}
	if e.basicChallenge && !s.faults[faultInvalidClientBasic400] {
		status = http.StatusUnauthorized
		w.Header().Set("WWW-Authenticate", `Basic realm="`+s.issuer+`"`)
	}
	body := errorBody{e.Code, errorValue(e.Description)}
	if body.Error == errInvalidGrant && s.faults[faultTokenErrorUnregisteredCode] {
		body.Error = "invalid_code"
	}
	if s.faults[faultTokenErrorDescriptionQuotes] {
		body.ErrorDescription += ` (see "the manual", page é)`
	}
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	switch {
	case s.faults[faultTokenErrorHTML]:
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusBadRequest)
		if err := tokenErrorPage.Execute(w, body); err != nil {
			log.Printf("refserver: writing token error page: %v", err)
		}
	case s.faults[faultTokenErrorStatus200]:
		writeJSON(w, http.StatusOK, body)
	case s.faults[faultTokenErrorsProblemJSON]:
		writeProblem(w, status, body.ErrorDescription)
	default:
		writeJSON(w, status, body)
	}
}

// writeProblem answers an RFC 9457 problem document, the way generic web
// frameworks report errors: no OAuth error member (token-errors-problem-json).
func writeProblem(w http.ResponseWriter, status int, detail string) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	problem := map[string]any{"type": "about:blank", "title": http.StatusText(status), "status": status, "detail": detail}
	if err := json.NewEncoder(w).Encode(problem); err != nil {
		log.Printf("refserver: writing problem document: %v", err)
	}
}
