package interop

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/mcpauth/conformance/refserver"
)

// redirectURI is the client's loopback redirect URI. Nothing listens there:
// the user agent below reads the redirect's Location instead of following it.
const redirectURI = "http://127.0.0.1:53682/callback"

// startServer starts the reference server over TLS, with the faults, and
// returns it with an HTTP client that trusts its CA.
func startServer(t *testing.T, faults ...string) (*refserver.Instance, *http.Client) {
	t.Helper()
	inst, err := refserver.Start(refserver.Config{Addr: "127.0.0.1:0", IssuerPath: "/as", Options: refserver.Options{Faults: faults}})
	if err != nil {
		t.Fatalf("the reference server did not start: %v", err)
	}
	t.Cleanup(func() { _ = inst.Close() })
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(inst.CACertPEM) {
		t.Fatal("the reference server's CA does not parse")
	}
	transport := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}
	t.Cleanup(transport.CloseIdleConnections)
	return inst, &http.Client{Transport: transport, Timeout: 30 * time.Second}
}

var (
	formTag     = regexp.MustCompile(`<form[^>]*\bid="([^"]+)"[^>]*\baction="([^"]*)"`)
	hiddenField = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)"`)
)

// userAgent drives the authorization endpoint the way a person in a browser
// would, over plain HTTP: it opens the authorization URL, submits the login
// form as the default user, approves on the consent form, and returns the
// parameters of the redirect to redirectURI.
func userAgent(base *http.Client, authURL string) (url.Values, error) {
	jar, _ := cookiejar.New(nil)
	browser := &http.Client{
		Transport:     base.Transport,
		Timeout:       base.Timeout,
		Jar:           jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	next, err := url.Parse(authURL)
	if err != nil {
		return nil, err
	}
	resp, err := browser.Get(next.String())
	for step := 0; step < 8; step++ {
		if err != nil {
			return nil, err
		}
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		_ = resp.Body.Close()
		switch {
		case resp.StatusCode >= 300 && resp.StatusCode < 400:
			loc, perr := next.Parse(resp.Header.Get("Location"))
			if perr != nil {
				return nil, perr
			}
			if strings.HasPrefix(loc.String(), redirectURI) {
				return loc.Query(), nil
			}
			next = loc
			resp, err = browser.Get(loc.String())
			continue
		case resp.StatusCode != http.StatusOK:
			return nil, fmt.Errorf("%s answered %s: %.300s", next, resp.Status, body)
		}
		page := string(body)
		m := formTag.FindStringSubmatch(page)
		if m == nil {
			return nil, fmt.Errorf("%s shows no form: %.300s", next, page)
		}
		fields := url.Values{}
		for _, f := range hiddenField.FindAllStringSubmatch(page, -1) {
			fields.Set(f[1], html.UnescapeString(f[2]))
		}
		switch m[1] {
		case "login-form":
			fields.Set("username", refserver.DefaultUser.Username)
			fields.Set("password", refserver.DefaultUser.Password)
		case "consent-form":
			fields.Set("decision", "approve")
		default:
			return nil, fmt.Errorf("%s shows an unknown form %q", next, m[1])
		}
		action, perr := next.Parse(html.UnescapeString(m[2]))
		if perr != nil {
			return nil, perr
		}
		next = action
		resp, err = browser.PostForm(action.String(), fields)
	}
	return nil, fmt.Errorf("no redirect to %s after 8 steps", redirectURI)
}

func queryOf(t *testing.T, raw string) url.Values {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u.Query()
}
