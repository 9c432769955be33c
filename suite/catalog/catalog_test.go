package catalog

import (
	"net/url"
	"strings"
	"testing"
)

// The expected counts come from the counts table of the requirements research
// (section 14). They are written out here rather than read from that document,
// because the test must not depend on files outside this package.

func TestCatalogLoads(t *testing.T) {
	if err := Err(); err != nil {
		t.Fatalf("Err() = %v, want nil", err)
	}
}

func TestCatalogSize(t *testing.T) {
	if got := len(All()); got != 200 {
		t.Fatalf("len(All()) = %d, want 200", got)
	}
}

func TestIDsUnique(t *testing.T) {
	seen := make(map[string]int)
	for i, r := range All() {
		if j, dup := seen[r.ID]; dup {
			t.Errorf("ID %s appears at positions %d and %d", r.ID, j, i)
		}
		seen[r.ID] = i
	}
}

func TestAreaCounts(t *testing.T) {
	want := map[string]int{
		"metadata":          22,
		"pkce":              17,
		"resource":          11,
		"errors":            14,
		"authorization":     28,
		"tokens":            20,
		"refresh":           14,
		"registration":      29,
		"revocation":        14,
		"protectedresource": 23,
		"transport":         8,
	}
	if len(want) != len(Areas) {
		t.Fatalf("the test expects %d areas, the package declares %d", len(want), len(Areas))
	}
	got := make(map[string]int)
	for _, r := range All() {
		got[r.Area]++
	}
	for _, area := range Areas {
		if got[area] != want[area] {
			t.Errorf("area %s: %d entries, want %d", area, got[area], want[area])
		}
	}
}

func TestLevelCounts(t *testing.T) {
	want := map[Level]int{
		Must:      129,
		MustNot:   14,
		Should:    46,
		ShouldNot: 7,
		May:       4,
	}
	got := make(map[Level]int)
	for _, r := range All() {
		got[r.Level]++
	}
	for level, n := range want {
		if got[level] != n {
			t.Errorf("level %s: %d entries, want %d", level, got[level], n)
		}
	}
	if len(got) != len(want) {
		t.Errorf("levels in use: %v, want exactly %v", got, want)
	}
}

func TestPriorityCounts(t *testing.T) {
	want := map[string]int{"P0": 70, "P1": 65, "P2": 65}
	got := make(map[string]int)
	for _, r := range All() {
		got[r.Priority]++
	}
	for p, n := range want {
		if got[p] != n {
			t.Errorf("priority %s: %d entries, want %d", p, got[p], n)
		}
	}
}

func TestHardeningEntries(t *testing.T) {
	want := map[string]bool{
		"RFC8414-2-pkce-plain-not-advertised":  true,
		"MCP-AuthCodeProtection-plain-refused": true,
	}
	for _, r := range All() {
		if r.Hardening != want[r.ID] {
			t.Errorf("%s: Hardening = %v, want %v", r.ID, r.Hardening, want[r.ID])
		}
		if r.Hardening && r.Level.Mandatory() {
			t.Errorf("%s: hardening entry has mandatory level %s", r.ID, r.Level)
		}
	}
}

