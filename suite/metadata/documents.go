package metadata

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/mcpauth/conformance/suite/framework"
)

// document is one metadata document the server serves, with where it came
// from, so that findings name the document they are about.
type document struct {
	Kind string
	// URLs are the locations that served this very document (an OIDC document
	// is often served at both the appended and the inserted location).
	URLs []string
	Doc  map[string]any
	Loc  *framework.Location
	// Misplaced marks an RFC 8414 document found only at the appended
	// location, which is not an RFC 8414 location (RFC 8414 §3).
	Misplaced bool
}

// Name says which document this is, for messages.
func (d document) Name() string {
	where := strings.Join(d.URLs, " and ")
	if d.Misplaced {
		return fmt.Sprintf("the %s document at %s (a misplaced location: RFC 8414 §3 inserts the suffix before the issuer path)", d.Kind, where)
	}
	return fmt.Sprintf("the %s document at %s", d.Kind, where)
}

// allDocuments returns every usable metadata document of the target: the RFC
// 8414 one (or, if that location is empty, one found at the misplaced appended
// location), then the OIDC ones. Identical bodies served at two locations
// count once. It does not require the issuer to match: the static checks
// judge what the server serves, and issuer identity is RFC8414-3.3's finding.
func allDocuments(t *framework.T) []document {
	d := t.Discovery()
	var docs []document
	if l := d.RFC8414(); l.Usable() {
		docs = append(docs, document{Kind: framework.KindRFC8414, URLs: []string{l.URL}, Doc: l.Doc, Loc: l})
	} else if l := misplacedRFC8414(d); l != nil {
		docs = append(docs, document{Kind: framework.KindRFC8414, URLs: []string{l.URL}, Doc: l.Doc, Loc: l, Misplaced: true})
	}
	return append(docs, oidcDocuments(t)...)
}

// oidcDocuments returns the usable OpenID Connect Discovery documents,
// appended location first; the inserted one is added only when it is a
// different document.
func oidcDocuments(t *framework.T) []document {
	d := t.Discovery()
	var docs []document
	for _, form := range []string{framework.FormAppended, framework.FormInserted} {
		l := d.Find(framework.KindOIDC, form)
		if !l.Usable() {
			continue
		}
		if i := slices.IndexFunc(docs, func(o document) bool { return sameDocument(o.Loc, l) }); i >= 0 {
			if !slices.Contains(docs[i].URLs, l.URL) {
				docs[i].URLs = append(docs[i].URLs, l.URL)
			}
			continue
		}
		docs = append(docs, document{Kind: framework.KindOIDC, URLs: []string{l.URL}, Doc: l.Doc, Loc: l})
	}
	return docs
}

// misplacedRFC8414 returns the RFC 8414 document served at the appended
// location when the inserted location (a different URL) serves none.
func misplacedRFC8414(d *framework.Discovery) *framework.Location {
	app := d.Find(framework.KindRFC8414, framework.FormAppended)
	ins := d.RFC8414()
	if !app.Usable() || ins.Usable() || ins != nil && ins.URL == app.URL {
		return nil
	}
	return app
}

func sameDocument(a, b *framework.Location) bool {
	if a.URL == b.URL {
		return true
	}
	ea, eb := a.Last(), b.Last()
	return ea != nil && eb != nil && bytes.Equal(ea.Body, eb.Body)
}

// requireDocuments returns every document, or SKIPs when the server serves
// none (MCP-Overview-as-discovery-available reports that).
func requireDocuments(t *framework.T) []document {
	docs := allDocuments(t)
	if len(docs) == 0 {
		t.Skipf("the server serves no usable metadata document at any well-known location, so there is nothing to inspect (MCP-Overview-as-discovery-available reports it):\n%s", t.Discovery().Report())
	}
	return docs
}

// findings collects per-document problems so a spec can report all of them
// in one verdict.
type findings []string

func (f *findings) add(doc document, format string, args ...any) {
	*f = append(*f, doc.Name()+": "+fmt.Sprintf(format, args...))
}

func (f findings) String() string {
	if len(f) == 1 {
		return f[0]
	}
	return "\n  - " + strings.Join(f, "\n  - ")
}

// stringList reads an array-of-strings member. present is false when the
// member is absent; ok is false when it is present but not an array of
// strings.
func stringList(doc map[string]any, name string) (values []string, present, ok bool) {
	if _, present = doc[name]; !present {
		return nil, false, true
	}
	values, ok = framework.MemberStrings(doc, name)
	return values, true, ok
}

// originOf returns scheme://host of a URL, or "".
func originOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return ""
	}
	return u.Scheme + "://" + u.Host
}

// hasPath reports whether the issuer has a path beyond "/".
func hasPath(issuer string) bool {
	u, err := url.Parse(issuer)
	return err == nil && strings.Trim(u.EscapedPath(), "/") != ""
}

// describeLocation says what a location gave, calling a 404 or an HTML page
// "absent" rather than malformed (requirements §2, MCP-Overview: an SPA
// catch-all page is not a metadata document).
func describeLocation(l *framework.Location) string {
	if l == nil {
		return "not probed"
	}
	if l.Usable() {
		return "a usable document"
	}
	e := l.Last()
	switch {
	case e == nil || e.Err != nil:
		return l.Problem
	case looksAbsent(e):
		return fmt.Sprintf("absent (%d %s)", e.Status, mediaOrNone(e))
	}
	return l.Problem
}

// looksAbsent reports whether a response says "no document here": an error
// status, or a 200 page that is HTML and not JSON.
func looksAbsent(e *framework.Exchange) bool {
	if e == nil || e.Err != nil {
		return true
	}
	if e.Status == http.StatusOK {
		return e.MediaType() == "text/html" && !isJSONObject(e.Body)
	}
	return !isJSONObject(e.Body) || e.Status >= 400
}

func isJSONObject(body []byte) bool {
	_, err := framework.ParseJSONObject(bytes.TrimSpace(bytes.TrimPrefix(body, []byte{0xEF, 0xBB, 0xBF})))
	return err == nil
}

func mediaOrNone(e *framework.Exchange) string {
	if mt := e.MediaType(); mt != "" {
		return mt
	}
	return "no Content-Type"
}
