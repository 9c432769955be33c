package resource

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"

	"github.com/mcpauth/conformance/suite/framework"
)

// unknownResource is a well-formed resource no server knows: the .invalid
// top-level domain is reserved (RFC 2606 §2).
const unknownResource = "https://unknown.invalid/mcp"

// flowResult is one authorization request and, when it gave a code, the token
// request that redeemed it.
type flowResult struct {
	// Authz is where the authorization request ended.
	Authz *framework.AuthorizationResponse
	// Token is the token response (nil when there was no code).
	Token *framework.Exchange
	// Tokens is the parsed success response (nil unless tokens were issued).
	Tokens *framework.TokenResponse
}

// describe says in a few words how the flow ended, for messages.
func (f flowResult) describe() string {
	switch {
	case f.Tokens != nil:
		return fmt.Sprintf("tokens were issued (%s)", observe(f.Tokens.AccessToken).describe())
	case f.Token != nil:
		return "the code was issued but the token request " + tokenOutcome(f.Token)
	}
	return "the authorization request ended in " + f.Authz.Describe()
}

// withResources sets the resource parameter of a request to values; nil
// leaves it out. url.Values keeps repeated values (RFC 8707 §2 lets resource
// repeat).
func withResources(v url.Values, values []string) url.Values {
	if values == nil {
		v.Del("resource")
	} else {
		v["resource"] = slices.Clone(values)
	}
	return v
}

// resourceFlow runs STD-AUTHZ for a fresh public client with the resource
// parameter set to authz, and when a code comes back, STD-TOKEN with it set to
// token (nil: no resource parameter).
func resourceFlow(t *framework.T, m *framework.Metadata, authz, token []string) flowResult {
	c := t.PublicClient()
	p := framework.NewPKCE()
	res := t.ApprovedAuthorization(m, withResources(t.AuthorizationParams(c, p), authz))
	f := flowResult{Authz: res}
	if res.Code() == "" {
		return f
	}
	return redeemWith(t, m, c, p, res, token)
}

// redeemWith redeems the code of res with STD-TOKEN, the resource parameter
// set to token (nil: none).
func redeemWith(t *framework.T, m *framework.Metadata, c *framework.Client, p framework.PKCE, res *framework.AuthorizationResponse, token []string) flowResult {
	f := flowResult{Authz: res}
	f.Token = t.TokenRequest(m, c, withResources(t.CodeRedemption(c, res.Code(), p), token))
	f.Tokens, _ = framework.ParseTokenResponse(f.Token)
	return f
}

// tokenOutcome says how a token request ended.
func tokenOutcome(e *framework.Exchange) string {
	if _, err := framework.ParseTokenResponse(e); err == nil {
		return fmt.Sprintf("got tokens (status %d)", e.Status)
	}
	if oe, err := framework.ParseOAuthError(e); err == nil {
		return fmt.Sprintf("was refused with error %q (status %d)", oe.Code, oe.Status)
	}
	return "failed: " + e.Summary()
}

// tokenError is the error code of a refused token request ("" if the answer
// is not an OAuth error).
func tokenError(e *framework.Exchange) string {
	if oe, err := framework.ParseOAuthError(e); err == nil {
		return oe.Code
	}
	return ""
}

// authzError is the error code of an authorization error redirect, from the
// query or (wrongly, for response_type=code) the fragment; "" if none.
func authzError(res *framework.AuthorizationResponse) string {
	if e := res.Query.Get("error"); e != "" {
		return e
	}
	return res.Fragment.Get("error")
}

// shared is a flow whose tokens several specs observe without changing
// anything: the first spec of a process to need it runs it (its exchanges are
// that spec's evidence), and the others read the result, so that the
// audience checks cost one browser flow rather than one each. A spec stopped
// inside the flow (SKIP, FAIL) stores nothing, and the next one tries again.
type shared struct {
	mu   sync.Mutex
	done bool
	res  flowResult
}

