// Package selftest proves the suite's verdicts: it runs the suite against the
// reference server clean (every requirement must pass) and once per named
// fault (every requirement the fault is mapped to must FAIL or WARN), and it
// checks that every spec can be made to fail by some fault.
package selftest

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mcpauth/conformance/refserver"
	"github.com/mcpauth/conformance/refserver/devtls"
	"github.com/mcpauth/conformance/suite/catalog"
)

// faultArgs are extra suite flags a fault needs to be observable.
var faultArgs = map[string][]string{
	// The MCP 2025-03-26 default endpoints only matter in that profile.
	"legacy-no-default-endpoints": {"-mcp-version", "2025-03-26"},
	// The token lifecycle's slow checks, with waits the default server's
	// 60 s codes outlive, and reuse retries within the selftest's budget.
	"code-long-lived": {"-code-lifetime-wait", "2s,4s", "-ginkgo.label-filter", "OAUTH21-4.1.2-code-lifetime && slow"},
	// The brute-force probe is a slow spec, left out unless the filter names it.
	"no-brute-force-protection": {"-ginkgo.label-filter", "OAUTH21-2.4.1-brute-force-protection && slow"},
	"refresh-old-stays-valid":   {"-refresh-reuse-wait", "1s,2s"},
	// Only the 2025-06-18 profile requires resource_metadata in the challenge.
	"challenge-no-resource-metadata": {"-mcp-version", "2025-06-18"},
	// DCR is a SHOULD only up to MCP 2025-06-18 (MAY later).
	"dcr-absent": {"-mcp-version", "2025-06-18"},
}

// faultRunWaits shorten, in every fault run, the suite's allowances for a
// slow server: a revocation that takes effect late, a clock behind. The
// reference server revokes at once and shares the suite's clock, so the
// allowance only decides how long a spec waits before it reports a fault
// it has already seen (10 s and 60 s by default, per fault run).
var faultRunWaits = []string{"-revocation-wait", "2s", "-clock-skew", "2s"}

// observational are requirements the research makes informational although
// their level is SHOULD: their specs report INFO where a violation is seen,
// never WARN. Their fault proves the spec sees it: INFO under the fault, PASS
// on the clean server.
var observational = map[string]string{
	"RFC7591-5-uri-host-consistency": "requirements §9: black-box observation is ambiguous, so a foreign-host logo or link is INFO only",
}

// cleanSkips are the requirements the clean run may SKIP, and why.
var cleanSkips = map[string]string{
	"MCP-2025-03-26-default-endpoints": "only tested in the 2025-03-26 profile when no metadata is served",
	"OAUTH21-4.1.2-code-lifetime":      "a slow spec: it runs only when the label filter names slow",
}

// cleanInfos are the SHOULD requirements the clean run reports as INFO, and why.
var cleanInfos = map[string]string{
	"RFC9700-2.2.1-sender-constrained-tokens": "the reference server offers neither DPoP nor mTLS-bound tokens, which MCP does not require",
}

// report is the part of conformance.json the self-test reads.
type report struct {
	Requirements []requirementResult `json:"requirements"`
}

type requirementResult struct {
	ID      string       `json:"id"`
	Level   string       `json:"level"`
	Verdict string       `json:"verdict"`
	Reason  string       `json:"reason"`
	Specs   []specResult `json:"specs"`
}

type specResult struct {
	Name    string `json:"name"`
	Verdict string `json:"verdict"`
	Reason  string `json:"reason"`
}

// suiteSlots bounds how many suite runs (each with its own Chromium) the
// self-test makes at once: one per core (MCP_CONFORMANCE_SELFTEST_RUNS sets
// another number). A run spends much of its time waiting for pages to
// settle, but with more runs than cores the browsers' own setup slows down
// until it times out.
var suiteSlots = make(chan struct{}, max(1, cmp.Or(envInt("MCP_CONFORMANCE_SELFTEST_RUNS"), runtime.NumCPU())))

// holdSuiteSlot waits for a slot and returns the function that frees it.
func holdSuiteSlot() func() {
	suiteSlots <- struct{}{}
	return func() { <-suiteSlots }
}

func envInt(name string) int {
	n, _ := strconv.Atoi(os.Getenv(name))
	return n
}

var (
	buildOnce sync.Once
	suiteBin  string
	buildErr  error
)

// suiteBinary compiles the suite once per test process.
func suiteBinary(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "mcp-conformance-selftest-")
		if err != nil {
			buildErr = err
			return
		}
		suiteBin = filepath.Join(dir, "suite.test")
		cmd := exec.Command("go", "test", "-c", "-o", suiteBin, "../suite")
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("building the suite failed: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return suiteBin
}

// specCounts runs the suite binary with --list.
func specCounts(t *testing.T) map[string]int {
	t.Helper()
	out, err := exec.Command(suiteBinary(t), "-list").Output()
	if err != nil {
		t.Fatalf("the suite's --list failed: %v", err)
	}
	counts := map[string]int{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		f := strings.Split(sc.Text(), "\t")
		if len(f) != 5 {
			continue
		}
		n, err := strconv.Atoi(f[4])
		if err != nil {
			t.Fatalf("--list printed a line whose spec count is not a number: %q", sc.Text())
		}
		counts[f[0]] = n
	}
	if len(counts) != len(catalog.All()) {
		t.Fatalf("--list printed %d requirements; the catalog has %d", len(counts), len(catalog.All()))
	}
	return counts
}

