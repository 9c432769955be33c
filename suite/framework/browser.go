package framework

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"encoding/base64"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"sync"
	"time"

	"github.com/chromedp/chromedp"
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

func (b *browserPool) start(ctx context.Context, origins []string) error {
	if _, err := exec.LookPath(b.cfg.Browser); err != nil {
		return fmt.Errorf("the browser %q was not found (%v); install Chromium (apt-get install -y --no-install-recommends chromium, or make conformance does it) or give --browser", b.cfg.Browser, err)
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
		chromedp.ExecPath(b.cfg.Browser),
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
		return fmt.Errorf("the browser %s did not start: %w", b.cfg.Browser, err)
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