func (s *shared) get(run func() flowResult) flowResult {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.done {
		s.res = run()
		s.done = true
	}
	return s.res
}

// offer stores a result the caller obtained itself, if none is stored yet.
func (s *shared) offer(f flowResult) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.done {
		s.res, s.done = f, true
	}
}

var (
	// standardFlow: STD-AUTHZ and STD-TOKEN with resource=RES.
	standardFlow shared
	// noResourceFlow: STD-AUTHZ and STD-TOKEN without resource.
	noResourceFlow shared
	// secondFlow: STD-AUTHZ and STD-TOKEN with resource=RES2.
	secondFlow shared
)

// configuredResource is RES, or a SKIP when none is configured.
func configuredResource(t *framework.T) string {
	r := t.Target().Resource
	if r == "" {
		t.Skipf("no resource indicator is configured, so this requirement could not be exercised; give the MCP server's canonical URI with --resource (or start from it with --mcp-server)")
	}
	return r
}

// secondResource is RES2, or a SKIP that says how to configure it.
func secondResource(t *framework.T) string {
	r := t.Config().SecondResource
	if r == "" {
		t.Skipf("this requirement needs a second resource the authorization server knows (RES2), and none is configured; give one with --second-resource (second_resource in the config file), for example the URI of another MCP server that uses this authorization server")
	}
	return r
}

// standardTokens returns the observation of the token of STD-AUTHZ and
// STD-TOKEN with resource=RES, shared by the audience specs. A flow that gave
// no tokens SKIPs: whether the resource is tolerated is judged by
// RFC8707-2-resource-param-tolerated.
func standardTokens(t *framework.T, m *framework.Metadata, res string) observation {
	f := standardFlow.get(func() flowResult { return resourceFlow(t, m, []string{res}, []string{res}) })
	if f.Tokens == nil {
		t.Skipf("precondition not met: STD-AUTHZ and STD-TOKEN with resource=%s gave no access token, so its audience could not be observed: %s (RFC8707-2-resource-param-tolerated judges this)", res, f.describe())
	}
	return observe(f.Tokens.AccessToken)
}

// observation is what AUD-OBSERVE (requirements §1.3) learns from an access
// token. Only the first way is available so far: a JWS is decoded without
// verifying it. Introspection and a resource-server call are not yet
// implemented, so an opaque token leaves the audience unknown.
type observation struct {
	// JWT is the decoded token; nil when the token is not a JWS.
	JWT *framework.JWT
	// Why says why the token could not be decoded.
	Why string
	// Aud is the aud claim as a list (a string claim is one value).
	Aud []string
	// AudErr is framework.ErrNoAudience, or why the aud claim is malformed.
	AudErr error
}

func observe(token string) observation {
	j, err := framework.DecodeJWT(token)
	if err != nil {
		return observation{Why: err.Error()}
	}
	o := observation{JWT: j}
	o.Aud, o.AudErr = j.Audience()
	return o
}

// opaque reports whether the audience cannot be observed.
func (o observation) opaque() bool { return o.JWT == nil }

// skipIfOpaque SKIPs a spec whose requirement needs the audience of an
// opaque token.
func (o observation) skipIfOpaque(t *framework.T, which string) {
	if o.opaque() {
		t.Skipf("the access token %s is not a JWS (%s), and the suite has no other way to observe its audience yet (AUD-OBSERVE: no token introspection or resource-server call is available), so this requirement could not be exercised", which, o.Why)
	}
}

// rfc9068 reports whether the token claims the JWT access token profile:
// typ at+jwt or application/at+jwt (RFC 9068 §2.1; media types are
// case-insensitive).
func (o observation) rfc9068() bool {
	if o.opaque() {
		return false
	}
	typ := strings.ToLower(o.JWT.Type())
	return typ == "at+jwt" || typ == "application/at+jwt"
}

// hasAud reports whether the aud claim contains v exactly.
func (o observation) hasAud(v string) bool { return slices.Contains(o.Aud, v) }

