package framework

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
)

// loginServer is a small authorization endpoint with a login form, a consent
// form and a redirect, like the reference server's, plus pages the form
// agent must hand to the browser.
func loginServer(t *testing.T) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("/authorize", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		if c, err := r.Cookie("session"); err != nil || c.Value != "alice" {
			fmt.Fprintf(w, `<form id="login-form" method="post" action="/login"><input type="hidden" name="q" value="%s">
				<input id="username" name="username"><input id="password" name="password" type="password">
				<input type="checkbox" name="remember" value="yes"><input type="checkbox" name="tos" value="ok" checked>
				<select name="lang"><option value="en">en</option><option value="fr" selected>fr</option></select>
				<button id="login" type="submit" name="go" value="1">Log in</button><button name="other" value="x">other</button></form>`,
				url.QueryEscape(r.URL.RawQuery))
			return
		}
		fmt.Fprint(w, `<form id="consent-form" method="post" action="/consent"><input type="hidden" name="csrf" value="tok">
			<button id="approve" name="decision" value="approve">Approve</button><button id="deny" name="decision" value="deny">Deny</button></form>`)
	})
	mux.HandleFunc("/login", func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		want := url.Values{"q": {r.PostForm.Get("q")}, "username": {"alice"}, "password": {"pw"}, "tos": {"ok"}, "lang": {"fr"}, "go": {"1"}}
		if r.PostForm.Encode() != want.Encode() {
			http.Error(w, "bad form: "+r.PostForm.Encode(), http.StatusBadRequest)
			return
		}
		q, _ := url.QueryUnescape(r.PostForm.Get("q"))
		http.SetCookie(w, &http.Cookie{Name: "session", Value: "alice", Path: "/", HttpOnly: true})
		http.Redirect(w, r, "/authorize?"+q, http.StatusSeeOther)
	})
	mux.HandleFunc("/consent", func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		if r.PostForm.Get("csrf") != "tok" || r.Header.Get("Origin") == "" {
			http.Error(w, "csrf", http.StatusBadRequest)
			return
		}
		if r.PostForm.Get("decision") == "deny" {
			http.Redirect(w, r, "http://127.0.0.1:1/cb?error=access_denied", http.StatusSeeOther)
			return
		}
		http.Redirect(w, r, "http://127.0.0.1:1/cb?code=the-code&state=s", http.StatusSeeOther)
	})
	mux.HandleFunc("/js", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, `<p>Signing you in</p><script>setTimeout(() => location = "/authorize", 1000)</script>`)
	})
	mux.HandleFunc("/refresh", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, `<meta http-equiv="Refresh" content="0; url=/authorize">`)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func agentEnv(t *testing.T) *environment {
	t.Helper()
	cfg := defaultConfig()
	cfg.Timeout = 5 * time.Second
	cfg.Login.Password = "pw"
	cfg.Login.Tasks[0].Steps = append(cfg.Login.Tasks[0].Steps[:2:2], Step{Action: "click", Selector: "#login"})
	return &environment{cfg: &cfg, transport: http.DefaultTransport.(*http.Transport)}
}

func TestFormAgentCompletesAFlowThatEndsInARedirect(t *testing.T) {
	srv := loginServer(t)
	e := agentEnv(t)
	watch, _ := url.Parse("http://127.0.0.1:1/cb")
	jar := newCookieStore()
	for _, deny := range []bool{false, true} {
		res, err := runFormAgent(context.Background(), e, jar, AuthorizationRequest{Deny: deny}, srv.URL+"/authorize?client_id=c", watch)
		if err != nil {
			t.Fatalf("deny=%v: %v", deny, err)
		}
		switch {
		case !res.Redirected, !res.ConsentShown:
			t.Fatalf("deny=%v: redirected=%v consent=%v", deny, res.Redirected, res.ConsentShown)
		case !deny && res.Code() != "the-code", deny && res.Error() != "access_denied":
			t.Fatalf("deny=%v: redirect %s", deny, res.URL)
		}
		// The first flow logged in; the second reuses the session.
		if res.LoginShown == deny {
			t.Errorf("deny=%v: login shown = %v", deny, res.LoginShown)
		}
		last := res.Navigations[len(res.Navigations)-1]
		if last.StatusBefore != http.StatusSeeOther || !strings.HasPrefix(last.URL, "http://127.0.0.1:1/cb") {
			t.Errorf("deny=%v: last navigation %+v", deny, last)
		}
	}
}

