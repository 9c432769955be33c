package refserver

import (
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"net"
	"net/http"
	"net/url"
	"sync"
	"time"
)

// Brute-force protection of client authentication (OAuth 2.1 §2.4.1): after
// maxAuthFailures failed authentications of one client_id within
// authFailureWindow, the client is locked out for lockoutDuration and every
// token request naming it answers 429.
const (
	maxAuthFailures   = 10
	authFailureWindow = time.Minute
	lockoutDuration   = 30 * time.Second
)

// authThrottle counts failed client authentications per client_id.
type authThrottle struct {
	mu       sync.Mutex
	failures map[string][]time.Time
	locked   map[string]time.Time
}

func (a *authThrottle) isLocked(id string, now time.Time) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	until, ok := a.locked[id]
	if ok && now.After(until) {
		delete(a.locked, id)
		return false
	}
	return ok
}

func (a *authThrottle) fail(id string, now time.Time) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.failures == nil {
		a.failures, a.locked = map[string][]time.Time{}, map[string]time.Time{}
	}
	recent := a.failures[id][:0]
	for _, t := range a.failures[id] {
		if now.Sub(t) < authFailureWindow {
			recent = append(recent, t)
		}
	}
	recent = append(recent, now)
	a.failures[id] = recent
	if len(recent) >= maxAuthFailures {
		a.locked[id] = now.Add(lockoutDuration)
		delete(a.failures, id)
	}
	if len(a.failures) > 10000 { // bound the map: forget the oldest counts
		clear(a.failures)
	}
}

var errLockedOut = &oauthError{Code: errInvalidClient, Description: "Too many failed client authentications; try again later.", status: http.StatusTooManyRequests}

// authenticateThrottled is authenticateClient behind the brute-force lock.
func (s *Server) authenticateThrottled(r *http.Request, form url.Values) (*client, *oauthError) {
	id := form.Get("client_id")
	if user, _, ok := r.BasicAuth(); ok {
		if u, err := url.QueryUnescape(user); err == nil {
			id = u
		}
	}
	protect := !s.faults[faultNoBruteForceProtection] && id != ""
	if protect && s.throttle.isLocked(id, s.now()) {
		return nil, errLockedOut
	}
	c, err := s.authenticateClient(r, form)
	if err != nil && err.Code == errInvalidClient && protect && s.store.client(id) != nil {
		s.throttle.fail(id, s.now())
	}
	return c, err
}

// setupSecurity applies the security faults that change the configuration.
func (s *Server) setupSecurity() {
	if s.faults[faultLongLivedAccessTokens] {
		s.accessTokenLifetime = 30 * 24 * time.Hour
	}
}

// securityMetadata bends the sender-constraining metadata (RFC 9449 §5.1).
func (s *Server) securityMetadata(m map[string]any) {
	if s.faults[faultDPoPAlgNone] {
		m["dpop_signing_alg_values_supported"] = []string{"none"}
	}
}

// weakCode is the 64-bit authorization code of the weak-authorization-codes fault.
func weakCode() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// openRedirect implements the authorize-open-redirect fault: a next or
// return_to parameter sends the browser anywhere (RFC 9700 §4.11).
func (s *Server) openRedirect(w http.ResponseWriter, r *http.Request) bool {
	if !s.faults[faultAuthorizeOpenRedirect] {
		return false
	}
	for _, p := range []string{"next", "return_to"} {
		if to := r.URL.Query().Get(p); to != "" {
			http.Redirect(w, r, to, http.StatusFound)
			return true
		}
	}
	return false
}

// tokenInRedirect implements the token-in-redirect fault: an access token
// travels in the front channel (RFC 6749 §10.3 forbids it).
func (s *Server) tokenInRedirect(v url.Values, req *authorizationRequest, subject string) {
	if !s.faults[faultTokenInRedirect] {
		return
	}
	if c := s.store.client(req.ClientID); c != nil {
		if resp, err := s.accessToken(c, subject, req.Scopes, req.Resource, randomToken(), s.accessTokenLifetime); err == nil {
			v.Set("access_token", resp.AccessToken)
		}
	}
}

// plainAndTLSListener serves TLS, and, with the plain-http-accepted fault,
// plain http on the same port: each connection looks at its first byte (a
// TLS handshake starts with 0x16) on its first read, so Accept never waits.
type plainAndTLSListener struct {
	net.Listener
	config *tls.Config
}

func (l plainAndTLSListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &sniffConn{Conn: c, config: l.config}, nil
}

// sniffConn becomes a TLS server connection or stays plain on first read.
type sniffConn struct {
	net.Conn
	config *tls.Config
	once   sync.Once
	inner  net.Conn
}

func (c *sniffConn) decide() {
	b := make([]byte, 1)
	n, _ := c.Conn.Read(b)
	raw := &prefixConn{Conn: c.Conn, first: b[:n]}
	if n == 1 && b[0] == 0x16 {
		c.inner = tls.Server(raw, c.config)
		return
	}
	c.inner = raw
}

func (c *sniffConn) Read(p []byte) (int, error) {
	c.once.Do(c.decide)
	return c.inner.Read(p)
}

func (c *sniffConn) Write(p []byte) (int, error) {
	c.once.Do(c.decide)
	return c.inner.Write(p)
}

func (c *sniffConn) Close() error {
	if c.inner != nil {
		return c.inner.Close()
	}
	return c.Conn.Close()
}

type prefixConn struct {
	net.Conn
	first []byte
}

func (c *prefixConn) Read(p []byte) (int, error) {
	if len(c.first) > 0 {
		n := copy(p, c.first)
		c.first = c.first[n:]
		return n, nil
	}
	return c.Conn.Read(p)
}

// tlsListener wraps ln for TLS (TLS 1.2 or later), and for plain http too
// with the plain-http-accepted fault.
func tlsListener(ln net.Listener, cert tls.Certificate, faults []string) net.Listener {
	cfg := &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	for _, f := range faults {
		if f == faultPlainHTTPAccepted {
			return plainAndTLSListener{Listener: ln, config: cfg}
		}
	}
	return tls.NewListener(ln, cfg)
}
