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
	e.callback, err = startCallbackServer(cfg.loopbackListenAddrs())
	if err != nil {
		e.setupErr = fmt.Errorf("the loopback listener that receives authorization redirects could not start: %w", err)
		return e.setupErr
	}
	e.browser = newBrowserPool(cfg, transport)
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

	// learnedScope is the scope this process found the server needs when
	// none is configured (see ApprovedAuthorization).
	scopeMu      sync.Mutex
	learnedScope string
}

// Scope is the scope ordinary flows request: the configured one, else the
// one this run learned the server needs, else none.
func (t *T) Scope() string {
	if s := t.Config().Scope; s != "" {
		return s
	}
	tg := t.Target()
	tg.scopeMu.Lock()
	defer tg.scopeMu.Unlock()
	return tg.learnedScope
}

func (tg *Target) learnScope(scope string) {
	tg.scopeMu.Lock()
	defer tg.scopeMu.Unlock()
	tg.learnedScope = scope
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

// ConfidentialClient returns a fresh confidential client (client_secret_basic
// when the server allows it), by DCR or from configuration; SKIPs otherwise.
func (t *T) ConfidentialClient() *Client {
	return t.client("client_secret_basic", t.Config().Clients.Confidential)
}

// ClientWithMethod returns a fresh client registered by DCR with the given
// token_endpoint_auth_method (none, client_secret_basic, client_secret_post),
// or the configured client that uses it; SKIPs when neither exists.
func (t *T) ClientWithMethod(method string) *Client {
	cfg := t.Config()
	for _, c := range []*ClientConfig{cfg.Clients.Public, cfg.Clients.Confidential} {
		if c != nil && c.authMethod() == method {
			return t.client(method, c)
		}
	}
	return t.client(method, nil)
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
	if !ok || reg == "" {
		t.Skipf("the server offers no dynamic client registration and no %s client is configured (clients: in the config file, or --client-id)", clientKind(method))
	}
	c, err := t.Register(reg, ClientMetadata(method, current().callback.redirectURI()))
	if err != nil {
		t.Skipf("no %s client could be registered, so this requirement could not be exercised: %v", clientKind(method), err)
	}
	return c
}

func clientKind(method string) string {
	if method == "none" {
		return "public"
	}
	return "confidential"
}

// ClientMetadata is the RFC 7591 registration request the suite sends.
func ClientMetadata(method, redirectURI string) map[string]any {
	return map[string]any{
		"client_name":                "MCP Conformance " + RandomString(4),
		"redirect_uris":              []string{redirectURI},
		"grant_types":                []string{"authorization_code", "refresh_token"},
		"response_types":             []string{"code"},
		"token_endpoint_auth_method": method,
	}
}

// Register performs RFC 7591 dynamic client registration and returns the
// client as the server registered it (the server may change what was asked).
func (t *T) Register(endpoint string, metadata map[string]any) (*Client, error) {
	body, _ := json.Marshal(metadata)
	e := t.HTTP().Send(t.ctx, Request{Method: http.MethodPost, URL: endpoint, Body: body,
		Header: http.Header{"Content-Type": {"application/json"}, "Accept": {"application/json"}}})
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