func TestFormAgentHandsOverWhatOnlyABrowserCanDecide(t *testing.T) {
	srv := loginServer(t)
	e := agentEnv(t)
	watch, _ := url.Parse("http://127.0.0.1:1/cb")
	for _, path := range []string{"/js", "/refresh", "/missing"} {
		_, err := runFormAgent(context.Background(), e, newCookieStore(), AuthorizationRequest{}, srv.URL+path, watch)
		if _, ok := err.(*agentHandoff); !ok {
			t.Errorf("%s: err = %v; want a hand-over to the browser", path, err)
		}
	}
}

func TestCookieStore(t *testing.T) {
	s := newCookieStore()
	a, _ := url.Parse("https://as.example/as/login")
	s.set(a, &http.Cookie{Name: "host", Value: "1", Path: "/"})
	s.set(a, &http.Cookie{Name: "dom", Value: "2", Domain: ".example", Path: "/as"})
	s.set(a, &http.Cookie{Name: "sec", Value: "3", Secure: true})
	s.set(a, &http.Cookie{Name: "evil", Value: "4", Domain: "other.test"})
	tests := []struct{ url, want string }{
		{"https://as.example/as/authorize", "dom=2; host=1; sec=3"},
		{"http://as.example/x", "host=1"},
		{"https://login.example/as", "dom=2"},
		{"https://login.example/asx", ""},
		{"https://other.test/", ""},
	}
	for _, tc := range tests {
		u, _ := url.Parse(tc.url)
		parts := strings.Split(s.header(u), "; ")
		slices.Sort(parts)
		if got := strings.Join(parts, "; "); got != tc.want {
			t.Errorf("header(%s) = %q; want %q", tc.url, got, tc.want)
		}
	}
	s.set(a, &http.Cookie{Name: "host", Value: "", Path: "/", MaxAge: -1})
	if got := s.header(a); strings.Contains(got, "host=") {
		t.Errorf("a deleted cookie is still sent: %q", got)
	}
}

func TestRedact(t *testing.T) {
	RegisterSecret("s3cret-client-secret-value")
	in := strings.Join([]string{
		"> POST https://as/token?client_secret=inquery12345",
		"> Authorization: Basic Y2xpZW50OnNlY3JldA==",
		"> Cookie: __Host-session=abcdefghijkl; theme=dark",
		"< Set-Cookie: __Host-session=zyxwvutsrq; Path=/; HttpOnly",
		"> grant_type=authorization_code&code=abcdefghijklmnop&code_verifier=keepthisverifier",
		`< {"access_token":"eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl","token_type":"Bearer","refresh_token":"rt-0123456789"}`,
		"the secret s3cret-client-secret-value appeared in a message",
		"Bearer eyJhbGciOiJub25lIn0.eyJ9.",
	}, "\n")
	out := Redact(in)
	for _, leaked := range []string{"inquery12345", "Y2xpZW50OnNlY3JldA==", "abcdefghijkl", "zyxwvutsrq", "abcdefghijklmnop",
		"eyJzdWIiOiJhbGljZSJ9", "rt-0123456789", "s3cret-client-secret-value", "eyJhbGciOiJub25lIn0.eyJ9"} {
		if strings.Contains(out, leaked) {
			t.Errorf("Redact left %q in:\n%s", leaked, out)
		}
	}
	for _, kept := range []string{"code_verifier=keepthisverifier", "theme=dark", "Path=/; HttpOnly", `"token_type":"Bearer"`} {
		if !strings.Contains(out, kept) {
			t.Errorf("Redact removed %q:\n%s", kept, out)
		}
	}
	if a, b := Mask("same-value-same-mask-0001"), Mask("same-value-same-mask-"+"0001"); a != b || Mask("value-a-0000000000001") == Mask("value-b-0000000000001") {
		t.Error("masks must tell values apart and be stable")
	}
	if Redact(out) != out {
		t.Error("Redact is not idempotent")
	}
}

// A failure message shows the start of a body; a token cut off there must
// not show its first part.
func TestSnippetRedactsBeforeCutting(t *testing.T) {
	body := []byte(`{"access_token":"eyJhbGciOiJSUzI1NiIsImtpZCI6ImsxIn0.eyJhdWQiOiJodHRwczovL21jcC5leGFtcGxlIn0.c2ln","token_type":"Bearer"}`)
	got := Snippet(body, 60)
	if strings.Contains(got, "GciOiJSUzI1NiIsImtpZCI6") {
		t.Errorf("the snippet shows part of the token: %s", got)
	}
	if got := Redact("a JWT cut short: eyJhbGciOiJSUzI1NiIsImtpZCI6ImsxIn0.eyJhdWQiOiJodHRwczov…"); strings.Contains(got, "GciOiJSUzI1Ni") {
		t.Errorf("a JWT cut short is shown: %s", got)
	}
}
