package framework

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"sync"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/storage"
	"github.com/chromedp/chromedp"
	"github.com/onsi/ginkgo/v2"
)

// browserPool is the one Chrome of a Ginkgo process, started on first use
// (TOOLCHAIN: a cold start costs about half a second; a tab about 120 ms).
type browserPool struct {
	cfg       *Config
	transport *http.Transport

	mu          sync.Mutex
	started     bool
	err         error
	dataDir     string
	cancelAlloc context.CancelFunc
	cancelRoot  context.CancelFunc
	root        context.Context
	// trusted holds the origins whose certificates Chrome was told to accept.
	trusted map[string]bool
}

func newBrowserPool(cfg *Config, transport *http.Transport) *browserPool {
	return &browserPool{cfg: cfg, transport: transport, trusted: map[string]bool{}}
}

// context returns the browser's root context, starting Chrome if needed.
// origins are the https origins the flow will visit: Chrome cannot be given a
// CA file, so the suite verifies each origin's certificate chain itself (with
// the system roots, --ca-file and the embedded CA) and tells Chrome to accept
// exactly those leaf keys (--ignore-certificate-errors-spki-list).
func (b *browserPool) context(ctx context.Context, origins []string) (context.Context, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.started {
		for _, o := range origins {
			if strings.HasPrefix(o, "https://") && !b.trusted[o] {
				return nil, fmt.Errorf("the flow visits %s, whose certificate the browser was not told to trust when it started; this happens when the authorization endpoint is on another origin than the issuer and is a limitation of the suite", o)
			}
		}
		return b.root, b.err
	}
	b.started = true
	if err := b.start(ctx, origins); err != nil {
		b.err = &BrowserUnavailableError{Err: err}
	}
	return b.root, b.err
}

// BrowserUnavailableError means the suite's own browser could not start. It
// says nothing about the server under test, so it aborts the run with the
// fix rather than failing a requirement.
type BrowserUnavailableError struct{ Err error }

func (e *BrowserUnavailableError) Error() string { return e.Err.Error() }
func (e *BrowserUnavailableError) Unwrap() error { return e.Err }

// browserCandidates are the executables tried, in order, when no --browser is
// given. Chromium's headless shell comes first: it is the same engine
// without the desktop browser around it, and opens a tab in a third of the
// time (about 0.1 s against 0.3-0.5 s on two cores), which is most of what a
// browser spec costs.
var browserCandidates = []string{"chromium-headless-shell", "chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome"}

// findBrowser resolves the configured browser, or the first candidate found.
func findBrowser(configured string) (string, error) {
	if configured != "" {
		path, err := exec.LookPath(configured)
		if err != nil {
			return "", fmt.Errorf("the browser %q was not found (%v); install it, or leave --browser unset to use Chromium's headless shell or Chromium", configured, err)
		}
		return path, nil
	}
	for _, name := range browserCandidates {
		if path, err := exec.LookPath(name); err == nil {
			return path, nil
		}
	}
	return "", fmt.Errorf("no browser was found (tried %s); install Debian's chromium-headless-shell (scripts/install-chromium.sh, or make conformance, does it) or give --browser", strings.Join(browserCandidates, ", "))
}

func (b *browserPool) start(ctx context.Context, origins []string) error {
	exe, err := findBrowser(b.cfg.Browser)
	if err != nil {
		return err
	}
	var spki []string
	for _, o := range origins {
		if !strings.HasPrefix(o, "https://") {
			continue
		}
		h, err := b.leafSPKI(ctx, o)
		if err != nil {
			return fmt.Errorf("the TLS certificate of %s could not be verified, so the browser would not accept it either: %w", o, err)
		}
		spki = append(spki, h)
		b.trusted[o] = true
	}
	dir, err := os.MkdirTemp("", "mcp-conformance-chrome-")
	if err != nil {
		return err
	}
	b.dataDir = dir
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(exe),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(dir),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-default-apps", true),
		chromedp.Flag("no-proxy-server", true),
		chromedp.WindowSize(1024, 768),
	}
	if len(spki) > 0 {
		opts = append(opts, chromedp.Flag("ignore-certificate-errors-spki-list", strings.Join(spki, ",")))
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	root, cancelRoot := chromedp.NewContext(allocCtx)
	b.cancelAlloc, b.cancelRoot, b.root = cancelAlloc, cancelRoot, root

	// A cold start takes about half a second, but several suites starting
	// Chromium at once on a busy machine can take many times that.
	startTimeout := max(b.cfg.Timeout, 30*time.Second)
	startCtx, cancel := context.WithTimeout(root, startTimeout)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- chromedp.Do(root) }()
	select {
	case err = <-done:
	case <-startCtx.Done():
		err = fmt.Errorf("no answer within %s", startTimeout)
	}
	if err != nil {
		return fmt.Errorf("the browser %s did not start: %w", exe, err)
	}
	return nil
}