// TestSpecLinks checks that each link points at the document the ID names.
func TestSpecLinks(t *testing.T) {
	for _, r := range All() {
		u, err := url.Parse(r.Spec)
		if err != nil || u.Scheme != "https" || u.Host == "" {
			t.Errorf("%s: spec %q is not an absolute https URL", r.ID, r.Spec)
			continue
		}
		var prefix string
		switch {
		case strings.HasPrefix(r.ID, "RFC"):
			num, section, _ := strings.Cut(strings.TrimPrefix(r.ID, "RFC"), "-")
			section, _, _ = strings.Cut(section, "-")
			prefix = "https://www.rfc-editor.org/rfc/rfc" + num + "#section-" + section
			if r.Spec != prefix {
				t.Errorf("%s: spec %q, want %q", r.ID, r.Spec, prefix)
			}
			continue
		case strings.HasPrefix(r.ID, "OAUTH21-"):
			section, _, _ := strings.Cut(strings.TrimPrefix(r.ID, "OAUTH21-"), "-")
			want := "https://datatracker.ietf.org/doc/html/draft-ietf-oauth-v2-1-13#section-" + section
			if r.Spec != want {
				t.Errorf("%s: spec %q, want %q", r.ID, r.Spec, want)
			}
			continue
		case strings.HasPrefix(r.ID, "OIDCD-"):
			prefix = "https://openid.net/specs/openid-connect-discovery-1_0.html#"
		case strings.HasPrefix(r.ID, "MCPSBP-"):
			prefix = "https://modelcontextprotocol.io/specification/2025-11-25/basic/security_best_practices"
		case strings.HasPrefix(r.ID, "MCP-2025-03-26-"):
			prefix = "https://modelcontextprotocol.io/specification/2025-03-26/basic/authorization#"
		case strings.HasPrefix(r.ID, "MCP-"):
			prefix = "https://modelcontextprotocol.io/specification/2025-11-25/basic/authorization#"
		case strings.HasPrefix(r.ID, "CIMD-"):
			prefix = "https://datatracker.ietf.org/doc/html/draft-ietf-oauth-client-id-metadata-document"
		default:
			t.Errorf("%s: no known source for this ID prefix", r.ID)
			continue
		}
		if !strings.HasPrefix(r.Spec, prefix) {
			t.Errorf("%s: spec %q does not start with %q", r.ID, r.Spec, prefix)
		}
	}
}

func TestSummaries(t *testing.T) {
	for _, r := range All() {
		s := r.Summary
		switch {
		case strings.TrimSpace(s) != s:
			t.Errorf("%s: summary has surrounding white space", r.ID)
		case strings.Contains(s, "\n"):
			t.Errorf("%s: summary spans several lines", r.ID)
		case len(s) > 200:
			t.Errorf("%s: summary is %d characters, want at most 200", r.ID, len(s))
		case !strings.HasSuffix(s, "."):
			t.Errorf("%s: summary %q does not end with a full stop", r.ID, s)
		}
	}
}

func TestOrderAndFirstLast(t *testing.T) {
	all := All()
	if got := all[0].ID; got != "MCP-Overview-as-discovery-available" {
		t.Errorf("first entry %s, want MCP-Overview-as-discovery-available", got)
	}
	if got := all[len(all)-1].ID; got != "OAUTH21-2.4.1-brute-force-protection" {
		t.Errorf("last entry %s, want OAUTH21-2.4.1-brute-force-protection", got)
	}
	// Entries of one area are contiguous and the areas follow the order of Areas.
	next := 0
	for i, r := range all {
		if i > 0 && r.Area == all[i-1].Area {
			continue
		}
		for next < len(Areas) && Areas[next] != r.Area {
			next++
		}
		if next == len(Areas) {
			t.Fatalf("entry %d (%s): area %s is out of order", i, r.ID, r.Area)
		}
	}
}

func TestAllReturnsCopy(t *testing.T) {
	a := All()
	a[0].ID = "changed"
	if All()[0].ID == "changed" {
		t.Error("All() exposes the internal slice")
	}
}

func TestLookup(t *testing.T) {
	const id = "RFC8414-3.3-issuer-match"
	r, ok := Lookup(id)
	if !ok {
		t.Fatalf("Lookup(%q) failed", id)
	}
	if r.ID != id || r.Level != Must || r.Priority != "P0" || r.Area != "metadata" {
		t.Errorf("Lookup(%q) = %+v", id, r)
	}
	if r.Spec != "https://www.rfc-editor.org/rfc/rfc8414#section-3.3" {
		t.Errorf("Lookup(%q).Spec = %q", id, r.Spec)
	}

	for _, bad := range []string{"", "RFC0000-1-does-not-exist", "rfc8414-3.3-issuer-match", id + " "} {
		if r, ok := Lookup(bad); ok {
			t.Errorf("Lookup(%q) = %+v, true; want false", bad, r)
		}
	}

	for _, r := range All() {
		got, ok := Lookup(r.ID)
		if !ok || got != r {
			t.Errorf("Lookup(%q) = %+v, %v; want %+v, true", r.ID, got, ok, r)
		}
	}
}

