// Package suite is the one entry point of the conformance suite: it reads the
// flags, starts the bundled reference server when no target is given, and
// runs the specs of every area package it imports.
package suite

import (
	"context"
	"encoding/json"
	"flag"
	"os"
	"testing"
	"time"

	"github.com/onsi/ginkgo/v2"
	"github.com/onsi/gomega"

	"github.com/mcpauth/conformance/refserver"
	"github.com/mcpauth/conformance/refserver/devtls"
	"github.com/mcpauth/conformance/suite/framework"

	// The areas: each registers its specs at package level.
	_ "github.com/mcpauth/conformance/suite/consent"
	_ "github.com/mcpauth/conformance/suite/errors"
	_ "github.com/mcpauth/conformance/suite/metadata"
	_ "github.com/mcpauth/conformance/suite/pkce"
	_ "github.com/mcpauth/conformance/suite/protectedresource"
	_ "github.com/mcpauth/conformance/suite/registration"
	_ "github.com/mcpauth/conformance/suite/resource"
	_ "github.com/mcpauth/conformance/suite/security"
	_ "github.com/mcpauth/conformance/suite/tokens"
)

var (
	flags = framework.RegisterFlags(flag.CommandLine)
	cfg   *framework.Config
	// embedded is the reference server process 1 starts when there is no --target.
	embedded *refserver.Instance
	// exitCode is what the run's verdicts call for (README, "Exit codes"),
	// set by the process that writes the reports; -1 when it is not that one.
	exitCode = -1
	// result is the run's report, kept by the process that wrote it so
	// that the run ends with its summary.
	result *framework.Report
)

// TestMain exits with the code the verdicts call for: 0 conformant, 1 a FAIL,
// 2 the run could not be carried out, 3 the suite could not judge some specs.
// go test and the ginkgo CLI turn any non-zero code into their own 1.
func TestMain(m *testing.M) {
	code := m.Run()
	if result != nil {
		result.Summary(os.Stdout)
	}
	if exitCode >= 0 && (code == 0 || exitCode != framework.ExitConformant) {
		code = exitCode
	}
	os.Exit(code)
}

func TestConformance(t *testing.T) {
	var err error
	if cfg, err = flags.Load(); err != nil {
		exitCode = framework.ExitAborted
		t.Fatal(err)
	}
	if cfg.List {
		if err := framework.PrintCatalog(os.Stdout); err != nil {
			t.Fatal(err)
		}
		return
	}
	if cfg.ExplainLogin {
		if err := explainLogin(); err != nil {
			exitCode = framework.ExitAborted
			t.Fatal(err)
		}
		exitCode = framework.ExitConformant
		return
	}
	framework.DefineSpecs()
	gomega.RegisterFailHandler(ginkgo.Fail)
	suiteConfig, reporterConfig := ginkgo.GinkgoConfiguration()
	if !isTerminal(os.Stdout) {
		// No colour codes in a CI log or a file.
		reporterConfig.NoColor = true
	}
	ginkgo.RunSpecs(t, "MCP OAuth conformance", suiteConfig, reporterConfig)
}

func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// explainLogin runs --explain-login against the target (or a bundled
// reference server started for it) instead of the specs.
func explainLogin() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	issuer := cfg.Target
	switch {
	case issuer == "" && cfg.MCPServer != "":
		pr, err := framework.DiscoverProtectedResource(ctx, cfg, cfg.MCPServer)
		if err != nil {
			return err
		}
		issuer = pr.AuthorizationServers[0]
		if cfg.Resource == "" {
			cfg.Resource = pr.Resource
		}
	case issuer == "":
		inst, err := refserver.Start(refserver.Config{Addr: "127.0.0.1:0", IssuerPath: "/as"})
		if err != nil {
			return err
		}
		defer inst.Close()
		issuer = inst.Issuer
		cfg.SetEmbeddedCA(inst.CACertPEM)
		if cfg.Resource == "" {
			cfg.Resource = inst.Origin + "/mcp"
		}
	}
	if err := framework.Setup(cfg, issuer); err != nil {
		return err
	}
	defer framework.Teardown()
	return framework.ExplainLogin(ctx, os.Stdout)
}

// handoff is what process 1 tells the others about the target.
type handoff struct {
	Issuer   string `json:"issuer"`
	CAPEM    []byte `json:"ca_pem,omitempty"`
	Resource string `json:"resource,omitempty"`
	// Resource2 is a second resource the server knows (RFC 8707 specs).
	Resource2 string `json:"resource2,omitempty"`
	// MCPServer is the MCP endpoint of the embedded reference server, whose
	// protected-resource side the suite then tests as well.
	MCPServer string `json:"mcp_server,omitempty"`
	// CIMDCert and CIMDKey are the certificate the suite serves its client
	// metadata documents with; the embedded server trusts its CA and may
	// fetch from 127.0.0.1.
	CIMDCert []byte `json:"cimd_cert,omitempty"`
	CIMDKey  []byte `json:"cimd_key,omitempty"`
}

