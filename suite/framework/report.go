package framework

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/types"

	"github.com/mcpauth/conformance/suite/catalog"
)

// Report is conformance.json: one entry per catalog requirement.
type Report struct {
	// Target is what was tested; MCPServer the MCP server whose protected
	// resource side was tested too ("" when none).
	Target     string `json:"target"`
	MCPServer  string `json:"mcp_server,omitempty"`
	MCPVersion string `json:"mcp_version"`
	// SuiteVersion is the version (and VCS revision) of the suite that ran.
	SuiteVersion string          `json:"suite_version"`
	ReportDir    string          `json:"-"`
	Strict       bool            `json:"strict"`
	Started      time.Time       `json:"started"`
	Finished     time.Time       `json:"finished"`
	Discovery    []DiscoveryLine `json:"discovery,omitempty"`
	// Status is "completed", or "aborted" when the run stopped before every
	// selected spec could run (AbortReason says why).
	Status      string `json:"status"`
	AbortReason string `json:"abort_reason,omitempty"`
	// Errors counts the specs that ended in ERROR (the suite could not judge).
	Errors        int                 `json:"errors"`
	Totals        map[Verdict]int     `json:"totals"`
	StaleBaseline []string            `json:"stale_baseline,omitempty"`
	Requirements  []RequirementResult `json:"requirements"`
}

// DiscoveryLine says what one well-known location gave.
type DiscoveryLine struct {
	URL    string `json:"url"`
	Kind   string `json:"kind"`
	Form   string `json:"form"`
	Result string `json:"result"`
}

// RequirementResult is the verdict on one requirement and its specs.
type RequirementResult struct {
	ID              string       `json:"id"`
	Level           string       `json:"level"`
	Priority        string       `json:"priority"`
	Area            string       `json:"area"`
	SpecURL         string       `json:"spec_url"`
	Summary         string       `json:"summary"`
	Verdict         Verdict      `json:"verdict"`
	Reason          string       `json:"reason,omitempty"`
	ExpectedFailure bool         `json:"expected_failure,omitempty"`
	Specs           []SpecResult `json:"specs"`
}

// SpecResult is one spec's outcome.
type SpecResult struct {
	Name string `json:"name"`
	SpecVerdict
	DurationMS int64 `json:"duration_ms"`
}

// ReportAfterSuite writes the reports from the suite's ReportAfterSuite node
// and fails the run on a stale baseline entry. target names what was tested.
// It returns the report, whose ExitCode the entry point exits with.
func ReportAfterSuite(r ginkgo.Report, cfg *Config, target string) *Report {
	rep := BuildReport(r, cfg, target)
	if err := WriteReports(rep, cfg.ReportDir); err != nil {
		ginkgo.Fail(fmt.Sprintf("the reports could not be written to %s: %v", cfg.ReportDir, err))
	}
	if len(rep.StaleBaseline) > 0 {
		ginkgo.Fail(fmt.Sprintf("baseline entries no longer fail; remove them from the expected failures: %s", strings.Join(rep.StaleBaseline, ", ")))
	}
	return rep
}

