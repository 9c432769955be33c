package selftest

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/mcpauth/conformance/refserver"
)

// The suite's time budgets (README, "Performance") are measured here, not
// asserted in tests: go test -run '^$' -bench . -benchtime 3x ./selftest/
//
// Each iteration runs the compiled suite as a user would, as a whole process,
// against a reference server started once per benchmark.

func benchmarkSuite(b *testing.B, labelFilter string) {
	bin := suiteBinary(b)
	inst, err := refserver.Start(refserver.Config{Addr: "127.0.0.1:0", IssuerPath: "/as"})
	if err != nil {
		b.Fatal(err)
	}
	defer inst.Close()
	dir := b.TempDir()
	ca := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(ca, inst.CACertPEM, 0o600); err != nil {
		b.Fatal(err)
	}
	args := []string{"-target", inst.Issuer, "-ca-file", ca, "-resource", inst.Origin + "/mcp", "-second-resource", inst.Origin + "/other/mcp", "-report-dir", filepath.Join(dir, "reports")}
	if labelFilter != "" {
		args = append(args, "-ginkgo.label-filter", labelFilter)
	}
	b.ResetTimer()
	for b.Loop() {
		if out, err := exec.Command(bin, args...).CombinedOutput(); err != nil {
			b.Fatalf("the suite failed: %v\n%s", err, tail(out))
		}
	}
}

// BenchmarkHTTPOnlySpecs: every spec that needs no browser (budget: 2 s).
func BenchmarkHTTPOnlySpecs(b *testing.B) { benchmarkSuite(b, "!browser") }

// BenchmarkWholeSuite: every spec, Chromium included (budget: 15 s).
func BenchmarkWholeSuite(b *testing.B) { benchmarkSuite(b, "") }