// describe renders the audience for messages.
func (o observation) describe() string {
	switch {
	case o.opaque():
		return "an opaque access token"
	case o.AudErr != nil:
		return o.AudErr.Error()
	case len(o.Aud) == 1:
		return fmt.Sprintf("aud %q", o.Aud[0])
	}
	return fmt.Sprintf("aud %q", o.Aud)
}

// sameAud reports whether two observed audiences are the same set of values.
func sameAud(a, b observation) bool {
	if a.opaque() || b.opaque() || a.AudErr != nil || b.AudErr != nil || len(a.Aud) == 0 || len(b.Aud) == 0 {
		return false // no audience is not an audience two tokens share
	}
	x, y := slices.Clone(a.Aud), slices.Clone(b.Aud)
	slices.Sort(x)
	slices.Sort(y)
	return slices.Equal(slices.Compact(x), slices.Compact(y))
}

// relation is how an audience value relates to the requested resource.
type relation int

const (
	// unrelated: nothing in the value points at the resource (a client_id,
	// an abstract API name, another URI).
	unrelated relation = iota
	// broader: a URI on the resource's host whose path is a prefix of the
	// resource's, such as the origin alone: RFC 8707 §2 lets the server map
	// the resource to a broader identifier.
	broader
	// variant: the resource except for the case of scheme and host or a
	// trailing slash.
	variant
	// exact: the resource, character for character.
	exact
)

// relate classifies an audience value against the resource.
func relate(aud, resource string) relation {
	if aud == resource {
		return exact
	}
	a, errA := url.Parse(aud)
	r, errR := url.Parse(resource)
	if errA != nil || errR != nil || a.Host == "" || r.Host == "" ||
		!strings.EqualFold(a.Scheme, r.Scheme) || !strings.EqualFold(a.Host, r.Host) ||
		a.RawQuery != r.RawQuery || a.Fragment != "" {
		return unrelated
	}
	ap, rp := strings.TrimSuffix(a.EscapedPath(), "/"), strings.TrimSuffix(r.EscapedPath(), "/")
	switch {
	case ap == rp:
		return variant
	case strings.HasPrefix(rp, ap+"/"):
		return broader
	}
	return unrelated
}

// closest is the strongest relation of any audience value to the resource.
func (o observation) closest(resource string) (relation, string) {
	best, value := unrelated, ""
	for i, a := range o.Aud {
		if r := relate(a, resource); i == 0 || r > best {
			best, value = r, a
		}
	}
	return best, value
}

// originOnly reports whether an audience value is a URI for the resource's
// whole host: the same scheme and host, with no path (or just "/").
func originOnly(aud, resource string) bool {
	a, errA := url.Parse(aud)
	r, errR := url.Parse(resource)
	return errA == nil && errR == nil && a.Host != "" &&
		strings.EqualFold(a.Scheme, r.Scheme) && strings.EqualFold(a.Host, r.Host) &&
		(a.Path == "" || a.Path == "/") && a.RawQuery == ""
}

// hasPath reports whether a resource URI has a path that distinguishes it
// from its host (anything but "" or "/").
func hasPath(resource string) bool {
	u, err := url.Parse(resource)
	return err == nil && u.Path != "" && u.Path != "/"
}

// implementsRFC8707 reports whether the server's standard token shows that it
// processes the resource parameter: its audience is RES or a value RFC 8707
// lets it map RES to (a variant or a broader URI). ok is false when the
// standard token could not be observed.
func implementsRFC8707(t *framework.T, m *framework.Metadata, res string) (yes, ok bool) {
	f := standardFlow.get(func() flowResult { return resourceFlow(t, m, []string{res}, []string{res}) })
	if f.Tokens == nil {
		return false, false
	}
	o := observe(f.Tokens.AccessToken)
	if o.opaque() {
		return false, false
	}
	rel, _ := o.closest(res)
	return rel != unrelated, true
}

