package refserver

import (
	"html/template"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// This file holds what the authorization endpoint and the consent step need
// beyond the strict default: when consent may be skipped (the conformant
// no-consent-page and consent-remembered variants), issuing the response, and
// the authorization-endpoint faults, kept out of the main handlers so that
// the default path reads straight.

// approve ends an approved authorization request: a code in the query (RFC
// 6749 §4.1.2), or, only with the implicit-grant-enabled fault, an access
// token in the fragment.
func (s *Server) approve(w http.ResponseWriter, r *http.Request, req *authorizationRequest, subject string) {
	if req.ResponseType == responseTypeToken {
		s.approveImplicit(w, r, req, subject)
		return
	}
	code := s.newCodeValue(req.CodeChallenge)
	s.issued(IssuedCode, code)
	s.store.addCode(code, &authorizationCode{
		authorizationRequest: *req,
		Subject:              subject,
		ExpiresAt:            s.now().Add(s.codeLifetime),
	}, s.now())
	v := url.Values{"code": {code}}
	s.tokenInRedirect(v, req, subject)
	if req.State != "" {
		v.Set("state", req.State)
	}
	s.redirectToClient(w, r, req.RedirectURI, v, false)
}

// responseTypeToken is the implicit grant's response type, which OAuth 2.1
// removed; only the implicit-grant-enabled fault accepts it.
const responseTypeToken = "token"

func (s *Server) approveImplicit(w http.ResponseWriter, r *http.Request, req *authorizationRequest, subject string) {
	c := s.store.client(req.ClientID)
	if c == nil {
		renderError(w, http.StatusBadRequest, newError(errInvalidClient, "The client is no longer registered."))
		return
	}
	tok, err := s.accessToken(c, subject, req.Scopes, req.Resource, randomToken(), s.accessTokenLifetime)
	if err != nil {
		s.redirectError(w, r, req, err)
		return
	}
	v := url.Values{"access_token": {tok.AccessToken}, "token_type": {tok.TokenType}}
	if req.State != "" {
		v.Set("state", req.State)
	}
	s.redirectToClient(w, r, req.RedirectURI, v, true)
}

// consentKnown reports whether a valid request may be approved without the
// consent page: never by default; always in the no-consent-page variant; for
// a client this user approved before in the consent-remembered variant; and,
// with the silent-consent-new-clients fault, for any client once the session
// approved one.
func (s *Server) consentKnown(sess *session, clientID string) bool {
	switch {
	case s.variants[variantNoConsentPage]:
		return true
	case s.variants[variantConsentRemembered] && s.store.consented(sess.Subject, clientID):
		return true
	case s.faults[faultSilentConsentNewClients] && s.store.sessionConsented(sess.ID):
		return true
	}
	return false
}

// consented reports whether subject approved clientID before.
func (st *store) consented(subject, clientID string) bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.grants[subject+"\x00"+clientID]
}

// sessionConsented reports whether the session approved any client.
func (st *store) sessionConsented(sessionID string) bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.grants["session\x00"+sessionID]
}

// rememberConsent records an approval by the user of a session for a client.
func (st *store) rememberConsent(sess *session, clientID string) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.grants == nil {
		st.grants = map[string]bool{}
	}
	st.grants[sess.Subject+"\x00"+clientID] = true
	st.grants["session\x00"+sess.ID] = true
}

// pendingForDecision returns the pending request a consent submission
// decides. By default it must carry the CSRF token issued to this session
// with the page, and is used up (takePending). The consent faults weaken
// exactly this: no token check, approval by GET, or a reusable form.
func (s *Server) pendingForDecision(r *http.Request, form url.Values, sess *session) *pendingAuthorization {
	id, token := form.Get("request_id"), form.Get("csrf_token")
	switch {
	case s.faults[faultConsentNoCSRFCheck], r.Method == http.MethodGet:
		// Only the consent-approve-on-get fault lets a GET get here.
		p := s.store.peekPending(id, s.now())
		if p == nil || r.Method == http.MethodGet && p.SessionID != sess.ID {
			return nil
		}
		s.store.dropPending(id)
		return p
	case s.faults[faultConsentReplayable]:
		p := s.store.peekPending(id, s.now())
		if p == nil || p.SessionID != sess.ID || p.CSRFToken != token {
			return nil
		}
		return p
	}
	return s.store.takePending(id, sess.ID, token, s.now())
}

func (st *store) peekPending(id string, now time.Time) *pendingAuthorization {
	st.mu.Lock()
	defer st.mu.Unlock()
	p := st.pending[id]
	if p == nil || !now.Before(p.ExpiresAt) {
		return nil
	}
	cp := *p
	return &cp
}

func (st *store) dropPending(id string) {
	st.mu.Lock()
	defer st.mu.Unlock()
	delete(st.pending, id)
}

// corsFault answers CORS on the authorization endpoint, which RFC 9700 §2.6
// forbids, with the cors-on-authorize fault; it reports whether the request
// (a preflight) was answered.
func (s *Server) corsFault(w http.ResponseWriter, r *http.Request) bool {
	if !s.faults[faultCORSOnAuthorize] || r.Header.Get("Origin") == "" {
		return false
	}
	w.Header().Set("Access-Control-Allow-Origin", r.Header.Get("Origin"))
	w.Header().Set("Vary", "Origin")
	if r.Method == http.MethodOptions {
		w.Header().Set("Access-Control-Allow-Methods", "GET, POST")
		w.WriteHeader(http.StatusNoContent)
		return true
	}
	return false
}

