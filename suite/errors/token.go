package errors

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/mcpauth/conformance/suite/framework"
)

// tokenOutcome is how the token endpoint answered a request the suite
// expected it to refuse.
type tokenOutcome struct {
	// Success is a 2xx without an error member: the request was accepted.
	Success bool
	Status  int
	// Code is the error member, when the body is a JSON object with a string
	// error member (whatever the status, so that a 200 carrying an error is
	// still read as a refusal by the case specs; the format spec judges it).
	Code string
	// Doc is the parsed JSON object, when there is one.
	Doc map[string]any
	// Problem says why no error code could be read ("" when Code is set).
	Problem string
}

// readTokenOutcome classifies a token endpoint response leniently: each case
// spec judges its own concern (which code), and leaves the status, media type
// and shape to RFC6749-5.2-token-error-format.
func readTokenOutcome(e *framework.Exchange) tokenOutcome {
	o := tokenOutcome{Status: e.Status}
	doc, err := e.JSONObject()
	if err == nil {
		o.Doc = doc
		if code, ok := framework.MemberString(doc, "error"); ok {
			o.Code = code
			return o
		}
	}
	if e.Status >= 200 && e.Status < 300 {
		o.Success = true
		return o
	}
	if err != nil {
		o.Problem = fmt.Sprintf("status %d, and the body is not a JSON error: %v", e.Status, err)
	} else {
		o.Problem = fmt.Sprintf("status %d, but the JSON body has no string error member: %s", e.Status, framework.Snippet(e.Body, 200))
	}
	return o
}

// expectation is the accepted outcome of one negative token request, from its
// requirements §5 entry.
type expectation struct {
	// What describes the request, for messages ("a grant_type the server does not implement").
	What string
	// Pass are the codes that PASS; Warn the codes that are a WARN.
	Pass, Warn []string
	// Accepted is the verdict when the server accepts the request (Fail or
	// Warn); Other the verdict for an error code in neither list.
	Accepted, Other framework.Verdict
}

func (x expectation) expected() string {
	s := fmt.Sprintf("%s to be refused with error %s", x.What, oneOf(x.Pass...))
	if len(x.Warn) > 0 {
		s += fmt.Sprintf(" (%s is accepted with a WARN)", oneOf(x.Warn...))
	}
	return s
}

// judge records the verdict of one negative token request and returns what
// came back. A FAIL stops the spec.
func (x expectation) judge(t *framework.T, e *framework.Exchange) tokenOutcome {
	t.Responded(e, "an HTTP response from the token endpoint")
	o := readTokenOutcome(e)
	switch {
	case o.Success:
		record(t, x.Accepted, x.expected(), fmt.Sprintf("status %d: the server accepted it (%s)", e.Status, framework.Snippet(e.Body, 160)))
	case o.Code == "":
		warnUnreadable(t, x.What, x.Pass, o)
	case slices.Contains(x.Pass, o.Code):
	case slices.Contains(x.Warn, o.Code):
		t.WarnExpected(x.expected(), fmt.Sprintf("error %q (status %d)", o.Code, o.Status))
	default:
		record(t, x.Other, x.expected(), fmt.Sprintf("error %q (status %d)", o.Code, o.Status))
	}
	return o
}

// warnUnreadable records a refusal whose error code cannot be read: a WARN
// that points to RFC6749-5.2-token-error-format, which judges the format (one
// defect, one FAIL; framework.UnreadableRefusal).
func warnUnreadable(t *framework.T, what string, accepted []string, o tokenOutcome) {
	t.Warnf("%s", framework.UnreadableRefusal(what, accepted, fmt.Errorf("%s", o.Problem)))
}

// record reports a finding at verdict v (Fail stops the spec).
func record(t *framework.T, v framework.Verdict, expected, actual string) {
	switch v {
	case framework.Fail:
		t.FailExpected(expected, actual)
	case framework.Warn:
		t.WarnExpected(expected, actual)
	case framework.Info:
		t.Infof("Expected: %s\nActual:   %s", expected, actual)
	}
}

// basicChallenge finds a challenge with the auth-scheme Basic in a
// WWW-Authenticate value (RFC 9110 §11.6.1: schemes are case-insensitive,
// several challenges may share one header, realm is optional). A scheme is a
// bare token at the start or after a comma, not a name=value parameter.
var basicChallenge = regexp.MustCompile(`(?i)(^|,)\s*basic(\s|,|$)`)

func hasBasicChallenge(h http.Header) bool {
	for _, v := range h.Values("WWW-Authenticate") {
		if basicChallenge.MatchString(v) {
			return true
		}
	}
	return false
}

// canGetPublicClient reports whether t.PublicClient would find a client
// (configured, or by DCR) instead of SKIPping the spec.
func canGetPublicClient(t *framework.T, m *framework.Metadata) bool {
	if t.Config().Clients.Public != nil {
		return true
	}
	reg, _ := framework.MemberString(m.Doc, "registration_endpoint")
	return reg != ""
}

// postClient returns a fresh confidential client that authenticates with
// client_secret_post (RFC 6749 §2.3.1 body credentials): a configured client
// that uses that method, else one registered by DCR. SKIPs when no such
// client can be had, or the server registered it with another method.
func postClient(t *framework.T) *framework.Client {
	c := t.ClientWithMethod("client_secret_post")
	if c.AuthMethod != "client_secret_post" || c.Secret == "" {
		t.Skipf("the server registered the client_secret_post request as %q (secret issued: %t), so body credentials could not be tested", c.AuthMethod, c.Secret != "")
	}
	return c
}

