package framework

import (
	"bytes"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

// The suite's parsers read whatever a server sends. These fuzz targets check
// that none of them panics and that their results keep their promises; their
// seeds run with the unit tests, and `scripts/fuzz.sh` runs each for a while.

func FuzzParseJSONObject(f *testing.F) {
	for _, s := range []string{`{"issuer":"https://as"}`, `{"a":1}{"b":2}`, `[1]`, `{"n": 1e999}`, "\xef\xbb\xbf{}", `{"a":`, ``} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		doc, err := ParseJSONObject(body)
		if err == nil && doc == nil {
			t.Fatal("no error and no object")
		}
		if err != nil && !strings.Contains(err.Error(), "body") {
			t.Fatalf("the error does not say what the body is: %v", err)
		}
	})
}

func FuzzMetadataDocument(f *testing.F) {
	f.Add(200, "application/json", []byte(`{"issuer":"https://as","code_challenge_methods_supported":["S256"]}`))
	f.Add(200, "text/html; charset=utf-8", []byte(`<html>`))
	f.Add(404, "application/json", []byte(`{"error":"not_found"}`))
	f.Fuzz(func(t *testing.T, status int, ct string, body []byte) {
		e := &Exchange{Status: status, ResponseHeader: http.Header{"Content-Type": {ct}}, Body: body}
		doc, problem := parseMetadata(e)
		if doc == nil && problem == "" {
			t.Fatal("neither a document nor a problem")
		}
		_, _ = MemberString(doc, "issuer")
		_, _ = MemberStrings(doc, "code_challenge_methods_supported")
		_ = DescribeJSON(doc["issuer"])
	})
}

func FuzzOAuthError(f *testing.F) {
	f.Add(400, "application/json", []byte(`{"error":"invalid_grant","error_description":"x"}`))
	f.Add(401, "application/problem+json", []byte(`{"type":"about:blank","title":"Unauthorized"}`))
	f.Add(200, "application/json", []byte(`{"access_token":"a","token_type":"Bearer"}`))
	f.Fuzz(func(t *testing.T, status int, ct string, body []byte) {
		e := &Exchange{Status: status, ResponseHeader: http.Header{"Content-Type": {ct}}, Body: body}
		oe, err := ParseOAuthError(e)
		if err == nil && (oe == nil || status >= 200 && status < 300) {
			t.Fatalf("a success or nothing was read as an error: %+v", oe)
		}
		if tr, err := ParseTokenResponse(e); err == nil && (tr.AccessToken == "" || status != http.StatusOK) {
			t.Fatalf("an unusable response was read as tokens: %+v", tr)
		}
		_ = e.MediaType()
		_ = e.Summary()
	})
}

func FuzzDecodeJWT(f *testing.F) {
	f.Add("eyJhbGciOiJSUzI1NiIsInR5cCI6ImF0K2p3dCJ9.eyJhdWQiOlsiaHR0cHM6Ly9tY3AiXX0.c2ln")
	f.Add("a.b.c")
	f.Add("eyJhbGciOiJub25lIn0.eyJhdWQiOjF9.")
	f.Fuzz(func(t *testing.T, raw string) {
		j, err := DecodeJWT(raw)
		if err != nil {
			return
		}
		_ = j.Type()
		if aud, err := j.Audience(); err == nil {
			for _, a := range aud {
				_ = a
			}
		}
	})
}

func FuzzRedact(f *testing.F) {
	f.Add("client_secret=abcdefgh&code=12345678", "abcdefgh")
	f.Add(`{"access_token":"eyJhbGciOi.x.y"}`, "eyJhbGciOi.x.y")
	f.Add("> Cookie: a=bcdefghij; c=d", "bcdefghij")
	f.Fuzz(func(t *testing.T, s, secret string) {
		RegisterSecret(secret)
		out := Redact(s)
		if len(secret) >= minSecretLen && !strings.Contains(secret, "[redacted") && strings.Contains(out, secret) {
			t.Fatalf("the registered secret %q is still in %q", secret, out)
		}
		if Redact(out) != out {
			t.Fatalf("Redact is not idempotent on %q", s)
		}
	})
}

func FuzzFormAgentPage(f *testing.F) {
	f.Add([]byte(`<form id="login-form" method="post" action="/login"><input id="username" name="u"><button id="login">Go</button></form>`), "#username", "#login")
	f.Add([]byte(`<form><select name=s><option>a</select><input type=file name=f><button form=x>b</button></form>`), "select", "button")
	f.Add([]byte(`<a href="javascript:alert(1)" id=l>x</a>`), "#l", "#l")
	f.Fuzz(func(t *testing.T, page []byte, fill, click string) {
		doc, err := goquery.NewDocumentFromReader(bytes.NewReader(page))
		if err != nil {
			return
		}
		base, _ := url.Parse("https://as.example/authorize?x=1")
		cfg := defaultConfig()
		r, err := submitStatic(&cfg, doc, base, []Step{{Action: "fill", Selector: fill, Value: "v"}, {Action: "click", Selector: click}})
		if err == nil && (r.url == nil || r.url.Scheme != "https" && r.url.Scheme != "http") {
			t.Fatalf("a click led to a non-http navigation: %+v", r)
		}
	})
}

func FuzzCookieStore(f *testing.F) {
	f.Add("https://as.example/a/b", "sid=1; Path=/; Secure; HttpOnly; SameSite=Lax", "https://as.example/a/c")
	f.Add("http://127.0.0.1:9/x", "a=b; Domain=.example; Max-Age=-1", "http://127.0.0.1:9/")
	f.Fuzz(func(t *testing.T, from, setCookie, to string) {
		u, err1 := url.Parse(from)
		v, err2 := url.Parse(to)
		if err1 != nil || err2 != nil {
			return
		}
		s := newCookieStore()
		resp := &http.Response{Header: http.Header{"Set-Cookie": {setCookie}}}
		s.setFromResponse(u, resp)
		_ = s.header(v)
		s.replace(s.all())
	})
}
