package framework

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mcpauth/conformance/suite/catalog"
)

func TestWellKnownURL(t *testing.T) {
	tests := []struct {
		issuer, suffix, form, want string
	}{
		{"https://as.example", "oauth-authorization-server", FormInserted, "https://as.example/.well-known/oauth-authorization-server"},
		{"https://as.example/", "oauth-authorization-server", FormInserted, "https://as.example/.well-known/oauth-authorization-server"},
		{"https://as.example/t1", "oauth-authorization-server", FormInserted, "https://as.example/.well-known/oauth-authorization-server/t1"},
		{"https://as.example/t1/", "oauth-authorization-server", FormInserted, "https://as.example/.well-known/oauth-authorization-server/t1"},
		{"https://as.example/t1", "openid-configuration", FormAppended, "https://as.example/t1/.well-known/openid-configuration"},
		{"https://as.example/t1/", "openid-configuration", FormAppended, "https://as.example/t1/.well-known/openid-configuration"},
		{"https://as.example:8443/realms/a%2Fb", "openid-configuration", FormInserted, "https://as.example:8443/.well-known/openid-configuration/realms/a%2Fb"},
	}
	for _, tc := range tests {
		got, err := WellKnownURL(tc.issuer, tc.suffix, tc.form)
		if err != nil || got != tc.want {
			t.Errorf("WellKnownURL(%q, %q, %s) = %q, %v; want %q", tc.issuer, tc.suffix, tc.form, got, err, tc.want)
		}
	}
}

func TestMergeQuery(t *testing.T) {
	tests := []struct{ base, want string }{
		{"https://as.example/authorize", "https://as.example/authorize?a=1&b=2"},
		{"https://as.example/authorize?tenant=x", "https://as.example/authorize?tenant=x&a=1&b=2"},
		{"https://as.example/authorize?tenant=x&", "https://as.example/authorize?tenant=x&a=1&b=2"},
	}
	for _, tc := range tests {
		got, err := MergeQuery(tc.base, url.Values{"a": {"1"}, "b": {"2"}})
		if err != nil || got != tc.want {
			t.Errorf("MergeQuery(%q) = %q, %v; want %q", tc.base, got, err, tc.want)
		}
	}
}

func TestBasicAuthorizationEncodesParts(t *testing.T) {
	// RFC 6749 §2.3.1: id and secret are form-urlencoded before base64.
	r, _ := http.NewRequest(http.MethodGet, "/", nil)
	r.Header.Set("Authorization", BasicAuthorization("id:1", "s e/c"))
	id, secret, ok := r.BasicAuth()
	if !ok || id != "id%3A1" || secret != "s+e%2Fc" {
		t.Fatalf("BasicAuth() = %q, %q, %v; want the form-urlencoded parts", id, secret, ok)
	}
}

func TestPKCE(t *testing.T) {
	// RFC 7636 Appendix B.
	if got := S256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"); got != "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM" {
		t.Fatalf("S256 = %q", got)
	}
	p := NewPKCE()
	if len(p.Verifier) != 43 || p.Method != "S256" || p.Challenge != S256(p.Verifier) {
		t.Fatalf("NewPKCE() = %+v", p)
	}
}

func TestDecide(t *testing.T) {
	must := catalog.Requirement{ID: "X-1-a", Level: catalog.Must}
	may := catalog.Requirement{ID: "X-1-b", Level: catalog.May}
	tests := []struct {
		name     string
		req      catalog.Requirement
		findings []Finding
		skipped  string
		want     Verdict
	}{
		{"nothing found passes", must, nil, "", Pass},
		{"a MAY records information", may, nil, "", Info},
		{"fail outranks warn", must, []Finding{{Warn, "w"}, {Fail, "f"}}, "", Fail},
		{"warn outranks skip", must, []Finding{{Warn, "w"}}, "no client", Warn},
		{"skip outranks info", must, []Finding{{Info, "i"}}, "no client", Skip},
		{"info alone", must, []Finding{{Info, "i"}}, "", Info},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got, _ := decide(tc.req, tc.findings, tc.skipped); got != tc.want {
				t.Fatalf("decide = %s; want %s", got, tc.want)
			}
		})
	}
}