// runSuite starts a reference server with the faults, runs the suite against
// it restricted to the label filter ("" for all), and returns the report.
func runSuite(t *testing.T, faults []string, labelFilter string, extra ...string) *report {
	t.Helper()
	rep, _ := runSuiteExit(t, faults, labelFilter, extra...)
	return rep
}

// runSuiteExit is runSuite that also returns how the suite process exited.
func runSuiteExit(t *testing.T, faults []string, labelFilter string, extra ...string) (*report, error) {
	t.Helper()
	return runSuiteWith(t, refserver.Options{Faults: faults}, labelFilter, extra...)
}

// runSuiteWith starts a reference server with opts (faults, variants) and
// runs the suite against it, like runSuiteExit.
func runSuiteWith(t *testing.T, opts refserver.Options, labelFilter string, extra ...string) (*report, error) {
	t.Helper()
	defer holdSuiteSlot()()
	faults := opts.Faults
	dir := t.TempDir()
	// The suite serves client metadata documents (CIMD) on 127.0.0.1 with a
	// certificate the reference server is told to trust.
	cimdCA, err := devtls.New()
	if err != nil {
		t.Fatal(err)
	}
	cimdCert, cimdKey, err := cimdCA.LeafPEM()
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile := filepath.Join(dir, "cimd-cert.pem"), filepath.Join(dir, "cimd-key.pem")
	if err := os.WriteFile(certFile, cimdCert, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, cimdKey, 0o600); err != nil {
		t.Fatal(err)
	}
	opts.Registration = refserver.RegistrationOptions{CIMDRootCAs: cimdCA.CACertPEM, CIMDAllowedHosts: []string{"127.0.0.1"}}
	inst, err := refserver.Start(refserver.Config{Addr: "127.0.0.1:0", IssuerPath: "/as", Options: opts})
	if err != nil {
		t.Fatalf("the reference server with faults %v and variants %v did not start: %v", faults, opts.Variants, err)
	}
	defer inst.Close()
	ca := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(ca, inst.CACertPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	args := []string{
		"-target", inst.Issuer, "-ca-file", ca, "-resource", inst.Origin + "/mcp", "-second-resource", inst.Origin + "/other/mcp",
		"-mcp-server", inst.Origin + "/mcp",
		"-report-dir", filepath.Join(dir, "reports"), "-ginkgo.no-color",
		"-cimd-cert-file", certFile, "-cimd-key-file", keyFile,
	}
	if labelFilter != "" {
		args = append(args, "-ginkgo.label-filter", labelFilter)
	}
	args = append(args, extra...)
	// A bound on every run, so that a hung suite cannot hang the self-test;
	// a whole-suite run (clean, variants) gets more on a loaded machine.
	bound := 3 * time.Minute
	if labelFilter == "" {
		bound = 6 * time.Minute
	}
	ctx, cancel := context.WithTimeout(context.Background(), bound)
	defer cancel()
	cmd := exec.CommandContext(ctx, suiteBinary(t), args...)
	cmd.Dir = dir
	out, runErr := cmd.CombinedOutput()
	raw, err := os.ReadFile(filepath.Join(dir, "reports", "conformance.json"))
	if err != nil {
		t.Fatalf("the suite wrote no report (run error: %v):\n%s", runErr, tail(out))
	}
	var rep report
	if err := json.Unmarshal(raw, &rep); err != nil {
		t.Fatalf("conformance.json does not parse: %v", err)
	}
	t.Logf("faults %v, variants %v: suite exit %v", faults, opts.Variants, runErr)
	return &rep, runErr
}

func tail(out []byte) string {
	const n = 6000
	if len(out) > n {
		return "…" + string(out[len(out)-n:])
	}
	return string(out)
}

// TestCleanRun: against the faultless reference server every requirement
// that has a spec passes (INFO for a MAY), and nothing fails or warns.
func TestCleanRun(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the whole suite")
	}
	t.Parallel()
	rep := runSuite(t, nil, "")
	for _, r := range rep.Requirements {
		switch {
		case len(r.Specs) == 0:
			if r.Verdict != "UNTESTED" {
				t.Errorf("%s has no spec but verdict %s", r.ID, r.Verdict)
			}
		case r.Verdict == "PASS", r.Verdict == "INFO" && r.Level == string(catalog.May):
		case r.Verdict == "SKIP" && cleanSkips[r.ID] != "":
		case r.Verdict == "INFO" && cleanInfos[r.ID] != "":
		default:
			t.Errorf("clean run: %s got %s, want PASS:\n%s", r.ID, r.Verdict, r.Reason)
		}
	}
}

