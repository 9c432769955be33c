package selftest

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// TestFlake is `make flake`: the whole suite N times (MCP_CONFORMANCE_FLAKE,
// e.g. 20) with the ginkgo CLI in parallel (-p) and a fresh random seed each
// time. Every run must pass, and every run must give the same verdicts.
func TestFlake(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("MCP_CONFORMANCE_FLAKE"))
	if n <= 0 {
		t.Skip("set MCP_CONFORMANCE_FLAKE=20 (make flake) to run the suite repeatedly")
	}
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	var first map[string]string
	green := 0
	for i := 1; i <= n; i++ {
		seed := rand.Int64N(1 << 30)
		dir := t.TempDir()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		cmd := exec.CommandContext(ctx, "go", "tool", "ginkgo", "-p", "--randomize-all", "--seed", fmt.Sprint(seed), "--no-color", "./suite", "--", "--report-dir", dir)
		cmd.Dir = root
		out, runErr := cmd.CombinedOutput()
		cancel()
		raw, err := os.ReadFile(filepath.Join(dir, "conformance.json"))
		if err != nil {
			t.Fatalf("run %d (seed %d) wrote no report: %v\n%s", i, seed, runErr, tail(out))
		}
		var rep report
		if err := json.Unmarshal(raw, &rep); err != nil {
			t.Fatal(err)
		}
		v := specVerdicts(&rep)
		if runErr != nil {
			t.Errorf("run %d (seed %d) failed: %v\n%s", i, seed, runErr, tail(out))
		} else {
			green++
		}
		if first == nil {
			first = v
			continue
		}
		for name, verdict := range first {
			if v[name] != verdict {
				t.Errorf("run %d (seed %d): %s is %s; run 1 gave %s", i, seed, name, v[name], verdict)
			}
		}
	}
	t.Logf("%d of %d runs green; verdicts identical: %v", green, n, !t.Failed())
	fmt.Printf("make flake: %d of %d runs green with -p and random order\n", green, n)
}
