package framework

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// CodeRedemption is the standard token request (STD-TOKEN) for a code: the
// grant, the code, the redirect URI, the verifier and the configured resource.
// Callers delete or change members to build negative cases.
func (t *T) CodeRedemption(c *Client, code string, p PKCE) url.Values {
	v := url.Values{
		"grant_type":    {"authorization_code"},
		"code":          {code},
		"redirect_uri":  {c.RedirectURI},
		"code_verifier": {p.Verifier},
	}
	if r := t.Target().Resource; r != "" {
		v.Set("resource", r)
	}
	return v
}

// TokenRequest POSTs form to the token endpoint as client c, authenticating
// with the client's registered method. c may be nil for an unauthenticated
// request.
func (t *T) TokenRequest(m *Metadata, c *Client, form url.Values) *Exchange {
	endpoint := t.Endpoint(m, "token_endpoint")
	var auth *Credentials
	if c != nil {
		auth = c.Authenticate(form)
	}
	return t.HTTP().PostForm(t.ctx, endpoint, form, auth)
}

// TokenResponse is a successful token response (OAuth 2.1 §3.2.3).
type TokenResponse struct {
	AccessToken  string
	TokenType    string
	RefreshToken string
	Scope        string
	Doc          map[string]any
}

// ParseTokenResponse checks the shape of a success response: 200, JSON
// object, access_token and token_type strings. It returns why not otherwise.
func ParseTokenResponse(e *Exchange) (*TokenResponse, error) {
	if e.Err != nil {
		return nil, e.Err
	}
	if e.Status != http.StatusOK {
		return nil, fmt.Errorf("status %d, not 200", e.Status)
	}
	doc, err := e.JSONObject()
	if err != nil {
		return nil, err
	}
	tr := &TokenResponse{Doc: doc}
	var ok bool
	if tr.AccessToken, ok = MemberString(doc, "access_token"); !ok || tr.AccessToken == "" {
		return nil, fmt.Errorf("no access_token string in %s", Snippet(e.Body, 200))
	}
	if tr.TokenType, ok = MemberString(doc, "token_type"); !ok {
		return nil, fmt.Errorf("no token_type string in %s", Snippet(e.Body, 200))
	}
	tr.RefreshToken, _ = MemberString(doc, "refresh_token")
	tr.Scope, _ = MemberString(doc, "scope")
	RegisterSecret(tr.AccessToken)
	RegisterSecret(tr.RefreshToken)
	if id, ok := MemberString(doc, "id_token"); ok {
		RegisterSecret(id)
	}
	return tr, nil
}

// OAuthError is an error response of the token endpoint (RFC 6749 §5.2).
type OAuthError struct {
	Status      int
	Code        string
	Description string
	URI         string
	Doc         map[string]any
}

// ParseOAuthError reads an error response. It returns why the response is not
// a well-formed OAuth error: no response, a 2xx, no JSON object, or no string
// error member. Status and media type rules are the errors area's to judge.
func ParseOAuthError(e *Exchange) (*OAuthError, error) {
	if e.Err != nil {
		return nil, e.Err
	}
	if e.Status >= 200 && e.Status < 300 {
		return nil, fmt.Errorf("status %d: the request succeeded", e.Status)
	}
	return errorObject(e)
}

// errorObject reads the body of e as an RFC 6749 §5.2 error object, whatever
// the status.
func errorObject(e *Exchange) (*OAuthError, error) {
	doc, err := e.JSONObject()
	if err != nil {
		return nil, fmt.Errorf("status %d, %v", e.Status, err)
	}
	oe := &OAuthError{Status: e.Status, Doc: doc}
	var ok bool
	if oe.Code, ok = MemberString(doc, "error"); !ok {
		return nil, fmt.Errorf("status %d, but the body has no string error member: %s", e.Status, Snippet(e.Body, 200))
	}
	oe.Description, _ = MemberString(doc, "error_description")
	oe.URI, _ = MemberString(doc, "error_uri")
	return oe, nil
}

// refusalWithSuccessStatus reads a 2xx token response that is an error
// object (a string error member and no access_token), nil if it is not one.
func refusalWithSuccessStatus(e *Exchange) *OAuthError {
	oe, err := errorObject(e)
	if err != nil {
		return nil
	}
	if _, hasToken := oe.Doc["access_token"]; hasToken {
		return nil
	}
	return oe
}

// TokenErrorFormatID is the requirement that judges the format of token
// endpoint errors; rows about a refusal point to it when the error code of a
// refusal cannot be read.
const TokenErrorFormatID = "RFC6749-5.2-token-error-format"

// UnreadableRefusal is the message of a refusal whose error code cannot be
// read (no JSON object with a string error member): refused, but not shown to
// be refused for the reason the row is about.
func UnreadableRefusal(what string, accepted []string, err error) string {
	return fmt.Sprintf("Expected: %s to be refused with error %s\nActual:   refused, but with no readable error code (%v); see %s, which judges the error format",
		what, strings.Join(accepted, " or "), err, TokenErrorFormatID)
}

// ExpectRejected judges a token response that must be an error with a code
// from accepted (the first is the preferred one), per requirements §1.4: a
// success is a violation at the requirement's level; an error code outside
// the set is reported as wrongCode says (Warn or Fail). A refusal whose error
// code cannot be read is a WARN that points to TokenErrorFormatID (one
// defect, one FAIL). It returns the error, nil when there is none to read.
func (t *T) ExpectRejected(e *Exchange, what string, accepted []string, wrongCode Verdict) *OAuthError {
	t.Responded(e, "an HTTP response from the token endpoint")
	var oe *OAuthError
	var err error
	if e.Status >= 200 && e.Status < 300 {
		if oe = refusalWithSuccessStatus(e); oe == nil {
			t.Violation(fmt.Sprintf("%s to be refused with error %s", what, strings.Join(accepted, " or ")),
				fmt.Sprintf("status %d: the server accepted it (%s)", e.Status, Snippet(e.Body, 160)))
			return nil
		}
		// An error body without tokens is a refusal whose status is wrong;
		// the status is RFC6749-5.2-token-error-format's finding (one
		// defect, one FAIL), the code is still this row's.
		t.Warnf("%s was refused with error %q but status %d, not 400 or 401; %s judges that", what, oe.Code, e.Status, TokenErrorFormatID)
	} else {
		oe, err = ParseOAuthError(e)
	}
	if err != nil {
		// Refused, but the error code cannot be read. One defect, one FAIL:
		// the error format is RFC6749-5.2-token-error-format's finding, so
		// here it is a WARN that points there, whatever this row's level.
		t.Warnf("%s", UnreadableRefusal(what, accepted, err))
		return nil
	}
	if !slices.Contains(accepted, oe.Code) {
		msg := fmt.Sprintf("Expected: %s to be refused with error %s\nActual:   error %q (status %d)", what, strings.Join(accepted, " or "), oe.Code, oe.Status)
		if wrongCode == Fail {
			t.Failf("%s", msg)
		}
		t.record(wrongCode, msg)
	}
	return oe
}