// TestFaults: each named fault makes every requirement it is mapped to FAIL
// or WARN. The suite runs only those requirements' specs, which is what
// proves them, and keeps the matrix within its time budget.
func TestFaults(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the suite once per fault")
	}
	counts := specCounts(t)
	for _, f := range refserver.Faults() {
		t.Run(f.Name, func(t *testing.T) {
			t.Parallel()
			for _, id := range f.Requirements {
				if counts[id] == 0 {
					t.Fatalf("fault %s is mapped to %s, which has no spec, so the fault proves nothing", f.Name, id)
				}
			}
			args := append(slices.Clone(faultRunWaits), faultArgs[f.Name]...)
			rep := runSuite(t, []string{f.Name}, strings.Join(f.Requirements, " || "), args...)
			for _, id := range f.Requirements {
				got := verdictOf(rep, id)
				if got.Verdict != "FAIL" && got.Verdict != "WARN" && !(observational[id] != "" && got.Verdict == "INFO") {
					t.Errorf("fault %s (%s): %s got %s, want FAIL or WARN\n%s", f.Name, f.Description, id, got.Verdict, got.Reason)
				}
			}
		})
	}
}

// TestLegacyProfileControl: the fault matrix's legacy case is only meaningful
// if the same profile passes when the default endpoints are served.
func TestLegacyProfileControl(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the suite")
	}
	t.Parallel()
	const id = "MCP-2025-03-26-default-endpoints"
	rep := runSuite(t, []string{"metadata-absent"}, id, "-mcp-version", "2025-03-26")
	if got := verdictOf(rep, id); got.Verdict != "PASS" {
		t.Errorf("with metadata absent and the default endpoints served, %s got %s, want PASS\n%s", id, got.Verdict, got.Reason)
	}
}

// TestEverySpecCanFail: every requirement with a spec is mapped to at least
// one fault, except MAY requirements, which only record what they observe.
func TestEverySpecCanFail(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the suite")
	}
	proven := map[string]bool{}
	for _, f := range refserver.Faults() {
		for _, id := range f.Requirements {
			proven[id] = true
		}
	}
	for id, n := range specCounts(t) {
		req, _ := catalog.Lookup(id)
		if n > 0 && !proven[id] && req.Level != catalog.May {
			t.Errorf("%s has %d spec(s) but no reference-server fault is mapped to it, so no run proves it can fail", id, n)
		}
	}
}

// TestChecksDocumented: docs/checks.md tells the truth about which
// requirements are checked. Every requirement with a spec has its checks
// text in the catalog and is not marked untestable; a requirement with checks
// text has a spec, or the page would describe a check that no run makes.
func TestChecksDocumented(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the suite")
	}
	counts := specCounts(t)
	for _, id := range slices.Sorted(maps.Keys(counts)) {
		n := counts[id]
		req, _ := catalog.Lookup(id)
		switch {
		case n > 0 && req.Untestable != "":
			t.Errorf("%s has %d spec(s) but is marked untestable in suite/catalog/requirements.yaml; remove untestable and give it checks", id, n)
		case n > 0 && req.Checks == nil:
			t.Errorf("%s has %d spec(s) but no checks (sent, passes, otherwise) in suite/catalog/requirements.yaml; add them and run `%s`", id, n, catalog.ChecksCommand)
		case n == 0 && req.Checks != nil:
			t.Errorf("%s has checks in suite/catalog/requirements.yaml but no spec, so %s would describe a check no run makes", id, catalog.ChecksPagePath)
		}
	}
}

// TestGating: the exit code is what CI acts on. A FAIL fails the run unless
// the baseline expects it; a baselined requirement that passes fails the run
// as stale; a WARN fails the run only with --strict.
func TestGating(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the suite")
	}
	const failing = "RFC6749-5.2-invalid-grant-unknown-code"
	const warning = "RFC8414-2-scopes-supported"
	baseline := filepath.Join(t.TempDir(), "baseline.txt")
	if err := os.WriteFile(baseline, []byte("# known failures\n"+failing+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		fault   string
		filter  string
		args    []string
		wantErr bool
	}{
		{"a FAIL fails the run", "unknown-code-server-error", failing, nil, true},
		{"a baselined FAIL passes the run", "unknown-code-server-error", failing, []string{"-baseline", baseline}, false},
		{"a stale baseline entry fails the run", "", failing, []string{"-baseline", baseline}, true},
		{"a WARN passes the run", "metadata-no-scopes", warning, nil, false},
		{"a WARN fails the run with --strict", "metadata-no-scopes", warning, []string{"-strict"}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var faults []string
			if tc.fault != "" {
				faults = []string{tc.fault}
			}
			rep, err := runSuiteExit(t, faults, tc.filter, tc.args...)
			if (err != nil) != tc.wantErr {
				t.Fatalf("suite exit error = %v; want an error: %v (verdict %s)", err, tc.wantErr, verdictOf(rep, tc.filter).Verdict)
			}
		})
	}
}

func verdictOf(rep *report, id string) requirementResult {
	i := slices.IndexFunc(rep.Requirements, func(r requirementResult) bool { return r.ID == id })
	if i < 0 {
		return requirementResult{ID: id, Verdict: "MISSING", Reason: "the report has no entry for " + id}
	}
	return rep.Requirements[i]
}
