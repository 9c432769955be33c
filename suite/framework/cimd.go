package framework

import (
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// CIMDHost serves the suite's client ID metadata documents (MCP 2025-11-25
// and later; draft-ietf-oauth-client-id-metadata-document): the authorization
// server fetches a client's metadata from the https URL that is its
// client_id. Every spec makes documents of its own, at unguessable paths, and
// can read how often the server fetched each one.
type CIMDHost struct {
	// Base is the URL prefix of every document (no trailing slash).
	Base string

	srv  *http.Server
	mu   sync.Mutex
	docs map[string]*CIMDDocument
	// err says why the host is unavailable (nil when it serves).
	err error
}

// CIMDDocument is one document the host serves, and what the host answers
// when it is fetched.
type CIMDDocument struct {
	// URL is where the document is served: the client_id of a CIMD client.
	URL string

	host     *CIMDHost
	status   int
	body     []byte
	location string
	fetches  int
}

// maxCIMDDocuments bounds the documents one process serves.
const maxCIMDDocuments = 4096

// startCIMDHost starts the document listener the settings describe. It never
// fails the run: an unavailable host only makes the CIMD specs SKIP, with the
// reason kept in err.
func startCIMDHost(cfg *Config) *CIMDHost {
	r := cfg.Registration()
	h := &CIMDHost{docs: map[string]*CIMDDocument{}}
	useTLS := len(r.certPEM) > 0 || len(r.keyPEM) > 0
	if !useTLS && r.CIMDBaseURL == "" {
		h.err = errors.New("the suite has no https URL for its client ID metadata documents: give --cimd-base-url (a public https URL that forwards to --cimd-listen), or --cimd-cert-file and --cimd-key-file with a certificate the authorization server trusts")
		return h
	}
	addr := r.CIMDListen
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		h.err = fmt.Errorf("the listener for the client ID metadata documents could not start on %s: %w", addr, err)
		return h
	}
	if useTLS {
		cert, err := tls.X509KeyPair(r.certPEM, r.keyPEM)
		if err != nil {
			ln.Close()
			h.err = fmt.Errorf("the certificate for the client ID metadata documents cannot be used: %w", err)
			return h
		}
		ln = tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12})
	}
	h.Base = strings.TrimSuffix(r.CIMDBaseURL, "/")
	if h.Base == "" {
		h.Base = "https://" + ln.Addr().String()
	}
	h.srv = &http.Server{Handler: http.HandlerFunc(h.serve), ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = h.srv.Serve(ln) }()
	return h
}

func (h *CIMDHost) close() {
	if h != nil && h.srv != nil {
		_ = h.srv.Close()
	}
}

func (h *CIMDHost) serve(w http.ResponseWriter, r *http.Request) {
	h.mu.Lock()
	d := h.docs[r.URL.Path]
	var status int
	var body []byte
	var location string
	if d != nil {
		d.fetches++
		status, body, location = d.status, d.body, d.location
	}
	h.mu.Unlock()
	switch {
	case d == nil:
		http.NotFound(w, r)
	case location != "":
		w.Header().Set("Location", location)
		w.WriteHeader(status)
	default:
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(status)
		_, _ = w.Write(body)
	}
}

// Document creates a document at a fresh path, served with status 200 and
// metadata as its body. A metadata without client_id gets the document's URL
// as client_id, as CIMD requires.
func (h *CIMDHost) Document(metadata map[string]any) *CIMDDocument {
	path := "/clients/" + RandomString(12) + ".json"
	d := &CIMDDocument{URL: h.Base + path, host: h}
	if _, ok := metadata["client_id"]; !ok {
		metadata["client_id"] = d.URL
	}
	d.Serve(http.StatusOK, metadata)
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.docs) >= maxCIMDDocuments {
		for p := range h.docs { // forget an old document rather than grow without bound
			delete(h.docs, p)
			break
		}
	}
	h.docs[path] = d
	return d
}

// Serve makes the document answer with status and v as its JSON body.
func (d *CIMDDocument) Serve(status int, v any) {
	body, _ := json.Marshal(v)
	d.host.mu.Lock()
	defer d.host.mu.Unlock()
	d.status, d.body, d.location = status, body, ""
}

// Redirect makes the document answer with a 302 to location.
func (d *CIMDDocument) Redirect(location string) {
	d.host.mu.Lock()
	defer d.host.mu.Unlock()
	d.status, d.body, d.location = http.StatusFound, nil, location
}

// Fetches is how many times the document was requested.
func (d *CIMDDocument) Fetches() int {
	d.host.mu.Lock()
	defer d.host.mu.Unlock()
	return d.fetches
}

// CIMDSupported reports whether the metadata advertises client ID metadata
// documents (client_id_metadata_document_supported: true).
func CIMDSupported(m *Metadata) bool {
	v, ok := m.Doc["client_id_metadata_document_supported"].(bool)
	return ok && v
}

// CIMD returns the suite's document host for a server that advertises CIMD
// support. It SKIPs the spec when the server does not advertise it, or when
// the suite has no URL the server can reach.
func (t *T) CIMD(m *Metadata) *CIMDHost {
	if !CIMDSupported(m) {
		t.Skipf("the metadata at %s does not advertise client_id_metadata_document_supported: true, so client ID metadata documents could not be exercised", m.Location.URL)
	}
	h := current().cimd
	if h == nil || h.err != nil {
		reason := "it was not set up"
		if h != nil {
			reason = h.err.Error()
		}
		t.Skipf("the server supports client ID metadata documents, but %s", reason)
	}
	return h
}

// CIMDMetadata is the client metadata document of a public MCP client with
// the suite's loopback redirect URI (CIMD "Client ID Metadata Document").
func (t *T) CIMDMetadata() map[string]any {
	md := map[string]any{
		"client_name":                "MCP Conformance CIMD " + RandomString(4),
		"redirect_uris":              []string{t.RedirectURI()},
		"grant_types":                []string{"authorization_code", "refresh_token"},
		"response_types":             []string{"code"},
		"token_endpoint_auth_method": "none",
	}
	// The same client metadata an MCP client of the profile registers with
	// (ClientMetadataFor): application_type from MCP 2026-07-28.
	if at, ok := ClientMetadataFor(t.Config().MCPVersion, "none", t.RedirectURI())["application_type"]; ok {
		md["application_type"] = at
	}
	return md
}

// CIMDClient serves a fresh metadata document and returns the public client
// whose client_id is its URL. It SKIPs like CIMD.
func (t *T) CIMDClient(m *Metadata) (*Client, *CIMDDocument) {
	md := t.CIMDMetadata()
	d := t.CIMD(m).Document(md)
	return &Client{ID: d.URL, AuthMethod: "none", RedirectURI: t.RedirectURI(), Registration: md}, d
}

// cimdAvailable reports whether a CIMD client can be had at this server.
func cimdAvailable(m *Metadata) bool {
	h := current().cimd
	return CIMDSupported(m) && h != nil && h.err == nil
}