// tokenTrigger is one request of the error battery.
type tokenTrigger struct {
	What     string
	Exchange *framework.Exchange
}

// tokenErrorBattery sends the requests that every conformant server refuses
// whatever its policies, and returns what came back. The shape specs
// (format, registered code, characters) judge each response: RFC 6749 §5.2
// applies to every token endpoint error, and a spec cannot see another
// spec's exchanges. All are HTTP-only and take milliseconds.
func tokenErrorBattery(t *framework.T, m *framework.Metadata) []tokenTrigger {
	endpoint := t.Endpoint(m, "token_endpoint")
	post := func(form url.Values, auth *framework.Credentials) *framework.Exchange {
		return t.HTTP().PostForm(t.Context(), endpoint, form, auth)
	}
	unknownID := "does-not-exist-" + framework.RandomString(6)
	redirectURI := "http://127.0.0.1/callback"
	var out []tokenTrigger
	if canGetPublicClient(t, m) {
		c := t.PublicClient()
		redirectURI = c.RedirectURI
		out = append(out,
			tokenTrigger{"an unknown authorization code (code=garbage)",
				t.TokenRequest(m, c, t.CodeRedemption(c, "garbage", framework.NewPKCE()))},
			tokenTrigger{"a grant_type the server does not implement (urn:example:unknown)",
				t.TokenRequest(m, c, url.Values{"grant_type": {"urn:example:unknown"}})},
		)
		form := t.CodeRedemption(c, "garbage", framework.NewPKCE())
		form.Del("grant_type")
		out = append(out, tokenTrigger{"a token request without grant_type", t.TokenRequest(m, c, form)})
	} else {
		t.Notef("no public client is available, so the battery uses only the requests that need no registered client")
	}
	form := url.Values{
		"grant_type":    {"authorization_code"},
		"code":          {"garbage"},
		"redirect_uri":  {redirectURI},
		"code_verifier": {framework.NewPKCE().Verifier},
		"client_id":     {unknownID},
	}
	out = append(out, tokenTrigger{"an unknown client_id in the body", post(form, nil)})
	form = url.Values{
		"grant_type":    {"authorization_code"},
		"code":          {"garbage"},
		"redirect_uri":  {redirectURI},
		"code_verifier": {framework.NewPKCE().Verifier},
	}
	out = append(out, tokenTrigger{"HTTP Basic credentials of an unknown client",
		post(form, &framework.Credentials{ID: unknownID, Secret: "wrong-" + framework.RandomString(8)})})
	return out
}

// errorMembers returns the string error members of a JSON error body.
func errorMembers(doc map[string]any) map[string]string {
	out := map[string]string{}
	for _, k := range []string{"error", "error_description", "error_uri"} {
		if s, ok := framework.MemberString(doc, k); ok {
			out[k] = s
		}
	}
	return out
}

// formatProblems lists how one refused token request breaks RFC 6749 §5.2:
// status 400 (401 only for invalid_client), application/json (compared
// without parameters), a JSON object with a string error member, and string
// error_description and error_uri when present.
func formatProblems(e *framework.Exchange) []string {
	var out []string
	doc, jsonErr := e.JSONObject()
	code, hasCode := "", false
	if jsonErr == nil {
		code, hasCode = framework.MemberString(doc, "error")
	}
	switch {
	case e.Status >= 200 && e.Status < 300:
		out = append(out, fmt.Sprintf("status %d for an error (RFC 6749 §5.2 requires 400, or 401 for invalid_client)", e.Status))
	case e.Status == http.StatusBadRequest:
	case e.Status == http.StatusUnauthorized && code == "invalid_client":
	case e.Status == http.StatusUnauthorized:
		out = append(out, fmt.Sprintf("status 401 with error %q (401 is for invalid_client only)", code))
	default:
		out = append(out, fmt.Sprintf("status %d (RFC 6749 §5.2 requires 400, or 401 for invalid_client)", e.Status))
	}
	if mt := e.MediaType(); mt != "application/json" {
		ct := e.ResponseHeader.Get("Content-Type")
		if ct == "" {
			ct = "no Content-Type"
		}
		out = append(out, fmt.Sprintf("media type %q, not application/json", ct))
	}
	switch {
	case jsonErr != nil:
		out = append(out, jsonErr.Error())
	case !hasCode:
		out = append(out, "the JSON object has no string error member (error is "+framework.DescribeJSON(doc["error"])+")")
	}
	if jsonErr == nil {
		for _, member := range []string{"error_description", "error_uri"} {
			if v, present := doc[member]; present {
				if _, ok := v.(string); !ok {
					out = append(out, fmt.Sprintf("%s is %s, not a string", member, framework.DescribeJSON(v)))
				}
			}
		}
	}
	return out
}

// isTokenSuccess reports whether a response is an ordinary success (2xx with
// an access_token and no error member): the trigger was not refused at all.
func isTokenSuccess(e *framework.Exchange) bool {
	if e.Status < 200 || e.Status >= 300 {
		return false
	}
	doc, err := e.JSONObject()
	if err != nil {
		return false
	}
	_, hasError := doc["error"]
	_, hasToken := doc["access_token"]
	return hasToken && !hasError
}

func bullet(lines []string) string {
	return "\n  - " + strings.Join(lines, "\n  - ")
}
