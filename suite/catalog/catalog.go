// Package catalog is the list of requirements the suite checks: one entry per
// requirement of the MCP authorization profile, each with its normative level,
// its priority, the area of the suite that tests it and a link to the text that
// states it. The data lives in requirements.yaml, embedded at build time, so the
// catalog a binary prints is always the one it was built with.
package catalog

import (
	"bytes"
	_ "embed"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"
)

// Level is the effective normative level of a requirement for the MCP + OAuth 2.1
// profile (BCP 14 keywords, RFC 2119 and RFC 8174).
type Level string

// The levels a catalog entry can carry.
const (
	Must      Level = "MUST"
	MustNot   Level = "MUST NOT"
	Should    Level = "SHOULD"
	ShouldNot Level = "SHOULD NOT"
	May       Level = "MAY"
)

// Label is the level as a Ginkgo label: lower case, with a dash for the space,
// so that --label-filter='must' selects MUST and --label-filter='must-not' MUST NOT.
func (l Level) Label() string {
	switch l {
	case Must:
		return "must"
	case MustNot:
		return "must-not"
	case Should:
		return "should"
	case ShouldNot:
		return "should-not"
	case May:
		return "may"
	}
	return "unknown-level"
}

// Mandatory reports whether a violation of the level is a failure (MUST, MUST NOT).
func (l Level) Mandatory() bool { return l == Must || l == MustNot }

// Recommended reports whether a violation of the level is a warning (SHOULD, SHOULD NOT).
func (l Level) Recommended() bool { return l == Should || l == ShouldNot }

// Requirement is one catalog entry.
type Requirement struct {
	// ID is the stable identifier, SPEC-SECTION-slug, for example
	// RFC7636-4.6-wrong-verifier-invalid-grant.
	ID string `yaml:"id"`
	// Level is the effective level for the MCP + OAuth 2.1 profile.
	Level Level `yaml:"level"`
	// Priority is P0 (core of MCP interop and security), P1 or P2.
	Priority string `yaml:"priority"`
	// Area is the suite package that tests the requirement, for example pkce.
	Area string `yaml:"area"`
	// Spec is a link to the section of the document that states the requirement.
	Spec string `yaml:"spec"`
	// Summary is the requirement in one sentence.
	Summary string `yaml:"summary"`
	// Hardening marks a policy of this suite that no specification mandates:
	// a violation is reported as a labelled WARN, never as a FAIL.
	Hardening bool `yaml:"hardening,omitempty"`
	// Checks says how the specs check the requirement; docs/checks.md shows
	// it. Nil while the requirement has no spec.
	Checks *Checks `yaml:"checks,omitempty"`
	// Untestable is why the requirement cannot be observed from outside the
	// server. Such a requirement has no spec and no Checks.
	Untestable string `yaml:"untestable,omitempty"`
}

// Checks is a requirement's row of docs/checks.md, in the conventions of
// docs/checks-source.md (STD-AUTHZ, "Every document", "(browser)").
type Checks struct {
	// Sent is what the specs send: requests and flows.
	Sent string `yaml:"sent"`
	// Passes is what the specs accept.
	Passes string `yaml:"passes"`
	// Otherwise is what FAILs, WARNs, SKIPs or is only INFO.
	Otherwise string `yaml:"otherwise"`
}

//go:embed requirements.yaml
var data []byte

var (
	loadOnce sync.Once
	all      []Requirement
	byID     map[string]int
	loadErr  error
)

var (
	idPattern       = regexp.MustCompile(`^[A-Za-z0-9]+(-[A-Za-z0-9.]+)+$`)
	priorityPattern = regexp.MustCompile(`^P[0-2]$`)
	specPattern     = regexp.MustCompile(`^https://[^\s#]+(#\S+)?$`)
)

// Areas lists the suite areas in the order the reports show them.
var Areas = []string{
	"metadata", "pkce", "resource", "errors", "authorization", "tokens",
	"refresh", "registration", "revocation", "protectedresource", "transport",
}

func load() {
	all, byID, loadErr = parse(data)
}