// caseVariant is the resource with its scheme and host in upper case (MCP
// "Canonical Server URI"); the rest is unchanged.
func caseVariant(resource string) string {
	scheme, rest, ok := strings.Cut(resource, "://")
	if !ok {
		return strings.ToUpper(resource)
	}
	authority, tail := rest, ""
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		authority, tail = rest[:i], rest[i:]
	}
	return strings.ToUpper(scheme) + "://" + strings.ToUpper(authority) + tail
}

// slashVariant is the resource with a trailing slash added to its path, or
// removed when it has one.
func slashVariant(resource string) string {
	base, query, hasQuery := strings.Cut(resource, "?")
	if strings.HasSuffix(base, "/") {
		base = strings.TrimSuffix(base, "/")
	} else {
		base += "/"
	}
	if hasQuery {
		return base + "?" + query
	}
	return base
}

// sameHost reports whether two URIs have the same scheme and host (port
// included), compared without case.
func sameHost(a, b string) bool {
	ua, errA := url.Parse(a)
	ub, errB := url.Parse(b)
	return errA == nil && errB == nil && ua.Host != "" &&
		strings.EqualFold(ua.Scheme, ub.Scheme) && strings.EqualFold(ua.Host, ub.Host)
}

// AudienceRestrictionID is the row that reports a server that does not
// implement RFC 8707; the rows that depend on audience restriction point to
// it instead of repeating its finding (one defect, one finding).
const AudienceRestrictionID = "RFC8707-2-audience-restriction"

// withoutRFC8707 reports whether the standard token (STD-AUTHZ and STD-TOKEN
// with resource=RES, shared) shows that the server does not implement RFC
// 8707: no audience at all, an audience that names only the client or the
// issuer, or (when RES2 is configured) the same audience as a token for RES2.
// An abstract audience that depends on the resource is RFC 8707 at work.
// why says what was seen; false when the token could not be observed.
func withoutRFC8707(t *framework.T, m *framework.Metadata, res string) (bool, string) {
	f := standardFlow.get(func() flowResult { return resourceFlow(t, m, []string{res}, []string{res}) })
	if f.Tokens == nil {
		return false, ""
	}
	o := observe(f.Tokens.AccessToken)
	switch {
	case o.opaque():
		return false, ""
	case o.AudErr != nil || len(o.Aud) == 0:
		return true, fmt.Sprintf("its access token for resource=%s has no audience (%s)", res, o.describe())
	}
	if rel, _ := o.closest(res); rel != unrelated {
		return false, ""
	}
	if onlyClientOrIssuer(o, t.Target().Issuer) {
		return true, fmt.Sprintf("its access token for resource=%s has %s, which names only the client or the issuer", res, o.describe())
	}
	if res2 := t.Config().SecondResource; res2 != "" {
		if o2, f2 := secondTokens(t, m, res2); f2.Tokens != nil && sameAud(o, o2) {
			return true, fmt.Sprintf("its access tokens for resource=%s and for resource=%s have the same audience (%s)", res, res2, o.describe())
		}
	}
	return false, ""
}

// notApplicableWithoutRFC8707 ends the judgement of a row that depends on
// audience restriction with INFO when the server does not implement RFC
// 8707, and reports whether it did: RFC8707-2-audience-restriction carries
// that finding, and a row that cannot judge must not PASS either.
func notApplicableWithoutRFC8707(t *framework.T, m *framework.Metadata, res string) bool {
	without, why := withoutRFC8707(t, m, res)
	if without {
		t.Infof("not applicable: the server does not implement RFC 8707 resource indicators (%s), so this row, which depends on audience restriction, cannot be judged (see %s)", why, AudienceRestrictionID)
	}
	return without
}

// unreadableTokenRefusal records a token-endpoint refusal whose error code
// cannot be read: a WARN that points to the error-format row, which judges
// the format (framework.UnreadableRefusal).
func unreadableTokenRefusal(t *framework.T, what string, accepted []string, e *framework.Exchange) {
	_, err := framework.ParseOAuthError(e)
	t.Warnf("%s", framework.UnreadableRefusal(what, accepted, err))
}