// BuildReport folds the Ginkgo report into per-requirement verdicts.
func BuildReport(r ginkgo.Report, cfg *Config, target string) *Report {
	rep := &Report{Target: target, MCPServer: cfg.MCPServer, MCPVersion: cfg.MCPVersion, SuiteVersion: suiteVersion(), ReportDir: cfg.ReportDir,
		Strict: cfg.Strict, Started: r.StartTime, Finished: r.EndTime, Status: "completed", Totals: map[Verdict]int{}}
	if e := env.Load(); e != nil && e.setupErr != nil {
		rep.Status, rep.AbortReason = "aborted", "the suite could not be set up: "+e.setupErr.Error()
	}
	if e := env.Load(); e != nil && e.target != nil && e.target.discovery != nil {
		for _, l := range e.target.discovery.Locations {
			res := "usable document"
			if !l.Usable() {
				res = l.Problem
			}
			rep.Discovery = append(rep.Discovery, DiscoveryLine{URL: l.URL, Kind: l.Kind, Form: l.Form, Result: res})
		}
	}
	specs := map[string][]SpecResult{}
	for _, sr := range r.SpecReports {
		if sr.LeafNodeType.Is(types.NodeTypesForSuiteLevelNodes) && sr.State.Is(types.SpecStateFailureStates) && rep.Status != "aborted" {
			// The suite's setup stopped the run (no browser, no way to get
			// a client): nothing was judged.
			rep.Status, rep.AbortReason = "aborted", firstLine(sr.FailureMessage())
		}
		if sr.LeafNodeType != types.NodeTypeIt {
			continue
		}
		if sr.State.Is(types.SpecStateAborted|types.SpecStateInterrupted) && rep.Status != "aborted" {
			rep.Status, rep.AbortReason = "aborted", firstLine(sr.FailureMessage())
		}
		v, ok := verdictOf(sr)
		if !ok {
			// The spec did not conclude (filtered out, interrupted, or failed
			// outside its body): take Ginkgo's state.
			v, ok = fallbackVerdict(sr)
			if !ok {
				continue
			}
		}
		if v.Verdict == Error {
			rep.Errors++
		}
		specs[v.ID] = append(specs[v.ID], SpecResult{Name: sr.LeafNodeText, SpecVerdict: v, DurationMS: sr.RunTime.Milliseconds()})
	}
	for _, req := range catalog.All() {
		rr := RequirementResult{ID: req.ID, Level: string(req.Level), Priority: req.Priority, Area: req.Area, SpecURL: req.Spec, Summary: req.Summary, Specs: specs[req.ID]}
		rr.Verdict, rr.Reason = Untested, "no spec exercised this requirement in this run"
		var reasons []string
		for _, s := range rr.Specs {
			if s.Verdict.rank() > rr.Verdict.rank() {
				rr.Verdict, reasons = s.Verdict, nil
			}
			if s.Verdict == rr.Verdict && s.Reason != "" {
				reasons = append(reasons, s.Reason)
			}
			rr.ExpectedFailure = rr.ExpectedFailure || s.ExpectedFailure
		}
		if rr.Verdict != Untested {
			rr.Reason = strings.Join(reasons, "\n")
		}
		if rr.Specs == nil {
			rr.Specs = []SpecResult{}
		}
		if cfg.Expected(req.ID) && rr.Verdict != Fail && rr.Verdict != Untested && rr.Verdict != Skip {
			rep.StaleBaseline = append(rep.StaleBaseline, req.ID)
		}
		rep.Totals[rr.Verdict]++
		rep.Requirements = append(rep.Requirements, rr)
	}
	return rep
}

// Exit codes of a run (README, "Exit codes").
const (
	ExitConformant    = 0 // nothing failed
	ExitFailed        = 1 // a FAIL outside the baseline, a WARN under --strict, or a stale baseline entry
	ExitAborted       = 2 // the run could not be carried out: bad configuration, setup failure, aborted
	ExitCouldNotJudge = 3 // no FAIL, but at least one spec ended in ERROR
)

// ExitCode is the exit status the report calls for.
func (r *Report) ExitCode() int {
	failed := len(r.StaleBaseline) > 0
	for _, rr := range r.Requirements {
		for _, s := range rr.Specs {
			if s.Verdict == Fail && !s.ExpectedFailure || s.Verdict == Warn && r.Strict {
				failed = true
			}
		}
	}
	switch {
	case failed:
		return ExitFailed
	case r.Status == "aborted":
		return ExitAborted
	case r.Errors > 0:
		return ExitCouldNotJudge
	}
	return ExitConformant
}

// SpecIDs returns the requirement ID a spec report belongs to, from its labels.
func specID(sr types.SpecReport) string {
	for _, l := range sr.Labels() {
		if _, ok := catalog.Lookup(l); ok {
			return l
		}
	}
	return ""
}

