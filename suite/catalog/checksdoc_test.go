package catalog

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// moduleFile reads a file by its path from the module root (tests run in
// the package directory, two levels down).
func moduleFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", filepath.FromSlash(path)))
	if err != nil {
		t.Fatalf("reading %s: %v", path, err)
	}
	return b
}

// TestChecksPageCurrent fails when docs/checks.md is not what the catalog
// and docs/checks-source.md generate.
func TestChecksPageCurrent(t *testing.T) {
	want, err := ChecksPage(moduleFile(t, ChecksSourcePath))
	if err != nil {
		t.Fatalf("generating %s: %v", ChecksPagePath, err)
	}
	got := moduleFile(t, ChecksPagePath)
	if bytes.Equal(got, want) {
		return
	}
	gl, wl := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
	line := 0
	for line < len(gl) && line < len(wl) && gl[line] == wl[line] {
		line++
	}
	var g, w string
	if line < len(gl) {
		g = gl[line]
	}
	if line < len(wl) {
		w = wl[line]
	}
	t.Fatalf("%s is stale: run `%s` and commit the result.\nFirst difference at line %d:\n  file:      %q\n  generated: %q",
		ChecksPagePath, ChecksCommand, line+1, g, w)
}

func TestChecksPageDeterministic(t *testing.T) {
	src := moduleFile(t, ChecksSourcePath)
	a, err := ChecksPage(src)
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		b, _ := ChecksPage(src)
		if !bytes.Equal(a, b) {
			t.Fatal("two renderings of the checks page differ")
		}
	}
}

const entryHead = `requirements:
  - id: RFC1-2-example
    level: MUST
    priority: P0
    area: pkce
    spec: https://www.rfc-editor.org/rfc/rfc1#section-2
    summary: "An example."
`

