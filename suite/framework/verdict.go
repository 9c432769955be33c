package framework

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/mcpauth/conformance/suite/catalog"
)

// Verdict is what the suite concludes about one spec or one requirement.
type Verdict string

// The verdicts, from requirements §1.1.
const (
	// Pass: the requirement was exercised and holds.
	Pass Verdict = "PASS"
	// Fail: a MUST or MUST NOT is violated. Fails the run.
	Fail Verdict = "FAIL"
	// Warn: a SHOULD or SHOULD NOT is violated, or a hardening policy. Fails
	// the run only with --strict.
	Warn Verdict = "WARN"
	// Info: an optional capability (MAY) was observed and recorded.
	Info Verdict = "INFO"
	// Skip: a precondition is missing (no refresh tokens, no client); the
	// requirement was not exercised.
	Skip Verdict = "SKIP"
	// Error: the suite could not judge (the browser failed, a login never
	// completed, no login task matched a page). It says nothing about the
	// server's conformance: never counted as a failure, exit code 3 when no
	// requirement FAILs.
	Error Verdict = "ERROR"
	// Untested: no spec of this run exercised the requirement.
	Untested Verdict = "UNTESTED"
)

// rank orders verdicts for aggregation: a requirement takes the worst verdict
// of its specs, so a requirement is PASS only if every spec that ran passed.
// A finding (FAIL, WARN) outranks ERROR: what was judged stays visible, and
// the spec that could not judge is still listed as such.
func (v Verdict) rank() int {
	switch v {
	case Fail:
		return 6
	case Warn:
		return 5
	case Error:
		return 4
	case Pass:
		return 3
	case Info:
		return 2
	case Skip:
		return 1
	}
	return 0
}

// Finding is one observation a spec makes.
type Finding struct {
	Verdict Verdict `json:"verdict"`
	Message string  `json:"message"`
}

// SpecVerdict is the outcome of one spec, attached to its Ginkgo report as
// the entry named verdictEntry and read back by the reporters.
type SpecVerdict struct {
	ID      string    `json:"id"`
	Spec    string    `json:"spec"`
	Verdict Verdict   `json:"verdict"`
	Reason  string    `json:"reason,omitempty"`
	Notes   []string  `json:"notes,omitempty"`
	Finding []Finding `json:"findings,omitempty"`
	// ExpectedFailure is set when a FAIL is listed in the baseline.
	ExpectedFailure bool `json:"expected_failure,omitempty"`
	// Evidence holds the HTTP exchanges and page captures of a FAIL or WARN.
	Evidence string `json:"evidence,omitempty"`
	// Screenshot and PageHTML are the paths of the last page's capture
	// (PNG, and its HTML with secrets masked), relative to the report dir;
	// PageURL is that page's URL.
	Screenshot string `json:"screenshot,omitempty"`
	PageHTML   string `json:"page_html,omitempty"`
	PageURL    string `json:"page_url,omitempty"`
}

const verdictEntry = "conformance-verdict"

// decide turns the findings of a spec into its verdict. skipped carries the
// reason of a SKIP; an ERROR is a finding (see T.Errorf).
func decide(req catalog.Requirement, findings []Finding, skipped string) (Verdict, string) {
	worst := Verdict("")
	var reasons []string
	for _, f := range findings {
		if f.Verdict.rank() > worst.rank() {
			worst, reasons = f.Verdict, nil
		}
		if f.Verdict == worst {
			reasons = append(reasons, f.Message)
		}
	}
	switch {
	case worst == Fail || worst == Warn || worst == Error:
		return worst, strings.Join(reasons, "\n")
	case skipped != "":
		return Skip, skipped
	case worst == Info:
		return Info, strings.Join(reasons, "\n")
	case req.Level == catalog.May:
		// A MAY is a capability: observing it is information, not a pass.
		return Info, "observed; see notes"
	}
	return Pass, ""
}

// verdictOf reads the SpecVerdict back from a Ginkgo spec report, whether the
// entry was made in this process (raw value) or in another one (JSON).
func verdictOf(r types.SpecReport) (SpecVerdict, bool) {
	for _, e := range r.ReportEntries {
		if e.Name != verdictEntry {
			continue
		}
		if v, ok := e.Value.GetRawValue().(SpecVerdict); ok {
			return v, true
		}
		var v SpecVerdict
		if err := json.Unmarshal([]byte(e.Value.AsJSON), &v); err == nil && v.ID != "" {
			return v, true
		}
	}
	return SpecVerdict{}, false
}

// String is how a verdict shows in Ginkgo's console output.
func (v SpecVerdict) String() string {
	s := fmt.Sprintf("%s %s", v.Verdict, v.ID)
	if v.ExpectedFailure {
		s += " (expected failure, baseline)"
	}
	if v.Reason != "" {
		s += ": " + v.Reason
	}
	for _, n := range v.Notes {
		s += "\nnote: " + n
	}
	return s
}
