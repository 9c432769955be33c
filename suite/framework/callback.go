package framework

import (
	"fmt"
	"net"
	"net/http"
	"time"
)

// callbackServer is the loopback redirect URI of this process
// (http://127.0.0.1:PORT/callback, RFC 8252 §7.3). The browser lands on it at
// the end of a flow; the suite reads the parameters from the browser's
// navigation, so the server only has to answer with a small page.
type callbackServer struct {
	srv *http.Server
	ln  net.Listener
}

func startCallbackServer() (*callbackServer, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		fmt.Fprint(w, "<!doctype html><title>redirect received</title><p>The conformance suite received the redirect.</p>")
	})
	s := &callbackServer{srv: &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}, ln: ln}
	go func() { _ = s.srv.Serve(ln) }()
	return s, nil
}

func (s *callbackServer) redirectURI() string {
	return fmt.Sprintf("http://%s/callback", s.ln.Addr().String())
}

func (s *callbackServer) close() { _ = s.srv.Close() }