func TestParseChecksFields(t *testing.T) {
	tests := []struct {
		name    string
		extra   string
		wantErr string // "" for valid
	}{
		{"no checks", "", ""},
		{"full checks", "    checks:\n      sent: \"a\"\n      passes: \"b\"\n      otherwise: \"c\"\n", ""},
		{"untestable", "    untestable: \"only the server's database shows it\"\n", ""},
		{"checks without otherwise", "    checks:\n      sent: \"a\"\n      passes: \"b\"\n", "otherwise is missing or empty"},
		{"checks with an empty string", "    checks:\n      sent: \"a\"\n      passes: \"  \"\n      otherwise: \"c\"\n", "passes is missing or empty"},
		{"empty checks mapping", "    checks: {}\n", "sent is missing or empty"},
		{"checks with no value", "    checks:\n", "checks has no value"},
		{"checks as a string", "    checks: \"a\"\n", "not valid"},
		{"misspelt key in checks", "    checks:\n      sent: \"a\"\n      pass: \"b\"\n      otherwise: \"c\"\n", "not valid"},
		{"misspelt entry key", "    check:\n      sent: \"a\"\n", "not valid"},
		{"empty untestable", "    untestable: \"\"\n", "untestable has no value"},
		{"untestable with no value", "    untestable:\n", "untestable has no value"},
		{"both", "    untestable: \"x\"\n    checks:\n      sent: \"a\"\n      passes: \"b\"\n      otherwise: \"c\"\n", "both checks and untestable"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reqs, _, err := parse([]byte(entryHead + tt.extra))
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("parse: %v, want no error", err)
			case tt.wantErr == "":
				if len(reqs) != 1 {
					t.Fatalf("parse returned %d requirements, want 1", len(reqs))
				}
			case err == nil:
				t.Fatalf("parse succeeded, want an error containing %q", tt.wantErr)
			case !strings.Contains(err.Error(), tt.wantErr):
				t.Fatalf("parse: %v, want an error containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestCell(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain", "plain"},
		{"a | b", `a \| b`},
		{"line one\nline two  \n", "line one<br>line two"},
		{"crlf\r\nnext", "crlf<br>next"},
		{"  padded  ", "padded"},
	}
	for _, tt := range tests {
		if got := cell(tt.in); got != tt.want {
			t.Errorf("cell(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestHeadingAnchor(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Metadata — RFC 8414 and OIDC Discovery", "metadata--rfc-8414-and-oidc-discovery"},
		{"OAuth error responses — RFC 6749 §4.1.2.1 and §5.2", "oauth-error-responses--rfc-6749-4121-and-52"},
		{"Protected resource: the MCP server", "protected-resource-the-mcp-server"},
	}
	for _, tt := range tests {
		if got := headingAnchor(tt.in); got != tt.want {
			t.Errorf("headingAnchor(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// sourceFor builds a page source with a heading for every area, and extra
// text for the named ones.
func sourceFor(notes map[string]string) string {
	var b strings.Builder
	b.WriteString("# Checks\n\nPreamble.\n")
	for _, area := range Areas {
		b.WriteString("\n<!-- area: " + area + " -->\n## Area " + area + "\n")
		if n := notes[area]; n != "" {
			b.WriteString("\n" + n + "\n")
		}
	}
	return b.String()
}

func TestChecksSourceErrors(t *testing.T) {
	good := sourceFor(nil)
	tests := []struct {
		name, src, wantErr string
	}{
		{"unknown area", strings.Replace(good, "area: pkce", "area: pcke", 1), "names no catalog area"},
		{"missing area", strings.Replace(good, "<!-- area: transport -->\n## Area transport\n", "", 1), "in catalog order"},
		{"areas out of order", strings.NewReplacer("area: metadata", "area: pkce", "area: pkce", "area: metadata").Replace(good), "in catalog order"},
		{"area without heading", strings.Replace(good, "## Area pkce\n", "Text.\n", 1), "must start with"},
		{"no preamble", good[strings.Index(good, "<!--"):], "no preamble"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseChecksSource([]byte(tt.src))
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("parseChecksSource: %v, want an error containing %q", err, tt.wantErr)
			}
		})
	}
	if _, err := parseChecksSource([]byte(good)); err != nil {
		t.Fatalf("parseChecksSource of a good source: %v", err)
	}
}

func TestRenderChecks(t *testing.T) {
	reqs := []Requirement{
		{ID: "A-1-checked", Level: Must, Priority: "P0", Area: "pkce", Checks: &Checks{Sent: "GET | POST", Passes: "200", Otherwise: "FAIL"}},
		{ID: "A-1-hardening", Level: ShouldNot, Priority: "P1", Area: "pkce", Hardening: true, Checks: &Checks{Sent: "s", Passes: "p", Otherwise: "o"}},
		{ID: "A-1-may", Level: May, Priority: "P2", Area: "pkce", Checks: &Checks{Sent: "s", Passes: "p", Otherwise: "o"}},
		{ID: "A-1-untestable", Level: Must, Priority: "P1", Area: "pkce", Untestable: "Only the\nserver knows."},
		{ID: "A-1-later", Level: Should, Priority: "P2", Area: "pkce", Summary: "Not checked yet."},
		{ID: "B-1-later", Level: Must, Priority: "P0", Area: "tokens", Summary: "Tokens."},
	}
	page, err := renderChecks(reqs, []byte(sourceFor(map[string]string{"pkce": "PKCE notes."})))
	if err != nil {
		t.Fatal(err)
	}
	s := string(page)
	for _, want := range []string{
		"<!-- Generated by `go generate ./suite/catalog` from suite/catalog/requirements.yaml and docs/checks-source.md; do not edit. -->\n",
		"\n## Area pkce\n\nPKCE notes.\n\n| ID | Level | What is sent | What passes | Otherwise |\n",
		"| `A-1-checked` | MUST | GET \\| POST | 200 | FAIL |\n",
		"| `A-1-hardening` | SHOULD NOT (hardening) | s | p | o |\n",
		"MAY rows are exempt: `A-1-may`.\n",
		"- `A-1-untestable` (MUST): Only the server knows.\n",
		"Not yet checked (reported as UNTESTED):\n\n- `A-1-later` (SHOULD, P2): Not checked yet.\n",
		"## Area tokens\n\nNot yet checked (reported as UNTESTED):\n\n- `B-1-later` (MUST, P0): Tokens.\n",
		"| [Area pkce](#area-pkce) | 5 | 3 | 1 | 1 |\n",
		"| total | 6 | 3 | 1 | 2 |\n",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("the page lacks %q:\n%s", want, s)
		}
	}
	if strings.Contains(s, "## Area tokens\n\n| ID") {
		t.Error("an area without checks got a table")
	}
	if !strings.HasSuffix(s, "\n") || strings.HasSuffix(s, "\n\n") {
		t.Error("the page does not end with exactly one newline")
	}
}
