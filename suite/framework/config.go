package framework

import (
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/mcpauth/conformance/suite/catalog"
)

// MCP specification versions the suite knows. The profile changes some verdicts
// (for example, 2025-06-18 requires RFC 8414 where later versions also accept
// OpenID Connect Discovery).
const (
	MCP20250326 = "2025-03-26"
	MCP20250618 = "2025-06-18"
	MCP20251125 = "2025-11-25"
	MCP20260728 = "2026-07-28"
)

// MCPVersions lists the profiles --mcp-version accepts, oldest first.
var MCPVersions = []string{MCP20250326, MCP20250618, MCP20251125, MCP20260728}

// EnvPrefix prefixes the environment variable of every setting: --target is
// MCP_CONFORMANCE_TARGET, --client-id is MCP_CONFORMANCE_CLIENT_ID.
const EnvPrefix = "MCP_CONFORMANCE_"

// Config is everything a run is told: which server to test and how to reach
// it. It is read from a YAML file, then environment variables, then flags; a
// later source overrides an earlier one.
type Config struct {
	// Target is the issuer identifier of the authorization server under test.
	// Empty means: start the bundled reference server and test it.
	Target string `yaml:"target"`
	// MCPServer is the URL of an MCP server; the suite discovers its
	// authorization server through RFC 9728.
	MCPServer string `yaml:"mcp_server"`
	// Resource is the resource indicator (RFC 8707) sent in every flow.
	Resource string `yaml:"resource"`
	// SecondResource is another resource the authorization server knows
	// (RFC 8707), for the specs that ask for a resource the user did not
	// authorize or for two at once. Empty: those specs SKIP.
	SecondResource string `yaml:"second_resource"`
	// Scope is the scope requested in ordinary flows (space-separated).
	Scope string `yaml:"scope"`
	// MCPVersion selects the MCP profile.
	MCPVersion string `yaml:"mcp_version"`
	// Strict makes SHOULD violations (WARN) fail the run.
	Strict bool `yaml:"strict"`
	// Baseline is a file of expected failures, one requirement ID a line.
	Baseline string `yaml:"baseline"`
	// ExpectedFailures are requirement IDs known to fail (merged with Baseline).
	ExpectedFailures []string `yaml:"expected_failures"`
	// Browser is the Chrome or Chromium executable.
	Browser string `yaml:"browser"`
	// CAFile is a PEM file of extra trusted CA certificates.
	CAFile string `yaml:"ca_file"`
	// AllowInsecureLocalhost lets a loopback http:// target be tested; TLS
	// requirements then give labelled WARNs instead of FAILs.
	AllowInsecureLocalhost bool `yaml:"allow_insecure_localhost"`
	// ReportDir is where junit.xml, conformance.json and conformance.md go.
	ReportDir string `yaml:"report_dir"`
	// Timeout bounds every HTTP request and every browser action.
	Timeout time.Duration `yaml:"timeout"`
	// Settle is how long a page must stay unchanged before the suite decides
	// that the authorization server will not redirect (NO-REDIRECT).
	Settle time.Duration `yaml:"settle"`
	// RevocationWait is how long the token lifecycle specs keep checking
	// that a revocation (or the revocation a code replay calls for) has taken
	// effect before they judge it missing: a server may propagate it late
	// (requirements §1.4 rule 5).
	RevocationWait time.Duration `yaml:"revocation_wait"`
	// ClockSkew is how long after its expiry an access token may still be
	// accepted before the expiry check fails (requirements §11).
	ClockSkew time.Duration `yaml:"clock_skew"`
	// CodeLifetimeWait and RefreshReuseWait are the two waits, as
	// "d1,d2", of the slow code-lifetime and refresh-reuse checks.
	CodeLifetimeWait string `yaml:"code_lifetime_wait"`
	RefreshReuseWait string `yaml:"refresh_reuse_wait"`
	// ExtraErrorCodes are error codes to accept as registered in addition to
	// RFC 6749 and the IANA "OAuth Extensions Error" registry (for example a
	// code from a profile the server implements).
	ExtraErrorCodes []string `yaml:"extra_error_codes"`
	// Clients are pre-registered clients, for servers without DCR.
	Clients ClientsConfig `yaml:"clients"`
	// Login automates the login and consent pages.
	Login LoginConfig `yaml:"login"`
	// RegistrationSettings are the initial access token and the client
	// metadata document listener (registration_config.go).
	RegistrationSettings `yaml:",inline"`
	// BrowserOnly drives every authorization flow in the browser, never
	// through the HTTP form agent (slower; for servers whose pages the agent
	// misreads).
	BrowserOnly bool `yaml:"browser_only"`
	// ExplainLogin runs one authorization request through the login tasks
	// and reports every step with a screenshot, instead of testing.
	ExplainLogin bool `yaml:"-"`
	// List prints the catalog instead of testing.
	List bool `yaml:"-"`
	// ConfigFile is the YAML file the rest was read from, if any.
	ConfigFile string `yaml:"-"`

	// caPEM holds the CA of an embedded reference server; set by the suite.
	caPEM []byte
}

