package refserver

import "slices"

// StaticClient is a client registered out of band, as the pre-registered
// clients of a server without dynamic registration are (Options.Clients).
type StaticClient struct {
	ID, Secret   string
	RedirectURIs []string
	// AuthMethod is none, client_secret_basic or client_secret_post; empty
	// means client_secret_basic with a secret, none without.
	AuthMethod string
}

// Secret kinds passed to Options.OnIssue.
const (
	IssuedCode         = "authorization_code"
	IssuedAccessToken  = "access_token"
	IssuedRefreshToken = "refresh_token"
	IssuedClientSecret = "client_secret"
)

// issued tells Options.OnIssue about a credential the server hands out, so
// that a test can check that no report of the suite shows it.
func (s *Server) issued(kind, value string) {
	if s.onIssue != nil && value != "" {
		s.onIssue(kind, value)
	}
}

// addStaticClients registers Options.Clients.
func (s *Server) addStaticClients(clients []StaticClient) {
	for _, sc := range clients {
		c := &client{ID: sc.ID, Secret: sc.Secret, AuthMethod: sc.AuthMethod, Name: sc.ID,
			RedirectURIs: slices.Clone(sc.RedirectURIs), GrantTypes: []string{grantAuthCode, grantRefresh},
			ResponseTypes: []string{responseTypeCode}, IssuedAt: s.now()}
		if c.AuthMethod == "" {
			c.AuthMethod = authMethodNone
			if c.Secret != "" {
				c.AuthMethod = authMethodBasic
			}
		}
		s.store.addClient(c)
	}
}