// leafSPKI connects to origin with the run's trust settings and returns the
// base64 SHA-256 of the leaf certificate's public key, the form Chrome's
// --ignore-certificate-errors-spki-list takes.
func (b *browserPool) leafSPKI(ctx context.Context, origin string) (string, error) {
	u, err := url.Parse(origin)
	if err != nil {
		return "", err
	}
	host := u.Host
	if u.Port() == "" {
		host = net.JoinHostPort(u.Hostname(), "443")
	}
	cfg := b.transport.TLSClientConfig.Clone()
	cfg.ServerName = u.Hostname()
	d := tls.Dialer{NetDialer: &net.Dialer{Timeout: b.cfg.Timeout}, Config: cfg}
	dctx, cancel := context.WithTimeout(ctx, b.cfg.Timeout)
	defer cancel()
	conn, err := d.DialContext(dctx, "tcp", host)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	certs := conn.(*tls.Conn).ConnectionState().PeerCertificates
	if len(certs) == 0 {
		return "", fmt.Errorf("no certificate presented")
	}
	sum := sha256.Sum256(certs[0].RawSubjectPublicKeyInfo)
	return base64.StdEncoding.EncodeToString(sum[:]), nil
}

func (b *browserPool) close() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.cancelRoot != nil {
		b.cancelRoot()
		done := make(chan struct{})
		go func() { b.cancelAlloc(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
		}
	}
	if b.dataDir != "" {
		_ = os.RemoveAll(b.dataDir)
	}
}

// browserSession is a spec's own browser context: the spec's flows share its
// cookies and storage, and no other spec sees them, so a server's cookies
// cannot pile up across specs (Cookie headers past what a server accepts) and
// verdicts do not depend on the order the specs run in (requirements §1.4
// rule 6). It is created on the spec's first flow and disposed of at its end.
type browserSession struct {
	ctx    context.Context
	cancel context.CancelFunc
}

// tab opens a tab in the spec's browser context, or, with fresh, in a new
// context of its own (a user agent without any session). endpoint is the
// authorization endpoint the flow starts at: its origin and the issuer's are
// the ones whose certificates the browser is told to accept. Closing the tab
// does not end the session.
func (s *browserSession) tab(ctx context.Context, e *environment, endpoint string, fresh bool) (context.Context, context.CancelFunc, error) {
	root, err := browserRoot(ctx, e, endpoint)
	if err != nil {
		return nil, nil, err
	}
	if fresh {
		tab, cancel := chromedp.NewContext(root, chromedp.WithNewBrowserContext())
		return tab, cancel, nil
	}
	if err := s.start(ctx, e, root); err != nil {
		return nil, nil, err
	}
	tab, cancel := chromedp.NewContext(s.ctx)
	return tab, cancel, nil
}

// browserRoot is the browser's root context, started if need be, trusting
// the certificates of the issuer's origin and the endpoint's.
func browserRoot(ctx context.Context, e *environment, endpoint string) (context.Context, error) {
	origins := []string{originOf(e.target.Issuer)}
	if endpoint != "" {
		origins = append(origins, originOf(endpoint))
	}
	return e.browser.context(ctx, origins)
}

// ensure starts the spec's browser context if it does not exist yet.
func (s *browserSession) ensure(ctx context.Context, e *environment, endpoint string) error {
	root, err := browserRoot(ctx, e, endpoint)
	if err != nil {
		return err
	}
	return s.start(ctx, e, root)
}

func (s *browserSession) start(ctx context.Context, e *environment, root context.Context) error {
	if s.ctx != nil {
		return nil
	}
	s.ctx, s.cancel = chromedp.NewContext(root, chromedp.WithNewBrowserContext())
	// The first action creates the browser context and its first tab, which
	// stays open (and blank) for the life of the session. chromedp ties a
	// tab's life to the context of its first action, so that is Listen with
	// the session's own context; a deadline of its own bounds the wait.
	done := make(chan error, 1)
	go func() { done <- chromedp.Listen(s.ctx, func(any) {}) }()
	var err error
	select {
	case err = <-done:
	case <-time.After(browserSetupTimeout(e.cfg)):
		err = fmt.Errorf("no answer within %s", browserSetupTimeout(e.cfg))
	case <-ctx.Done():
		err = ctx.Err()
	}
	if err != nil {
		s.close()
		return fmt.Errorf("a browser context for the spec could not be created: %w", err)
	}
	return nil
}

// browserCall runs one browser-level command (cookies of the session's
// browser context) with a deadline, without an action on any tab.
func (s *browserSession) browserCall(ctx context.Context, e *environment, call func(ctx context.Context, c *chromedp.Context) error) error {
	ctx, cancel := context.WithTimeout(ctx, browserSetupTimeout(e.cfg))
	defer cancel()
	return call(ctx, chromedp.FromContext(s.ctx))
}

// close disposes of the browser context and everything in it.
func (s *browserSession) close() {
	if s.cancel != nil {
		s.cancel()
	}
	s.ctx, s.cancel = nil, nil
}

