package errors

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/mcpauth/conformance/suite/framework"
)

// RFC 6749 §5.2: a token endpoint error is a 400 (401 when Basic client
// authentication failed, and at the server's option for any invalid_client)
// with an application/json object whose error member is a string;
// error_description and error_uri are optional strings. A 200 carrying an
// error, an HTML page, a 5xx or a 403/404 breaks every client that follows the
// RFC. Cache-Control: no-store is in the RFC's examples but not required for
// errors, which carry no credentials (requirements §13 pitfall 14): a note.
var _ = framework.It("RFC6749-5.2-token-error-format",
	"token endpoint errors are 400 (401 for invalid_client) application/json objects with a string error member",
	func(ctx context.Context, t *framework.T) {
		m := t.Metadata()
		var problems []string
		judged, broken := 0, 0
		for _, tr := range tokenErrorBattery(t, m) {
			t.Responded(tr.Exchange, "an HTTP response from the token endpoint to "+tr.What)
			if isTokenSuccess(tr.Exchange) {
				t.Notef("%s was accepted (status %d), so it produced no error to judge here", tr.What, tr.Exchange.Status)
				continue
			}
			judged++
			if ps := formatProblems(tr.Exchange); len(ps) > 0 {
				broken++
				problems = append(problems, tr.What+": "+strings.Join(ps, "; "))
			}
			if cc := tr.Exchange.ResponseHeader.Get("Cache-Control"); cc == "" {
				t.Notef("%s: the error has no Cache-Control header (no-store is not required on errors; information only)", tr.What)
			}
		}
		if judged == 0 {
			t.Skipf("none of the battery's requests was refused, so no token error could be judged")
		}
		if len(problems) > 0 {
			t.FailExpected("every token endpoint error to be status 400 (401 for invalid_client) with an application/json object whose error member is a string, and string error_description and error_uri when present (RFC 6749 §5.2)",
				fmt.Sprintf("%d of %d errors break the format:%s", broken, judged, bullet(problems)))
		}
	})

// RFC 6749 §5.2 and §8.5: error is one of the six codes of §5.2 or a value
// registered as an extension. A client maps codes to behaviour; an invented
// code (invalid_code, bad_request) falls through every branch. Whether the
// code is the right one for each case is the case specs' concern (a WARN
// there), not this one's.
var _ = framework.It("RFC6749-5.2-error-code-known",
	"every token endpoint error code is an RFC 6749 §5.2 value or a registered extension",
	func(ctx context.Context, t *framework.T) {
		var unknown []string
		for _, r := range readableTokenErrors(t, "the codes") {
			if !knownTokenError(t, r.Code) {
				unknown = append(unknown, fmt.Sprintf("%s: error %q (status %d)", r.What, r.Code, r.Status))
			}
		}
		if len(unknown) > 0 {
			t.FailExpected(fmt.Sprintf("every error code to be one of %s", oneOf(tokenErrorCodes...)),
				fmt.Sprintf("unregistered codes:%s", bullet(unknown)))
		}
	})

// RFC 6749 §5.2: error and error_description use %x20-21 / %x23-5B /
// %x5D-7E, error_uri %x21 / %x23-5B / %x5D-7E. The rule is on the value, so
// the decoded JSON string is checked: an escaped quote (\") or \u00e9 on the
// wire is still a forbidden character. Localized descriptions break it too.
var _ = framework.It("RFC6749-5.2-error-value-charset",
	"token endpoint error, error_description and error_uri values use only the characters RFC 6749 §5.2 allows",
	func(ctx context.Context, t *framework.T) {
		var problems []string
		for _, r := range readableTokenErrors(t, "the characters") {
			problems = append(problems, charsetProblems(r.What, errorMembers(r.Doc))...)
		}
		if len(problems) > 0 {
			t.FailExpected("error and error_description within %x20-21 / %x23-5B / %x5D-7E and error_uri within %x21 / %x23-5B / %x5D-7E, after JSON decoding (RFC 6749 §5.2)",
				"forbidden characters:"+bullet(problems))
		}
	})

// RFC 6749 §4.1.2.1 puts the same character rules on the parameters of an
// authorization error redirect. They are checked after form-decoding the
// query (or the fragment, where another spec judges the placement).
var _ = framework.It("RFC6749-5.2-error-value-charset",
	"authorization error redirect error, error_description and error_uri values use only the characters RFC 6749 §4.1.2.1 allows",
	func(ctx context.Context, t *framework.T) {
		m := t.Metadata()
		c := t.PublicClient()
		var res *framework.AuthorizationResponse
		var params url.Values
		for _, d := range errorRedirectDefects {
			res = authorizeWith(t, m, c, d.Mutate)
			if params, _ = errorParams(res); params != nil {
				break
			}
			t.Notef("a request with %s did not end in an error redirect (%s)", d.What, res.Describe())
		}
		if params == nil {
			t.Skipf("no defective authorization request (%d tried) ended in an error redirect, so no authorization error could be checked", len(errorRedirectDefects))
		}
		values := map[string]string{}
		for _, k := range []string{"error", "error_description", "error_uri"} {
			if params.Has(k) {
				values[k] = params.Get(k)
			}
		}
		if problems := charsetProblems("the error redirect", values); len(problems) > 0 {
			t.FailExpected("error and error_description within %x20-21 / %x23-5B / %x5D-7E and error_uri within %x21 / %x23-5B / %x5D-7E, after decoding (RFC 6749 §4.1.2.1)",
				"forbidden characters:"+bullet(problems)+"\nin "+res.URL.String())
		}
	}, framework.Browser)

func describeOutcome(o tokenOutcome, e *framework.Exchange) string {
	if o.Success {
		return fmt.Sprintf("status %d, accepted", e.Status)
	}
	return o.Problem
}

// readableError is a token error of the battery whose error member could be
// read, with the request that caused it.
type readableError struct {
	What string
	tokenOutcome
}

// readableTokenErrors sends the error battery and returns the answers that
// carry a readable error member; the others are noted, since the format spec
// judges them. It SKIPs when none is readable, as then what the caller checks
// could not be observed.
func readableTokenErrors(t *framework.T, checked string) []readableError {
	var out []readableError
	for _, tr := range tokenErrorBattery(t, t.Metadata()) {
		t.Responded(tr.Exchange, "an HTTP response from the token endpoint to "+tr.What)
		o := readTokenOutcome(tr.Exchange)
		if o.Code == "" {
			t.Notef("%s: no error member to read (%s); the format spec judges that", tr.What, describeOutcome(o, tr.Exchange))
			continue
		}
		out = append(out, readableError{What: tr.What, tokenOutcome: o})
	}
	if len(out) == 0 {
		t.Skipf("no token error with a readable error member was observed, so %s could not be checked", checked)
	}
	return out
}
