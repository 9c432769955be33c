package selftest

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mcpauth/conformance/refserver"
)

// leakFaults make the suite FAIL and WARN with evidence that holds every kind
// of credential: token responses, Basic and body client secrets, codes in
// redirects.
// access-token-as-refresh-token makes the server answer with new tokens
// where the suite expects a refusal, so they appear in a failure message.
var leakFaults = []string{"pkce-verifier-not-checked", "client-secret-not-checked", "multiple-auth-methods-accepted", "aud-origin-only", "access-token-as-refresh-token"}

// TestNoSecretsInReports feeds known secrets through a run (a configured
// client secret, the test user's password, and every code, token and client
// secret the reference server issues) and requires that no report file and
// no line of the terminal output holds one of them.
func TestNoSecretsInReports(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the suite")
	}
	t.Parallel()
	var mu sync.Mutex
	issued := map[string]string{}
	port := freePort(t)
	const clientID = "conformance-configured-client"
	secret := "configured-secret-" + fmt.Sprint(time.Now().UnixNano())
	inst, err := refserver.Start(refserver.Config{Addr: "127.0.0.1:0", IssuerPath: "/as", Options: refserver.Options{
		Faults:  leakFaults,
		Clients: []refserver.StaticClient{{ID: clientID, Secret: secret, RedirectURIs: []string{fmt.Sprintf("http://127.0.0.1:%d/callback", port)}}},
		OnIssue: func(kind, value string) { mu.Lock(); issued[value] = kind; mu.Unlock() },
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer inst.Close()
	dir := t.TempDir()
	ca := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(ca, inst.CACertPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	reports := filepath.Join(dir, "reports")
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, suiteBinary(t), "-target", inst.Issuer, "-ca-file", ca, "-resource", inst.Origin+"/mcp",
		"-second-resource", inst.Origin+"/other/mcp", "-report-dir", reports, "-client-id", clientID, "-client-secret", secret,
		"-ginkgo.no-color", "-ginkgo.v")
	cmd.Dir = dir
	release := holdSuiteSlot()
	out, runErr := cmd.CombinedOutput()
	release()
	t.Logf("suite exit: %v", runErr)

	mu.Lock()
	defer mu.Unlock()
	kinds := map[string]int{}
	for _, k := range issued {
		kinds[k]++
	}
	if kinds[refserver.IssuedCode] == 0 || kinds[refserver.IssuedAccessToken] == 0 || kinds[refserver.IssuedRefreshToken] == 0 || kinds[refserver.IssuedClientSecret] == 0 {
		t.Fatalf("the run did not exercise every kind of credential: %v", kinds)
	}
	secrets := map[string]string{secret: "the configured client secret", refserver.DefaultUser.Password: "the test user's password"}
	for v, k := range issued {
		secrets[v] = "an issued " + k
	}
	files := map[string][]byte{"the terminal output": out}
	_ = filepath.WalkDir(reports, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && !strings.HasSuffix(p, ".png") {
			b, _ := os.ReadFile(p)
			files[p] = b
		}
		return nil
	})
	raw := files[filepath.Join(reports, "conformance.json")]
	var rep report
	if err := json.Unmarshal(raw, &rep); err != nil {
		t.Fatalf("conformance.json: %v", err)
	}
	if !strings.Contains(string(raw), `"evidence"`) {
		t.Fatal("the run produced no evidence, so the check proves nothing")
	}
	for name, b := range files {
		for v, what := range secrets {
			if leaked(string(b), v) {
				t.Errorf("%s shows %s, whole or in part", name, what)
				break
			}
		}
	}
}

// leaked reports whether text holds secret, or (for a long one) the part of
// it after the four characters a mask shows: a message cut short can carry
// the start of a token without its end.
func leaked(text, secret string) bool {
	if strings.Contains(text, secret) {
		return true
	}
	return len(secret) >= 24 && strings.Contains(text, secret[4:24])
}

// TestVerdictsIndependentOfOrder: the same server gives the same verdicts
// whatever order the specs run in (two --randomize-all seeds), against a
// server whose faults make verdicts of every kind.
func TestVerdictsIndependentOfOrder(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the suite twice")
	}
	t.Parallel()
	faults := append([]string{"metadata-no-scopes", "authz-error-drops-state", "duplicate-params-first-wins"}, leakFaults...)
	verdicts := make([]map[string]string, 2)
	var wg sync.WaitGroup
	for i, seed := range []string{"1", "2"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rep := runSuite(t, faults, "", "-ginkgo.randomize-all", "-ginkgo.seed", seed)
			verdicts[i] = specVerdicts(rep)
		}()
	}
	wg.Wait()
	if len(verdicts[0]) == 0 {
		t.Fatal("no spec verdicts were read")
	}
	for name, v := range verdicts[0] {
		if w := verdicts[1][name]; w != v {
			t.Errorf("%s: %s with seed 1, %s with seed 2", name, v, w)
		}
	}
	if len(verdicts[0]) != len(verdicts[1]) {
		t.Errorf("seed 1 gave %d spec verdicts, seed 2 gave %d", len(verdicts[0]), len(verdicts[1]))
	}
}

// specVerdicts maps each spec's name to its verdict.
func specVerdicts(rep *report) map[string]string {
	out := map[string]string{}
	for _, r := range rep.Requirements {
		for _, s := range r.Specs {
			out[s.Name] = s.Verdict
		}
	}
	return out
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
