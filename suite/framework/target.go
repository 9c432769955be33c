package framework

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
)

// environment is the process-wide state of a run: configuration, transport,
// the target, and the lazily started browser. Each Ginkgo process has one.
type environment struct {
	cfg       *Config
	transport *http.Transport
	target    *Target
	browser   *browserPool
	callback  *callbackServer
	cimd      *CIMDHost
	setupErr  error
}

var env atomic.Pointer[environment]

func current() *environment {
	e := env.Load()
	if e == nil {
		panic("framework: Setup was not called; the suite's entry point must call it in SynchronizedBeforeSuite")
	}
	return e
}

// Setup prepares this process for a run against issuer. A failure is kept and
// turns every spec into a SKIP that names it, rather than aborting the run
// with no report.
func Setup(cfg *Config, issuer string) error {
	e := &environment{cfg: cfg}
	env.Store(e)
	transport, err := cfg.Transport()
	if err != nil {
		e.setupErr = err
		return err
	}
	e.transport = transport
	e.target = &Target{Issuer: issuer, Resource: cfg.Resource}
	// Configured credentials never appear in a report (redact.go).
	RegisterSecret(expandEnv(cfg.Login.Password))
	for _, c := range []*ClientConfig{cfg.Clients.Public, cfg.Clients.Confidential} {
		if c != nil {
			RegisterSecret(c.ClientSecret)
		}
	}
	e.callback, err = startCallbackServer(cfg.loopbackListenAddrs())
	if err != nil {
		e.setupErr = fmt.Errorf("the loopback listener that receives authorization redirects could not start: %w", err)
		return e.setupErr
	}
	e.browser = newBrowserPool(cfg, transport)
	e.cimd = startCIMDHost(cfg)
	return nil
}

// Teardown stops the browser and the callback listener of this process.
func Teardown() {
	e := env.Load()
	if e == nil {
		return
	}
	if e.browser != nil {
		e.browser.close()
	}
	if e.callback != nil {
		e.callback.close()
	}
	e.cimd.close()
	if e.transport != nil {
		e.transport.CloseIdleConnections()
	}
}

// Target is the authorization server under test.
type Target struct {
	// Issuer is the expected issuer identifier.
	Issuer string
	// Resource is the resource indicator sent in ordinary flows ("" for none).
	Resource string

	once      sync.Once
	discovery *Discovery
}

// Scope is the scope ordinary flows request: the configured one, else the
// one this spec learned the server needs (see ApprovedAuthorization), else
// none. What one spec learns never changes another spec's requests, so the
// verdicts do not depend on the order the specs run in.
func (t *T) Scope() string {
	if s := t.Config().Scope; s != "" {
		return s
	}
	return t.learnedScope
}

// AdvertisedScope returns a scope from scopes_supported that asks for plain
// OAuth access: neither openid (which turns the request into an OpenID
// Connect one) nor offline_access (which changes what is issued); "" if the
// metadata lists none.
func AdvertisedScope(m *Metadata) string {
	supported, _ := MemberStrings(m.Doc, "scopes_supported")
	for _, s := range supported {
		if s != "openid" && s != "offline_access" {
			return s
		}
	}
	return ""
}

// Discovery probes the target's metadata locations once per process and
// returns the result. The exchanges become the spec's evidence: a spec that
// calls Discovery judges discovery.
func (t *T) Discovery() *Discovery {
	d := t.discovery()
	for _, l := range d.Locations {
		for _, x := range l.Exchanges {
			t.rec.add(x)
		}
	}
	return d
}

// discovery returns the process's discovery result without recording it, for
// specs that only need an endpoint: their evidence is their own exchanges.
func (t *T) discovery() *Discovery {
	e := current()
	tg := e.target
	tg.once.Do(func() {
		client := NewHTTPClient(e.transport, e.cfg.Timeout, &Recorder{})
		tg.discovery = discover(context.WithoutCancel(t.ctx), client, tg.Issuer)
	})
	return tg.discovery
}

