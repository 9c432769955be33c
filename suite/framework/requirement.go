package framework

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"sync"

	"github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/types"
	"github.com/onsi/gomega"

	"github.com/mcpauth/conformance/suite/catalog"
)

// SpecOption adjusts how a spec is declared.
type SpecOption func(*specDef)

// Browser marks a spec that drives the authorization endpoint (through the
// form agent or Chrome). It gets the label "browser", so
// --label-filter='!browser' runs the HTTP-only specs.
func Browser(d *specDef) { d.labels = append(d.labels, "browser") }

// Slow marks a spec that takes minutes (a code lifetime, a brute-force
// probe). It gets the label "slow" and runs only when the label filter names
// slow (--label-filter=slow, or 'tokens && slow'); otherwise it is left out
// of the run and its requirement reports UNTESTED.
func Slow(d *specDef) { d.labels = append(d.labels, "slow") }

// slowSelected reports whether the run's label filter asks for slow specs.
func slowSelected() bool { return strings.Contains(ginkgo.GinkgoLabelFilter(), "slow") }

type specDef struct {
	id       string
	text     string
	body     func(context.Context, *T)
	labels   []string
	location types.CodeLocation
}

// packageLabel is the label of the area package that declared a spec (the
// last element of its import path: "tokens" for suite/tokens), so that
// --label-filter=tokens selects a package's specs whatever catalog areas they
// belong to.
func packageLabel(loc types.CodeLocation) string {
	dir := filepath.Base(filepath.Dir(loc.FileName))
	if dir == "." || dir == "/" {
		return ""
	}
	return dir
}

var (
	registryMu sync.Mutex
	registry   []specDef
)

// It declares a spec bound to the catalog requirement id. Call it at package
// level in an area package:
//
//	var _ = framework.It("RFC7636-4.2-s256-mti", "a code issued for an S256 challenge is redeemed with its verifier",
//		func(ctx context.Context, t *framework.T) { ... })
//
// The requirement's ID, level, priority and area become Ginkgo labels and the
// start of the spec text; an ID that is not in the catalog fails the run.
func It(id, text string, body func(context.Context, *T), opts ...SpecOption) bool {
	d := specDef{id: id, text: text, body: body, location: types.NewCodeLocation(1)}
	if l := packageLabel(d.location); l != "" {
		d.labels = append(d.labels, l)
	}
	for _, o := range opts {
		o(&d)
	}
	registryMu.Lock()
	defer registryMu.Unlock()
	registry = append(registry, d)
	return true
}

// SpecCounts returns how many specs each requirement ID has, for --list.
func SpecCounts() map[string]int {
	registryMu.Lock()
	defer registryMu.Unlock()
	counts := map[string]int{}
	for _, d := range registry {
		counts[d.id]++
	}
	return counts
}

// UnknownIDs lists the spec IDs that the catalog does not have.
func UnknownIDs() []string {
	var unknown []string
	for id := range SpecCounts() {
		if _, ok := catalog.Lookup(id); !ok {
			unknown = append(unknown, id)
		}
	}
	slices.Sort(unknown)
	return unknown
}

// DefineSpecs turns the registered specs into the Ginkgo tree: one container
// per area, in catalog order. The suite's entry point calls it once, before
// RunSpecs.
func DefineSpecs() {
	registryMu.Lock()
	defs := slices.Clone(registry)
	registryMu.Unlock()

	byArea := map[string][]specDef{}
	for _, d := range defs {
		req, ok := catalog.Lookup(d.id)
		if !ok {
			d := d
			ginkgo.It(fmt.Sprintf("[%s] names a requirement the catalog does not have", d.id), func() {
				ginkgo.Fail(fmt.Sprintf("spec %q (%s) is bound to requirement ID %q, which is not in suite/catalog/requirements.yaml; fix the ID or add the requirement", d.text, d.location, d.id))
			}, ginkgo.Label("catalog"), d.location)
			continue
		}
		byArea[req.Area] = append(byArea[req.Area], d)
	}
	for _, area := range catalog.Areas {
		specs := byArea[area]
		if len(specs) == 0 {
			continue
		}
		ginkgo.Describe("["+area+"]", ginkgo.Label(area), func() {
			for _, d := range specs {
				if slices.Contains(d.labels, "slow") && !slowSelected() {
					continue
				}
				req, _ := catalog.Lookup(d.id)
				labels := append([]string{req.ID, req.Level.Label(), strings.ToLower(req.Priority)}, d.labels...)
				labels = slices.Compact(slices.Sorted(slices.Values(labels)))
				if req.Hardening {
					labels = append(labels, "hardening")
				}
				ginkgo.It(fmt.Sprintf("%s [%s %s] %s", req.ID, req.Level, req.Priority, d.text),
					ginkgo.Label(labels...), d.location, runSpec(req, d))
			}
		})
	}
}

