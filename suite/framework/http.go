package framework

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/go-resty/resty/v2"
)

// MaxBodyBytes caps every response body the suite reads, so that a hostile or
// broken target cannot exhaust memory.
const MaxBodyBytes = 1 << 20

// evidenceBodyBytes is how much of a body a report shows.
const evidenceBodyBytes = 4 << 10

// Request is one HTTP request a spec sends. Form, when set, is the
// application/x-www-form-urlencoded body; url.Values keeps repeated keys, so a
// spec can send a duplicated parameter on purpose.
type Request struct {
	Method string
	URL    string
	Header http.Header
	Form   url.Values
	// Body is sent as is when Form is nil.
	Body []byte
	// BasicAuth, when set, is sent as HTTP Basic client authentication.
	BasicAuth *Credentials
}

// Credentials are a client's id and secret.
type Credentials struct{ ID, Secret string }

// BasicAuthorization encodes credentials as RFC 6749 §2.3.1 asks: each part
// form-urlencoded first, then joined by a colon and base64-encoded.
func BasicAuthorization(id, secret string) string {
	raw := url.QueryEscape(id) + ":" + url.QueryEscape(secret)
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(raw))
}

// Exchange is one request and what came back. Err is set when no response
// arrived (connection refused, timeout, TLS failure, body too large).
type Exchange struct {
	Method         string
	URL            string
	RequestHeader  http.Header
	RequestBody    []byte
	Status         int
	ResponseHeader http.Header
	Body           []byte
	Err            error
	Duration       time.Duration
}

// MediaType is the response Content-Type without parameters, lower case.
func (e *Exchange) MediaType() string {
	if e == nil || e.ResponseHeader == nil {
		return ""
	}
	mt, _, err := mime.ParseMediaType(e.ResponseHeader.Get("Content-Type"))
	if err != nil {
		return strings.ToLower(strings.TrimSpace(e.ResponseHeader.Get("Content-Type")))
	}
	return mt
}

// JSONObject parses the body as one JSON object. Numbers stay json.Number so
// that a spec can tell 3600 from "3600".
func (e *Exchange) JSONObject() (map[string]any, error) {
	if e.Err != nil {
		return nil, e.Err
	}
	return ParseJSONObject(e.Body)
}

// ParseJSONObject parses body as exactly one JSON object, keeping numbers as
// json.Number. Its errors say what the body starts with.
func ParseJSONObject(body []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("the body is not JSON (%v); it starts with %q", err, Snippet(body, 80))
	}
	if dec.More() {
		return nil, fmt.Errorf("the body holds more than one JSON value; it starts with %q", Snippet(body, 80))
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("the body is JSON but not an object; it starts with %q", Snippet(body, 80))
	}
	return obj, nil
}

// Summary says in one line what came back, for failure messages.
func (e *Exchange) Summary() string {
	if e == nil {
		return "no request was sent"
	}
	if e.Err != nil {
		return fmt.Sprintf("%s %s failed: %v", e.Method, e.URL, e.Err)
	}
	ct := e.ResponseHeader.Get("Content-Type")
	if ct == "" {
		ct = "no Content-Type"
	}
	return fmt.Sprintf("%s %s answered %d (%s) with %q", e.Method, e.URL, e.Status, ct, Snippet(e.Body, 120))
}

// snippetLookahead is how far past a snippet's end redaction looks for the
// end of a credential that starts inside it.
const snippetLookahead = 8 << 10

// Snippet returns the start of b as text, for messages, with credentials
// masked.
func Snippet(b []byte, n int) string {
	// Redacted before it is cut: a credential cut in half no longer looks
	// like one, and its first half would be shown. What lies far past the
	// cut cannot reach the snippet, so a huge body is not scanned whole.
	if len(b) > n+snippetLookahead {
		b = b[:n+snippetLookahead]
	}
	s := Redact(strings.ToValidUTF8(string(b), "?"))
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

// String renders the exchange as evidence: request line, headers, bodies.
func (e *Exchange) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "> %s %s\n", e.Method, e.URL)
	writeHeaders(&b, "> ", e.RequestHeader)
	if len(e.RequestBody) > 0 {
		fmt.Fprintf(&b, ">\n> %s\n", Snippet(e.RequestBody, evidenceBodyBytes))
	}
	if e.Err != nil {
		fmt.Fprintf(&b, "< (no response: %v)\n", e.Err)
		return b.String()
	}
	fmt.Fprintf(&b, "< %d %s (%s)\n", e.Status, http.StatusText(e.Status), e.Duration.Round(time.Millisecond))
	writeHeaders(&b, "< ", e.ResponseHeader)
	if len(e.Body) > 0 {
		fmt.Fprintf(&b, "<\n< %s\n", Snippet(e.Body, evidenceBodyBytes))
	}
	return b.String()
}

func writeHeaders(b *strings.Builder, prefix string, h http.Header) {
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		for _, v := range h[k] {
			if strings.EqualFold(k, "Authorization") {
				v = redact(v)
			}
			fmt.Fprintf(b, "%s%s: %s\n", prefix, k, v)
		}
	}
}