// Metadata returns the authorization server metadata an MCP client would use,
// or SKIPs the spec when discovery found none: a spec that needs an endpoint
// cannot exercise its requirement without it (the metadata area reports why).
func (t *T) Metadata() *Metadata {
	d := t.discovery()
	loc := d.Metadata(t.Config().MCPVersion)
	if loc == nil {
		t.Skipf("no usable authorization server metadata for issuer %s, so this requirement could not be exercised (the metadata specs say why):\n%s", d.Issuer, d.Report())
	}
	return &Metadata{Doc: loc.Doc, Location: loc}
}

// Target is the server under test.
func (t *T) Target() *Target { return current().target }

// Metadata is a validated metadata document.
type Metadata struct {
	Doc      map[string]any
	Location *Location
}

// Endpoint returns an endpoint URL member, SKIPping the spec when it is
// absent: the requirement needs an endpoint the server does not offer.
func (t *T) Endpoint(m *Metadata, member string) string {
	s, ok := MemberString(m.Doc, member)
	if !ok || s == "" {
		t.Skipf("the metadata at %s has no %s, which this requirement needs", m.Location.URL, member)
	}
	return s
}

// Client is an OAuth client the suite acts as.
type Client struct {
	ID     string
	Secret string
	// AuthMethod is the token_endpoint_auth_method the server returned at
	// registration (or the configured one); the suite always authenticates
	// with it (pitfall 6).
	AuthMethod  string
	RedirectURI string
	// Registration is the DCR response, when the client was registered.
	Registration map[string]any
}

// Public reports whether the client does not authenticate.
func (c *Client) Public() bool { return c.AuthMethod == "none" }

// Authenticate adds the client's identification to a token-endpoint form and
// returns Basic credentials when its method is client_secret_basic.
func (c *Client) Authenticate(form url.Values) *Credentials {
	switch c.AuthMethod {
	case "client_secret_basic":
		return &Credentials{ID: c.ID, Secret: c.Secret}
	case "client_secret_post":
		form.Set("client_id", c.ID)
		form.Set("client_secret", c.Secret)
	default:
		form.Set("client_id", c.ID)
	}
	return nil
}

// PublicClient returns a fresh public client (token_endpoint_auth_method
// none): registered by DCR when the server offers it, else the configured
// one. SKIPs the spec when neither is possible.
func (t *T) PublicClient() *Client {
	return t.client("none", t.Config().Clients.Public)
}

// ConfidentialClient returns a fresh confidential client, by DCR or from
// configuration; SKIPs otherwise. A configured client keeps its auth_method.
// A registered one asks for the secret method the server advertises, the way
// an MCP client chooses (ConfidentialAuthMethod), and then authenticates with
// whatever method the registration response names.
func (t *T) ConfidentialClient() *Client {
	if c := t.Config().Clients.Confidential; c != nil {
		return t.client(c.authMethod(), c)
	}
	return t.client(ConfidentialAuthMethod(t.Metadata()), nil)
}

// ConfidentialAuthMethod is the secret-based token_endpoint_auth_method a
// client asks for at this server: client_secret_basic when
// token_endpoint_auth_methods_supported lists it (or is omitted, which means
// client_secret_basic, RFC 8414 §2), else client_secret_post when listed.
// OAuth 2.1 §2.4.1 makes Basic optional, so a server may offer only post.
func ConfidentialAuthMethod(m *Metadata) string {
	methods, ok := MemberStrings(m.Doc, "token_endpoint_auth_methods_supported")
	if ok && !slices.Contains(methods, "client_secret_basic") && slices.Contains(methods, "client_secret_post") {
		return "client_secret_post"
	}
	return "client_secret_basic"
}

// ClientWithMethod returns a fresh client that authenticates with the given
// token_endpoint_auth_method (none, client_secret_basic, client_secret_post):
// the configured client that uses it, else one registered by DCR. SKIPs when
// neither exists, when the metadata does not offer the method, or when the
// server registered the client with another method: a row about one method
// is only judged with a client the server gave that method.
func (t *T) ClientWithMethod(method string) *Client {
	cfg := t.Config()
	for _, c := range []*ClientConfig{cfg.Clients.Public, cfg.Clients.Confidential} {
		if c != nil && c.authMethod() == method {
			return t.client(method, c)
		}
	}
	m := t.Metadata()
	if methods, ok := MemberStrings(m.Doc, "token_endpoint_auth_methods_supported"); ok && !slices.Contains(methods, method) {
		t.Skipf("the server does not offer token endpoint authentication method %s (token_endpoint_auth_methods_supported is %v), and no configured client uses it, so this requirement could not be exercised", method, methods)
	}
	c := t.client(method, nil)
	if c.AuthMethod != method {
		t.Skipf("the server registered a client that asked for %s with token_endpoint_auth_method %q, so a client using %s could not be had", method, c.AuthMethod, method)
	}
	return c
}

