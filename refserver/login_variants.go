package refserver

import (
	"html/template"
	"log"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// The login variants: the ways real servers' login UIs differ from the
// default login page (a form on the AS's own origin that answers a 303).
//
//   - login-separate-origin: the login UI is another app on another origin
//     (Options.LoginOrigin, a second listener that Start opens). The AS sends
//     an unauthenticated user there; after a successful login the login app
//     sends the browser back to {ISSUER}/login/ticket with a one-time ticket,
//     which the AS turns into its own session cookie.
//   - login-js-redirect: a successful login answers 200 with an interstitial
//     page whose script navigates on after loginInterstitialDelay.
//   - login-cookie-limit: each view of the login page sets a per-client
//     cookie of about 600 bytes, and the login UI answers 431 with an empty
//     body once the Cookie header passes maxLoginCookieHeader.

const (
	pathLoginTicket = "/login/ticket" // the AS side of login-separate-origin

	ticketLifetime = time.Minute
	// loginInterstitialDelay is well past the suite's default settle window
	// (400 ms), so a suite that judged the interstitial after the settle
	// window would decide that no redirect follows; every flow of the
	// variant pays it once in Chromium, so it is no longer than that needs.
	loginInterstitialDelay = time.Second
	loginCookieValueBytes  = 600
	maxLoginCookieHeader   = 16 << 10
)

// loginTicket is a one-time proof from the login app that a user logged in.
type loginTicket struct {
	Subject   string
	ExpiresAt time.Time
}

// ticketStore holds the tickets of login-separate-origin.
type ticketStore struct {
	mu      sync.Mutex
	tickets map[string]loginTicket
}

// add stores a ticket and drops expired ones (logins nobody came back from).
func (ts *ticketStore) add(value string, t loginTicket, now time.Time) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if ts.tickets == nil {
		ts.tickets = map[string]loginTicket{}
	}
	for v, old := range ts.tickets {
		if !now.Before(old.ExpiresAt) {
			delete(ts.tickets, v)
		}
	}
	ts.tickets[value] = t
}

// take redeems a ticket once: a second presentation finds nothing.
func (ts *ticketStore) take(value string, now time.Time) (loginTicket, bool) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	t, ok := ts.tickets[value]
	delete(ts.tickets, value)
	if !ok || !now.Before(t.ExpiresAt) {
		return loginTicket{}, false
	}
	return t, true
}

// loginAction is where the login form posts: the AS's own login endpoint, or
// the login app's with login-separate-origin.
func (s *Server) loginAction() string {
	if s.variants[variantLoginSeparateOrigin] {
		return s.loginOrigin + pathLogin
	}
	return s.endpoint(pathLogin)
}

// showLogin answers an authorization request that has no session: the login
// page, or with login-separate-origin a redirect to the login app.
func (s *Server) showLogin(w http.ResponseWriter, r *http.Request, c *client, authorizationRequest string) {
	if s.variants[variantLoginSeparateOrigin] {
		target := s.loginOrigin + pathLogin + "?" + url.Values{"authorization_request": {authorizationRequest}}.Encode()
		w.Header().Set("Cache-Control", "no-store")
		http.Redirect(w, r, target, http.StatusSeeOther)
		return
	}
	if s.variants[variantLoginCookieLimit] {
		s.setLoginCSRFCookie(w, c.ID)
	}
	s.renderLogin(w, http.StatusOK, authorizationRequest, false)
}

// setLoginCSRFCookie sets the per-client cookie of login-cookie-limit, the
// way a login UI that keeps a CSRF cookie per client does.
func (s *Server) setLoginCSRFCookie(w http.ResponseWriter, clientID string) {
	name := "login-csrf-" + strings.NewReplacer("-", "", "_", "").Replace(clientID)
	if s.secure() {
		name = "__Host-" + name
	}
	value := strings.Repeat(randomToken(), loginCookieValueBytes/43+1)[:loginCookieValueBytes]
	http.SetCookie(w, &http.Cookie{Name: name, Value: value, Path: "/", Secure: s.secure(), HttpOnly: true, SameSite: http.SameSiteLaxMode})
}

// cookieLimitExceeded answers 431 with an empty body when login-cookie-limit
// is on and the request's cookies are too large (RFC 6585 §5).
func (s *Server) cookieLimitExceeded(w http.ResponseWriter, r *http.Request) bool {
	if !s.variants[variantLoginCookieLimit] {
		return false
	}
	n := 0
	for _, v := range r.Header.Values("Cookie") {
		n += len(v)
	}
	if n <= maxLoginCookieHeader {
		return false
	}
	w.WriteHeader(http.StatusRequestHeaderFieldsTooLarge)
	return true
}