// ClientsConfig holds pre-registered clients.
type ClientsConfig struct {
	Public       *ClientConfig `yaml:"public"`
	Confidential *ClientConfig `yaml:"confidential"`
}

// ClientConfig is one pre-registered client.
type ClientConfig struct {
	ClientID     string `yaml:"client_id"`
	ClientSecret string `yaml:"client_secret"`
	// AuthMethod is client_secret_basic, client_secret_post or none.
	AuthMethod string `yaml:"auth_method"`
	// RedirectURI must be registered for the client; a loopback http URI lets
	// the suite receive the redirect itself.
	RedirectURI string `yaml:"redirect_uri"`
}

// LoginConfig tells the browser how to get through the server's pages.
type LoginConfig struct {
	Username string `yaml:"username"`
	Password string `yaml:"password"`
	// Tasks replace the built-in profile for the reference server. The first
	// task whose URL pattern and selector both match the page runs.
	Tasks []Task `yaml:"tasks"`
}

// Task is one page the browser knows how to handle.
type Task struct {
	Name string `yaml:"name"`
	// URL is a regular expression the page URL must match (empty: any).
	URL string `yaml:"url"`
	// Selector is a CSS selector that must be present on the page.
	Selector string `yaml:"selector"`
	// Consent marks the page where the user approves or denies.
	Consent bool `yaml:"consent"`
	// Steps approve (or, for a login page, just log in).
	Steps []Step `yaml:"steps"`
	// DenySteps decline, on a consent page.
	DenySteps []Step `yaml:"deny_steps"`
}

// Step is one command on a page: fill a field, select an option, click an
// element, wait for an element or a URL, or wait a while.
type Step struct {
	// Action is fill, select, click, wait_for, wait_url or wait.
	Action string `yaml:"action"`
	// Selector is the CSS selector of the element (fill, select, click,
	// wait_for).
	Selector string `yaml:"selector"`
	// Value for fill and select; ${username}, ${password} and ${env:NAME}
	// are replaced, and what they stand for never appears in a report.
	Value string `yaml:"value"`
	// URL is the regular expression wait_url waits for the page URL to match.
	URL string `yaml:"url"`
	// Duration is how long wait waits.
	Duration time.Duration `yaml:"duration"`
	// Timeout bounds the step (default: --timeout).
	Timeout time.Duration `yaml:"timeout"`
}

// stepActions are the actions a step may have; the form agent runs the
// first three on a page's HTML, the others need the browser.
var stepActions = []string{"fill", "select", "click", "wait_for", "wait_url", "wait"}

// describe names the step in messages.
func (s Step) describe() string {
	switch s.Action {
	case "wait_url":
		return fmt.Sprintf("wait_url %q", s.URL)
	case "wait":
		return fmt.Sprintf("wait %s", s.Duration)
	}
	return s.Action + " " + s.Selector
}

// validate returns what is wrong with the step ("" if nothing).
func (s Step) validate() string {
	switch {
	case !slices.Contains(stepActions, s.Action):
		return fmt.Sprintf("action %q is not one of %s", s.Action, strings.Join(stepActions, ", "))
	case s.Action == "wait_url" && s.URL == "":
		return "wait_url needs url (a regular expression)"
	case s.Action == "wait_url":
		if _, err := regexp.Compile(s.URL); err != nil {
			return fmt.Sprintf("url %q is not a regular expression: %v", s.URL, err)
		}
	case s.Action == "wait" && (s.Duration <= 0 || s.Duration > time.Minute):
		return "wait needs a duration between 1ms and 1m, such as 2s"
	case s.Action != "wait" && s.Selector == "":
		return "selector is empty"
	case s.Timeout < 0 || s.Timeout > 5*time.Minute:
		return fmt.Sprintf("timeout %s is out of range (at most 5m)", s.Timeout)
	}
	return ""
}