func fallbackVerdict(sr types.SpecReport) (SpecVerdict, bool) {
	id := specID(sr)
	if id == "" {
		return SpecVerdict{}, false
	}
	switch {
	case sr.State.Is(types.SpecStateAborted | types.SpecStateInterrupted):
		// The run stopped (for example, no browser): the requirement was
		// not exercised, which says nothing about the server.
		return SpecVerdict{ID: id, Verdict: Skip, Reason: "the run was " + sr.State.String() + ": " + sr.FailureMessage()}, true
	case sr.State.Is(types.SpecStateFailureStates):
		return SpecVerdict{ID: id, Verdict: Fail, Reason: sr.FailureMessage()}, true
	default:
		// Skipped or pending without a verdict: filtered out, not run.
		return SpecVerdict{}, false
	}
}

// WriteReports writes junit.xml, conformance.json and conformance.md.
func WriteReports(rep *Report, dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	js, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "conformance.json"), append(js, '\n'), 0o644); err != nil {
		return err
	}
	junit, err := junitXML(rep)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "junit.xml"), junit, 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "conformance.md"), []byte(markdown(rep)), 0o644)
}

type junitSuites struct {
	XMLName xml.Name `xml:"testsuites"`
	Name    string   `xml:"name,attr"`
	// Properties carry the run's status, profile, target and suite version
	// (the same as conformance.json).
	Properties []junitProperty `xml:"properties>property"`
	Tests      int             `xml:"tests,attr"`
	Failures   int             `xml:"failures,attr"`
	Errors     int             `xml:"errors,attr"`
	Skipped    int             `xml:"skipped,attr"`
	Suites     []junitSuite    `xml:"testsuite"`
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Errors   int         `xml:"errors,attr"`
	Skipped  int         `xml:"skipped,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	ClassName string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitMessage `xml:"failure,omitempty"`
	Error     *junitMessage `xml:"error,omitempty"`
	Skipped   *junitMessage `xml:"skipped,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitMessage struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr,omitempty"`
	Body    string `xml:",chardata"`
}

// junitXML writes one testsuite per area and one testcase per spec, named
// after its requirement ID. FAIL is a failure and ERROR an error; WARN and
// SKIP are skipped with the verdict in the message, so dashboards show them
// without failing.
func junitXML(rep *Report) ([]byte, error) {
	out := junitSuites{Name: "MCP OAuth conformance", Properties: []junitProperty{
		{"status", rep.Status}, {"abort_reason", rep.AbortReason}, {"target", rep.Target}, {"mcp_server", rep.MCPServer},
		{"mcp_version", rep.MCPVersion}, {"suite_version", rep.SuiteVersion}, {"strict", fmt.Sprint(rep.Strict)},
	}}
	byArea := map[string]*junitSuite{}
	for _, rr := range rep.Requirements {
		for _, s := range rr.Specs {
			js := byArea[rr.Area]
			if js == nil {
				js = &junitSuite{Name: rr.Area}
				byArea[rr.Area] = js
			}
			c := junitCase{Name: s.Name, ClassName: rr.Area, Time: fmt.Sprintf("%.3f", float64(s.DurationMS)/1000)}
			if !strings.HasPrefix(c.Name, rr.ID) {
				c.Name = rr.ID + " " + c.Name
			}
			msg := fmt.Sprintf("%s [%s] %s", s.Verdict, rr.Level, firstLine(s.Reason))
			switch {
			case s.Verdict == Fail && !s.ExpectedFailure:
				c.Failure = &junitMessage{Message: msg, Type: "FAIL", Body: s.Reason + "\n\n" + s.Evidence}
				js.Failures++
			case s.Verdict == Error:
				// The suite could not judge: an error of the test, not a
				// failure of the server.
				c.Error = &junitMessage{Message: msg, Type: "ERROR", Body: s.Reason + "\n\n" + s.Evidence}
				js.Errors++
			case s.Verdict == Fail || s.Verdict == Warn || s.Verdict == Skip:
				if s.ExpectedFailure {
					msg = "expected failure (baseline): " + msg
				}
				c.Skipped = &junitMessage{Message: msg, Body: s.Reason}
				js.Skipped++
			case s.Verdict == Info:
				c.SystemOut = msg + "\n" + strings.Join(s.Notes, "\n")
			}
			js.Tests++
			js.Cases = append(js.Cases, c)
		}
	}
	for _, area := range catalog.Areas {
		if js := byArea[area]; js != nil {
			out.Suites = append(out.Suites, *js)
			out.Tests += js.Tests
			out.Failures += js.Failures
			out.Errors += js.Errors
			out.Skipped += js.Skipped
		}
	}
	b, err := xml.MarshalIndent(out, "", "  ")
	if err != nil {
		return nil, err
	}
	return append([]byte(xml.Header), append(b, '\n')...), nil
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

var verdictOrder = []Verdict{Fail, Error, Warn, Pass, Info, Skip, Untested}

// markdown is the summary a person reads first: per-area counts, then every
// failure with its evidence, then warnings and skips.
func markdown(rep *Report) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# MCP OAuth conformance: %s\n\n", rep.Target)
	if rep.MCPServer != "" {
		fmt.Fprintf(&b, "Authorization server: %s · MCP server (protected resource): %s\n\n", rep.Target, rep.MCPServer)
	}
	fmt.Fprintf(&b, "MCP profile %s, %s, run %s (%s), %s, suite %s.\n\n", rep.MCPVersion, map[bool]string{true: "strict", false: "not strict"}[rep.Strict],
		rep.Started.UTC().Format(time.RFC3339), rep.Finished.Sub(rep.Started).Round(time.Millisecond), rep.Status, rep.SuiteVersion)
	b.WriteString("| area |")
	for _, v := range verdictOrder {
		fmt.Fprintf(&b, " %s |", v)
	}
	b.WriteString("\n|---|" + strings.Repeat("---:|", len(verdictOrder)) + "\n")
	counts := map[string]map[Verdict]int{}
	for _, rr := range rep.Requirements {
		if counts[rr.Area] == nil {
			counts[rr.Area] = map[Verdict]int{}
		}
		counts[rr.Area][rr.Verdict]++
	}
	for _, area := range append(slices.Clone(catalog.Areas), "total") {
		c := counts[area]
		if area == "total" {
			c = rep.Totals
		}
		fmt.Fprintf(&b, "| %s |", area)
		for _, v := range verdictOrder {
			fmt.Fprintf(&b, " %d |", c[v])
		}
		b.WriteString("\n")
	}
	if len(rep.Discovery) > 0 {
		b.WriteString("\n## Discovery\n\n| location | kind | form | result |\n|---|---|---|---|\n")
		for _, d := range rep.Discovery {
			fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", d.URL, d.Kind, d.Form, mdCell(d.Result))
		}
	}
	if len(rep.StaleBaseline) > 0 {
		fmt.Fprintf(&b, "\n**Stale baseline:** %s no longer fail; remove them from the expected failures.\n", strings.Join(rep.StaleBaseline, ", "))
	}
	section := func(title string, v Verdict, withEvidence bool) {
		var rows []RequirementResult
		for _, rr := range rep.Requirements {
			if rr.Verdict == v {
				rows = append(rows, rr)
			}
		}
		if len(rows) == 0 {
			return
		}
		fmt.Fprintf(&b, "\n## %s (%d)\n", title, len(rows))
		for _, rr := range rows {
			xf := ""
			if rr.ExpectedFailure {
				xf = " (expected failure, baseline)"
			}
			fmt.Fprintf(&b, "\n### %s · %s · %s%s\n\n%s — [spec](%s)\n\n", rr.ID, rr.Level, rr.Priority, xf, rr.Summary, rr.SpecURL)
			for _, s := range rr.Specs {
				if s.Verdict != v {
					continue
				}
				fmt.Fprintf(&b, "- **%s**\n\n```\n%s\n```\n", s.Name, strings.TrimSpace(s.Reason))
				if withEvidence && s.Evidence != "" {
					fmt.Fprintf(&b, "\n<details><summary>evidence</summary>\n\n```\n%s\n```\n</details>\n", strings.TrimSpace(s.Evidence))
				}
				writePage(&b, s.SpecVerdict)
			}
		}
	}
	if rep.Status == "aborted" {
		fmt.Fprintf(&b, "\n**The run was aborted:** %s\n", rep.AbortReason)
	}
	couldNotJudge(&b, rep)
	section("Failures", Fail, true)
	section("Warnings", Warn, true)
	section("Skipped", Skip, false)
	return b.String()
}

// couldNotJudge lists the specs that ended in ERROR, first: they are not
// findings about the server, and each says what to try.
func couldNotJudge(b *strings.Builder, rep *Report) {
	if rep.Errors == 0 {
		return
	}
	fmt.Fprintf(b, "\n## Could not judge (%d)\n\nThe suite could not judge these specs; they say nothing about the server. "+
		"Fix what they name (a login task, the browser, a longer --timeout) and run again.\n", rep.Errors)
	for _, rr := range rep.Requirements {
		for _, s := range rr.Specs {
			if s.Verdict != Error {
				continue
			}
			fmt.Fprintf(b, "\n### %s · %s · %s\n\n- **%s**\n\n```\n%s\n```\n", rr.ID, rr.Level, rr.Priority, s.Name, strings.TrimSpace(s.Reason))
			if s.Evidence != "" {
				fmt.Fprintf(b, "\n<details><summary>evidence</summary>\n\n```\n%s\n```\n</details>\n", strings.TrimSpace(s.Evidence))
			}
			writePage(b, s.SpecVerdict)
		}
	}
}

// writePage links the last page a browser spec saw: its URL, screenshot and
// HTML.
func writePage(b *strings.Builder, s SpecVerdict) {
	if s.PageURL != "" {
		fmt.Fprintf(b, "\nLast page: `%s`", s.PageURL)
		if s.PageHTML != "" {
			fmt.Fprintf(b, " ([HTML](%s))", s.PageHTML)
		}
		b.WriteString("\n")
	}
	if s.Screenshot != "" {
		fmt.Fprintf(b, "\n![page](%s)\n", s.Screenshot)
	}
}

func mdCell(s string) string { return strings.ReplaceAll(strings.ReplaceAll(s, "|", `\|`), "\n", " ") }

var unsafeFile = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// savePage writes the last page capture of a spec under the report
// directory: its screenshot and its HTML (secrets masked). It returns their
// paths relative to the directory, and the page's URL (masked).
func savePage(dir, id string, pages []PageCapture) (screenshot, html, pageURL string) {
	if len(pages) == 0 {
		return "", "", ""
	}
	p := pages[len(pages)-1]
	base := filepath.Join("pages", unsafeFile.ReplaceAllString(id, "_")+"-"+RandomString(3))
	if err := os.MkdirAll(filepath.Join(dir, "pages"), 0o755); err != nil {
		return "", "", Redact(p.URL)
	}
	if len(p.Screenshot) > 0 && os.WriteFile(filepath.Join(dir, base+".png"), p.Screenshot, 0o644) == nil {
		screenshot = base + ".png"
	}
	if p.HTML != "" && os.WriteFile(filepath.Join(dir, base+".html"), []byte(Redact(p.HTML)), 0o644) == nil {
		html = base + ".html"
	}
	return screenshot, html, Redact(p.URL)
}

// EnsureDiscovery probes the target if no spec of this process did, so the
// report can say which metadata location was found where.
func EnsureDiscovery(timeout time.Duration) {
	e := env.Load()
	if e == nil || e.target == nil || e.setupErr != nil {
		return
	}
	e.target.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*timeout)
		defer cancel()
		e.target.discovery = discover(ctx, NewHTTPClient(e.transport, e.cfg.Timeout, &Recorder{}), e.target.Issuer)
	})
}

// suiteVersion is the suite's module version and VCS revision, from the
// build information.
func suiteVersion() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	v := bi.Main.Version
	for _, s := range bi.Settings {
		if s.Key == "vcs.revision" && len(s.Value) >= 12 {
			v += " " + s.Value[:12]
		}
	}
	return v
}

// areaTitles name the areas in the terminal summary; the protected resource
// is the MCP server's side, the rest the authorization server's.
var areaTitles = map[string]string{"protectedresource": "protected resource (MCP server)"}

// Summary writes what a person reads at the end of a run (h2spec style): the
// verdicts per area, one line per FAIL, ERROR and WARN with the requirement's
// level and the first line of the reason, and where the reports are. It has
// no colour codes, so it reads the same in a CI log.
func (r *Report) Summary(w io.Writer) {
	counts := map[string]map[Verdict]int{}
	for _, rr := range r.Requirements {
		if counts[rr.Area] == nil {
			counts[rr.Area] = map[Verdict]int{}
		}
		counts[rr.Area][rr.Verdict]++
	}
	subject := "of " + r.Target
	if r.Target == "" {
		subject = "with no spec run" // the target is set up only for specs that run
	}
	fmt.Fprintf(w, "\nMCP OAuth conformance %s (MCP %s), %s in %s\n", subject, r.MCPVersion, r.Status, r.Finished.Sub(r.Started).Round(time.Millisecond))
	if r.MCPServer != "" {
		fmt.Fprintf(w, "MCP server: %s\n", r.MCPServer)
	}
	if r.AbortReason != "" {
		fmt.Fprintf(w, "aborted: %s\n", r.AbortReason)
	}
	fmt.Fprintf(w, "%-32s", "area")
	for _, v := range verdictOrder {
		fmt.Fprintf(w, "%9s", v)
	}
	fmt.Fprintln(w)
	for _, area := range append(slices.Clone(catalog.Areas), "total") {
		c := counts[area]
		if area == "total" {
			c = r.Totals
		}
		title := area
		if t := areaTitles[area]; t != "" {
			title = t
		}
		fmt.Fprintf(w, "%-32s", title)
		for _, v := range verdictOrder {
			fmt.Fprintf(w, "%9d", c[v])
		}
		fmt.Fprintln(w)
	}
	for _, v := range []Verdict{Fail, Error, Warn} {
		for _, rr := range r.Requirements {
			for _, s := range rr.Specs {
				if s.Verdict != v {
					continue
				}
				xf := ""
				if s.ExpectedFailure {
					xf = " (baseline)"
				}
				fmt.Fprintf(w, "%-5s %-10s %s%s: %s\n", v, rr.Level, rr.ID, xf, summaryLine(s.Reason))
			}
		}
	}
	if len(r.StaleBaseline) > 0 {
		fmt.Fprintf(w, "stale baseline entries (they pass now; remove them): %s\n", strings.Join(r.StaleBaseline, ", "))
	}
	fmt.Fprintf(w, "reports: %s (conformance.json, junit.xml)\n", filepath.Join(r.ReportDir, "conformance.md"))
	fmt.Fprintf(w, "exit code %d (%s)\n", r.ExitCode(), exitMeaning[r.ExitCode()])
}

var exitMeaning = map[int]string{
	ExitConformant:    "no FAIL",
	ExitFailed:        "a requirement FAILed, a WARN under --strict, or a stale baseline",
	ExitAborted:       "the run could not be carried out",
	ExitCouldNotJudge: "no FAIL, but the suite could not judge some specs",
}

// summaryLine is the first meaningful line of a reason, shortened.
func summaryLine(reason string) string {
	for _, l := range strings.Split(reason, "\n") {
		l = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(l), "Actual:"))
		if l != "" && !strings.HasPrefix(l, "Expected:") {
			return Snippet([]byte(l), 160)
		}
	}
	return Snippet([]byte(firstLine(reason)), 160)
}