func TestLoadPrecedenceAndErrors(t *testing.T) {
	dir := t.TempDir()
	cfgFile := filepath.Join(dir, "target.yaml")
	if err := os.WriteFile(cfgFile, []byte("target: https://yaml.example\nscope: mcp:read\ntimeout: 3s\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{EnvPrefix + "TARGET": "https://env.example", EnvPrefix + "CONFIG": cfgFile}
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }

	cfg, err := load(map[string]string{}, lookup)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Target != "https://env.example" || cfg.Scope != "mcp:read" || cfg.Timeout != 3*time.Second {
		t.Fatalf("env should override YAML: %+v", cfg)
	}
	cfg, err = load(map[string]string{"target": "https://flag.example", "strict": "true"}, lookup)
	if err != nil || cfg.Target != "https://flag.example" || !cfg.Strict {
		t.Fatalf("flags should override env: %+v, %v", cfg, err)
	}

	bad := []struct {
		flags map[string]string
		want  string
	}{
		{map[string]string{"target": "as.example"}, "target"},
		{map[string]string{"mcp-version": "2024-01-01"}, "mcp-version"},
		{map[string]string{"timeout": "forever"}, "--timeout"},
		{map[string]string{"timeout": "0s"}, "timeout"},
		{map[string]string{"resource": "https://mcp.example/#x"}, "resource"},
		{map[string]string{"config": filepath.Join(dir, "missing.yaml")}, "cannot be read"},
		{map[string]string{"ca-file": cfgFile}, "no PEM certificate"},
		{map[string]string{"cimd-base-url": "http://tunnel.example"}, "cimd-base-url"},
		{map[string]string{"cimd-listen": "127.0.0.1"}, "cimd-listen"},
		{map[string]string{"cimd-cert-file": cfgFile}, "give both or neither"},
		{map[string]string{"refresh-reuse-wait": "5s"}, "refresh-reuse-wait"},
	}
	for _, tc := range bad {
		_, err := load(tc.flags, func(string) (string, bool) { return "", false })
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("load(%v) error = %v; want one naming %q", tc.flags, err, tc.want)
		}
	}
}

// The registration settings are YAML keys like every other setting.
func TestRegistrationSettingsFromYAML(t *testing.T) {
	f := filepath.Join(t.TempDir(), "c.yaml")
	_ = os.WriteFile(f, []byte("cimd_base_url: https://tunnel.example\ncimd_listen: 127.0.0.1:8443\nrevocation_wait: 30s\n"), 0o600)
	cfg, err := load(map[string]string{"config": f}, func(string) (string, bool) { return "", false })
	if err != nil {
		t.Fatal(err)
	}
	if r := cfg.Registration(); r.CIMDBaseURL != "https://tunnel.example" || r.CIMDListen != "127.0.0.1:8443" || cfg.RevocationWait != 30*time.Second {
		t.Fatalf("registration settings = %+v, revocation wait %s", r, cfg.RevocationWait)
	}
	_ = os.WriteFile(f, []byte("cimd_base_url: http://tunnel.example\n"), 0o600)
	if _, err := load(map[string]string{"config": f}, func(string) (string, bool) { return "", false }); err == nil || !strings.Contains(err.Error(), "cimd-base-url") {
		t.Fatalf("error = %v; want one naming cimd-base-url", err)
	}
}

func TestUnknownYAMLKeyIsAnError(t *testing.T) {
	f := filepath.Join(t.TempDir(), "c.yaml")
	_ = os.WriteFile(f, []byte("targte: https://as.example\n"), 0o600)
	_, err := load(map[string]string{"config": f}, func(string) (string, bool) { return "", false })
	if err == nil || !strings.Contains(err.Error(), "targte") {
		t.Fatalf("error = %v; want one naming the unknown key", err)
	}
}

func TestClientSecretMakesConfidentialClient(t *testing.T) {
	cfg, err := load(map[string]string{"client-id": "c1", "client-secret": "s"}, func(string) (string, bool) { return "", false })
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Clients.Public != nil || cfg.Clients.Confidential == nil || cfg.Clients.Confidential.ClientID != "c1" {
		t.Fatalf("clients = %+v", cfg.Clients)
	}
}

func TestDiscoveryAgainstHostileServers(t *testing.T) {
	tests := []struct {
		name    string
		handler http.HandlerFunc
		want    string
	}{
		{"html catch-all", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			_, _ = w.Write([]byte("<html>app</html>"))
		}, "media type text/html"},
		{"garbage json", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte("{not json"))
		}, "not JSON"},
		{"redirect loop", func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, r.URL.Path, http.StatusFound)
		}, "more than 3 redirects"},
		{"cross-origin redirect", func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "https://elsewhere.example/x", http.StatusFound)
		}, "another origin"},
		{"huge body", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(strings.Repeat(" ", MaxBodyBytes+10)))
		}, "larger than"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(tc.handler)
			defer srv.Close()
			client := NewHTTPClient(http.DefaultTransport, 2*time.Second, &Recorder{})
			d := discover(t.Context(), client, srv.URL+"/t1")
			for _, l := range d.Locations {
				if l.Usable() || !strings.Contains(l.Problem, tc.want) {
					t.Errorf("%s: problem %q; want one containing %q", l.URL, l.Problem, tc.want)
				}
			}
		})
	}
}

func TestDiscoverySlowServerIsBounded(t *testing.T) {
	block := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-block }))
	defer srv.Close()
	defer close(block)
	client := NewHTTPClient(http.DefaultTransport, 200*time.Millisecond, &Recorder{})
	start := time.Now()
	d := discover(t.Context(), client, srv.URL)
	if took := time.Since(start); took > 2*time.Second {
		t.Fatalf("discovery took %s; every location should time out concurrently", took)
	}
	for _, l := range d.Locations {
		if !strings.Contains(l.Problem, "no response") {
			t.Errorf("%s: problem %q; want a timeout", l.URL, l.Problem)
		}
	}
}
