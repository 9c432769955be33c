package framework

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
)

// Kinds of metadata document.
const (
	KindRFC8414 = "RFC 8414"
	KindOIDC    = "OpenID Connect Discovery"
)

// Forms of well-known URL (requirements §2, pitfall 2).
const (
	// FormInserted puts the well-known segment before the issuer's path (RFC
	// 8414 §3; the OIDC variant from RFC 8414 §5).
	FormInserted = "inserted"
	// FormAppended puts it after the issuer's path (OIDC Discovery §4.1).
	FormAppended = "appended"
)

// Location is one well-known URL the suite probed and what it found.
type Location struct {
	Kind string
	Form string
	URL  string
	// Exchanges are the request and any same-origin redirects followed.
	Exchanges []*Exchange
	// Doc is the parsed JSON object when the response was usable.
	Doc map[string]any
	// Problem says why the location gave no usable document ("" if usable).
	Problem string
}

// Last is the final exchange of the location (after redirects).
func (l *Location) Last() *Exchange {
	if len(l.Exchanges) == 0 {
		return nil
	}
	return l.Exchanges[len(l.Exchanges)-1]
}

// Usable reports whether the location served a JSON object with status 200
// and media type application/json.
func (l *Location) Usable() bool { return l != nil && l.Doc != nil }

// Redirected reports whether the location answered with a redirect first.
func (l *Location) Redirected() bool { return len(l.Exchanges) > 1 }

// Discovery is the outcome of probing every metadata location of an issuer,
// in MCP's order (MCP 2025-11-25 "Authorization Server Metadata Discovery").
// Every location is probed: consistency checks need all of them.
type Discovery struct {
	// Issuer is the expected issuer: from configuration or the embedded
	// server, never from a fetched document (pitfall 1).
	Issuer    string
	Locations []*Location
}

// Find returns the location of a kind and form, or nil.
func (d *Discovery) Find(kind, form string) *Location {
	for _, l := range d.Locations {
		if l.Kind == kind && l.Form == form {
			return l
		}
	}
	return nil
}

// RFC8414 is the RFC 8414 document at its proper (inserted) location.
func (d *Discovery) RFC8414() *Location { return d.Find(KindRFC8414, FormInserted) }

// OIDC returns the OpenID Connect document, preferring the appended location
// that OIDC Discovery §4.1 defines; nil if neither is usable.
func (d *Discovery) OIDC() *Location {
	if l := d.Find(KindOIDC, FormAppended); l.Usable() {
		return l
	}
	if l := d.Find(KindOIDC, FormInserted); l.Usable() {
		return l
	}
	return nil
}

// Metadata returns the document an MCP client would use: RFC 8414 first,
// then OpenID Connect Discovery (allowed from MCP 2025-11-25), each only if its
// issuer equals the expected one. nil means discovery failed.
func (d *Discovery) Metadata(profile string) *Location {
	candidates := []*Location{d.RFC8414()}
	if profile != MCP20250618 && profile != MCP20250326 {
		candidates = append(candidates, d.Find(KindOIDC, FormInserted), d.Find(KindOIDC, FormAppended))
	}
	for _, l := range candidates {
		if l.Usable() && l.Doc["issuer"] == d.Issuer {
			return l
		}
	}
	return nil
}

// Report describes each location in one line, for failure messages.
func (d *Discovery) Report() string {
	var b strings.Builder
	for _, l := range d.Locations {
		state := "usable"
		if !l.Usable() {
			state = l.Problem
		}
		fmt.Fprintf(&b, "  %s (%s, %s): %s\n", l.URL, l.Kind, l.Form, state)
	}
	return b.String()
}

// WellKnownURL builds the well-known URL for an issuer. Inserted: RFC 8414 §3
// (drop a trailing slash of the path, then put the suffix between host and
// path). Appended: OIDC Discovery §4.1 (issuer without trailing slash + suffix).
func WellKnownURL(issuer, suffix, form string) (string, error) {
	u, err := url.Parse(issuer)
	if err != nil {
		return "", err
	}
	path := strings.TrimSuffix(u.EscapedPath(), "/")
	w := url.URL{Scheme: u.Scheme, Host: u.Host}
	if form == FormAppended {
		w.Path = path + "/.well-known/" + suffix
	} else {
		w.Path = "/.well-known/" + suffix + path
	}
	// RawPath keeps any percent-encoding of the issuer path as it was.
	if p, err := url.PathUnescape(w.Path); err == nil {
		w.RawPath, w.Path = w.Path, p
	}
	return w.String(), nil
}

