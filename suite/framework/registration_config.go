package framework

import (
	"fmt"
	"net"
	"net/url"
	"os"
	"sync"
)

// RegistrationSettings are the settings of client registration: an initial
// access token for a protected registration endpoint (RFC 7591 §3), and where
// the suite serves its client ID metadata documents (CIMD). They are flags and
// MCP_CONFORMANCE_* environment variables like every other setting; they live
// beside Config (Config.Registration) rather than in it.
type RegistrationSettings struct {
	// InitialAccessToken is sent as a Bearer token with every registration
	// (--initial-access-token).
	InitialAccessToken string
	// CIMDBaseURL is the public https URL under which the authorization
	// server reaches the suite's metadata documents (--cimd-base-url), for
	// example a tunnel that forwards to CIMDListen. Empty: the suite's own TLS
	// listener, https://127.0.0.1:PORT, with the certificate below.
	CIMDBaseURL string
	// CIMDListen is the address of the suite's document listener
	// (--cimd-listen, default 127.0.0.1:0).
	CIMDListen string
	// CIMDCertFile and CIMDKeyFile are the PEM certificate chain and key the
	// listener serves TLS with (--cimd-cert-file, --cimd-key-file); the
	// authorization server must trust them.
	CIMDCertFile, CIMDKeyFile string

	certPEM, keyPEM []byte
}

var registrationSettings sync.Map // *Config -> *RegistrationSettings

// Registration returns the run's registration settings.
func (c *Config) Registration() *RegistrationSettings {
	v, _ := registrationSettings.LoadOrStore(c, &RegistrationSettings{})
	return v.(*RegistrationSettings)
}

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
			set: func(c *Config, v string) error { c.Registration().InitialAccessToken = v; return nil }},
		flagSpec{name: "cimd-base-url", usage: "public https URL that reaches the suite's client ID metadata documents (it must forward to --cimd-listen)",
			set: func(c *Config, v string) error {
				u, err := url.Parse(v)
				if err != nil || u.Scheme != "https" || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
					return fmt.Errorf("%q is not an https URL without query or fragment, such as https://cimd.example.com", v)
				}
				c.Registration().CIMDBaseURL = v
				return nil
			}},
		flagSpec{name: "cimd-listen", usage: "address the suite serves its client ID metadata documents on (default 127.0.0.1:0)",
			set: func(c *Config, v string) error {
				if _, _, err := net.SplitHostPort(v); err != nil {
					return fmt.Errorf("%q is not host:port", v)
				}
				c.Registration().CIMDListen = v
				return nil
			}},
		flagSpec{name: "cimd-cert-file", usage: "PEM certificate chain the suite's metadata document listener serves TLS with",
			set: func(c *Config, v string) error {
				return readPEMSetting(v, &c.Registration().CIMDCertFile, &c.Registration().certPEM)
			}},
		flagSpec{name: "cimd-key-file", usage: "PEM private key of --cimd-cert-file",
			set: func(c *Config, v string) error {
				return readPEMSetting(v, &c.Registration().CIMDKeyFile, &c.Registration().keyPEM)
			}},
	)
}

func readPEMSetting(path string, name *string, into *[]byte) error {
	raw, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	*name, *into = path, raw
	return nil
}
