package framework

import (
	"fmt"
	"net"
	"net/http"
	"net/url"
	"slices"
	"time"
)

// callbackServer is the loopback redirect URI of this process
// (http://127.0.0.1:PORT/callback, RFC 8252 §7.3). The browser lands on it at
// the end of a flow; the suite reads the parameters from the browser's
// navigation, so the server only has to answer with a small page. It also
// listens on the ports of configured loopback redirect URIs, so that the
// browser gets a page there too rather than a connection error.
type callbackServer struct {
	srv *http.Server
	ln  net.Listener
	// listeners are ln and those of configured redirect URIs.
	listeners []net.Listener
}

func startCallbackServer(extra []string) (*callbackServer, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	var more []net.Listener
	for _, addr := range extra {
		l, err := net.Listen("tcp", addr)
		if err != nil {
			ln.Close()
			for _, m := range more {
				m.Close()
			}
			return nil, fmt.Errorf("the configured redirect URI needs %s, which cannot be listened on: %w", addr, err)
		}
		more = append(more, l)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		fmt.Fprint(w, "<!doctype html><title>redirect received</title><p>The conformance suite received the redirect.</p>")
	})
	s := &callbackServer{srv: &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}, ln: ln, listeners: append([]net.Listener{ln}, more...)}
	for _, l := range s.listeners {
		go func() { _ = s.srv.Serve(l) }()
	}
	return s, nil
}

// loopbackListenAddrs returns the host:port of each configured redirect URI
// that is http on a loopback IP with a port, so the suite can answer there.
func (c *Config) loopbackListenAddrs() []string {
	var addrs []string
	for _, cl := range []*ClientConfig{c.Clients.Public, c.Clients.Confidential} {
		if cl == nil || cl.RedirectURI == "" {
			continue
		}
		u, err := url.Parse(cl.RedirectURI)
		if err != nil || u.Scheme != "http" || u.Port() == "" || net.ParseIP(u.Hostname()) == nil || !IsLoopback(u.Hostname()) {
			continue
		}
		if !slices.Contains(addrs, u.Host) {
			addrs = append(addrs, u.Host)
		}
	}
	return addrs
}

func (s *callbackServer) redirectURI() string {
	return fmt.Sprintf("http://%s/callback", s.ln.Addr().String())
}

func (s *callbackServer) close() { _ = s.srv.Close() }

// serves reports whether u is one of the suite's own redirect URIs (an http
// URL on one of this server's listeners).
func (s *callbackServer) serves(u *url.URL) bool {
	if s == nil || u.Scheme != "http" {
		return false
	}
	for _, l := range s.listeners {
		if l.Addr().String() == u.Host {
			return true
		}
	}
	return false
}