// BrowserTab opens a new tab in the spec's browser context, which the spec's
// authorization flows share, for specs that look at pages themselves (a
// consent page's content, framing, a replayed approval). fresh gives the tab
// a browser context of its own instead, with no session. The tab lives until
// the returned function is called, or the spec ends. A browser that cannot
// start aborts the run; any other failure is an ERROR of the spec.
func (t *T) BrowserTab(fresh bool) (context.Context, context.CancelFunc) {
	e := current()
	tab, cancel, err := t.sessionTab(e, fresh)
	if bu := (*BrowserUnavailableError)(nil); errors.As(err, &bu) {
		ginkgo.AbortSuite("the browser specs cannot run: " + bu.Error() + "\n(run HTTP-only specs with --label-filter='!browser')")
	}
	if err != nil {
		t.Errorf("the browser could not open a tab, so the requirement could not be judged: %v", err)
	}
	// The first action on a tab ties its life to that action's context
	// (TOOLCHAIN, chromedp); Listen creates it with the tab's own context,
	// so it lives until cancel or the spec's end.
	if err := chromedp.Listen(tab, func(any) {}); err != nil {
		cancel()
		t.Errorf("the browser could not open a tab, so the requirement could not be judged: %v", err)
	}
	stop := context.AfterFunc(t.ctx, cancel)
	return tab, func() { stop(); cancel() }
}

// pushCookies gives the spec's browser context the cookies of the spec's
// store, so that a flow the form agent began (a login) goes on in the
// browser with the same session.
func (s *browserSession) pushCookies(ctx context.Context, e *environment, endpoint string, jar *cookieStore) error {
	cookies := jar.all()
	if len(cookies) == 0 && s.ctx == nil {
		return nil
	}
	if err := s.ensure(ctx, e, endpoint); err != nil {
		return err
	}
	params := make([]*network.CookieParam, 0, len(cookies))
	for _, c := range cookies {
		p := &network.CookieParam{Name: c.Name, Value: c.Value, Path: c.Path, Secure: c.Secure, HTTPOnly: c.HttpOnly, SameSite: cdpSameSite(c.SameSite)}
		if c.hostOnly {
			scheme := "http"
			if c.Secure {
				scheme = "https"
			}
			p.URL = scheme + "://" + c.Domain + c.Path
		} else {
			p.Domain = "." + c.Domain
		}
		if !c.Expires.IsZero() {
			p.Expires = cdp.TimeSinceEpoch(float64(c.Expires.UnixMilli()) / 1000)
		}
		params = append(params, p)
	}
	if len(params) == 0 {
		return nil
	}
	// Set, never cleared first: concurrent flows of one spec (AuthorizeAll)
	// share the context, and one must not log another out mid-flow.
	return s.browserCall(ctx, e, func(ctx context.Context, c *chromedp.Context) error {
		_, err := cdp.Call(ctx, c.Browser, storage.SetCookies, storage.SetCookiesParams{Cookies: params, BrowserContextID: c.BrowserContextID})
		return err
	})
}

// pullCookies makes the spec's store hold the browser context's cookies
// after a browser flow, so that the next flow of the spec, whichever engine
// drives it, has the same session.
func (s *browserSession) pullCookies(ctx context.Context, e *environment, jar *cookieStore) {
	if s.ctx == nil {
		return
	}
	var got []*network.Cookie
	err := s.browserCall(ctx, e, func(ctx context.Context, c *chromedp.Context) error {
		res, err := cdp.Call(ctx, c.Browser, storage.GetCookies, storage.GetCookiesParams{BrowserContextID: c.BrowserContextID})
		if err == nil {
			got = res.Cookies
		}
		return err
	})
	if err != nil {
		return // the store keeps what it had; the next flow logs in again
	}
	out := make([]storedCookie, 0, len(got))
	for _, ck := range got {
		sc := storedCookie{Cookie: http.Cookie{Name: ck.Name, Value: ck.Value, Path: ck.Path, Secure: ck.Secure, HttpOnly: ck.HTTPOnly}}
		sc.Domain = strings.TrimPrefix(ck.Domain, ".")
		sc.hostOnly = !strings.HasPrefix(ck.Domain, ".")
		if !ck.Session && ck.Expires > 0 {
			sc.Expires = time.Unix(int64(ck.Expires), 0)
		}
		out = append(out, sc)
	}
	jar.replace(out)
}

func cdpSameSite(s http.SameSite) network.CookieSameSite {
	switch s {
	case http.SameSiteStrictMode:
		return network.CookieSameSiteStrict
	case http.SameSiteLaxMode:
		return network.CookieSameSiteLax
	case http.SameSiteNoneMode:
		return network.CookieSameSiteNone
	}
	return ""
}

// sessionTab opens a tab in the spec's browser context after giving it the
// spec's cookies (flows the form agent drove logged the user in there), or,
// with fresh, in a context of its own.
func (t *T) sessionTab(e *environment, fresh bool) (context.Context, context.CancelFunc, error) {
	if !fresh {
		if err := t.browser.pushCookies(t.ctx, e, "", t.cookies()); err != nil {
			return nil, nil, err
		}
	}
	return t.browser.tab(t.ctx, e, "", fresh)
}

// browserSetupTimeout bounds the browser's own work (a new context, cookies):
// it says nothing about the server, and a loaded machine (several suites and
// browsers on two cores) can take many times the usual few milliseconds.
func browserSetupTimeout(cfg *Config) time.Duration { return max(cfg.Timeout, 30*time.Second) }
