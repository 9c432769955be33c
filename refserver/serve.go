package refserver

import (
	"bytes"
	"errors"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/mcpauth/conformance/refserver/devtls"
)

// Config tells Start where to listen. The issuer is derived from the
// listener: scheme://host:port + IssuerPath; any Options.Issuer is replaced.
type Config struct {
	Options
	Addr       string // e.g. 127.0.0.1:0
	IssuerPath string // e.g. /as; empty for an origin-only issuer
	PlainHTTP  bool   // serve http instead of https
}

// Instance is a running server.
type Instance struct {
	Issuer    string
	Origin    string
	CACertPEM []byte // the CA that signed the server certificate; empty with PlainHTTP
	Server    *Server
	// LoginOrigin is the origin of the separate login app (the
	// login-separate-origin variant); empty otherwise.
	LoginOrigin string

	http, loginHTTP *http.Server
}

// Start listens on cfg.Addr and serves a new Server. With TLS it generates a
// fresh CA and a loopback certificate (package devtls), so a client trusts
// this server by trusting exactly CACertPEM.
func Start(cfg Config) (*Instance, error) {
	for _, name := range cfg.Variants {
		// A variant about the issuer's form decides the issuer path.
		if v, ok := LookupVariant(name); ok && v.IssuerPath != "" {
			cfg.IssuerPath = strings.TrimSuffix(v.IssuerPath, "/")
		}
	}
	if cfg.IssuerPath != "" && (!strings.HasPrefix(cfg.IssuerPath, "/") || strings.HasSuffix(cfg.IssuerPath, "/")) {
		return nil, fmt.Errorf("refserver: the issuer path %q must start with / and not end with one", cfg.IssuerPath)
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("refserver: listening on %s: %w", cfg.Addr, err)
	}
	scheme := "https"
	if cfg.PlainHTTP {
		scheme = "http"
	}
	inst := &Instance{Origin: scheme + "://" + originHost(ln.Addr().(*net.TCPAddr))}
	inst.Issuer = inst.Origin + cfg.IssuerPath
	opts := cfg.Options
	opts.Issuer = inst.Issuer
	// The login app of login-separate-origin listens on another port of the
	// same host: another origin, served with the same certificate.
	var loginLn net.Listener
	if slices.Contains(cfg.Variants, variantLoginSeparateOrigin) {
		host, _, _ := net.SplitHostPort(ln.Addr().String())
		if loginLn, err = net.Listen("tcp", net.JoinHostPort(host, "0")); err != nil {
			ln.Close()
			return nil, fmt.Errorf("refserver: listening for the login app: %w", err)
		}
		inst.LoginOrigin = scheme + "://" + originHost(loginLn.Addr().(*net.TCPAddr))
		opts.LoginOrigin = inst.LoginOrigin
	}
	closeAll := func() {
		ln.Close()
		if loginLn != nil {
			loginLn.Close()
		}
	}
	if inst.Server, err = New(opts); err != nil {
		closeAll()
		return nil, err
	}
	if !cfg.PlainHTTP {
		ca, err := devtls.New()
		if slices.Contains(cfg.Faults, faultTLSWrongHost) {
			ca, err = devtls.NewFor([]string{"wrong-host.invalid"}, nil)
		}
		if err != nil {
			closeAll()
			return nil, fmt.Errorf("refserver: %w", err)
		}
		inst.CACertPEM = ca.CACertPEM
		ln = tlsListener(ln, ca.Leaf, cfg.Faults)
		if loginLn != nil {
			loginLn = tlsListener(loginLn, ca.Leaf, cfg.Faults)
		}
	}
	inst.http = serve(ln, inst.Server, inst.Issuer)
	if loginLn != nil {
		inst.loginHTTP = serve(loginLn, inst.Server.LoginApp(), inst.LoginOrigin)
	}
	return inst, nil
}

func serve(ln net.Listener, h http.Handler, name string) *http.Server {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ErrorLog: log.New(handshakeFilter{}, "", log.LstdFlags)}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Printf("refserver: serving %s: %v", name, err)
		}
	}()
	return srv
}

// originHost names the listener as clients should reach it: an unspecified
// address (":0", "[::]:0") is reached through the IPv4 loopback, which the
// certificate covers.
func originHost(a *net.TCPAddr) string {
	host := a.IP.String()
	if a.IP.IsUnspecified() {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, fmt.Sprint(a.Port))
}

// Close stops the server and closes its connections.
func (i *Instance) Close() error {
	if i.loginHTTP != nil {
		i.loginHTTP.Close()
	}
	return i.http.Close()
}

// handshakeFilter drops net/http's "TLS handshake error" lines: the suite's
// transport specs make failed handshakes on purpose (plain HTTP, TLS 1.0,
// untrusted certificates), and a line per probe in the terminal reads like a
// fault. Every other server error is still logged.
type handshakeFilter struct{}

func (handshakeFilter) Write(p []byte) (int, error) {
	if bytes.Contains(p, []byte("TLS handshake error")) {
		return len(p), nil
	}
	return os.Stderr.Write(p)
}