// parse decodes and validates a catalog. Keys the Requirement type does not
// know are errors, so that a misspelt "check:" or "pass:" is not silently
// dropped.
func parse(data []byte) ([]Requirement, map[string]int, error) {
	var doc struct {
		Requirements []Requirement `yaml:"requirements"`
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&doc); err != nil {
		return nil, nil, fmt.Errorf("the requirement catalog is not valid: %w", err)
	}
	// A key with no value ("checks:" alone) or an empty string
	// (untestable: "") decodes like an absent key; a second, untyped
	// decoding tells them apart.
	var raw struct {
		Requirements []map[string]any `yaml:"requirements"`
	}
	if err := yaml.Unmarshal(data, &raw); err != nil {
		return nil, nil, fmt.Errorf("the requirement catalog is not valid YAML: %w", err)
	}
	reqs := doc.Requirements
	index := make(map[string]int, len(reqs))
	for i, r := range reqs {
		if key := emptyKey(raw.Requirements[i]); key != "" {
			return nil, nil, fmt.Errorf("catalog entry %s: %s has no value", r.ID, key)
		}
		if err := r.validate(); err != nil {
			return nil, nil, err
		}
		if _, dup := index[r.ID]; dup {
			return nil, nil, fmt.Errorf("the requirement catalog lists %s twice", r.ID)
		}
		index[r.ID] = i
	}
	return reqs, index, nil
}

// emptyKey returns the first key, in sorted order, whose value is null or a
// blank string, or "".
func emptyKey(m map[string]any) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		switch v := m[k].(type) {
		case nil:
			return k
		case string:
			if strings.TrimSpace(v) == "" {
				return k
			}
		}
	}
	return ""
}

func (r Requirement) validate() error {
	switch {
	case !idPattern.MatchString(r.ID):
		return fmt.Errorf("catalog entry %q: the ID is not of the form SPEC-SECTION-slug", r.ID)
	case r.Level.Label() == "unknown-level":
		return fmt.Errorf("catalog entry %s: level %q is not one of MUST, MUST NOT, SHOULD, SHOULD NOT, MAY", r.ID, r.Level)
	case !priorityPattern.MatchString(r.Priority):
		return fmt.Errorf("catalog entry %s: priority %q is not P0, P1 or P2", r.ID, r.Priority)
	case !slices.Contains(Areas, r.Area):
		return fmt.Errorf("catalog entry %s: area %q is not one of %v", r.ID, r.Area, Areas)
	case !specPattern.MatchString(r.Spec):
		return fmt.Errorf("catalog entry %s: spec %q is not an https link", r.ID, r.Spec)
	case r.Summary == "" || r.Summary == "TODO":
		return fmt.Errorf("catalog entry %s has no summary", r.ID)
	case r.Hardening && r.Level.Mandatory():
		return fmt.Errorf("catalog entry %s: a hardening policy cannot be %s", r.ID, r.Level)
	case r.Checks != nil && r.Untestable != "":
		return fmt.Errorf("catalog entry %s has both checks and untestable: a requirement the suite checks is not untestable", r.ID)
	}
	if r.Checks != nil {
		for _, f := range []struct{ key, value string }{
			{"sent", r.Checks.Sent}, {"passes", r.Checks.Passes}, {"otherwise", r.Checks.Otherwise},
		} {
			if strings.TrimSpace(f.value) == "" {
				return fmt.Errorf("catalog entry %s: checks needs sent, passes and otherwise; %s is missing or empty", r.ID, f.key)
			}
		}
	}
	return nil
}

// Err reports whether the embedded catalog failed to load or validate.
func Err() error {
	loadOnce.Do(load)
	return loadErr
}

// All returns every requirement in catalog order. It panics if the embedded
// catalog is invalid, which the package's own tests rule out.
func All() []Requirement {
	if err := Err(); err != nil {
		panic(err)
	}
	return slices.Clone(all)
}

// Lookup returns the requirement with the given ID.
func Lookup(id string) (Requirement, bool) {
	if Err() != nil {
		return Requirement{}, false
	}
	i, ok := byID[id]
	if !ok {
		return Requirement{}, false
	}
	return all[i], true
}