// DefaultLogin is the built-in profile for the bundled reference server.
func DefaultLogin() LoginConfig {
	return LoginConfig{
		Username: "alice",
		Password: "wonderland",
		Tasks: []Task{
			{Name: "login", Selector: "form#login-form", Steps: []Step{
				{Action: "fill", Selector: "#username", Value: "${username}"},
				{Action: "fill", Selector: "#password", Value: "${password}"},
				{Action: "click", Selector: "#login"},
			}},
			{Name: "consent", Selector: "form#consent-form", Consent: true,
				Steps:     []Step{{Action: "click", Selector: "#approve"}},
				DenySteps: []Step{{Action: "click", Selector: "#deny"}}},
		},
	}
}

func defaultConfig() Config {
	return Config{
		MCPVersion:       MCP20260728,
		ReportDir:        "reports",
		Timeout:          10 * time.Second,
		Settle:           400 * time.Millisecond,
		RevocationWait:   10 * time.Second,
		ClockSkew:        60 * time.Second,
		CodeLifetimeWait: defaultCodeLifetimeWaits,
		RefreshReuseWait: defaultRefreshReuseWaits,
		Scope:            "",
		Login:            DefaultLogin(),
	}
}

// flagSpec ties a flag to its Config field, so that flags, environment
// variables and the table in the README come from one list.
type flagSpec struct {
	name    string
	usage   string
	set     func(c *Config, v string) error
	boolean bool
}

var flagSpecs = []flagSpec{
	{name: "target", usage: "issuer URL of the authorization server under test (empty: the bundled reference server)", set: setString(func(c *Config) *string { return &c.Target })},
	{name: "mcp-server", usage: "MCP server URL; its authorization server is discovered through RFC 9728", set: setString(func(c *Config) *string { return &c.MCPServer })},
	{name: "config", usage: "YAML configuration file (clients, login automation, resource, scope, expected failures)", set: setString(func(c *Config) *string { return &c.ConfigFile })},
	{name: "client-id", usage: "client_id of a pre-registered client (for servers without dynamic registration)", set: func(c *Config, v string) error { c.preregistered().ClientID = v; return nil }},
	{name: "client-secret", usage: "client secret of the pre-registered client (makes it confidential)", set: func(c *Config, v string) error { c.preregistered().ClientSecret = v; return nil }},
	{name: "resource", usage: "resource indicator (RFC 8707) sent in every flow: the MCP server's canonical URI", set: setString(func(c *Config) *string { return &c.Resource })},
	{name: "second-resource", usage: "a second resource indicator the authorization server knows (for example another MCP server's URI), for the resource-indicator specs that need two", set: setString(func(c *Config) *string { return &c.SecondResource })},
	{name: "scope", usage: "scope requested in ordinary flows", set: setString(func(c *Config) *string { return &c.Scope })},
	{name: "mcp-version", usage: "MCP profile: " + strings.Join(MCPVersions, ", "), set: setString(func(c *Config) *string { return &c.MCPVersion })},
	boolFlag("strict", "fail the run on SHOULD violations (WARN)", func(c *Config) *bool { return &c.Strict }),
	{name: "baseline", usage: "file of expected failures, one requirement ID a line", set: setString(func(c *Config) *string { return &c.Baseline })},
	{name: "browser", usage: "Chrome or Chromium executable", set: setString(func(c *Config) *string { return &c.Browser })},
	{name: "ca-file", usage: "PEM file of CA certificates to trust in addition to the system's", set: setString(func(c *Config) *string { return &c.CAFile })},
	boolFlag("allow-insecure-localhost", "test a loopback http:// server; TLS requirements become labelled WARNs", func(c *Config) *bool { return &c.AllowInsecureLocalhost }),
	{name: "report-dir", usage: "directory for junit.xml, conformance.json and conformance.md", set: setString(func(c *Config) *string { return &c.ReportDir })},
	{name: "timeout", usage: "bound on every HTTP request and browser action", set: setDuration(func(c *Config) *time.Duration { return &c.Timeout })},
	{name: "settle", usage: "how long a page must stay still before the suite decides no redirect follows", set: setDuration(func(c *Config) *time.Duration { return &c.Settle })},
	{name: "revocation-wait", usage: "how long the token lifecycle specs wait for a revocation to take effect before judging it missing", set: setDuration(func(c *Config) *time.Duration { return &c.RevocationWait })},
	{name: "clock-skew", usage: "how long after its expiry an access token may still be accepted (clock skew)", set: setDuration(func(c *Config) *time.Duration { return &c.ClockSkew })},
	{name: "code-lifetime-wait", usage: "the two waits of the slow code-lifetime check (--label-filter=slow), such as 11m,61m", set: setString(func(c *Config) *string { return &c.CodeLifetimeWait })},
	{name: "refresh-reuse-wait", usage: "the two waits before a rotated refresh token that still worked is tried again, such as 65s,305s", set: setString(func(c *Config) *string { return &c.RefreshReuseWait })},
	boolFlag("browser-only", "drive every authorization flow in the browser, never through the HTTP form agent", func(c *Config) *bool { return &c.BrowserOnly }),
	boolFlag("explain-login", "run one authorization request through the login tasks, report every step with a screenshot, and exit", func(c *Config) *bool { return &c.ExplainLogin }),
	boolFlag("list", "print the requirement catalog with spec counts and exit", func(c *Config) *bool { return &c.List }),
}