func TestLevelLabel(t *testing.T) {
	tests := []struct {
		level       Level
		label       string
		mandatory   bool
		recommended bool
	}{
		{Must, "must", true, false},
		{MustNot, "must-not", true, false},
		{Should, "should", false, true},
		{ShouldNot, "should-not", false, true},
		{May, "may", false, false},
		{Level("must"), "unknown-level", false, false},
		{Level("MUSTNOT"), "unknown-level", false, false},
		{Level(""), "unknown-level", false, false},
	}
	for _, tt := range tests {
		t.Run(string(tt.level), func(t *testing.T) {
			if got := tt.level.Label(); got != tt.label {
				t.Errorf("Label() = %q, want %q", got, tt.label)
			}
			if got := tt.level.Mandatory(); got != tt.mandatory {
				t.Errorf("Mandatory() = %v, want %v", got, tt.mandatory)
			}
			if got := tt.level.Recommended(); got != tt.recommended {
				t.Errorf("Recommended() = %v, want %v", got, tt.recommended)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	good := Requirement{
		ID:       "RFC7636-4.6-wrong-verifier-invalid-grant",
		Level:    Must,
		Priority: "P0",
		Area:     "pkce",
		Spec:     "https://www.rfc-editor.org/rfc/rfc7636#section-4.6",
		Summary:  "A wrong verifier fails with invalid_grant.",
	}
	if err := good.validate(); err != nil {
		t.Fatalf("validate() of a good entry = %v", err)
	}

	tests := []struct {
		name   string
		mutate func(*Requirement)
	}{
		{"empty ID", func(r *Requirement) { r.ID = "" }},
		{"ID without section", func(r *Requirement) { r.ID = "RFC7636" }},
		{"ID with space", func(r *Requirement) { r.ID = "RFC7636-4.6 wrong" }},
		{"ID with trailing dash", func(r *Requirement) { r.ID = "RFC7636-4.6-" }},
		{"empty level", func(r *Requirement) { r.Level = "" }},
		{"lower-case level", func(r *Requirement) { r.Level = "must" }},
		{"unknown level", func(r *Requirement) { r.Level = "REQUIRED" }},
		{"empty priority", func(r *Requirement) { r.Priority = "" }},
		{"priority P3", func(r *Requirement) { r.Priority = "P3" }},
		{"lower-case priority", func(r *Requirement) { r.Priority = "p0" }},
		{"empty area", func(r *Requirement) { r.Area = "" }},
		{"unknown area", func(r *Requirement) { r.Area = "consent" }},
		{"spec TODO", func(r *Requirement) { r.Spec = "TODO" }},
		{"empty spec", func(r *Requirement) { r.Spec = "" }},
		{"http spec", func(r *Requirement) { r.Spec = "http://www.rfc-editor.org/rfc/rfc7636" }},
		{"spec with space", func(r *Requirement) { r.Spec = "https://www.rfc-editor.org/rfc/rfc7636 #section-4.6" }},
		{"empty summary", func(r *Requirement) { r.Summary = "" }},
		{"summary TODO", func(r *Requirement) { r.Summary = "TODO" }},
		{"hardening on MUST", func(r *Requirement) { r.Hardening = true }},
		{"hardening on MUST NOT", func(r *Requirement) { r.Level = MustNot; r.Hardening = true }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := good
			tt.mutate(&r)
			if err := r.validate(); err == nil {
				t.Errorf("validate() accepted %+v", r)
			}
		})
	}

	for _, level := range []Level{Should, ShouldNot, May} {
		r := good
		r.Level = level
		r.Hardening = true
		if err := r.validate(); err != nil {
			t.Errorf("validate() rejected a hardening entry at level %s: %v", level, err)
		}
	}
}
