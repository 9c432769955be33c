package refserver

import (
	"bytes"
	"html/template"
	"log"
	"net/http"
)

// The pages carry the element IDs the suite's browser automation relies on
// (CONTRACT.md, "Pages"). html/template escapes every value, so client names,
// state and redirect URIs cannot inject markup (RFC 6749 §10.14).
var pages = template.Must(template.New("pages").Parse(`
{{define "head"}}<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{.}}</title>
<style>body{font-family:sans-serif;max-width:32rem;margin:3rem auto}</style></head><body>{{end}}

{{define "login"}}{{template "head" "Log in"}}
<h1>Log in</h1>
{{if .Failed}}<p id="login-error">The username or password is wrong.</p>{{end}}
<form id="login-form" method="post" action="{{.Action}}">
<input type="hidden" name="authorization_request" value="{{.AuthorizationRequest}}">
<p><label>Username <input id="username" name="username" autocomplete="username" required></label></p>
<p><label>Password <input id="password" name="password" type="password" autocomplete="current-password" required></label></p>
<p><button id="login" type="submit">Log in</button></p>
</form>{{if .ThirdPartyScript}}<script src="{{.ThirdPartyScript}}"></script>{{end}}</body></html>{{end}}

{{define "consent"}}{{template "head" "Authorize access"}}
<h1>Authorize access</h1>
<p><strong id="client-name">{{if .ClientNameHTML}}{{.ClientNameHTML}}{{else}}{{.ClientName}}{{end}}</strong> asks for access to your account.</p>
<p>Permissions:</p>
<ul>{{range .Scopes}}<li class="scope">{{.}}</li>{{end}}</ul>
<p>Resource: <span id="resource">{{.Resource}}</span></p>
{{if .LogoURI}}<p><img id="client-logo" alt="" src="{{.LogoURI}}" width="48" height="48"></p>{{end}}
{{if .RedirectHost}}<p>After your decision you will be sent to <strong id="redirect-host">{{.RedirectHost}}</strong>.</p>{{end}}
{{if .LocalhostWarning}}<p id="localhost-warning"><strong>Warning:</strong> this application sends you back to your own computer ({{.RedirectHost}}). Any program on this computer can claim to be it: only continue if you started this sign-in yourself.</p>{{end}}
<form id="consent-form" method="post" action="{{.Action}}">
<input type="hidden" name="request_id" value="{{.RequestID}}">
<input type="hidden" name="csrf_token" value="{{.CSRFToken}}">
<button id="approve" type="submit" name="decision" value="approve">Approve</button>
<button id="deny" type="submit" name="decision" value="deny">Deny</button>
</form>{{if .ThirdPartyScript}}<script src="{{.ThirdPartyScript}}"></script>{{end}}</body></html>{{end}}

{{define "error"}}{{template "head" "Authorization error"}}
<h1>The request cannot be processed</h1>
<p>Error: <code id="error">{{.Code}}</code></p>
<p id="error-description">{{.Description}}</p>
</body></html>{{end}}
`))

type loginPage struct {
	Action               string
	AuthorizationRequest string // the authorization request's parameters, form-encoded
	Failed               bool
	ThirdPartyScript     string // only with the third-party-script fault
}

type consentPage struct {
	Action       string
	RequestID    string
	CSRFToken    string
	ClientName   string
	Scopes       []string
	Resource     string
	RedirectHost string
	// Only with faults: the client name as raw HTML, a third-party script.
	ClientNameHTML   template.HTML
	ThirdPartyScript string
	// LocalhostWarning: the client is a metadata-document client whose
	// redirect URI is on loopback (MCP "Localhost Redirect URI Risks").
	LocalhostWarning bool
	LogoURI          string // only with the dcr-consent-foreign-logo fault
}

// renderPage writes an HTML page with the headers every AS page carries:
// no framing (RFC 9700 §4.16), no referrer leaking the request, no caching.
func renderPage(w http.ResponseWriter, status int, name string, data any) {
	var buf bytes.Buffer
	if err := pages.ExecuteTemplate(&buf, name, data); err != nil {
		panic(err) // a template bug; ServeHTTP turns it into a logged 500
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", "frame-ancestors 'none'")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	if _, err := buf.WriteTo(w); err != nil {
		log.Printf("refserver: writing %s page: %v", name, err)
	}
}

// renderError shows an error to the user instead of redirecting: for requests
// whose client or redirect URI cannot be trusted (RFC 6749 §4.1.2.1) and for
// broken login or consent submissions.
func renderError(w http.ResponseWriter, status int, e *oauthError) {
	renderPage(w, status, "error", e)
}
