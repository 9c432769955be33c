package framework

import (
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// cookieStore holds the cookies of one spec's user agent (RFC 6265), so that
// the HTTP form agent and the browser share one session: a flow the agent
// logged in is continued by the browser with the same cookies, and back.
// The standard library's cookiejar cannot list its cookies, which that hand
// over needs.
type cookieStore struct {
	mu      sync.Mutex
	cookies map[cookieKey]storedCookie
}

type cookieKey struct{ domain, path, name string }

type storedCookie struct {
	http.Cookie
	// hostOnly is set when the cookie had no Domain attribute: it goes back
	// to exactly the host that set it (RFC 6265 §5.3 step 6).
	hostOnly bool
}

func newCookieStore() *cookieStore { return &cookieStore{cookies: map[cookieKey]storedCookie{}} }

// setFromResponse stores the Set-Cookie headers of a response to u.
func (s *cookieStore) setFromResponse(u *url.URL, resp *http.Response) {
	for _, c := range resp.Cookies() {
		s.set(u, c)
	}
}

func (s *cookieStore) set(u *url.URL, c *http.Cookie) {
	host := strings.ToLower(u.Hostname())
	sc := storedCookie{Cookie: *c}
	sc.Domain = strings.TrimPrefix(strings.ToLower(c.Domain), ".")
	if sc.Domain == "" {
		sc.Domain, sc.hostOnly = host, true
	} else if !domainMatch(host, sc.Domain) {
		return // a cookie for another domain is refused (RFC 6265 §5.3 step 6)
	}
	if sc.Path == "" || !strings.HasPrefix(sc.Path, "/") {
		sc.Path = defaultCookiePath(u.Path)
	}
	key := cookieKey{sc.Domain, sc.Path, sc.Name}
	s.mu.Lock()
	defer s.mu.Unlock()
	if c.MaxAge < 0 || !c.Expires.IsZero() && c.Expires.Before(time.Now()) {
		delete(s.cookies, key)
		return
	}
	if c.MaxAge > 0 {
		sc.Expires = time.Now().Add(time.Duration(c.MaxAge) * time.Second)
	}
	s.cookies[key] = sc
}

// header is the Cookie header for a request to u ("" for none).
func (s *cookieStore) header(u *url.URL) string {
	host := strings.ToLower(u.Hostname())
	path := u.EscapedPath()
	if path == "" {
		path = "/"
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var parts []string
	for _, c := range s.cookies {
		switch {
		case c.hostOnly && host != c.Domain, !c.hostOnly && !domainMatch(host, c.Domain):
		case !pathMatch(path, c.Path):
		case c.Secure && u.Scheme != "https":
		case !c.Expires.IsZero() && c.Expires.Before(time.Now()):
		default:
			parts = append(parts, c.Name+"="+c.Value)
		}
	}
	return strings.Join(parts, "; ")
}

// all returns a copy of every cookie.
func (s *cookieStore) all() []storedCookie {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]storedCookie, 0, len(s.cookies))
	for _, c := range s.cookies {
		out = append(out, c)
	}
	return out
}

// replace makes the store hold exactly cookies (after the browser ran a flow).
func (s *cookieStore) replace(cookies []storedCookie) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cookies = make(map[cookieKey]storedCookie, len(cookies))
	for _, c := range cookies {
		s.cookies[cookieKey{c.Domain, c.Path, c.Name}] = c
	}
}

func domainMatch(host, domain string) bool {
	return host == domain || strings.HasSuffix(host, "."+domain)
}

func pathMatch(reqPath, cookiePath string) bool {
	return reqPath == cookiePath || strings.HasPrefix(reqPath, cookiePath) &&
		(strings.HasSuffix(cookiePath, "/") || strings.HasPrefix(reqPath[len(cookiePath):], "/"))
}

// defaultCookiePath is RFC 6265 §5.1.4's default-path.
func defaultCookiePath(p string) string {
	if p == "" || p[0] != '/' {
		return "/"
	}
	i := strings.LastIndex(p, "/")
	if i == 0 {
		return "/"
	}
	return p[:i]
}
