package refserver

import (
	"crypto/x509"
	"errors"
	"strings"
	"time"
)

// RegistrationOptions configures how clients come to exist: dynamic client
// registration (RFC 7591) and client ID metadata documents (CIMD, MCP
// 2025-11-25 and later). The zero value is the default: open DCR, and CIMD
// with fetches restricted to public addresses.
type RegistrationOptions struct {
	// InitialAccessToken protects the registration endpoint (RFC 7591 §3);
	// the dcr-initial-access-token variant uses DefaultInitialAccessToken
	// when it is empty.
	InitialAccessToken string
	// CIMDRootCAs are PEM CA certificates trusted, besides the system roots,
	// when fetching metadata documents.
	CIMDRootCAs []byte
	// CIMDAllowedHosts are URL hosts (exactly as written in a client_id, for
	// example 127.0.0.1) whose documents may be fetched although they are on
	// a loopback or private address. Every other private address is refused
	// (CIMD security considerations: server-side request forgery).
	CIMDAllowedHosts []string
	// CIMDFetchTimeout bounds one document fetch (default 3s).
	CIMDFetchTimeout time.Duration
}

// DefaultInitialAccessToken is the initial access token of the
// dcr-initial-access-token variant unless Options.Registration names one.
const DefaultInitialAccessToken = "refserver-initial-access-token"

// errInvalidToken (resource.go), RFC 6750's error for a missing or bad
// bearer token, is also the error of a missing initial access token at a
// protected registration endpoint.

// statusOr is the error's own status, or def.
func (e *oauthError) statusOr(def int) int {
	if e.status != 0 {
		return e.status
	}
	return def
}

func (s *Server) setupRegistration(o RegistrationOptions) error {
	if s.variants[variantDCRInitialAccessToken] {
		s.initialAccessToken = o.InitialAccessToken
		if s.initialAccessToken == "" {
			s.initialAccessToken = DefaultInitialAccessToken
		}
	}
	if s.variants[variantCIMDOff] {
		return nil
	}
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	if len(o.CIMDRootCAs) > 0 && !pool.AppendCertsFromPEM(o.CIMDRootCAs) {
		return errors.New("Options.Registration.CIMDRootCAs holds no PEM certificate")
	}
	timeout := o.CIMDFetchTimeout
	if timeout <= 0 {
		timeout = 3 * time.Second
	}
	s.cimd = newCIMDFetcher(pool, o.CIMDAllowedHosts, timeout, s.faults)
	return nil
}

// dcrEnabled: the registration endpoint exists and is advertised.
func (s *Server) dcrEnabled() bool {
	return !s.variants[variantDCRDisabledCIMD] && !s.faults[faultDCRAbsent]
}

// registrationMetadata adds the registration members of the metadata
// (RFC 7591 §3 registration_endpoint; CIMD client_id_metadata_document_supported).
func (s *Server) registrationMetadata(m map[string]any) {
	if !s.dcrEnabled() {
		delete(m, "registration_endpoint")
	}
	if s.cimd != nil {
		m["client_id_metadata_document_supported"] = true
	}
}

// lookupClient finds the client of an authorization request: a registered
// one, or, for an https client_id, the client its metadata document
// describes, fetched now (CIMD "Client Information Discovery").
func (s *Server) lookupClient(id string) (*client, *oauthError) {
	if s.cimd != nil && strings.HasPrefix(id, "https://") {
		if s.faults[faultCIMDBroken] {
			return nil, newError(errInvalidClient, "The client_id is not registered at this server.")
		}
		return s.cimd.fetchClient(s, id)
	}
	if c := s.store.client(id); c != nil {
		return c, nil
	}
	return nil, newError(errInvalidClient, "The client_id is not registered at this server; register the client first.")
}

// clientByID is the client named in a token request body: a registered
// one, or a metadata-document client, fetched now if no authorization request
// of this server fetched it yet (a client may well start at the token
// endpoint, for example with a refresh token).
func (s *Server) clientByID(id string) *client {
	if c := s.store.client(id); c != nil {
		return c
	}
	if s.cimd != nil && strings.HasPrefix(id, "https://") && !s.faults[faultCIMDBroken] {
		c, _ := s.cimd.fetchClient(s, id)
		return c
	}
	return nil
}

// redirectURIFor matches the requested redirect URI against the client's
// (client.matchRedirectURI); cimd-redirect-uri-unchecked skips that for
// metadata-document clients.
func (s *Server) redirectURIFor(c *client, requested string) (string, bool) {
	if c.MetadataDocument && requested != "" && s.faults[faultCIMDRedirectUnchecked] {
		return requested, true
	}
	return s.matchRedirect(c, requested)
}

// consentExtras fills what the consent page shows beyond the basics: the
// localhost warning for metadata-document clients (MCP "Localhost Redirect
// URI Risks": anyone can publish a document naming a loopback redirect URI),
// and, with a fault, the client's logo.
func (s *Server) consentExtras(c *client, redirectURI string, p *consentPage) {
	if c.MetadataDocument {
		if s.faults[faultCIMDHidesRedirectHost] {
			p.RedirectHost = ""
			return
		}
		p.LocalhostWarning = isLoopbackRedirect(redirectURI)
	}
	p.LogoURI = c.LogoURI
}

func isLoopbackRedirect(raw string) bool {
	scheme, rest, ok := strings.Cut(raw, "://")
	if !ok || scheme != "http" {
		return false
	}
	host := rest
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		host = rest[:i]
	}
	if i := strings.LastIndex(host, ":"); i >= 0 && !strings.HasSuffix(host, "]") {
		host = host[:i]
	}
	return isLoopbackHost(strings.Trim(host, "[]"))
}
