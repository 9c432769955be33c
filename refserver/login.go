package refserver

import (
	"crypto/subtle"
	"net/http"
	"net/url"
	"strings"
)

// sessionCookieName is the session cookie's name. Over TLS the __Host- prefix
// makes the browser insist on Secure, Path=/ and no Domain, so no sibling host
// can plant or read it.
func (s *Server) sessionCookieName() string {
	if s.secure() {
		return "__Host-refserver-session"
	}
	return "refserver-session"
}

func (s *Server) secure() bool { return strings.HasPrefix(s.issuer, "https://") }

// currentSession returns the logged-in session of the request, or nil.
func (s *Server) currentSession(r *http.Request) *session {
	c, err := r.Cookie(s.sessionCookieName())
	if err != nil {
		return nil
	}
	return s.store.session(c.Value, s.now())
}

// renderLogin shows the login page. The authorization request travels in a
// hidden field so that a successful login can resume it.
func (s *Server) renderLogin(w http.ResponseWriter, status int, authorizationRequest string, failed bool) {
	renderPage(w, status, "login", loginPage{
		Action:               s.loginAction(),
		AuthorizationRequest: authorizationRequest,
		Failed:               failed,
		ThirdPartyScript:     s.thirdPartyScript(),
	})
}

// handleLogin checks the user's credentials, starts a session and sends the
// browser back to the authorization endpoint with the original request. The
// 303 makes the browser follow with GET, so the password is not re-posted
// (RFC 9700 §4.12).
func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		renderError(w, http.StatusMethodNotAllowed, newError(errInvalidRequest, "The login form is submitted with POST."))
		return
	}
	if s.cookieLimitExceeded(w, r) {
		return
	}
	if err := r.ParseForm(); err != nil {
		renderError(w, http.StatusBadRequest, newError(errInvalidRequest, "The login form could not be read."))
		return
	}
	authzRequest := r.PostForm.Get("authorization_request")
	// Only the query of our own authorization endpoint is accepted, so the
	// redirect below can never point elsewhere.
	if _, err := url.ParseQuery(authzRequest); err != nil || authzRequest == "" {
		renderError(w, http.StatusBadRequest, newError(errInvalidRequest, "The login form did not carry a valid authorization request; start again from the client."))
		return
	}
	user, ok := s.authenticateUser(r.PostForm.Get("username"), r.PostForm.Get("password"))
	if !ok {
		s.renderLogin(w, http.StatusUnauthorized, authzRequest, true)
		return
	}
	s.startSession(w, user.Username)
	s.loggedIn(w, r, s.endpoint(pathAuthorize)+"?"+authzRequest)
}

// startSession logs the user agent in: a new session and its cookie.
func (s *Server) startSession(w http.ResponseWriter, subject string) {
	sess := &session{ID: randomToken(), Subject: subject, ExpiresAt: s.now().Add(sessionLifetime)}
	s.store.addSession(sess)
	http.SetCookie(w, &http.Cookie{
		Name:     s.sessionCookieName(),
		Value:    sess.ID,
		Path:     "/",
		Secure:   s.secure(),
		HttpOnly: !s.faults[faultSessionCookieNotHTTPOnly],
		// Lax: the top-level GET back from a client to the authorization
		// endpoint must carry the session, cross-site POSTs must not.
		SameSite: http.SameSiteLaxMode,
	})
}

func (s *Server) authenticateUser(username, password string) (User, bool) {
	for _, u := range s.users {
		// Both comparisons always run, so timing does not reveal which part was wrong.
		nameOK := subtle.ConstantTimeCompare([]byte(u.Username), []byte(username))
		passOK := subtle.ConstantTimeCompare([]byte(u.Password), []byte(password))
		if nameOK&passOK == 1 {
			return u, true
		}
	}
	return User{}, false
}