// discover probes every location concurrently, so a slow target costs one
// timeout, not one per location.
func discover(ctx context.Context, client *HTTPClient, issuer string) *Discovery {
	d := &Discovery{Issuer: issuer}
	type probe struct{ kind, suffix, form string }
	probes := []probe{
		{KindRFC8414, "oauth-authorization-server", FormInserted},
		{KindOIDC, "openid-configuration", FormInserted},
		{KindOIDC, "openid-configuration", FormAppended},
		// Not an RFC 8414 location; probed to diagnose the common mistake.
		{KindRFC8414, "oauth-authorization-server", FormAppended},
	}
	for _, p := range probes {
		raw, err := WellKnownURL(issuer, p.suffix, p.form)
		loc := &Location{Kind: p.kind, Form: p.form, URL: raw}
		if err != nil {
			loc.Problem = fmt.Sprintf("the issuer %q is not a URL: %v", issuer, err)
		}
		d.Locations = append(d.Locations, loc)
	}
	var wg sync.WaitGroup
	for _, loc := range d.Locations {
		if loc.Problem != "" {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			fetchMetadata(ctx, client, loc)
		}()
	}
	wg.Wait()
	return d
}

// fetchMetadata GETs one location, following at most three redirects and only
// within the same origin (a redirect to another origin could hand the client
// a document of another server).
func fetchMetadata(ctx context.Context, client *HTTPClient, loc *Location) {
	target := loc.URL
	for hop := 0; ; hop++ {
		e := client.Get(ctx, target, http.Header{"Accept": {"application/json"}})
		loc.Exchanges = append(loc.Exchanges, e)
		if e.Err != nil {
			loc.Problem = "no response: " + e.Err.Error()
			return
		}
		if e.Status >= 300 && e.Status < 400 {
			next, err := url.Parse(e.ResponseHeader.Get("Location"))
			if err != nil || e.ResponseHeader.Get("Location") == "" {
				loc.Problem = fmt.Sprintf("status %d without a usable Location header", e.Status)
				return
			}
			from, _ := url.Parse(target)
			next = from.ResolveReference(next)
			if next.Scheme != from.Scheme || next.Host != from.Host {
				loc.Problem = fmt.Sprintf("status %d redirects to another origin (%s); not followed", e.Status, next)
				return
			}
			if hop == 2 {
				loc.Problem = fmt.Sprintf("more than 3 redirects (last to %s)", next)
				return
			}
			target = next.String()
			continue
		}
		loc.Doc, loc.Problem = parseMetadata(e)
		return
	}
}

// parseMetadata returns the document of a response, or why it is not a usable
// metadata document (RFC 8414 §3.2: 200, application/json, a JSON object). A
// UTF-8 byte order mark is tolerated here, as clients do; the response-format
// spec reports it.
func parseMetadata(e *Exchange) (map[string]any, string) {
	if e.Status != http.StatusOK {
		return nil, fmt.Sprintf("status %d", e.Status)
	}
	if mt := e.MediaType(); mt != "application/json" {
		if mt == "" {
			mt = "no Content-Type"
		}
		return nil, fmt.Sprintf("media type %s, not application/json", mt)
	}
	doc, err := ParseJSONObject(bytes.TrimPrefix(e.Body, utf8BOM))
	if err != nil {
		return nil, err.Error()
	}
	return doc, ""
}

// utf8BOM is the byte order mark RFC 8259 §8.1 forbids at the start of JSON text.
var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// HasBOM reports whether a body starts with a UTF-8 byte order mark.
func HasBOM(b []byte) bool { return bytes.HasPrefix(b, utf8BOM) }

// Doc accessors: metadata members with their JSON types checked.

// MemberString returns a string member; ok is false when absent or not a string.
func MemberString(doc map[string]any, name string) (string, bool) {
	s, ok := doc[name].(string)
	return s, ok
}

// MemberStrings returns an array-of-strings member; ok is false when absent,
// not an array, or holding a non-string.
func MemberStrings(doc map[string]any, name string) ([]string, bool) {
	arr, ok := doc[name].([]any)
	if !ok {
		return nil, false
	}
	out := make([]string, 0, len(arr))
	for _, v := range arr {
		s, ok := v.(string)
		if !ok {
			return nil, false
		}
		out = append(out, s)
	}
	return out, true
}

// DescribeJSON renders a JSON value briefly, for messages.
func DescribeJSON(v any) string {
	if v == nil {
		return "absent"
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprintf("%v", v)
	}
	return Snippet(b, 200)
}
