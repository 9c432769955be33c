package framework

import (
	"encoding/json"
	"encoding/xml"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/types"
)

// specReport builds the Ginkgo report of one spec that concluded with v.
func specReport(v SpecVerdict, crossProcess bool) types.SpecReport {
	value := types.WrapEntryValue(v)
	if crossProcess {
		// What process 1 sees of a spec that ran in another process.
		raw, _ := json.Marshal(value)
		value = types.ReportEntryValue{}
		_ = json.Unmarshal(raw, &value)
	}
	return types.SpecReport{
		LeafNodeType:   types.NodeTypeIt,
		LeafNodeText:   v.Spec,
		LeafNodeLabels: []string{v.ID},
		State:          types.SpecStatePassed,
		RunTime:        1500 * time.Millisecond,
		ReportEntries:  types.ReportEntries{{Name: verdictEntry, Value: value}},
	}
}

func TestBuildReportFoldsSpecsIntoRequirements(t *testing.T) {
	r := ginkgo.Report{StartTime: time.Unix(0, 0), EndTime: time.Unix(9, 0), SpecReports: types.SpecReports{
		specReport(SpecVerdict{ID: "RFC7636-4.2-s256-mti", Spec: "public", Verdict: Pass}, false),
		specReport(SpecVerdict{ID: "RFC7636-4.2-s256-mti", Spec: "confidential", Verdict: Fail, Reason: "no tokens", Evidence: "> POST /token"}, true),
		specReport(SpecVerdict{ID: "RFC8414-2-scopes-supported", Spec: "scopes", Verdict: Warn, Reason: "absent"}, true),
		specReport(SpecVerdict{ID: "RFC9700-2.1.1-constant-challenge", Spec: "constant", Verdict: Info, Reason: "not detected"}, false),
		specReport(SpecVerdict{ID: "RFC8414-3.3-issuer-match", Spec: "issuer", Verdict: Fail, ExpectedFailure: true}, false),
	}}
	cfg := defaultConfig()
	cfg.ExpectedFailures = []string{"RFC8414-3.3-issuer-match", "RFC8414-2-scopes-supported"}
	rep := BuildReport(r, &cfg, "https://as.example")

	want := map[string]Verdict{
		"RFC7636-4.2-s256-mti":             Fail, // the worst of its specs
		"RFC8414-2-scopes-supported":       Warn,
		"RFC9700-2.1.1-constant-challenge": Info,
		"RFC8414-3.3-issuer-match":         Fail,
		"RFC8414-2-required-members":       Untested,
	}
	for _, rr := range rep.Requirements {
		if v, ok := want[rr.ID]; ok && rr.Verdict != v {
			t.Errorf("%s: verdict %s; want %s", rr.ID, rr.Verdict, v)
		}
	}
	if len(rep.Requirements) != 200 || rep.Totals[Untested] != 196 {
		t.Errorf("%d requirements, %d untested; want 200 and 196", len(rep.Requirements), rep.Totals[Untested])
	}
	// A baselined WARN is not a failure any more: the baseline is stale.
	if strings.Join(rep.StaleBaseline, ",") != "RFC8414-2-scopes-supported" {
		t.Errorf("stale baseline = %v", rep.StaleBaseline)
	}

	dir := t.TempDir()
	if err := WriteReports(rep, dir); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(filepath.Join(dir, "junit.xml"))
	if err != nil {
		t.Fatal(err)
	}
	var suites junitSuites
	if err := xml.Unmarshal(raw, &suites); err != nil {
		t.Fatalf("junit.xml does not parse: %v", err)
	}
	// One failure (the baselined FAIL is skipped), WARN skipped, INFO passes.
	if suites.Tests != 5 || suites.Failures != 1 || suites.Skipped != 2 {
		t.Errorf("junit totals tests=%d failures=%d skipped=%d; want 5, 1, 2", suites.Tests, suites.Failures, suites.Skipped)
	}
	for _, s := range suites.Suites {
		for _, c := range s.Cases {
			if !strings.HasPrefix(c.Name, "RFC") {
				t.Errorf("test case %q does not start with its requirement ID", c.Name)
			}
		}
	}
	md, _ := os.ReadFile(filepath.Join(dir, "conformance.md"))
	for _, want := range []string{"## Failures (2)", "> POST /token", "expected failure, baseline", "Stale baseline", "| total | 2 | 0 | 1 | 0 | 1 | 0 | 196 |"} {
		if !strings.Contains(string(md), want) {
			t.Errorf("conformance.md lacks %q", want)
		}
	}
	var decoded Report
	js, _ := os.ReadFile(filepath.Join(dir, "conformance.json"))
	if err := json.Unmarshal(js, &decoded); err != nil || len(decoded.Requirements) != 200 {
		t.Errorf("conformance.json: %v, %d requirements", err, len(decoded.Requirements))
	}
}
