package security

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/mcpauth/conformance/suite/framework"
)

// plainVariants is the http:// form of an https endpoint URL: the same port,
// or port 80 when the URL uses the default https port. Port 80 is never
// probed for a URL on another port, so an unrelated service on the machine
// cannot cause a finding.
func plainVariants(raw string) []string {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "https" {
		return nil
	}
	v := *u
	v.Scheme = "http"
	if u.Port() == "" || u.Port() == "443" {
		v.Host = u.Hostname()
		if strings.Contains(v.Host, ":") {
			v.Host = "[" + v.Host + "]"
		}
	}
	return []string{v.String()}
}

// OAuth 2.1 §1.5, RFC 6749 §3.1, §3.2, §10.9: the endpoints are served over
// TLS only. The same requests in cleartext must get no listener, a reset,
// an error, or a redirect to https that does not process them; an
// authorization page, tokens or a registration over http are FAILs, and so
// is a redirect after the code was consumed.
var _ = framework.It("OAUTH21-1.5-https-only", "the authorization, token and registration endpoints do not serve requests over plain http",
	func(ctx context.Context, t *framework.T) {
		issuer := t.Target().Issuer
		if strings.HasPrefix(issuer, "http://") {
			t.TLSViolation("an https issuer and endpoints (OAuth 2.1 §1.5)", "the issuer is "+issuer, issuer)
			return
		}
		m := t.Metadata()
		c := t.PublicClient()
		authz := t.Endpoint(m, "authorization_endpoint")
		for _, u := range plainVariants(authz) {
			target, _ := framework.MergeQuery(u, t.AuthorizationParams(c, framework.NewPKCE()))
			e := t.HTTP().Get(ctx, target, nil)
			if e.Err == nil && e.Status >= 200 && e.Status < 300 {
				t.FailExpected("no authorization page over http at "+u, fmt.Sprintf("status %d (%s)", e.Status, e.MediaType()))
			}
		}
		if reg, ok := framework.MemberString(m.Doc, "registration_endpoint"); ok {
			body, _ := json.Marshal(framework.ClientMetadataFor(t.Config().MCPVersion, "none", t.RedirectURI()))
			for _, u := range plainVariants(reg) {
				e := t.HTTP().Send(ctx, framework.Request{Method: http.MethodPost, URL: u, Body: body, Header: http.Header{"Content-Type": {"application/json"}}})
				if e.Err == nil && e.Status >= 200 && e.Status < 300 {
					t.FailExpected("no client registration over http at "+u, fmt.Sprintf("status %d: a client was registered in cleartext", e.Status))
				}
			}
		}
		p := framework.NewPKCE()
		code, _ := t.ObtainCode(m, t.AuthorizationParams(c, p))
		redirected := false
		for _, u := range plainVariants(t.Endpoint(m, "token_endpoint")) {
			form := t.CodeRedemption(c, code, p)
			c.Authenticate(form)
			e := t.HTTP().PostForm(ctx, u, form, nil)
			switch {
			case e.Err != nil:
			case e.Status >= 200 && e.Status < 300:
				t.FailExpected("no token response over http at "+u, fmt.Sprintf("status %d: the code was redeemed in cleartext", e.Status))
			case e.Status >= 300 && e.Status < 400:
				redirected = true
			}
		}
		if e := t.TokenRequest(m, c, t.CodeRedemption(c, code, p)); redirected {
			if _, err := framework.ParseTokenResponse(e); err != nil {
				t.FailExpected("a redirect to https that leaves the code unused", "after the http token request was redirected, the code no longer worked at the https endpoint: "+e.Summary())
			}
		}
	}, framework.Browser)

// RFC 8414 §6.2, RFC 9728 §7.3, OAuth 2.1 §7.1.3.2: clients verify the
// certificate of the metadata and endpoint hosts, so a conformant server
// presents a chain valid for each host (with --ca-file for a private PKI).
// TLS below 1.2 accepted is a WARN (BCP 195).
var _ = framework.It("RFC8414-6.2-valid-tls-certificate", "every endpoint host presents a certificate chain valid for its name, over TLS 1.2 or later",
	func(ctx context.Context, t *framework.T) {
		issuer := t.Target().Issuer
		if strings.HasPrefix(issuer, "http://") {
			t.TLSViolation("an https issuer whose certificate can be verified", "the issuer is "+issuer, issuer)
			return
		}
		tr, err := t.Config().Transport()
		if err != nil {
			t.Errorf("the suite's TLS settings could not be loaded: %v", err)
		}
		hosts := []string{hostPort(issuer)}
		if loc := t.Discovery().Metadata(t.Config().MCPVersion); loc != nil {
			for _, member := range []string{"authorization_endpoint", "token_endpoint", "registration_endpoint", "jwks_uri", "revocation_endpoint", "introspection_endpoint"} {
				if s, ok := framework.MemberString(loc.Doc, member); ok && strings.HasPrefix(s, "https://") {
					if hp := hostPort(s); hp != "" && !contains(hosts, hp) {
						hosts = append(hosts, hp)
					}
				}
			}
		}
		for _, hp := range hosts {
			host, _, _ := net.SplitHostPort(hp)
			cfg := tr.TLSClientConfig.Clone()
			cfg.ServerName = host
			if err := handshake(ctx, hp, cfg, t.Config().Timeout); err != nil {
				t.FailExpected("a certificate chain for "+host+" that verifies (system roots, --ca-file) and names the host", err.Error())
			}
			old := tr.TLSClientConfig.Clone()
			old.ServerName, old.MinVersion, old.MaxVersion = host, tls.VersionTLS10, tls.VersionTLS11
			if err := handshake(ctx, hp, old, t.Config().Timeout); err == nil {
				t.WarnExpected(hp+" to refuse TLS 1.0 and 1.1 (BCP 195)", "a TLS 1.1 handshake succeeded")
			}
		}
	})

func handshake(ctx context.Context, hostport string, cfg *tls.Config, timeout time.Duration) error {
	d := tls.Dialer{NetDialer: &net.Dialer{Timeout: timeout}, Config: cfg}
	dctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	conn, err := d.DialContext(dctx, "tcp", hostport)
	if err != nil {
		return err
	}
	return conn.Close()
}

// hostPort is the host:port an https URL connects to.
func hostPort(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Hostname() == "" {
		return ""
	}
	port := u.Port()
	if port == "" {
		port = "443"
	}
	return net.JoinHostPort(u.Hostname(), port)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
