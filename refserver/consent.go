package refserver

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
)

// handleConsent receives the consent form. Approval takes a POST carrying the
// CSRF token that was issued with the consent page to this session for this
// request (RFC 6749 §10.12, RFC 9700 §4.4.1.8); a GET is refused so that no
// link or image can approve anything. Each pending request is decided once.
func (s *Server) handleConsent(w http.ResponseWriter, r *http.Request) {
	getApproval := r.Method == http.MethodGet && s.faults[faultConsentApproveOnGet]
	if r.Method != http.MethodPost && !getApproval {
		w.Header().Set("Allow", http.MethodPost)
		renderError(w, http.StatusMethodNotAllowed, newError(errInvalidRequest, "Consent is given by submitting the consent form with POST."))
		return
	}
	if err := r.ParseForm(); err != nil {
		renderError(w, http.StatusBadRequest, newError(errInvalidRequest, "The consent form could not be read."))
		return
	}
	form := r.PostForm
	if getApproval {
		form = r.Form
	}
	decision := form.Get("decision")
	if decision != "approve" && decision != "deny" {
		renderError(w, http.StatusBadRequest, newError(errInvalidRequest, "The consent form must carry decision=approve or decision=deny."))
		return
	}
	sess := s.currentSession(r)
	if sess == nil {
		renderError(w, http.StatusBadRequest, newError(errInvalidRequest, "There is no login session; start the authorization again from the client."))
		return
	}
	p := s.pendingForDecision(r, form, sess)
	if p == nil {
		renderError(w, http.StatusBadRequest, newError(errInvalidRequest,
			"The consent form is invalid, expired, already used or was issued to another session; start the authorization again from the client."))
		return
	}
	if decision == "deny" && !s.faults[faultDenyIssuesCode] {
		s.redirectError(w, r, &p.authorizationRequest, newError(errAccessDenied, "The user denied the authorization request."))
		return
	}
	s.store.rememberConsent(sess, p.ClientID)
	s.approve(w, r, &p.authorizationRequest, sess.Subject)
}

// newCodeValue returns a fresh authorization code: 256 random bits, opaque
// to everyone but this server (RFC 7636 §4.4). The pkce-challenge-in-code
// fault instead makes the challenge readable from the code.
func (s *Server) newCodeValue(challenge string) string {
	if s.faults[faultWeakCodes] {
		return weakCode()
	}
	if !s.faults[faultPKCEChallengeInCode] {
		return randomToken()
	}
	readable, _ := json.Marshal(map[string]string{"code_challenge": challenge, "nonce": randomToken()}) // strings always marshal
	return base64.RawURLEncoding.EncodeToString(readable)
}