// T is what a spec body works with: the target, an HTTP client that records
// the exchanges, and the verdict methods. A spec reports a MUST violation with
// Failf or FailExpected (the spec stops), a SHOULD violation with Warnf, a MAY
// observation with Infof, a missing precondition with Skipf (stops), and a
// problem that keeps the suite from judging with Errorf (stops).
type T struct {
	Requirement catalog.Requirement

	ctx      context.Context
	rec      *Recorder
	http     *HTTPClient
	findings []Finding
	notes    []string
	skipped  string
	pages    []PageCapture
	flows    []flowRecord
	g        gomega.Gomega
	// learnedScope is the scope this spec found the server needs (Scope).
	learnedScope string
	// browser is the spec's own browser context, made on its first flow.
	browser browserSession
	// jar is the spec's cookies, shared by its flows in the form agent and
	// the browser alike.
	jar *cookieStore
	// browserFlows drives every flow in Chromium (InBrowser).
	browserFlows bool
}

// PageCapture is what the browser showed when a flow ended without a redirect
// or a step failed: its URL, the status of its document, its text, HTML and a
// screenshot, and the forms it has.
type PageCapture struct {
	URL         string
	Status      int
	Text        string
	HTML        string
	Screenshot  []byte
	HasPassword bool
	Forms       []pageForm
}

// stop unwinds a spec body after Failf or Skipf; runSpec recovers it.
type stop struct{}

func runSpec(req catalog.Requirement, d specDef) func(ginkgo.SpecContext) {
	return func(ctx ginkgo.SpecContext) {
		env := current()
		t := &T{Requirement: req, ctx: ctx, rec: &Recorder{}}
		t.http = NewHTTPClient(env.transport, env.cfg.Timeout, t.rec)
		t.g = gomega.NewGomega(func(message string, _ ...int) { t.record(Fail, message); panic(stop{}) })
		defer t.browser.close()
		t.runBody(d.body)
		t.conclude(env.cfg, ginkgo.CurrentSpecReport().LeafNodeText)
	}
}

func (t *T) runBody(body func(context.Context, *T)) {
	defer func() {
		r := recover()
		if r == nil {
			return
		}
		if _, ok := r.(stop); ok {
			return
		}
		if _, ok := r.(types.GinkgoError); ok {
			// Ginkgo's own Fail, Skip or AbortSuite: let Ginkgo handle it.
			panic(r)
		}
		// A bug in a spec, or a target answer the spec did not foresee: the
		// suite could not judge (ERROR, with the stack), never a crash and
		// never a finding about the server.
		t.record(Error, fmt.Sprintf("the spec panicked, which is a bug of the suite (please report it): %v\n%s", r, debug.Stack()))
	}()
	if env := current(); env.setupErr != nil {
		t.Skipf("the suite could not be set up: %v", env.setupErr)
	}
	body(t.ctx, t)
}

func (t *T) conclude(cfg *Config, specText string) {
	verdict, reason := decide(t.Requirement, t.findings, t.skipped)
	if t.Requirement.Hardening && verdict == Warn {
		reason = "[hardening] " + reason
	}
	// Everything a report or the terminal shows passes the redactor.
	findings := make([]Finding, len(t.findings))
	for i, f := range t.findings {
		findings[i] = Finding{Verdict: f.Verdict, Message: Redact(f.Message)}
	}
	sv := SpecVerdict{ID: t.Requirement.ID, Spec: specText, Verdict: verdict, Reason: Redact(reason), Notes: redactAll(t.notes), Finding: findings}
	reason = sv.Reason
	if verdict == Fail || verdict == Warn || verdict == Error {
		sv.Evidence = Redact(t.evidence())
		sv.Screenshot, sv.PageHTML, sv.PageURL = savePage(cfg.ReportDir, t.Requirement.ID, t.pages)
	}
	expected := cfg.Expected(t.Requirement.ID)
	sv.ExpectedFailure = verdict == Fail && expected
	// Only specs that did not pass show their detail unless -v asks.
	visibility := types.ReportEntryVisibilityFailureOrVerbose
	if verdict == Warn || verdict == Skip || verdict == Error || sv.ExpectedFailure {
		visibility = types.ReportEntryVisibilityAlways
	}
	ginkgo.AddReportEntry(verdictEntry, sv, visibility)

	message := fmt.Sprintf("%s [%s] %s\n%s", verdict, t.Requirement.Level, t.Requirement.ID, reason)
	switch {
	case verdict == Fail && !expected:
		if sv.Evidence != "" {
			message += "\n\nEvidence:\n" + sv.Evidence
		}
		ginkgo.Fail(message)
	case verdict == Warn && cfg.Strict:
		ginkgo.Fail("--strict: " + message)
	case verdict == Skip:
		ginkgo.Skip(reason)
	case verdict == Error:
		// Not a finding about the server: Ginkgo shows it as skipped, the
		// reports as an error, and the suite exits 3 (see ExitCode).
		ginkgo.Skip("ERROR (the suite could not judge): " + reason)
	}
}

func (t *T) record(v Verdict, message string) {
	t.findings = append(t.findings, Finding{Verdict: v, Message: message})
}

