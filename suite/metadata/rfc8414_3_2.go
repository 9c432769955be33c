package metadata

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"

	"github.com/mcpauth/conformance/suite/framework"
)

// RFC 8414 §3.2: a successful metadata response is 200, application/json, and
// a JSON object. Locations that answer "nothing here" (an error status, or an
// HTML page such as an SPA catch-all) are absent, not malformed; absence is
// MCP-Overview-as-discovery-available's and the placement specs' concern.
// Media types are compared without parameters. A UTF-8 byte order mark is
// forbidden by RFC 8259 §8.1 but tolerated by clients: WARN.
var _ = framework.It("RFC8414-3.2-response-format",
	"every metadata response is status 200 with media type application/json and a JSON object body",
	func(ctx context.Context, t *framework.T) {
		d := t.Discovery()
		var bad, warn findings
		judged := 0
		seen := map[string]bool{}
		for _, l := range d.Locations {
			e := l.Last()
			if seen[l.URL] || e == nil || e.Err != nil {
				continue
			}
			seen[l.URL] = true
			name := document{Kind: l.Kind, URLs: []string{l.URL}}
			if l.Kind == framework.KindRFC8414 && l.Form == framework.FormAppended {
				name.Misplaced = true
			}
			if e.Status >= 300 && e.Status < 400 {
				t.Notef("%s: %s (redirect not followed, so no document was judged)", l.URL, l.Problem)
				continue
			}
			if looksAbsent(e) {
				continue
			}
			judged++
			if e.URL != l.URL {
				t.Notef("%s was answered after a redirect, at %s", l.URL, e.URL)
			}
			if e.Status != http.StatusOK {
				bad.add(name, "status %d, not 200, for what looks like a metadata document", e.Status)
			}
			if mt := e.MediaType(); mt != "application/json" {
				bad.add(name, "media type %s, not application/json (Content-Type %q)", mediaOrNone(e), e.ResponseHeader.Get("Content-Type"))
			}
			body := e.Body
			if framework.HasBOM(body) {
				warn.add(name, "the body starts with a UTF-8 byte order mark, which RFC 8259 §8.1 forbids (clients often tolerate it)")
				body = body[3:]
			}
			if _, err := framework.ParseJSONObject(body); err != nil {
				bad.add(name, "%v", err)
				continue
			}
			if dups := duplicateMembers(body); len(dups) > 0 {
				warn.add(name, "duplicate member names %v: clients disagree on which value wins (requirements §1.4 rule 2)", dups)
			}
		}
		if judged == 0 {
			t.Skipf("no well-known location served a metadata response to judge (MCP-Overview-as-discovery-available reports absence):\n%s", d.Report())
		}
		if len(warn) > 0 {
			t.WarnExpected("metadata JSON without a byte order mark or duplicate members", warn.String())
		}
		if len(bad) > 0 {
			t.FailExpected("each metadata response to be 200 with media type application/json and a JSON object body (RFC 8414 §3.2)", bad.String())
		}
	})

// RFC 8414 §3.2 (and OIDC Discovery §4.2): a multi-valued member with no
// values is omitted, never sent as an empty array. The RFC 9728 exception
// (bearer_methods_supported) is for resource metadata only.
var _ = framework.It("RFC8414-3.2-no-empty-arrays",
	"no member of a metadata document is an empty array",
	func(ctx context.Context, t *framework.T) {
		var bad findings
		for _, doc := range requireDocuments(t) {
			var empty []string
			for name, v := range doc.Doc {
				if arr, ok := v.([]any); ok && len(arr) == 0 {
					empty = append(empty, name)
				}
			}
			sort.Strings(empty)
			if len(empty) > 0 {
				bad.add(doc, "empty arrays %v", empty)
			}
		}
		if len(bad) > 0 {
			t.FailExpected("multi-valued members without values to be omitted, not sent as [] (RFC 8414 §3.2)", bad.String())
		}
	})

// duplicateMembers lists the member names that occur more than once in any
// object of a JSON text (encoding/json silently keeps the last one).
func duplicateMembers(body []byte) []string {
	dec := json.NewDecoder(bytes.NewReader(body))
	var dups []string
	var walk func() error
	walk = func() error {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		switch tok {
		case json.Delim('{'):
			names := map[string]bool{}
			for dec.More() {
				k, err := dec.Token()
				if err != nil {
					return err
				}
				name := fmt.Sprint(k)
				if names[name] {
					dups = append(dups, name)
				}
				names[name] = true
				if err := walk(); err != nil {
					return err
				}
			}
			_, err = dec.Token()
			return err
		case json.Delim('['):
			for dec.More() {
				if err := walk(); err != nil {
					return err
				}
			}
			_, err = dec.Token()
			return err
		}
		return nil
	}
	if err := walk(); err != nil && err != io.EOF {
		return nil
	}
	return dups
}