var _ = ginkgo.SynchronizedBeforeSuite(func(ctx ginkgo.SpecContext) []byte {
	h := handoff{Issuer: cfg.Target}
	switch {
	case cfg.MCPServer != "":
		// Start where an MCP client starts: the MCP server names its
		// authorization server and its resource identifier (RFC 9728).
		pr, err := framework.DiscoverProtectedResource(ctx, cfg, cfg.MCPServer)
		if err != nil && cfg.Target != "" {
			// The authorization server is known: test it, and let the
			// protected-resource specs report what is wrong with the MCP
			// server (a finding, not a reason to stop).
			ginkgo.GinkgoWriter.Printf("the MCP server %s could not be read (%v); testing the authorization server %s\n", cfg.MCPServer, err, cfg.Target)
			break
		}
		gomega.Expect(err).NotTo(gomega.HaveOccurred(), "the MCP server's authorization server could not be discovered")
		if h.Issuer == "" {
			h.Issuer = pr.AuthorizationServers[0]
		}
		h.Resource = pr.Resource
		ginkgo.GinkgoWriter.Printf("%s names authorization server %s and resource %s (%s)\n", cfg.MCPServer, pr.AuthorizationServers[0], pr.Resource, pr.MetadataURL)
	case cfg.Target == "":
		cimdCA, err := devtls.New()
		gomega.Expect(err).NotTo(gomega.HaveOccurred(), "the certificate for the suite's client metadata documents could not be made")
		embedded, err = refserver.Start(refserver.Config{Addr: "127.0.0.1:0", IssuerPath: "/as", Options: refserver.Options{
			Registration: refserver.RegistrationOptions{CIMDRootCAs: cimdCA.CACertPEM, CIMDAllowedHosts: []string{"127.0.0.1"}}}})
		gomega.Expect(err).NotTo(gomega.HaveOccurred(), "the bundled reference server did not start")
		h = handoff{Issuer: embedded.Issuer, CAPEM: embedded.CACertPEM, Resource: embedded.Origin + "/mcp", Resource2: embedded.Origin + "/other/mcp", MCPServer: embedded.Origin + "/mcp"}
		h.CIMDCert, h.CIMDKey, err = cimdCA.LeafPEM()
		gomega.Expect(err).NotTo(gomega.HaveOccurred())
	}
	b, err := json.Marshal(h)
	gomega.Expect(err).NotTo(gomega.HaveOccurred())
	return b
}, func(b []byte) {
	var h handoff
	gomega.Expect(json.Unmarshal(b, &h)).To(gomega.Succeed())
	if len(h.CAPEM) > 0 {
		cfg.SetEmbeddedCA(h.CAPEM)
	}
	if cfg.Resource == "" {
		cfg.Resource = h.Resource
	}
	if cfg.SecondResource == "" {
		cfg.SecondResource = h.Resource2
	}
	if cfg.MCPServer == "" {
		cfg.MCPServer = h.MCPServer
	}
	if len(h.CIMDCert) > 0 {
		cfg.SetCIMDCertificate(h.CIMDCert, h.CIMDKey)
	}
	// A setup failure is kept by the framework: every spec then SKIPs with it.
	_ = framework.Setup(cfg, h.Issuer)
	// With no way to get a client (no DCR, no CIMD, nothing configured) the
	// run stops with one message that says how to configure one, instead of
	// a SKIP for every spec that needs a client.
	if ginkgo.GinkgoParallelProcess() == 1 {
		if msg := framework.ClientPathProblem(context.Background()); msg != "" {
			ginkgo.AbortSuite(msg)
		}
	}
})

var _ = ginkgo.SynchronizedAfterSuite(framework.Teardown, func() {
	if embedded != nil {
		_ = embedded.Close()
	}
})

var _ = ginkgo.ReportAfterSuite("conformance reports", func(r ginkgo.Report) {
	framework.EnsureDiscovery(cfg.Timeout)
	target := cfg.Target
	switch {
	case embedded != nil:
		target = "bundled reference server"
	case cfg.MCPServer != "" && target == "":
		target = "the authorization server of " + cfg.MCPServer
	}
	result = framework.ReportAfterSuite(r, cfg, target)
	exitCode = result.ExitCode()
	if r.SuiteConfig.ParallelTotal > 1 {
		// Under ginkgo -p the CLI shows only what the processes report to
		// it, which includes what a node prints; TestMain's output after
		// the specs would be lost.
		result.Summary(os.Stdout)
		result = nil
	}
})
