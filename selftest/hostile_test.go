package selftest

import (
	"context"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mcpauth/conformance/refserver"
)

// Hostile targets: a server that misbehaves in one way at a time. Against
// each, the whole suite must end within hostileBound, never panic, keep its
// memory bounded, and end every requirement FAIL, SKIP, ERROR or UNTESTED,
// the discovery requirement with a reason that names the misbehaviour.
const (
	hostileTimeout = 2 * time.Second // the suite's --timeout in these runs
	// hostileBound is how long one run may take: discovery and every spec
	// bounded by the timeout, most specs SKIPping at once for lack of
	// metadata. It is documented in the README.
	hostileBound = 90 * time.Second
	// hostileMaxRSS bounds the suite process's memory (the 100 MB body must
	// not be read whole).
	hostileMaxRSS = 400 << 20
)

type hostile struct {
	name string
	// handler misbehaves; asRefserver wraps a working reference server
	// instead (nil when the whole server misbehaves).
	handler func(w http.ResponseWriter, r *http.Request)
	wrap    func(ref http.Handler) http.HandlerFunc
	// reason is a word the discovery requirement's reason must contain.
	reason string
	// key, when set, is a requirement that must end in keyVerdict with a
	// reason that contains keyReason (for servers that work but in one place).
	key, keyVerdict, keyReason string
	// noPass: no requirement may PASS (the server offers nothing usable).
	noPass bool
}

var hostiles = []hostile{
	{name: "metadata-html", noPass: true, reason: "text/html", handler: func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, "<!doctype html><title>app</title><div id=root></div>")
	}},
	{name: "invalid-json", noPass: true, reason: "JSON", handler: func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"issuer": "https://x", "authorization_endpoint": `)
	}},
	{name: "server-error", noPass: true, reason: "500", handler: func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "internal error", http.StatusInternalServerError)
	}},
	{name: "slower-than-timeout", noPass: true, reason: "no response within", handler: func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(3 * hostileTimeout):
		}
	}},
	{name: "huge-body", noPass: true, reason: "larger than", handler: func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		chunk := []byte(strings.Repeat(" ", 64<<10))
		for i := 0; i < (100<<20)/len(chunk); i++ {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	}},
	{name: "redirect-loop", noPass: true, reason: "302", handler: func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, r.URL.Path, http.StatusFound)
	}},
	{name: "connection-reset", noPass: true, reason: "", handler: func(w http.ResponseWriter, r *http.Request) {
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			if tc, ok := conn.(*net.TCPConn); ok {
				_ = tc.SetLinger(0) // a reset, not a clean close
			}
			conn.Close()
		}
	}},
	{name: "token-endpoint-garbage", key: "RFC7636-4.2-s256-mti", keyVerdict: "FAIL", keyReason: "not JSON", wrap: func(ref http.Handler) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			if strings.HasSuffix(r.URL.Path, "/token") {
				w.Header().Set("Content-Type", "application/json")
				fmt.Fprint(w, "\x00garbage\xff{{")
				return
			}
			ref.ServeHTTP(w, r)
		}
	}},
	{name: "authorize-redirects-forever", key: "RFC7636-4.2-s256-mti", keyVerdict: "ERROR", keyReason: "redirected 20 times", wrap: func(ref http.Handler) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			if strings.HasSuffix(r.URL.Path, "/authorize") {
				q := r.URL.Query()
				q.Set("hop", fmt.Sprint(len(q.Get("hop"))+1)+q.Get("hop"))
				http.Redirect(w, r, r.URL.Path+"?"+q.Encode(), http.StatusFound)
				return
			}
			ref.ServeHTTP(w, r)
		}
	}},
}

// transportOK are requirements about the connection itself, which these
// servers get right (a valid certificate on loopback) whatever they serve.
var transportOK = map[string]bool{"RFC8414-6.2-valid-tls-certificate": true}

func TestHostileTargets(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the suite once per hostile target")
	}
	bin := suiteBinary(t)
	for _, h := range hostiles {
		t.Run(h.name, func(t *testing.T) {
			t.Parallel()
			var handler http.Handler = http.HandlerFunc(h.handler)
			srv := httptest.NewUnstartedServer(nil)
			srv.StartTLS()
			defer srv.Close()
			issuer := srv.URL + "/as"
			if h.wrap != nil {
				ref, err := refserver.New(refserver.Options{Issuer: issuer})
				if err != nil {
					t.Fatal(err)
				}
				handler = h.wrap(ref)
			}
			srv.Config.Handler = handler
			dir := t.TempDir()
			ca := filepath.Join(dir, "ca.pem")
			if err := os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o600); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 2*hostileBound)
			defer cancel()
			cmd := exec.CommandContext(ctx, bin, "-target", issuer, "-ca-file", ca, "-resource", srv.URL+"/mcp",
				"-report-dir", filepath.Join(dir, "reports"), "-timeout", hostileTimeout.String(), "-ginkgo.no-color")
			cmd.Dir = dir
			start := time.Now()
			out, runErr := cmd.CombinedOutput()
			took := time.Since(start)
			if took > hostileBound {
				t.Errorf("the run took %s; the bound is %s", took.Round(time.Second), hostileBound)
			}
			if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok && ru.Maxrss*1024 > hostileMaxRSS {
				t.Errorf("the suite used %d MB; the bound is %d MB", ru.Maxrss>>10, hostileMaxRSS>>20)
			}
			if strings.Contains(string(out), "panicked") || strings.Contains(string(out), "goroutine ") {
				t.Errorf("the run panicked:\n%s", tail(out))
			}
			raw, err := os.ReadFile(filepath.Join(dir, "reports", "conformance.json"))
			if err != nil {
				t.Fatalf("no report (exit %v):\n%s", runErr, tail(out))
			}
			var rep report
			if err := json.Unmarshal(raw, &rep); err != nil {
				t.Fatal(err)
			}
			for _, r := range rep.Requirements {
				switch {
				case r.Verdict == "UNTESTED":
				case (r.Verdict == "FAIL" || r.Verdict == "SKIP" || r.Verdict == "ERROR") && strings.TrimSpace(r.Reason) == "":
					t.Errorf("%s is %s without a reason", r.ID, r.Verdict)
				case h.noPass && r.Verdict != "FAIL" && r.Verdict != "SKIP" && r.Verdict != "ERROR" && !transportOK[r.ID]:
					t.Errorf("%s is %s against a server that serves nothing usable: %s", r.ID, r.Verdict, r.Reason)
				}
			}
			if got := verdictOf(&rep, "MCP-Overview-as-discovery-available"); h.noPass && (got.Verdict != "FAIL" || !strings.Contains(got.Reason, h.reason)) {
				t.Errorf("MCP-Overview-as-discovery-available: %s, want FAIL naming %q:\n%s", got.Verdict, h.reason, got.Reason)
			}
			if got := verdictOf(&rep, h.key); h.key != "" && (got.Verdict != h.keyVerdict || !strings.Contains(got.Reason, h.keyReason)) {
				t.Errorf("%s: %s, want %s naming %q:\n%s", h.key, got.Verdict, h.keyVerdict, h.keyReason, got.Reason)
			}
			t.Logf("%s: exit %v in %s", h.name, runErr, took.Round(100*time.Millisecond))
		})
	}
}