// redact keeps the scheme of an Authorization header and hides the credential.
func redact(v string) string {
	if scheme, _, ok := strings.Cut(v, " "); ok {
		return scheme + " [redacted]"
	}
	return "[redacted]"
}

// Recorder keeps the exchanges of one spec, for its report.
type Recorder struct {
	mu        sync.Mutex
	exchanges []*Exchange
}

func (r *Recorder) add(e *Exchange) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.exchanges = append(r.exchanges, e)
}

// Exchanges returns what was recorded, oldest first.
func (r *Recorder) Exchanges() []*Exchange {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]*Exchange(nil), r.exchanges...)
}

// HTTPClient sends the suite's requests: no automatic redirects (each hop is
// an observation), a per-request timeout, a cap on body size, and a recorder.
type HTTPClient struct {
	rc      *resty.Client
	rec     *Recorder
	timeout time.Duration
}

// Transport builds the one HTTP transport of a run: system roots plus the
// configured CA file and the embedded server's CA. TLS verification is never
// switched off.
func (c *Config) Transport() (*http.Transport, error) {
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	if c.CAFile != "" {
		pem, err := os.ReadFile(c.CAFile)
		if err != nil {
			return nil, fmt.Errorf("ca-file: %w", err)
		}
		pool.AppendCertsFromPEM(pem)
	}
	if len(c.caPEM) > 0 {
		pool.AppendCertsFromPEM(c.caPEM)
	}
	return &http.Transport{
		Proxy:                 nil, // the suite talks to the target directly
		TLSClientConfig:       &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12},
		TLSHandshakeTimeout:   c.Timeout,
		ResponseHeaderTimeout: c.Timeout,
		MaxIdleConnsPerHost:   8,
		IdleConnTimeout:       30 * time.Second,
		ForceAttemptHTTP2:     true,
	}, nil
}

// NewHTTPClient returns a client over transport that records into rec.
func NewHTTPClient(transport http.RoundTripper, timeout time.Duration, rec *Recorder) *HTTPClient {
	hc := &http.Client{
		Transport: transport,
		// Redirects are observations, never followed silently (requirements §1.4 rule 8).
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Timeout:       timeout,
	}
	rc := resty.NewWithClient(hc).
		SetResponseBodyLimit(MaxBodyBytes).
		SetHeader("User-Agent", "mcp-oauth-conformance")
	return &HTTPClient{rc: rc, rec: rec, timeout: timeout}
}

// Get sends a GET with the given headers.
func (c *HTTPClient) Get(ctx context.Context, rawURL string, header http.Header) *Exchange {
	return c.Send(ctx, Request{Method: http.MethodGet, URL: rawURL, Header: header})
}

// PostForm sends a form-encoded POST.
func (c *HTTPClient) PostForm(ctx context.Context, rawURL string, form url.Values, auth *Credentials) *Exchange {
	return c.Send(ctx, Request{Method: http.MethodPost, URL: rawURL, Form: form, BasicAuth: auth})
}

// Send sends req and records the exchange. It never returns nil; a transport
// failure is in Exchange.Err.
func (c *HTTPClient) Send(ctx context.Context, req Request) *Exchange {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()

	r := c.rc.R().SetContext(ctx)
	for k, vs := range req.Header {
		for _, v := range vs {
			r.Header.Add(k, v)
		}
	}
	body := req.Body
	if req.Form != nil {
		body = []byte(req.Form.Encode())
		if r.Header.Get("Content-Type") == "" {
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
	}
	if body != nil {
		r.SetBody(body)
	}
	if req.BasicAuth != nil {
		r.Header.Set("Authorization", BasicAuthorization(req.BasicAuth.ID, req.BasicAuth.Secret))
	}
	method := req.Method
	if method == "" {
		method = http.MethodGet
	}
	e := &Exchange{Method: method, URL: req.URL, RequestHeader: r.Header.Clone(), RequestBody: body}
	start := time.Now()
	resp, err := r.Execute(method, req.URL)
	e.Duration = time.Since(start)
	switch {
	case errors.Is(err, resty.ErrResponseBodyTooLarge):
		e.Err = fmt.Errorf("the response body is larger than %d bytes", MaxBodyBytes)
	case err != nil:
		e.Err = describeTransportError(err, c.timeout)
	}
	if resp != nil && resp.RawResponse != nil {
		e.Status = resp.StatusCode()
		e.ResponseHeader = resp.Header()
		e.Body = resp.Body()
	}
	if c.rec != nil {
		c.rec.add(e)
	}
	return e
}

// describeTransportError turns a transport error into a sentence.
func describeTransportError(err error, timeout time.Duration) error {
	var uerr *url.Error
	if errors.As(err, &uerr) && uerr.Timeout() || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("no response within %s (the --timeout): %w", timeout, err)
	}
	return err
}
