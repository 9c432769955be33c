package selftest

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/mcpauth/conformance/refserver"
)

// TestCascades (MCP_CONFORMANCE_CASCADE=1, about 20 minutes on two cores)
// runs the whole suite once per fault, where TestFaults runs only the
// fault's own specs, and lists every requirement outside the fault's mapping
// that FAILs or ERRORs: a defect that fails rows depending on it (one defect,
// one FAIL) or a mapping that misses a requirement the fault breaks. It
// writes the list to cascades.txt in the package directory and fails when
// the list is not empty.
func TestCascades(t *testing.T) {
	if os.Getenv("MCP_CONFORMANCE_CASCADE") == "" {
		t.Skip("set MCP_CONFORMANCE_CASCADE=1 to run the whole suite once per fault")
	}
	var mu sync.Mutex
	var found []string
	t.Run("faults", func(t *testing.T) {
		for _, f := range refserver.Faults() {
			t.Run(f.Name, func(t *testing.T) {
				t.Parallel()
				var args []string
				for i := 0; i < len(faultArgs[f.Name]); i++ {
					if faultArgs[f.Name][i] == "-ginkgo.label-filter" {
						i++ // the whole suite, not the fault's own specs
						continue
					}
					args = append(args, faultArgs[f.Name][i])
				}
				rep := runSuite(t, []string{f.Name}, "", append(slices.Clone(faultRunWaits), args...)...)
				for _, r := range rep.Requirements {
					if slices.Contains(f.Requirements, r.ID) || (r.Verdict != "FAIL" && r.Verdict != "ERROR") {
						continue
					}
					line := fmt.Sprintf("%s\t%s\t%s\t%s", f.Name, r.ID, r.Verdict, firstLineOf(r.Reason))
					mu.Lock()
					found = append(found, line)
					mu.Unlock()
				}
			})
		}
	})
	slices.Sort(found)
	_ = os.WriteFile("cascades.txt", []byte(strings.Join(found, "\n")+"\n"), 0o644)
	if len(found) > 0 {
		t.Errorf("%d requirement(s) outside their fault's mapping FAIL or ERROR (cascades.txt):\n%s", len(found), strings.Join(found, "\n"))
	}
}
