// Package refserver is the reference OAuth 2.1 authorization server for MCP:
// it passes every check of the conformance suite, and it can be started with
// named deliberate faults (see Faults) so that the suite can prove each check
// is able to fail. CONTRACT.md fixes what the suite relies on.
package refserver

import (
	"crypto/rsa"
	"fmt"
	"log"
	"net/http"
	"net/url"
	"runtime/debug"
	"slices"
	"strings"
	"time"
)

// Options configures a Server. Only Issuer is required.
type Options struct {
	Issuer    string   // issuer identifier, e.g. https://127.0.0.1:8443/as (no trailing slash, query or fragment)
	Faults    []string // names from Faults()
	Variants  []string // names from Variants(): conformant configurations that differ from the default
	Users     []User   // default: DefaultUser
	Resources []string // accepted resource indicators (RFC 8707); default: {origin}/mcp and {origin}/other/mcp
	Scopes    []string // default: DefaultScopes; the first is granted when scope is omitted
	Now       func() time.Time
	// Clients are registered at start, as pre-registered clients.
	Clients []StaticClient
	// OnIssue, when set, is told every credential the server issues (codes,
	// tokens, client secrets), for tests that check nothing leaks them.
	OnIssue func(kind, value string)
	// LoginOrigin is the origin of the separate login app of the
	// login-separate-origin variant (Start opens its listener and sets it).
	LoginOrigin string

	CodeLifetime, AccessTokenLifetime, RefreshTokenLifetime time.Duration // defaults 60s, 5m, 24h

	Registration RegistrationOptions // DCR and client ID metadata documents (registration_options.go)
}

// User is a resource owner who can log in on the login page.
type User struct{ Username, Password string }

// DefaultUser is the user a Server accepts when Options.Users is empty.
var DefaultUser = User{Username: "alice", Password: "wonderland"}

// DefaultScopes are the scopes a Server knows when Options.Scopes is empty.
// An authorization request without scope is granted the first, "mcp:read"
// (RFC 6749 §3.3 lets the server pick a default).
var DefaultScopes = []string{"mcp:read", "mcp:write", "offline_access"}

// Server is the authorization server; it serves every endpoint of CONTRACT.md.
type Server struct {
	issuer     string
	issuerPath string // path of the issuer URL, "" for an origin-only issuer
	origin     string
	faults     faultSet
	variants   variantSet
	// loginOrigin and tickets serve the login-separate-origin variant.
	loginOrigin string
	tickets     ticketStore
	users       []User
	resources   []string
	scopes      []string
	now         func() time.Time
	onIssue     func(kind, value string)

	codeLifetime, accessTokenLifetime, refreshTokenLifetime time.Duration

	initialAccessToken string
	cimd               *cimdFetcher

	signingKey *rsa.PrivateKey
	keyID      string
	store      *store
	throttle   authThrottle
	mux        *http.ServeMux
	// mcpSessions are the sessions of the demo MCP endpoints (mcp.go).
	mcpSessions *mcpSessions
}

// Lifetimes that are not configurable: a login lasts an hour, a consent page
// ten minutes.
const (
	sessionLifetime = time.Hour
	pendingLifetime = 10 * time.Minute
)

// New validates opts, fills in defaults and returns a ready Server.
func New(opts Options) (*Server, error) {
	issuer, err := url.Parse(opts.Issuer)
	switch {
	case err != nil:
		return nil, fmt.Errorf("refserver: the issuer %q is not a URL: %w", opts.Issuer, err)
	case issuer.Scheme != "https" && issuer.Scheme != "http", issuer.Host == "":
		return nil, fmt.Errorf("refserver: the issuer %q must be an absolute https (or http) URL", opts.Issuer)
	case issuer.RawQuery != "" || issuer.Fragment != "" || strings.ContainsAny(opts.Issuer, "?#"):
		return nil, fmt.Errorf("refserver: the issuer %q must not have a query or fragment (RFC 8414 §2)", opts.Issuer)
	case strings.HasSuffix(issuer.Path, "/"):
		return nil, fmt.Errorf("refserver: the issuer %q must not end with a slash", opts.Issuer)
	}
	faults, err := newFaultSet(opts.Faults)
	if err != nil {
		return nil, fmt.Errorf("refserver: %w", err)
	}
	variants, err := newVariantSet(opts.Variants)
	if err != nil {
		return nil, fmt.Errorf("refserver: %w", err)
	}
	key, err := signingKey()
	if err != nil {
		return nil, fmt.Errorf("refserver: generating the token signing key: %w", err)
	}
	s := &Server{
		issuer:               opts.Issuer,
		issuerPath:           issuer.Path,
		origin:               issuer.Scheme + "://" + issuer.Host,
		faults:               faults,
		variants:             variants,
		loginOrigin:          strings.TrimSuffix(opts.LoginOrigin, "/"),
		users:                orDefault(opts.Users, []User{DefaultUser}),
		resources:            slices.Clone(opts.Resources),
		scopes:               orDefault(opts.Scopes, DefaultScopes),
		now:                  opts.Now,
		codeLifetime:         durationOr(opts.CodeLifetime, 60*time.Second),
		accessTokenLifetime:  durationOr(opts.AccessTokenLifetime, 5*time.Minute),
		refreshTokenLifetime: durationOr(opts.RefreshTokenLifetime, 24*time.Hour),
		signingKey:           key,
		keyID:                thumbprint(&key.PublicKey),
		store:                newStore(),
		mcpSessions:          newMCPSessions(),
	}
	if len(s.resources) == 0 {
		// Two MCP endpoints on one host, so that a client can ask for a
		// resource the user did not authorize (RFC 8707 §2.2).
		s.resources = []string{s.origin + "/mcp", s.origin + "/other/mcp"}
	}
	for _, r := range s.resources {
		if !validResourceSyntax(r) {
			return nil, fmt.Errorf("refserver: the resource %q must be an absolute URI without fragment (RFC 8707 §2)", r)
		}
	}
	if variants[variantLoginSeparateOrigin] && s.loginOrigin == "" {
		return nil, fmt.Errorf("refserver: the %s variant needs Options.LoginOrigin, the origin its login app is served on (Start sets it)", variantLoginSeparateOrigin)
	}
	if s.now == nil {
		s.now = time.Now
	}
	s.onIssue = opts.OnIssue
	s.addStaticClients(opts.Clients)
	s.applyTokenFaults()
	s.setupSecurity()
	if err := s.setupRegistration(opts.Registration); err != nil {
		return nil, fmt.Errorf("refserver: %w", err)
	}
	s.mux = s.routes()
	return s, nil
}

