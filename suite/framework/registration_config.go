package framework

import (
	"fmt"
	"net"
	"net/url"
	"os"
)

// RegistrationSettings are the settings of client registration: an initial
// access token for a protected registration endpoint (RFC 7591 §3), and where
// the suite serves its client ID metadata documents (CIMD). Like every other
// setting they are flags, MCP_CONFORMANCE_* environment variables and keys of
// the YAML file (inline in Config).
type RegistrationSettings struct {
	// InitialAccessToken is sent as a Bearer token with every registration
	// (--initial-access-token). Better given in the environment than in a
	// file that may be shared.
	InitialAccessToken string `yaml:"initial_access_token"`
	// CIMDBaseURL is the public https URL under which the authorization
	// server reaches the suite's metadata documents (--cimd-base-url), for
	// example a tunnel that forwards to CIMDListen. Empty: the suite's own TLS
	// listener, https://127.0.0.1:PORT, with the certificate below.
	CIMDBaseURL string `yaml:"cimd_base_url"`
	// CIMDListen is the address of the suite's document listener
	// (--cimd-listen, default 127.0.0.1:0).
	CIMDListen string `yaml:"cimd_listen"`
	// CIMDCertFile and CIMDKeyFile are the PEM certificate chain and key the
	// listener serves TLS with (--cimd-cert-file, --cimd-key-file); the
	// authorization server must trust them.
	CIMDCertFile string `yaml:"cimd_cert_file"`
	CIMDKeyFile  string `yaml:"cimd_key_file"`

	certPEM, keyPEM []byte
}

// Registration returns the run's registration settings.
func (c *Config) Registration() *RegistrationSettings { return &c.RegistrationSettings }

// SetCIMDCertificate makes the suite's document listener serve TLS with this
// certificate chain and key (PEM), for an embedded reference server that was
// told to trust its CA.
func (c *Config) SetCIMDCertificate(certPEM, keyPEM []byte) {
	r := c.Registration()
	r.certPEM, r.keyPEM = certPEM, keyPEM
}

func init() {
	flagSpecs = append(flagSpecs,
		flagSpec{name: "initial-access-token", usage: "initial access token (RFC 7591 §3) sent as a Bearer token with every dynamic client registration",
			set: setString(func(c *Config) *string { return &c.InitialAccessToken })},
		flagSpec{name: "cimd-base-url", usage: "public https URL that reaches the suite's client ID metadata documents (it must forward to --cimd-listen)",
			set: setString(func(c *Config) *string { return &c.CIMDBaseURL })},
		flagSpec{name: "cimd-listen", usage: "address the suite serves its client ID metadata documents on (default 127.0.0.1:0)",
			set: setString(func(c *Config) *string { return &c.CIMDListen })},
		flagSpec{name: "cimd-cert-file", usage: "PEM certificate chain the suite's metadata document listener serves TLS with",
			set: setString(func(c *Config) *string { return &c.CIMDCertFile })},
		flagSpec{name: "cimd-key-file", usage: "PEM private key of --cimd-cert-file",
			set: setString(func(c *Config) *string { return &c.CIMDKeyFile })},
	)
}

// validate checks the registration settings, whichever source gave them,
// and reads the listener's certificate and key.
func (r *RegistrationSettings) validate() []string {
	var problems []string
	if v := r.CIMDBaseURL; v != "" {
		if u, err := url.Parse(v); err != nil || u.Scheme != "https" || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
			problems = append(problems, fmt.Sprintf("cimd-base-url: %q is not an https URL without query or fragment, such as https://cimd.example.com", v))
		}
	}
	if v := r.CIMDListen; v != "" {
		if _, _, err := net.SplitHostPort(v); err != nil {
			problems = append(problems, fmt.Sprintf("cimd-listen: %q is not host:port", v))
		}
	}
	for _, f := range []struct {
		name, path string
		into       *[]byte
	}{{"cimd-cert-file", r.CIMDCertFile, &r.certPEM}, {"cimd-key-file", r.CIMDKeyFile, &r.keyPEM}} {
		if f.path == "" {
			continue
		}
		raw, err := os.ReadFile(f.path)
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s: %v", f.name, err))
			continue
		}
		*f.into = raw
	}
	if (r.CIMDCertFile == "") != (r.CIMDKeyFile == "") {
		problems = append(problems, "cimd-cert-file and cimd-key-file: give both or neither")
	}
	return problems
}
