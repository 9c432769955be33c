package refserver

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// handleAuthorize is the authorization endpoint (OAuth 2.1 §4.1.1). It checks,
// in this order:
//
//  1. client_id and redirect_uri. Until both are known to be genuine, errors
//     are shown to the user and never sent to the redirect URI
//     (RFC 6749 §4.1.2.1), or the endpoint would be an open redirector.
//  2. the user's login. Only an authenticated user's requests produce error
//     redirects, so an attacker cannot use the endpoint to bounce a victim
//     to a redirect URI unseen (RFC 9700 §4.11.2).
//  3. everything else, answered by an error redirect to the client.
//
// A valid request always ends on the consent page: there is no silent approval.
func (s *Server) handleAuthorize(w http.ResponseWriter, r *http.Request) {
	if s.corsFault(w, r) {
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodPost || r.Method == http.MethodGet && s.faults[faultAuthorizeGetRefused] {
		w.Header().Set("Allow", "GET, POST")
		renderError(w, http.StatusMethodNotAllowed, newError(errInvalidRequest, "The authorization endpoint accepts GET and POST only."))
		return
	}
	if s.cookieLimitExceeded(w, r) {
		return
	}
	if err := r.ParseForm(); err != nil {
		renderError(w, http.StatusBadRequest, newError(errInvalidRequest, "The authorization request parameters could not be parsed."))
		return
	}
	if s.openRedirect(w, r) {
		return
	}
	params := r.Form
	for _, name := range []string{"client_id", "redirect_uri"} {
		if len(params[name]) > 1 && !(name == "redirect_uri" && s.faults[faultDuplicateRedirectURILastWin]) {
			renderError(w, http.StatusBadRequest, newError(errInvalidRequest, "The parameter %s appears more than once; each parameter may be sent once (RFC 6749 section 3.1).", name))
			return
		}
	}
	clientID := params.Get("client_id")
	if clientID == "" {
		if s.redirectUnvalidated(w, r, faultInvalidClientRedirects, params, newError(errInvalidRequest, "The authorization request has no client_id.")) {
			return
		}
		renderError(w, http.StatusBadRequest, newError(errInvalidRequest, "The authorization request has no client_id."))
		return
	}
	c, cerr := s.lookupClient(clientID)
	if cerr != nil {
		if s.redirectUnvalidated(w, r, faultInvalidClientRedirects, params, newError(errInvalidClient, "The client_id is not registered.")) {
			return
		}
		renderError(w, http.StatusBadRequest, cerr)
		return
	}
	sentRedirectURI := params.Get("redirect_uri")
	redirectURI, ok := s.redirectURIFor(c, sentRedirectURI)
	if !ok && s.redirectUnvalidated(w, r, faultRedirectUnregisteredURI, params, newError(errInvalidRequest, "The redirect_uri is not registered.")) {
		return
	}
	if !ok {
		desc := "The redirect_uri is not registered for this client; it must equal a registered redirect URI exactly."
		if sentRedirectURI == "" {
			desc = "The redirect_uri is required because the client registered more than one redirect URI."
		}
		renderError(w, http.StatusBadRequest, newError(errInvalidRequest, "%s", desc))
		return
	}

	if all := params["redirect_uri"]; len(all) > 1 {
		redirectURI = all[len(all)-1] // duplicate-redirect-uri-last-wins fault
	}

	sess := s.currentSession(r)
	if sess == nil && s.faults[faultErrorRedirectBeforeLogin] {
		req := authorizationRequest{ClientID: c.ID, RedirectURI: redirectURI, State: params.Get("state")}
		if err := s.checkAuthorizationRequest(&req, params, c); err != nil {
			s.redirectError(w, r, &req, err)
			return
		}
	}
	if sess == nil {
		s.showLogin(w, r, c, params.Encode())
		return
	}

	req := authorizationRequest{
		ClientID:        c.ID,
		RedirectURI:     redirectURI,
		RedirectURISent: sentRedirectURI != "",
		State:           params.Get("state"),
	}
	if err := s.checkAuthorizationRequest(&req, params, c); err != nil {
		if s.variants[variantAuthzErrorsAsPage] {
			// RFC 9700 §4.11.2: a server may show the error rather than
			// redirect to a redirect URI it has no reason to trust.
			renderError(w, http.StatusBadRequest, err)
			return
		}
		s.redirectError(w, r, &req, err)
		return
	}
	pending := &pendingAuthorization{
		authorizationRequest: req,
		ID:                   randomToken(),
		SessionID:            sess.ID,
		CSRFToken:            randomToken(),
		ExpiresAt:            s.now().Add(pendingLifetime),
	}
	if s.consentKnown(sess, c.ID) {
		s.approve(w, r, &req, sess.Subject)
		return
	}
	s.store.addPending(pending, s.now())
	name := c.Name
	if name == "" {
		name = c.ID
	}
	redirectHost := redirectURI
	if u, err := url.Parse(redirectURI); err == nil {
		redirectHost = u.Host
	}
	page := s.consentPageFor(consentPage{
		Action:       s.endpoint(pathConsent),
		RequestID:    pending.ID,
		CSRFToken:    pending.CSRFToken,
		ClientName:   name,
		Scopes:       req.Scopes,
		Resource:     req.Resource,
		RedirectHost: redirectHost,
	})
	s.consentExtras(c, redirectURI, &page)
	renderPage(w, http.StatusOK, "consent", page)
}

// matchRedirectURI returns the redirect URI to use for the requested one.
// Matching is exact string comparison (OAuth 2.1 §4.1.1), except that for
// http on the loopback IP literals the port may differ, since native apps
// get an ephemeral port (OAuth 2.1 §8.4.2, RFC 8252 §7.3). An omitted
// redirect_uri is allowed only when a single one is registered (OAuth 2.1 §2.3.2).
func (c *client) matchRedirectURI(requested string) (string, bool) {
	if requested == "" {
		if len(c.RedirectURIs) == 1 {
			return c.RedirectURIs[0], true
		}
		return "", false
	}
	for _, registered := range c.RedirectURIs {
		if requested == registered || loopbackPortVariant(registered, requested) {
			return requested, true
		}
	}
	return "", false
}

// loopbackPortVariant reports whether requested equals registered except for
// the port, for an http redirect URI on 127.0.0.1 or [::1], and on localhost,
// which MCP clients commonly register although OAuth 2.1 §8.4.2 advises the
// IP literals.
func loopbackPortVariant(registered, requested string) bool {
	a, err := url.Parse(registered)
	if err != nil {
		return false
	}
	b, err := url.Parse(requested)
	if err != nil {
		return false
	}
	return a.Scheme == "http" && b.Scheme == "http" &&
		isLoopbackHost(a.Hostname()) && a.Hostname() == b.Hostname() &&
		a.User == nil && b.User == nil &&
		a.EscapedPath() == b.EscapedPath() &&
		a.RawQuery == b.RawQuery && a.ForceQuery == b.ForceQuery &&
		!strings.Contains(requested, "#")
}

// checkAuthorizationRequest validates everything but client and redirect URI,
// and fills in req. The order follows the request's anatomy; each error is
// the one RFC 6749 §4.1.2.1, RFC 7636 §4.4.1 and RFC 8707 §2 name.
func (s *Server) checkAuthorizationRequest(req *authorizationRequest, params url.Values, c *client) *oauthError {
	for name, values := range params {
		// resource may repeat (RFC 8707 §2); it is judged below.
		if len(values) > 1 && name != "resource" && !(name == "redirect_uri" && s.faults[faultDuplicateRedirectURILastWin]) {
			return newError(errInvalidRequest, "The parameter %s appears more than once; each parameter may be sent once (RFC 6749 section 3.1).", name)
		}
	}
	if err := s.requestFaults(params); err != nil {
		return err
	}
	if params.Get("response_type") == responseTypeToken && s.faults[faultImplicitGrant] {
		req.ResponseType = responseTypeToken
		scopes, err := s.grantedScopes(params.Get("scope"))
		if err != nil {
			return err
		}
		req.Scopes, req.Resource = scopes, s.resources[0]
		return nil
	}
	if !s.faults[faultResponseTypeUnchecked] {
		switch rt := params.Get("response_type"); {
		case rt == "":
			return newError(errInvalidRequest, "response_type is missing; this server supports response_type=code.")
		case rt != responseTypeCode:
			return newError(errUnsupportedResponseType, "The response_type is not supported; OAuth 2.1 has only response_type=code.")
		}
	}
	if err := s.checkCodeChallenge(req, params, c); err != nil {
		return err
	}
	scopes, err := s.grantedScopes(params.Get("scope"))
	if err != nil {
		return err
	}
	req.Scopes = scopes
	if s.variants[variantRFC8707Ignored] {
		return nil // resource is not a parameter this server knows (RFC 6749 §3.1: ignored)
	}
	def := s.resources[0]
	if s.faults[faultNoDefaultAud] {
		def = "" // no audience at all (RFC 9068 §3 wants a default one)
	}
	resource, err := s.requestedResource(params["resource"], def)
	if err != nil {
		return err
	}
	req.Resource = resource
	return nil
}

// checkCodeChallenge enforces PKCE with S256 (OAuth 2.1 §4.1.1, §7.5.2;
// RFC 7636 §4.3, §4.4.1). The PKCE faults relax exactly these checks.
func (s *Server) checkCodeChallenge(req *authorizationRequest, params url.Values, c *client) *oauthError {
	challenge := params.Get("code_challenge")
	if challenge == "" {
		if s.pkceOptionalFor(c) {
			return nil
		}
		code := errInvalidRequest
		if s.faults[faultPKCEMissingChallengeWrongError] {
			code = errAccessDenied
		}
		return newError(code, "code_challenge is required: this server requires PKCE with S256 for every client (OAuth 2.1 section 4.1.1).")
	}
	method, err := s.challengeMethod(params.Get("code_challenge_method"))
	if err != nil {
		return err
	}
	if !s.faults[faultPKCELaxChallengeSyntax] && !validChallengeSyntax(challenge, method) {
		if method == methodS256 {
			return newError(errInvalidRequest, "The code_challenge must be 43 base64url characters without padding: BASE64URL(SHA256(code_verifier)) (RFC 7636 section 4.2).")
		}
		return newError(errInvalidRequest, "The code_challenge must be 43 to 128 characters from A-Z a-z 0-9 - . _ ~ (RFC 7636 section 4.2).")
	}
	req.CodeChallenge = challenge
	req.CodeChallengeMethod = method
	return nil
}

func (s *Server) pkceOptionalFor(c *client) bool {
	return s.faults[faultPKCEDowngrade] ||
		c.public() && s.faults[faultPKCEOptionalPublic] ||
		!c.public() && s.faults[faultPKCEOptionalConfidential]
}

const (
	methodS256  = "S256"
	methodPlain = "plain"
)

// challengeMethod maps code_challenge_method to the method the server will
// apply. Method names are case-sensitive (OAuth 2.1 §1.9); only S256 is
// supported, and a missing method means plain (RFC 7636 §4.3), so it is refused.
func (s *Server) challengeMethod(method string) (string, *oauthError) {
	if method == "" {
		if s.faults[faultPKCEDefaultS256] {
			return methodS256, nil
		}
		if !s.faults[faultPKCEAcceptPlain] {
			return "", newError(errInvalidRequest, "code_challenge_method is missing, which means plain (RFC 7636 section 4.3); this server supports only S256.")
		}
		method = methodPlain
	}
	known := strings.EqualFold(method, methodS256) || strings.EqualFold(method, methodPlain)
	switch {
	case method == methodS256:
		return methodS256, nil
	case method == methodPlain && s.faults[faultPKCEAcceptPlain]:
		return methodPlain, nil
	case strings.EqualFold(method, methodS256) && s.faults[faultPKCEMethodCaseInsensitive]:
		return methodS256, nil
	case !known && s.faults[faultPKCEUnknownMethodAsS256]:
		return methodS256, nil
	default:
		return "", newError(errInvalidRequest, "The code_challenge_method is not supported; this server supports only S256 (case-sensitive).")
	}
}

// validChallengeSyntax: an S256 challenge is the base64url encoding of 32
// bytes, 43 characters; a plain one has the verifier syntax (RFC 7636 §4.2).
func validChallengeSyntax(challenge, method string) bool {
	if method == methodS256 {
		return len(challenge) == 43 && strings.Trim(challenge, base64URLAlphabet) == ""
	}
	return validVerifierSyntax(challenge)
}

const (
	base64URLAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	unreservedChars   = base64URLAlphabet + ".~"
)

// validVerifierSyntax: 43 to 128 unreserved characters (RFC 7636 §4.1).
func validVerifierSyntax(v string) bool {
	return len(v) >= 43 && len(v) <= 128 && strings.Trim(v, unreservedChars) == ""
}

// grantedScopes parses the scope parameter (RFC 6749 §3.3). An omitted or
// empty scope gets the default, the first known scope; an unknown scope is
// refused rather than silently dropped.
func (s *Server) grantedScopes(scope string) ([]string, *oauthError) {
	requested := strings.Fields(scope)
	if len(requested) == 0 {
		return []string{s.scopes[0]}, nil
	}
	var granted []string
	for _, sc := range requested {
		if !slices.Contains(s.scopes, sc) && !s.faults[faultScopeUnknownGranted] {
			return nil, newError(errInvalidScope, "The scope %s is unknown; scopes_supported in the metadata lists the known ones.", sc)
		}
		if !slices.Contains(granted, sc) {
			granted = append(granted, sc)
		}
	}
	return granted, nil
}

// requestedResource validates the resource parameters (RFC 8707 §2): at most
// one (tokens carry a single audience), an absolute URI without fragment, and
// one this server issues tokens for. Empty values count as omitted
// (OAuth 2.1 §3.1); with none, def is used. The result is the configured form
// of the resource, which becomes the token's aud.
func (s *Server) requestedResource(values []string, def string) (string, *oauthError) {
	values = slices.DeleteFunc(slices.Clone(values), func(v string) bool { return v == "" })
	if len(values) > 0 && s.faults[faultResourceRejected] {
		return "", newError(errInvalidTarget, "The resource parameter is not accepted by this server.")
	}
	switch {
	case len(values) == 0:
		return def, nil
	case len(values) > 1:
		return "", newError(errInvalidTarget, "Only one resource may be requested: access tokens are restricted to a single audience.")
	case !validResourceSyntax(values[0]):
		if s.faults[faultMalformedResourceAccepted] {
			return values[0], nil
		}
		return "", newError(errInvalidTarget, "The resource must be an absolute URI without a fragment (RFC 8707 section 2).")
	}
	if r, ok := s.knownResource(values[0]); ok {
		return r, nil
	}
	if s.faults[faultUnknownResourceKnownAud] {
		return def, nil
	}
	return "", newError(errInvalidTarget, "The resource is not one this server issues tokens for.")
}

// knownResource returns the configured resource that r names. The scheme and
// host of a URI are case-insensitive (RFC 3986 §6.2.2.1), and MCP asks servers
// to accept upper-case variants of the canonical URI, so they are compared
// without case; the rest must match exactly (a trailing slash makes another
// resource).
func (s *Server) knownResource(r string) (string, bool) {
	for _, known := range s.resources {
		if r == known || !s.faults[faultResourceCaseSensitive] && canonicalResource(r) == canonicalResource(known) {
			return known, true
		}
	}
	return "", false
}

// canonicalResource lowers the scheme and host of an absolute URI; userinfo,
// port, path and query are kept as they are.
func canonicalResource(r string) string {
	scheme, rest, ok := strings.Cut(r, "://")
	if !ok {
		return r
	}
	authority, tail := rest, ""
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		authority, tail = rest[:i], rest[i:]
	}
	userinfo, host := "", authority
	if i := strings.LastIndex(authority, "@"); i >= 0 {
		userinfo, host = authority[:i+1], authority[i+1:]
	}
	return strings.ToLower(scheme) + "://" + userinfo + strings.ToLower(host) + tail
}