func boolFlag(name, usage string, field func(*Config) *bool) flagSpec {
	return flagSpec{name: name, usage: usage, set: setBool(field), boolean: true}
}

func setString(field func(*Config) *string) func(*Config, string) error {
	return func(c *Config, v string) error { *field(c) = v; return nil }
}

func setBool(field func(*Config) *bool) func(*Config, string) error {
	return func(c *Config, v string) error {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return fmt.Errorf("%q is not true or false", v)
		}
		*field(c) = b
		return nil
	}
}

func setDuration(field func(*Config) *time.Duration) func(*Config, string) error {
	return func(c *Config, v string) error {
		d, err := time.ParseDuration(v)
		if err != nil {
			return fmt.Errorf("%q is not a duration such as 10s or 500ms", v)
		}
		*field(c) = d
		return nil
	}
}

// preregistered is the client --client-id and --client-secret describe: a
// confidential client when a secret is given, a public one otherwise.
func (c *Config) preregistered() *ClientConfig {
	if c.Clients.Public == nil {
		c.Clients.Public = &ClientConfig{}
	}
	return c.Clients.Public
}

// Flags holds the raw flag values until Load resolves them.
type Flags struct {
	values map[string]*string
	fs     *flag.FlagSet
}

// RegisterFlags defines the suite's flags on fs (flag.CommandLine in the suite).
func RegisterFlags(fs *flag.FlagSet) *Flags {
	f := &Flags{values: map[string]*string{}, fs: fs}
	for _, s := range flagSpecs {
		v := new(string)
		f.values[s.name] = v
		if s.boolean {
			fs.Var(boolString{v}, s.name, s.usage)
			continue
		}
		fs.StringVar(v, s.name, "", s.usage)
	}
	return f
}

// boolString lets a boolean flag be given bare (--strict) and still be told
// apart from "not given".
type boolString struct{ v *string }

func (b boolString) String() string {
	if b.v == nil {
		return ""
	}
	return *b.v
}
func (b boolString) Set(s string) error { *b.v = s; return nil }
func (b boolString) IsBoolFlag() bool   { return true }

// Load resolves the configuration: defaults, then the YAML file, then
// MCP_CONFORMANCE_* environment variables, then flags. It returns every
// problem found, each naming the setting and what to do.
func (f *Flags) Load() (*Config, error) {
	return load(f.given(), os.LookupEnv)
}

func (f *Flags) given() map[string]string {
	given := map[string]string{}
	f.fs.Visit(func(fl *flag.Flag) {
		if v, ok := f.values[fl.Name]; ok {
			given[fl.Name] = *v
		}
	})
	return given
}

