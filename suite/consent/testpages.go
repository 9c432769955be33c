package consent

import (
	"fmt"
	"html/template"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/mcpauth/conformance/suite/framework"
)

// attackerSite serves the pages a hostile site would: an auto-submitting
// cross-site form and a page that frames the authorization server. It is a
// loopback listener of this process, on another host name than the
// authorization server's (localhost for a server on an IP address, 127.0.0.1
// otherwise), so that the browser treats it as another site, not only
// another origin: SameSite rules compare sites.
type attackerSite struct {
	base string

	mu    sync.Mutex
	pages map[string]string
}

var (
	siteOnce sync.Once
	site     *attackerSite
	siteErr  error
)

// hostileSite returns the process's attacker site, starting it on first use;
// an ERROR of the spec when it cannot listen.
func hostileSite(t *framework.T) *attackerSite {
	siteOnce.Do(func() {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			siteErr = err
			return
		}
		host := "localhost"
		if u, err := url.Parse(t.Target().Issuer); err == nil && u.Hostname() == "localhost" {
			host = "127.0.0.1"
		}
		s := &attackerSite{base: fmt.Sprintf("http://%s:%d", host, ln.Addr().(*net.TCPAddr).Port), pages: map[string]string{}}
		srv := &http.Server{Handler: s, ReadHeaderTimeout: 5 * time.Second}
		go func() { _ = srv.Serve(ln) }()
		if host == "localhost" {
			// The browser may resolve localhost to ::1 first.
			if ln6, err := net.Listen("tcp", fmt.Sprintf("[::1]:%d", ln.Addr().(*net.TCPAddr).Port)); err == nil {
				go func() { _ = srv.Serve(ln6) }()
			}
		}
		site = s
	})
	if siteErr != nil {
		t.Errorf("the suite's cross-site test pages could not be served on loopback, so the requirement could not be judged: %v", siteErr)
	}
	return site
}

func (s *attackerSite) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	page, ok := s.pages[strings.TrimPrefix(r.URL.Path, "/")]
	s.mu.Unlock()
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	fmt.Fprint(w, page)
}

// serve publishes page and returns its URL.
func (s *attackerSite) serve(page string) string {
	id := framework.RandomString(8)
	s.mu.Lock()
	s.pages[id] = page
	s.mu.Unlock()
	return s.base + "/" + id
}

// field is one name/value pair of a form, in document order.
type field struct{ Name, Value string }

var formPage = template.Must(template.New("form").Parse(`<!doctype html><title>cross-site form</title>
<form id="f" method="{{.Method}}" action="{{.Action}}">{{range .Fields}}<input type="hidden" name="{{.Name}}" value="{{.Value}}">{{end}}</form>
<script>document.getElementById("f").submit()</script>`))

// autoSubmit publishes a page that submits the form as soon as it loads,
// the way a hostile page forges a request (RFC 6749 §10.12).
func (s *attackerSite) autoSubmit(method, action string, fields []field) string {
	var b strings.Builder
	_ = formPage.Execute(&b, map[string]any{"Method": method, "Action": action, "Fields": fields})
	return s.serve(b.String())
}

var framePage = template.Must(template.New("frame").Parse(`<!doctype html><title>framing page</title>
<p>A page of another site that frames the authorization server.</p>
<iframe id="victim" src="{{.}}" width="900" height="700"></iframe>`))

// framing publishes a page that frames src (RFC 9700 §4.16).
func (s *attackerSite) framing(src string) string {
	var b strings.Builder
	_ = framePage.Execute(&b, src)
	return s.serve(b.String())
}
