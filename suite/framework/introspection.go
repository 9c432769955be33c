package framework

import (
	"fmt"
	"net/http"
	"sync"
)

// Introspection is a token introspection response (RFC 7662 §2.2).
type Introspection struct {
	Exchange *Exchange
	Doc      map[string]any
	// Active is the active member; a response without a boolean active is
	// an error of Introspect.
	Active bool
}

// introspector is the confidential client the suite introspects with,
// registered once per process: it is only ever used with valid
// credentials, so sharing it between specs cannot change a verdict.
var introspector struct {
	mu sync.Mutex
	c  *Client
}

// IntrospectionClient returns the credentials the suite authenticates with
// at the introspection endpoint (RFC 7662 §2.1 requires some): a
// confidential client registered by DCR, the way the reference server
// expects a resource server to be registered, else the configured
// confidential client. It returns nil and why when there is none.
func (t *T) IntrospectionClient(m *Metadata) (*Client, string) {
	introspector.mu.Lock()
	defer introspector.mu.Unlock()
	if introspector.c != nil {
		return introspector.c, ""
	}
	why := "the server offers no dynamic client registration and no confidential client is configured"
	if reg, ok := MemberString(m.Doc, "registration_endpoint"); ok && reg != "" {
		c, err := t.RegisterClient(reg, ConfidentialAuthMethod(m))
		switch {
		case err != nil:
			why = fmt.Sprintf("no confidential client could be registered to introspect with: %v", err)
		case c.Public() || c.Secret == "":
			why = fmt.Sprintf("the client registered to introspect with got token_endpoint_auth_method %q and no secret", c.AuthMethod)
		default:
			introspector.c = c
			return c, ""
		}
	}
	if cc := t.Config().Clients.Confidential; cc != nil {
		introspector.c = &Client{ID: cc.ClientID, Secret: cc.ClientSecret, AuthMethod: cc.authMethod()}
		return introspector.c, ""
	}
	return nil, why
}

// IntrospectionEndpoint is the introspection_endpoint of the metadata ("" if
// the server advertises none).
func IntrospectionEndpoint(m *Metadata) string {
	s, _ := MemberString(m.Doc, "introspection_endpoint")
	return s
}

// Introspect asks the introspection endpoint about token, authenticated as
// IntrospectionClient. It returns why not when the endpoint or credentials
// are missing, no response came, or the answer is not a 200 JSON object
// with a boolean active member.
func (t *T) Introspect(m *Metadata, token string) (*Introspection, error) {
	endpoint := IntrospectionEndpoint(m)
	if endpoint == "" {
		return nil, fmt.Errorf("the metadata has no introspection_endpoint")
	}
	c, why := t.IntrospectionClient(m)
	if c == nil {
		return nil, fmt.Errorf("%s", why)
	}
	form := map[string][]string{"token": {token}}
	e := t.HTTP().PostForm(t.ctx, endpoint, form, c.Authenticate(form))
	in := &Introspection{Exchange: e}
	if e.Err != nil {
		return in, e.Err
	}
	if e.Status != http.StatusOK {
		return in, fmt.Errorf("the authenticated introspection request answered %d: %s", e.Status, Snippet(e.Body, 160))
	}
	doc, err := e.JSONObject()
	if err != nil {
		return in, fmt.Errorf("the introspection response: %v", err)
	}
	in.Doc = doc
	active, ok := doc["active"].(bool)
	if !ok {
		return in, fmt.Errorf("the introspection response has no boolean active member: %s", Snippet(e.Body, 160))
	}
	in.Active = active
	return in, nil
}

// AudienceObservation is what AUD-OBSERVE (requirements §1.3) learns about
// an access token's audience.
type AudienceObservation struct {
	// Source is "jws" (the token's own aud claim, read without verifying
	// it) or "introspection" (the aud member of RFC 7662 §2.2); "" when the
	// audience could not be observed.
	Source string
	// Aud is the audience as a list (a string is one value).
	Aud []string
	// Err is ErrNoAudience, or why the aud value is malformed.
	Err error
	// Why says why the audience could not be observed.
	Why string
}

// Observable reports whether the audience was observed (present or not).
func (o AudienceObservation) Observable() bool { return o.Source != "" }

// Audience observes an access token's audience (AUD-OBSERVE): a JWS's aud
// claim read without verifying it; else, when the metadata has an
// introspection_endpoint and the suite can authenticate there, the aud of
// the introspection response; else not observable (Why says why).
func (t *T) Audience(token string) AudienceObservation {
	j, jwsErr := DecodeJWT(token)
	if jwsErr == nil {
		o := AudienceObservation{Source: "jws"}
		o.Aud, o.Err = j.Audience()
		return o
	}
	m := t.Metadata()
	if IntrospectionEndpoint(m) == "" {
		return AudienceObservation{Why: fmt.Sprintf("the token is not a JWS (%v) and the server advertises no introspection_endpoint", jwsErr)}
	}
	in, err := t.Introspect(m, token)
	switch {
	case err != nil:
		return AudienceObservation{Why: fmt.Sprintf("the token is not a JWS (%v) and introspection could not be used: %v", jwsErr, err)}
	case !in.Active:
		return AudienceObservation{Why: "the token is not a JWS, and introspection says it is not active"}
	}
	o := AudienceObservation{Source: "introspection"}
	o.Aud, o.Err = (&JWT{Claims: in.Doc}).Audience()
	return o
}

// Describe renders the observation for messages.
func (o AudienceObservation) Describe() string {
	switch {
	case !o.Observable():
		return "an audience that could not be observed (" + o.Why + ")"
	case o.Err != nil:
		return o.Err.Error() + " (" + o.Source + ")"
	case len(o.Aud) == 1:
		return fmt.Sprintf("aud %q (%s)", o.Aud[0], o.Source)
	}
	return fmt.Sprintf("aud %q (%s)", o.Aud, o.Source)
}