func envName(flagName string) string {
	return EnvPrefix + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

func load(flags map[string]string, lookupEnv func(string) (string, bool)) (*Config, error) {
	cfg := defaultConfig()
	var errs []error

	path := flags["config"]
	if path == "" {
		path, _ = lookupEnv(envName("config"))
	}
	if path != "" {
		if err := cfg.readYAML(path); err != nil {
			errs = append(errs, err)
		}
		cfg.ConfigFile = path
	}
	for _, s := range flagSpecs {
		if s.name == "config" {
			continue
		}
		if v, ok := lookupEnv(envName(s.name)); ok && v != "" {
			if err := s.set(&cfg, v); err != nil {
				errs = append(errs, fmt.Errorf("environment variable %s: %w", envName(s.name), err))
			}
		}
	}
	for _, s := range flagSpecs {
		if v, ok := flags[s.name]; ok && s.name != "config" {
			if err := s.set(&cfg, v); err != nil {
				errs = append(errs, fmt.Errorf("flag --%s: %w", s.name, err))
			}
		}
	}
	if pc := cfg.Clients.Public; pc != nil && pc.ClientSecret != "" && cfg.Clients.Confidential == nil {
		// --client-secret turns the pre-registered client into a confidential one.
		cfg.Clients.Confidential, cfg.Clients.Public = pc, nil
	}
	if len(errs) == 0 {
		errs = append(errs, cfg.validate()...)
	}
	cfg.ReportDir = resolveReportDir(cfg.ReportDir)
	if len(errs) > 0 {
		return nil, fmt.Errorf("the suite's configuration has %d problem(s):\n  - %w", len(errs), joinLines(errs))
	}
	return &cfg, nil
}

func joinLines(errs []error) error {
	msgs := make([]string, len(errs))
	for i, e := range errs {
		msgs[i] = e.Error()
	}
	return errors.New(strings.Join(msgs, "\n  - "))
}

func (c *Config) readYAML(path string) error {
	raw, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("config file %s cannot be read: %w; give an existing file with --config", path, err)
	}
	dec := yaml.NewDecoder(strings.NewReader(string(raw)))
	dec.KnownFields(true)
	if err := dec.Decode(c); err != nil {
		return fmt.Errorf("config file %s: %w (the README lists the accepted keys)", path, err)
	}
	return nil
}