func validResourceSyntax(r string) bool {
	u, err := url.Parse(r)
	return err == nil && u.IsAbs() && u.Host != "" && !strings.Contains(r, "#")
}

// redirectError sends an authorization error to the client (RFC 6749
// §4.1.2.1) with state as sent and iss (RFC 9207 §2).
func (s *Server) redirectError(w http.ResponseWriter, r *http.Request, req *authorizationRequest, e *oauthError) {
	v := url.Values{"error": {e.Code}, "error_description": {errorValue(e.Description)}}
	if req.State != "" && !s.faults[faultAuthzErrorDropsState] {
		v.Set("state", req.State)
	}
	s.redirectToClient(w, r, req.RedirectURI, v, s.faults[faultAuthzErrorInFragment])
}

// redirectToClient ends an authorization with a 303 to the redirect URI.
// The parameters are merged into any query the redirect URI already has
// (RFC 6749 §3.1.2), and iss is always added (RFC 9207 §2). 303 makes the
// browser use GET even after the consent POST (RFC 9700 §4.12).
func (s *Server) redirectToClient(w http.ResponseWriter, r *http.Request, redirectURI string, v url.Values, inFragment bool) {
	redirectURI, v = s.responseParams(redirectURI, v)
	var target string
	switch {
	case inFragment:
		target = redirectURI + "#" + v.Encode()
	case !strings.Contains(redirectURI, "?"):
		target = redirectURI + "?" + v.Encode()
	case strings.HasSuffix(redirectURI, "?"):
		target = redirectURI + v.Encode()
	default:
		target = redirectURI + "&" + v.Encode()
	}
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
	http.Redirect(w, r, target, http.StatusSeeOther)
}
