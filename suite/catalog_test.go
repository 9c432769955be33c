package suite

import (
	"testing"

	"github.com/mcpauth/conformance/suite/catalog"
	"github.com/mcpauth/conformance/suite/framework"
)

// TestSpecsNameCatalogIDs: every spec is bound to a requirement of the
// catalog (DefineSpecs would also turn a stray ID into a failing spec).
func TestSpecsNameCatalogIDs(t *testing.T) {
	if unknown := framework.UnknownIDs(); len(unknown) > 0 {
		t.Fatalf("specs name requirement IDs the catalog does not have: %v", unknown)
	}
}

// TestP0Coverage: in every area that has specs, every P0 requirement has at
// least one. Areas still without specs report their requirements UNTESTED.
func TestP0Coverage(t *testing.T) {
	counts := framework.SpecCounts()
	covered := map[string]bool{}
	for _, r := range catalog.All() {
		if counts[r.ID] > 0 {
			covered[r.Area] = true
		}
	}
	for _, r := range catalog.All() {
		if covered[r.Area] && r.Priority == "P0" && counts[r.ID] == 0 {
			t.Errorf("%s is a P0 requirement of the %s area and has no spec", r.ID, r.Area)
		}
	}
	if len(covered) == 0 {
		t.Fatal("no spec is registered: the area packages are not imported")
	}
}