// authMethod is the configured client's token_endpoint_auth_method; without
// one, a client with a secret uses client_secret_basic (the RFC 7591 §2
// default) and one without uses none.
func (c *ClientConfig) authMethod() string {
	switch {
	case c.AuthMethod != "":
		return c.AuthMethod
	case c.ClientSecret != "":
		return "client_secret_basic"
	}
	return "none"
}

// RedirectURI is the loopback redirect URI the suite registers for its
// clients; the browser's arrival there ends a flow.
func (t *T) RedirectURI() string { return current().callback.redirectURI() }

func (t *T) client(method string, configured *ClientConfig) *Client {
	if configured != nil {
		c := &Client{ID: configured.ClientID, Secret: configured.ClientSecret, AuthMethod: configured.authMethod(), RedirectURI: configured.RedirectURI}
		if c.RedirectURI == "" {
			c.RedirectURI = current().callback.redirectURI()
		}
		return c
	}
	m := t.Metadata()
	reg, ok := MemberString(m.Doc, "registration_endpoint")
	if (!ok || reg == "") && method == "none" && cimdAvailable(m) {
		// No DCR, but the server fetches client ID metadata documents: a
		// public MCP client then uses one (MCP 2025-11-25 and later).
		c, _ := t.CIMDClient(m)
		return c
	}
	if !ok || reg == "" {
		t.Skipf("the server offers no dynamic client registration and no %s client is configured (clients: in the config file, or --client-id)%s", clientKind(method), cimdHint(m, method))
	}
	c, err := t.RegisterClient(reg, method)
	if err != nil {
		t.Skipf("no %s client could be registered, so this requirement could not be exercised: %v", clientKind(method), err)
	}
	return c
}

// RegisterClient registers a client the way an MCP client of the run's
// profile does (ClientMetadataFor). Under a profile before 2026-07-28, which
// does not send application_type, a server that refuses the registration is
// asked again with application_type native, with a note: OIDC servers may
// refuse web clients with loopback http redirect URIs (OIDC Registration §2).
func (t *T) RegisterClient(endpoint, method string) (*Client, error) {
	md := ClientMetadataFor(t.Config().MCPVersion, method, t.RedirectURI())
	c, err := t.Register(endpoint, md)
	if err == nil || md["application_type"] != nil {
		return c, err
	}
	md["application_type"] = "native"
	c, retryErr := t.Register(endpoint, md)
	if retryErr != nil {
		return nil, err
	}
	t.Notef("the server refused a registration without application_type (%v) and accepted it with application_type native; MCP %s clients do not send it", err, t.Config().MCPVersion)
	return c, nil
}

// cimdHint says why no CIMD client could stand in for a registered one.
func cimdHint(m *Metadata, method string) string {
	switch {
	case !CIMDSupported(m):
		return ""
	case method != "none":
		return "; a client ID metadata document cannot declare a client secret (CIMD), so it gives no confidential client"
	}
	return "; the server supports client ID metadata documents, but " + current().cimd.err.Error()
}

func clientKind(method string) string {
	if method == "none" {
		return "public"
	}
	return "confidential"
}

// ClientMetadata is the RFC 7591 registration request of an MCP client of the
// newest profile (ClientMetadataFor).
func ClientMetadata(method, redirectURI string) map[string]any {
	return ClientMetadataFor(MCP20260728, method, redirectURI)
}