func (c *Config) validate() []error {
	var errs []error
	add := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }

	if c.Target != "" {
		if err := validateIssuerInput(c.Target); err != nil {
			add("target: %v", err)
		}
	}
	if c.MCPServer != "" {
		if u, err := url.Parse(c.MCPServer); err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
			add("mcp-server: %q is not an absolute http(s) URL; give the MCP endpoint, for example https://mcp.example.com/mcp", c.MCPServer)
		}
	}
	if c.Resource != "" {
		if u, err := url.Parse(c.Resource); err != nil || !u.IsAbs() || u.Fragment != "" {
			add("resource: %q is not an absolute URI without a fragment (RFC 8707 §2)", c.Resource)
		}
	}
	if c.SecondResource != "" {
		if u, err := url.Parse(c.SecondResource); err != nil || !u.IsAbs() || u.Fragment != "" {
			add("second-resource: %q is not an absolute URI without a fragment (RFC 8707 §2)", c.SecondResource)
		} else if c.SecondResource == c.Resource {
			add("second-resource: %q is the same as resource; give another resource the server knows", c.SecondResource)
		}
	}
	if !slices.Contains(MCPVersions, c.MCPVersion) {
		add("mcp-version: %q is not one of %s", c.MCPVersion, strings.Join(MCPVersions, ", "))
	}
	if c.Timeout <= 0 || c.Timeout > 5*time.Minute {
		add("timeout: %s is out of range; give a duration between 1ms and 5m, such as 10s", c.Timeout)
	}
	if c.Settle < 0 || c.Settle > time.Minute {
		add("settle: %s is out of range; give a duration between 0 and 1m, such as 400ms", c.Settle)
	}
	if c.RevocationWait < 0 || c.RevocationWait > 10*time.Minute {
		add("revocation-wait: %s is out of range; give a duration between 0 and 10m, such as 10s", c.RevocationWait)
	}
	if c.ClockSkew < 0 || c.ClockSkew > 10*time.Minute {
		add("clock-skew: %s is out of range; give a duration between 0 and 10m, such as 60s", c.ClockSkew)
	}
	if _, _, err := twoWaits(c.CodeLifetimeWait); err != nil {
		add("code-lifetime-wait: %v", err)
	}
	if _, _, err := twoWaits(c.RefreshReuseWait); err != nil {
		add("refresh-reuse-wait: %v", err)
	}
	for _, p := range c.RegistrationSettings.validate() {
		add("%s", p)
	}
	if c.ReportDir == "" {
		add("report-dir: empty; give a directory, such as reports")
	}
	if c.CAFile != "" {
		if raw, err := os.ReadFile(c.CAFile); err != nil {
			add("ca-file: %v", err)
		} else if !x509.NewCertPool().AppendCertsFromPEM(raw) {
			add("ca-file: %s holds no PEM certificate", c.CAFile)
		}
	}
	if c.Baseline != "" {
		ids, err := readBaseline(c.Baseline)
		if err != nil {
			add("baseline: %v", err)
		}
		c.ExpectedFailures = append(c.ExpectedFailures, ids...)
	}
	for _, id := range c.ExpectedFailures {
		if _, ok := catalog.Lookup(id); !ok {
			add("expected failures: %q is not a requirement ID of the catalog (see --list)", id)
		}
	}
	for _, code := range c.ExtraErrorCodes {
		if code == "" || strings.ContainsFunc(code, func(r rune) bool { return r < 0x20 || r > 0x7e || r == '"' || r == '\\' }) {
			add("extra_error_codes: %q is not an error code (printable ASCII without quote or backslash, RFC 6749 §5.2)", code)
		}
	}
	for name, cl := range map[string]*ClientConfig{"clients.public": c.Clients.Public, "clients.confidential": c.Clients.Confidential} {
		if cl == nil {
			continue
		}
		if cl.ClientID == "" {
			add("%s: client_id is empty", name)
		}
		switch cl.AuthMethod {
		case "", "none", "client_secret_basic", "client_secret_post":
		default:
			add("%s: auth_method %q is not none, client_secret_basic or client_secret_post", name, cl.AuthMethod)
		}
		if cl.RedirectURI != "" {
			if u, err := url.Parse(cl.RedirectURI); err != nil || !u.IsAbs() {
				add("%s: redirect_uri %q is not an absolute URI", name, cl.RedirectURI)
			}
		}
	}
	for i, t := range c.Login.Tasks {
		if t.URL == "" && t.Selector == "" {
			add("login.tasks[%d] (%s): give a url pattern or a selector, or the task matches every page", i, t.Name)
		}
		if t.URL != "" {
			if _, err := regexp.Compile(t.URL); err != nil {
				add("login.tasks[%d] (%s): url %q is not a regular expression: %v", i, t.Name, t.URL, err)
			}
		}
		for j, s := range append(slices.Clone(t.Steps), t.DenySteps...) {
			if problem := s.validate(); problem != "" {
				add("login.tasks[%d] (%s), step %d: %s", i, t.Name, j+1, problem)
			}
		}
	}
	return errs
}

// validateIssuerInput checks the --target value. It is deliberately lenient
// about what RFC 8414 §2 forbids (http, query, fragment): those are findings
// the specs report (as WARNs on loopback with --allow-insecure-localhost),
// not reasons to refuse to run.
func validateIssuerInput(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("%q is not a URL: %v", raw, err)
	}
	if u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return fmt.Errorf("%q is not an absolute http(s) URL; give the issuer identifier, for example https://as.example.com", raw)
	}
	return nil
}

// IsLoopback reports whether host names this machine (127.0.0.0/8, ::1, localhost).
func IsLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}

func readBaseline(path string) ([]string, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%s cannot be read: %w", path, err)
	}
	var ids []string
	for _, line := range strings.Split(string(raw), "\n") {
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		if line = strings.TrimSpace(line); line != "" {
			ids = append(ids, line)
		}
	}
	return ids, nil
}

// resolveReportDir makes a relative report directory relative to the
// project root (the directory of go.mod above the working directory): Go runs
// a test binary in its package directory, and reports belong in reports/ at
// the root whichever way the suite was started.
func resolveReportDir(dir string) string {
	if dir == "" || filepath.IsAbs(dir) {
		return dir
	}
	wd, err := os.Getwd()
	if err != nil {
		return dir
	}
	for d := wd; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return filepath.Join(d, dir)
		}
		if filepath.Dir(d) == d {
			return filepath.Join(wd, dir)
		}
	}
}

// SetEmbeddedCA makes the run trust the CA of an embedded reference server.
func (c *Config) SetEmbeddedCA(pem []byte) { c.caPEM = pem }

// Expected reports whether id is listed as an expected failure.
func (c *Config) Expected(id string) bool { return slices.Contains(c.ExpectedFailures, id) }