func orDefault[T any](v, def []T) []T {
	if len(v) == 0 {
		return slices.Clone(def)
	}
	return slices.Clone(v)
}

func durationOr(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

// Endpoint paths below the issuer.
const (
	pathAuthorize = "/authorize"
	pathToken     = "/token"
	pathRegister  = "/register"
	pathLogin     = "/login"
	pathConsent   = "/consent"
	pathJWKS      = "/jwks"
	pathOIDCToken = "/oidc/token" // only with the oidc-inconsistent-endpoints fault

	wellKnownOAuth = "/.well-known/oauth-authorization-server"
	wellKnownOIDC  = "/.well-known/openid-configuration"
)

func (s *Server) endpoint(path string) string { return s.issuer + path }

// routes builds the mux. Metadata locations follow RFC 8414 §3 (suffix
// inserted before the issuer path) and OpenID Connect Discovery §4 (suffix
// appended to the issuer); MCP clients also try the inserted OIDC form.
func (s *Server) routes() *http.ServeMux {
	handlers := map[string]http.HandlerFunc{
		s.issuerPath + pathAuthorize: s.handleAuthorize,
		s.issuerPath + pathToken:     s.handleToken,
		s.issuerPath + pathRegister:  s.handleRegister,
		s.issuerPath + pathLogin:     s.handleLogin,
		s.issuerPath + pathConsent:   s.handleConsent,
		s.issuerPath + pathJWKS:      s.handleJWKS,
	}
	if s.variants[variantLoginSeparateOrigin] {
		handlers[s.issuerPath+pathLoginTicket] = s.handleLoginTicket
	}
	if s.faults[faultOIDCInconsistentEndpoints] {
		handlers[s.issuerPath+pathOIDCToken] = s.handleToken
	}
	if !s.dcrEnabled() {
		delete(handlers, s.issuerPath+pathRegister)
	}
	// MCP 2025-03-26 default endpoints: {origin}/authorize, /token, /register.
	if !s.faults[faultLegacyNoDefaultEndpoints] {
		handlers[pathAuthorize] = s.handleAuthorize
		handlers[pathToken] = s.handleToken
		if s.dcrEnabled() {
			handlers[pathRegister] = s.handleRegister
		}
	}
	if !s.faults[faultMetadataAbsent] && !s.faults[faultLegacyNoDefaultEndpoints] {
		oauth := s.metadataHandler(false)
		oidc := s.metadataHandler(true)
		switch {
		case s.variants[variantOIDCDiscoveryOnly]:
			// OpenID Connect Discovery only: no RFC 8414 document anywhere.
		case s.faults[faultMetadataAppendedOnly]:
			handlers[s.issuerPath+wellKnownOAuth] = oauth
		default:
			handlers[wellKnownOAuth+s.issuerPath] = oauth
		}
		handlers[wellKnownOIDC+s.issuerPath] = oidc
		if !s.faults[faultOIDCInsertedOnly] {
			handlers[s.issuerPath+wellKnownOIDC] = oidc
		}
	}
	s.resourceRoutes(handlers)
	handlers[s.issuerPath+pathRevoke] = s.handleRevoke
	handlers[s.issuerPath+pathIntrospect] = s.handleIntrospect
	mux := http.NewServeMux()
	for path, h := range handlers {
		mux.Handle(path, h)
	}
	return mux
}

// ServeHTTP serves every endpoint. A panic becomes a logged 500 server_error
// so that bad input can never take the server down or leak a stack trace.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	defer func() {
		v := recover()
		if v == nil {
			return
		}
		if v == http.ErrAbortHandler { // the handler asked to abort the response
			panic(v)
		}
		log.Printf("refserver: panic serving %s %s: %v\n%s", r.Method, r.URL.Path, v, debug.Stack())
		writeError(w, http.StatusInternalServerError, newError(errServerError, "The server hit an internal error; the log has the details."))
	}()
	if s.faults[faultPagesFrameable] {
		w = frameableWriter{w}
	}
	s.mux.ServeHTTP(w, r)
}