// ClientMetadataFor is the RFC 7591 registration request an MCP client of the
// profile sends. From MCP 2026-07-28 clients MUST send application_type:
// native for loopback and private-use-scheme redirect URIs, web otherwise
// (the OIDC Registration values, which non-OIDC servers ignore, RFC 7591 §2).
func ClientMetadataFor(profile, method, redirectURI string) map[string]any {
	md := map[string]any{
		"client_name":                "MCP Conformance " + RandomString(4),
		"redirect_uris":              []string{redirectURI},
		"grant_types":                []string{"authorization_code", "refresh_token"},
		"response_types":             []string{"code"},
		"token_endpoint_auth_method": method,
	}
	if slices.Index(MCPVersions, profile) >= slices.Index(MCPVersions, MCP20260728) {
		md["application_type"] = applicationType(redirectURI)
	}
	return md
}

// applicationType is native for a loopback http or private-use-scheme
// redirect URI (RFC 8252 §7.1, §7.3), web for an https one.
func applicationType(redirectURI string) string {
	u, err := url.Parse(redirectURI)
	if err == nil && u.Scheme == "https" {
		return "web"
	}
	return "native"
}

// Register performs RFC 7591 dynamic client registration and returns the
// client as the server registered it (the server may change what was asked).
func (t *T) Register(endpoint string, metadata map[string]any) (*Client, error) {
	body, _ := json.Marshal(metadata)
	e := t.RegistrationRequest(endpoint, body)
	return ClientFromRegistration(e, metadata)
}

// RegistrationRequest POSTs body as application/json to the registration
// endpoint, with the configured initial access token (RFC 7591 §3) if any.
func (t *T) RegistrationRequest(endpoint string, body []byte) *Exchange {
	h := http.Header{"Content-Type": {"application/json"}, "Accept": {"application/json"}}
	if iat := t.Config().Registration().InitialAccessToken; iat != "" {
		h.Set("Authorization", "Bearer "+iat)
	}
	return t.HTTP().Send(t.ctx, Request{Method: http.MethodPost, URL: endpoint, Body: body, Header: h})
}

// ClientFromRegistration reads the client the server registered from its
// answer to a registration request that sent metadata: the response is the
// truth (RFC 7591 §3.2.1: the server may change what was asked), so the
// client authenticates with the method and uses the redirect URI it returned.
func ClientFromRegistration(e *Exchange, metadata map[string]any) (*Client, error) {
	if e.Err != nil {
		return nil, fmt.Errorf("registration request failed: %v", e.Err)
	}
	if e.Status != http.StatusCreated && e.Status != http.StatusOK {
		return nil, fmt.Errorf("registration answered %d: %s", e.Status, Snippet(e.Body, 200))
	}
	doc, err := ParseJSONObject(bytes.TrimSpace(e.Body))
	if err != nil {
		return nil, fmt.Errorf("registration response: %v", err)
	}
	c := &Client{Registration: doc}
	c.ID, _ = MemberString(doc, "client_id")
	c.Secret, _ = MemberString(doc, "client_secret")
	RegisterSecret(c.Secret)
	if rat, ok := MemberString(doc, "registration_access_token"); ok {
		RegisterSecret(rat)
	}
	c.AuthMethod, _ = MemberString(doc, "token_endpoint_auth_method")
	if c.ID == "" {
		return nil, fmt.Errorf("registration response has no client_id: %s", Snippet(e.Body, 200))
	}
	if c.AuthMethod == "" {
		c.AuthMethod, _ = metadata["token_endpoint_auth_method"].(string)
	}
	if uris, ok := MemberStrings(doc, "redirect_uris"); ok && len(uris) > 0 {
		c.RedirectURI = uris[0]
	} else if uris, ok := metadata["redirect_uris"].([]string); ok && len(uris) > 0 {
		c.RedirectURI = uris[0]
	}
	return c, nil
}

// RandomString returns n random bytes as hex, for unique names and values.
func RandomString(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func isLoopbackURL(raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && IsLoopback(u.Hostname())
}

// MergeQuery adds params to a URL, keeping any query it already has (RFC 6749
// §3.1: the endpoint URI may include a query component, which must be kept).
func MergeQuery(base string, params url.Values) (string, error) {
	u, err := url.Parse(base)
	if err != nil {
		return "", err
	}
	q := u.RawQuery
	if extra := params.Encode(); extra != "" {
		if q != "" && !strings.HasSuffix(q, "&") {
			q += "&"
		}
		q += extra
	}
	u.RawQuery = q
	return u.String(), nil
}
