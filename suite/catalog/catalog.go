// Package catalog is the list of requirements the suite checks: one entry per
// requirement of the MCP authorization profile, each with its normative level,
// its priority, the area of the suite that tests it and a link to the text that
// states it. The data lives in requirements.yaml, embedded at build time, so the
// catalog a binary prints is always the one it was built with.
package catalog

import (
	_ "embed"
	"fmt"
	"regexp"
	"slices"
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
	var doc struct {
		Requirements []Requirement `yaml:"requirements"`
	}
	if err := yaml.Unmarshal(data, &doc); err != nil {
		loadErr = fmt.Errorf("the embedded requirement catalog is not valid YAML: %w", err)
		return
	}
	all = doc.Requirements
	byID = make(map[string]int, len(all))
	for i, r := range all {
		if err := r.validate(); err != nil {
			loadErr = err
			return
		}
		if _, dup := byID[r.ID]; dup {
			loadErr = fmt.Errorf("the requirement catalog lists %s twice", r.ID)
			return
		}
		byID[r.ID] = i
	}
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