// evidence renders the exchanges and page captures of the spec.
func (t *T) evidence() string {
	var b strings.Builder
	ex := t.rec.Exchanges()
	const maxExchanges = 12
	if len(ex) > maxExchanges {
		fmt.Fprintf(&b, "(%d earlier exchanges left out)\n\n", len(ex)-maxExchanges)
		ex = ex[len(ex)-maxExchanges:]
	}
	for _, e := range ex {
		b.WriteString(e.String())
		b.WriteString("\n")
	}
	for i, f := range t.flows {
		fmt.Fprintf(&b, "browser flow %d: %s\n", i+1, f.outcome)
		for _, n := range f.navigations {
			how := ""
			if n.StatusBefore != 0 {
				how = fmt.Sprintf(" (after a %d redirect)", n.StatusBefore)
			}
			fmt.Fprintf(&b, "  %s %s%s\n", n.Method, n.URL, how)
		}
	}
	for _, p := range t.pages {
		fmt.Fprintf(&b, "browser page %s\n%s\n", p.URL, Snippet([]byte(p.Text), 600))
	}
	return b.String()
}

// Context is the spec's context; it ends when the spec times out or is interrupted.
func (t *T) Context() context.Context { return t.ctx }

// HTTP is the spec's recording HTTP client.
func (t *T) HTTP() *HTTPClient { return t.http }

// Config is the run's configuration.
func (t *T) Config() *Config { return current().cfg }

// Failf records a violation of a MUST and stops the spec.
func (t *T) Failf(format string, args ...any) {
	t.record(Fail, fmt.Sprintf(format, args...))
	panic(stop{})
}

// FailExpected records a MUST violation as Expected/Actual and stops the spec.
func (t *T) FailExpected(expected, actual string) {
	t.Failf("Expected: %s\nActual:   %s", expected, actual)
}

// Warnf records a SHOULD violation; the spec goes on.
func (t *T) Warnf(format string, args ...any) { t.record(Warn, fmt.Sprintf(format, args...)) }

// WarnExpected records a SHOULD violation as Expected/Actual.
func (t *T) WarnExpected(expected, actual string) {
	t.Warnf("Expected: %s\nActual:   %s", expected, actual)
}

// Infof records an observation of an optional behaviour (INFO).
func (t *T) Infof(format string, args ...any) { t.record(Info, fmt.Sprintf(format, args...)) }

// Notef adds a note to the spec's report without changing its verdict.
func (t *T) Notef(format string, args ...any) {
	t.notes = append(t.notes, fmt.Sprintf(format, args...))
}

// Violation records a violation at the requirement's own level: FAIL for a
// MUST or MUST NOT (the spec stops), WARN for a SHOULD or SHOULD NOT or a
// hardening policy, INFO for a MAY.
func (t *T) Violation(expected, actual string) {
	switch {
	case t.Requirement.Level.Mandatory():
		t.FailExpected(expected, actual)
	case t.Requirement.Level.Recommended():
		t.WarnExpected(expected, actual)
	default:
		t.Infof("Expected: %s\nActual:   %s", expected, actual)
	}
}

// TLSViolation records a transport-security violation: FAIL, or a labelled
// WARN when --allow-insecure-localhost is set and the URL is on loopback.
func (t *T) TLSViolation(expected, actual, rawURL string) {
	if t.Config().AllowInsecureLocalhost && isLoopbackURL(rawURL) {
		t.Warnf("[insecure-localhost] Expected: %s\nActual:   %s", expected, actual)
		return
	}
	t.FailExpected(expected, actual)
}

// Errorf records that the suite could not judge the requirement, and stops
// the spec: the browser failed, a login never completed, no login task
// matched a page, a page outside the requirement's subject timed out. It is
// never a finding about the server (ERROR, not FAIL); the message should say
// what to try, for example a login task or a longer --timeout.
func (t *T) Errorf(format string, args ...any) {
	t.record(Error, fmt.Sprintf(format, args...))
	panic(stop{})
}

// Skipf records that the requirement could not be exercised, and why, and
// stops the spec. A skipped requirement is never reported as passed.
func (t *T) Skipf(format string, args ...any) {
	t.skipped = fmt.Sprintf(format, args...)
	panic(stop{})
}

// Expect is Gomega bound to the spec: a failed assertion is a FAIL.
func (t *T) Expect(actual any, extra ...any) gomega.Assertion {
	return t.g.Expect(actual, extra...)
}

// Responded fails the spec when an exchange got no HTTP response at all.
func (t *T) Responded(e *Exchange, what string) {
	if e.Err != nil {
		t.FailExpected(what, e.Summary())
	}
}

// flowRecord is one browser flow, for the evidence.
type flowRecord struct {
	outcome     string
	navigations []Navigation
}

// capturePage keeps a browser page for the report.
func (t *T) capturePage(p PageCapture) {
	if p.URL != "" || len(p.Screenshot) > 0 {
		t.pages = append(t.pages, p)
	}
}

// PrintCatalog writes the catalog as tab-separated lines
// ID, LEVEL, PRIORITY, AREA, SPEC-COUNT (the --list output).
func PrintCatalog(w io.Writer) error {
	counts := SpecCounts()
	for _, r := range catalog.All() {
		if _, err := fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%d\n", r.ID, r.Level, r.Priority, r.Area, counts[r.ID]); err != nil {
			return err
		}
	}
	return nil
}
