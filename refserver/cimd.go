package refserver

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"

	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"
)

// maxCIMDDocument caps a metadata document (CIMD suggests about 5 kB).
const maxCIMDDocument = 8 << 10

// failureMemory is how long the cimd-caches-errors fault remembers a failure.
const failureMemory = 10 * time.Minute

// cimdFetcher fetches client ID metadata documents: https only, a timeout, a
// size cap, no redirects (anything but 200 is an error), and no connections
// to loopback, private or link-local addresses except for allow-listed hosts
// (CIMD "Client Information Discovery" and security considerations). Failed
// fetches are never remembered (CIMD "Metadata Caching"); the client is
// re-read on every authorization request.
type cimdFetcher struct {
	open, guarded *http.Client
	allowed       []string
	faults        faultSet

	mu       sync.Mutex
	failures map[string]time.Time // only with the cimd-caches-errors fault
}

var errPrivateAddress = errors.New("the address is loopback, private or link-local")

func newCIMDFetcher(roots *x509.CertPool, allowed []string, timeout time.Duration, faults faultSet) *cimdFetcher {
	client := func(guard bool) *http.Client {
		dialer := &net.Dialer{Timeout: timeout}
		if guard {
			// Checked on the address actually dialled, after DNS resolution,
			// so a public name that resolves to 127.0.0.1 is refused too.
			dialer.Control = func(_, address string, _ syscall.RawConn) error {
				host, _, _ := net.SplitHostPort(address)
				if ip := net.ParseIP(host); ip == nil || privateIP(ip) {
					return errPrivateAddress
				}
				return nil
			}
		}
		redirects := func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
		if faults[faultCIMDFollowsRedirects] {
			redirects = nil
		}
		return &http.Client{
			Timeout:       timeout,
			CheckRedirect: redirects,
			Transport: &http.Transport{
				Proxy:               nil,
				DialContext:         dialer.DialContext,
				TLSClientConfig:     &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12},
				TLSHandshakeTimeout: timeout,
				DisableKeepAlives:   true,
			},
		}
	}
	return &cimdFetcher{open: client(false), guarded: client(!faults[faultCIMDSSRF]), allowed: slices.Clone(allowed), faults: faults, failures: map[string]time.Time{}}
}

func privateIP(ip net.IP) bool {
	return ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() ||
		ip.IsUnspecified() || ip.IsMulticast() || ip.IsInterfaceLocalMulticast()
}

// validDocumentURL: an https URL with a host and a path, without fragment,
// userinfo or dot segments (CIMD "Client Identifier").
func validDocumentURL(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "https" || u.Host == "" || u.User != nil || strings.Contains(raw, "#") {
		return false
	}
	if u.Path == "" || u.Path == "/" {
		return false
	}
	for _, seg := range strings.Split(u.Path, "/") {
		if seg == "." || seg == ".." {
			return false
		}
	}
	return true
}

// cimdDocument is what this server reads from a metadata document.
type cimdDocument struct {
	registrationRequest
	ClientSecret *string `json:"client_secret"`
}

// fetchClient fetches and validates the document at id and returns its
// client, stored so that the token endpoint knows it too.
func (f *cimdFetcher) fetchClient(s *Server, id string) (*client, *oauthError) {
	refuse := func(format string, args ...any) (*client, *oauthError) {
		if f.faults[faultCIMDCachesErrors] {
			f.mu.Lock()
			f.failures[id] = s.now()
			f.mu.Unlock()
		}
		return nil, newError(errInvalidClient, "The client metadata document at the client_id URL cannot be used: "+format+".", args...)
	}
	if !validDocumentURL(id) {
		return nil, newError(errInvalidClient, "The client_id is neither registered nor a valid client metadata document URL (https, with a path, without fragment or dot segments).")
	}
	if f.faults[faultCIMDCachesErrors] {
		f.mu.Lock()
		failed, ok := f.failures[id]
		f.mu.Unlock()
		if ok && s.now().Sub(failed) < failureMemory {
			return nil, newError(errInvalidClient, "The client metadata document at the client_id URL failed recently.")
		}
	}
	u, _ := url.Parse(id)
	hc := f.guarded
	if slices.Contains(f.allowed, u.Hostname()) {
		hc = f.open
	}
	req, _ := http.NewRequestWithContext(context.Background(), http.MethodGet, id, nil)
	req.Header.Set("Accept", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		if f.faults[faultCIMDSSRF] {
			return refuse("fetching it failed: %v", err) // reveals the internal network (the fault)
		}
		if errors.Is(err, errPrivateAddress) {
			return refuse("it is on a loopback, private or link-local address, which this server does not fetch from")
		}
		return refuse("it could not be retrieved")
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return refuse("fetching it answered status %d; only 200 is accepted, and redirects are not followed", resp.StatusCode)
	}
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxCIMDDocument+1))
	if err != nil {
		return refuse("it could not be read")
	}
	if len(raw) > maxCIMDDocument {
		return refuse("it is larger than %d bytes", maxCIMDDocument)
	}
	c, oerr := f.clientFromDocument(s, id, raw)
	if oerr != nil {
		return refuse("%s", oerr.Description)
	}
	s.store.addClient(c)
	return c, nil
}

// clientFromDocument validates a fetched metadata document for the client_id
// URL id (draft-ietf-oauth-client-id-metadata-document section 4.1: its
// client_id is that URL; no shared-secret methods, no client_secret) and
// returns its client. The error's description completes "the document
// cannot be used: ".
func (f *cimdFetcher) clientFromDocument(s *Server, id string, raw []byte) (*client, *oauthError) {
	refuse := func(format string, args ...any) (*client, *oauthError) {
		return nil, newError(errInvalidClient, format, args...)
	}
	var doc cimdDocument
	var members map[string]json.RawMessage
	if json.Unmarshal(raw, &doc) != nil || json.Unmarshal(raw, &members) != nil {
		return refuse("it is not a JSON object of client metadata")
	}
	var docID string
	_ = json.Unmarshal(members["client_id"], &docID)
	if docID != id && !f.faults[faultCIMDClientIDUnchecked] {
		return refuse("its client_id is not exactly the URL it was fetched from")
	}
	switch doc.TokenEndpointAuthMethod {
	case "", authMethodNone:
	case authMethodBasic, authMethodPost, "client_secret_jwt":
		if !f.faults[faultCIMDSecretMethods] {
			return refuse("it declares %s; a metadata document cannot use a shared secret", doc.TokenEndpointAuthMethod)
		}
	default:
		return refuse("token_endpoint_auth_method %s is not supported; use none", doc.TokenEndpointAuthMethod)
	}
	if doc.ClientSecret != nil && !f.faults[faultCIMDSecretMethods] {
		return refuse("it contains a client_secret, which a metadata document must not")
	}
	doc.TokenEndpointAuthMethod = authMethodNone
	doc.ClientID = ""
	c, oerr := s.newClient(doc.registrationRequest)
	if oerr != nil {
		return refuse("%s", strings.TrimSuffix(oerr.Description, "."))
	}
	c.ID, c.Secret, c.MetadataDocument = id, "", true
	return c, nil
}