// redirectUnvalidated sends an error to a redirect URI that was never
// validated, which RFC 6749 §4.1.2.1 forbids: only the invalid-client-redirects
// and redirect-uri-unregistered-redirects faults get here. It reports whether
// it redirected.
func (s *Server) redirectUnvalidated(w http.ResponseWriter, r *http.Request, fault string, params url.Values, e *oauthError) bool {
	raw := params.Get("redirect_uri")
	if !s.faults[fault] || raw == "" {
		return false
	}
	if u, err := url.Parse(raw); err != nil || !u.IsAbs() || u.Host == "" {
		return false
	}
	s.redirectError(w, r, &authorizationRequest{RedirectURI: raw, State: params.Get("state")}, e)
	return true
}

// matchRedirect is client.matchRedirectURI with the redirect-matching faults.
func (s *Server) matchRedirect(c *client, requested string) (string, bool) {
	switch {
	case requested == "" && s.faults[faultRedirectURIOmittedGuessed]:
		return c.RedirectURIs[0], true
	case requested == "":
	case s.faults[faultLoopbackPortStrict]:
		return requested, slices.Contains(c.RedirectURIs, requested)
	case s.faults[faultRedirectURIPrefixMatch]:
		for _, registered := range c.RedirectURIs {
			if strings.HasPrefix(requested, registered) {
				return requested, true
			}
		}
	case s.faults[faultLoopbackLaxMatch]:
		for _, registered := range c.RedirectURIs {
			if laxLoopback(registered, requested) {
				return requested, true
			}
		}
	}
	return c.matchRedirectURI(requested)
}

// laxLoopback is the loopback-lax-match fault's comparison: any loopback host
// stands for any other, and scheme, port and path are ignored.
func laxLoopback(registered, requested string) bool {
	a, err1 := url.Parse(registered)
	b, err2 := url.Parse(requested)
	if err1 != nil || err2 != nil || !isLoopbackIP(a.Hostname()) {
		return false
	}
	ip := net.ParseIP(b.Hostname())
	return ip != nil && ip.IsLoopback()
}

// requestFaults refuses what the parameter faults make the server refuse.
func (s *Server) requestFaults(params url.Values) *oauthError {
	known := []string{"response_type", "client_id", "redirect_uri", "state", "scope", "code_challenge", "code_challenge_method", "resource"}
	switch {
	case s.faults[faultUnknownParamsRefused]:
		for name := range params {
			if !slices.Contains(known, name) {
				return newError(errInvalidRequest, "The parameter %s is not known.", name)
			}
		}
	case s.faults[faultStateRequired] && params.Get("state") == "":
		return newError(errInvalidRequest, "state is required.")
	case s.faults[faultEmptyScopeRefused] && params.Has("scope") && params.Get("scope") == "":
		return newError(errInvalidScope, "The scope is empty.")
	case s.faults[faultScopeOmittedInvalidRequest] && !params.Has("scope"):
		return newError(errInvalidRequest, "scope is required.")
	}
	return nil
}

// responseParams applies the response faults to the parameters of a redirect
// to the client: state cut short, iss with a trailing slash on success, no
// iss on errors, the registered query dropped.
func (s *Server) responseParams(redirectURI string, v url.Values) (string, url.Values) {
	iss := s.issuer
	switch {
	case v.Has("error") && s.faults[faultISSMissingOnError]:
		iss = ""
	case !v.Has("error") && s.faults[faultISSSuccessTrailingSlash]:
		iss += "/"
	}
	if iss != "" {
		v.Set("iss", iss)
	}
	if st := v.Get("state"); len(st) > 128 && s.faults[faultStateTruncated] {
		v.Set("state", st[:128])
	}
	if s.faults[faultRedirectURIQueryDropped] {
		redirectURI, _, _ = strings.Cut(redirectURI, "?")
	}
	return redirectURI, v
}

// consentPageFor fills the consent page, with the consent-page faults.
func (s *Server) consentPageFor(p consentPage) consentPage {
	if s.faults[faultConsentHidesClient] {
		p.ClientName, p.RedirectHost = "An application", "the application"
	}
	if s.faults[faultClientNameUnescaped] {
		p.ClientNameHTML = template.HTML(p.ClientName) //nolint:gosec // the fault is the point
	}
	p.ThirdPartyScript = s.thirdPartyScript()
	return p
}

func (s *Server) thirdPartyScript() string {
	if s.faults[faultThirdPartyScript] {
		return "https://analytics.example.invalid/collect.js"
	}
	return ""
}

// frameableWriter drops the anti-framing headers (pages-frameable fault).
type frameableWriter struct{ http.ResponseWriter }

func (f frameableWriter) WriteHeader(status int) {
	f.Header().Del("X-Frame-Options")
	f.Header().Del("Content-Security-Policy")
	f.ResponseWriter.WriteHeader(status)
}