// loggedIn sends the browser on after a successful login: a 303 (the default),
// or with login-js-redirect a 200 page that navigates from JavaScript.
func (s *Server) loggedIn(w http.ResponseWriter, r *http.Request, target string) {
	if !s.variants[variantLoginJSRedirect] {
		status := http.StatusSeeOther
		if s.faults[faultLogin307] {
			status = http.StatusTemporaryRedirect // re-posts the credentials (RFC 9700 §4.12)
		}
		http.Redirect(w, r, target, status)
		return
	}
	renderPage(w, http.StatusOK, "interstitial", interstitialPage{Target: target, DelayMillis: loginInterstitialDelay.Milliseconds()})
}

type interstitialPage struct {
	Target      string
	DelayMillis int64
}

// The interstitial page of login-js-redirect. html/template escapes Target
// for the script and for the attribute.
var _ = template.Must(pages.New("interstitial").Parse(`{{template "head" "Signing you in"}}
<h1>Signing you in…</h1>
<p>You are being sent back to the application. <a id="continue" href="{{.Target}}">Continue</a></p>
<script>setTimeout(function () { window.location.assign({{.Target}}); }, {{.DelayMillis}});</script>
</body></html>`))

// handleLoginApp is the login app of login-separate-origin, served on
// Options.LoginOrigin: GET shows the login form for an authorization request,
// POST checks the credentials and returns the browser to the AS with a ticket.
func (s *Server) handleLoginApp(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != pathLogin {
		http.NotFound(w, r)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		w.Header().Set("Allow", "GET, POST")
		renderError(w, http.StatusMethodNotAllowed, newError(errInvalidRequest, "The login page is read with GET and submitted with POST."))
		return
	}
	if s.cookieLimitExceeded(w, r) {
		return
	}
	if err := r.ParseForm(); err != nil {
		renderError(w, http.StatusBadRequest, newError(errInvalidRequest, "The login request could not be read."))
		return
	}
	authzRequest := r.Form.Get("authorization_request")
	if _, err := url.ParseQuery(authzRequest); err != nil || authzRequest == "" {
		renderError(w, http.StatusBadRequest, newError(errInvalidRequest, "The login request did not carry a valid authorization request; start again from the client."))
		return
	}
	if r.Method == http.MethodGet {
		s.renderLogin(w, http.StatusOK, authzRequest, false)
		return
	}
	user, ok := s.authenticateUser(r.PostForm.Get("username"), r.PostForm.Get("password"))
	if !ok {
		s.renderLogin(w, http.StatusUnauthorized, authzRequest, true)
		return
	}
	ticket := randomToken()
	s.tickets.add(ticket, loginTicket{Subject: user.Username, ExpiresAt: s.now().Add(ticketLifetime)}, s.now())
	back := s.endpoint(pathLoginTicket) + "?" + url.Values{"ticket": {ticket}, "authorization_request": {authzRequest}}.Encode()
	s.loggedIn(w, r, back)
}

// handleLoginTicket is the AS side of login-separate-origin: it redeems the
// login app's one-time ticket, starts the session and resumes the
// authorization request.
func (s *Server) handleLoginTicket(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		w.Header().Set("Allow", http.MethodGet)
		renderError(w, http.StatusMethodNotAllowed, newError(errInvalidRequest, "The login ticket is presented with GET."))
		return
	}
	q := r.URL.Query()
	authzRequest := q.Get("authorization_request")
	if _, err := url.ParseQuery(authzRequest); err != nil || authzRequest == "" {
		renderError(w, http.StatusBadRequest, newError(errInvalidRequest, "The login ticket did not come with a valid authorization request; start again from the client."))
		return
	}
	t, ok := s.tickets.take(q.Get("ticket"), s.now())
	if !ok {
		renderError(w, http.StatusBadRequest, newError(errInvalidRequest, "The login ticket is unknown, expired or already used; log in again."))
		return
	}
	s.startSession(w, t.Subject)
	http.Redirect(w, r, s.endpoint(pathAuthorize)+"?"+authzRequest, http.StatusSeeOther)
}

// LoginApp is the login app of the login-separate-origin variant, to be
// served on Options.LoginOrigin (Start does it); nil without the variant.
func (s *Server) LoginApp() http.Handler {
	if !s.variants[variantLoginSeparateOrigin] {
		return nil
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil && v != http.ErrAbortHandler {
				log.Printf("refserver: panic serving the login app %s %s: %v", r.Method, r.URL.Path, v)
				renderError(w, http.StatusInternalServerError, newError(errServerError, "The login app hit an internal error."))
			}
		}()
		s.handleLoginApp(w, r)
	})
}
