package refserver

import "net/url"

// Registration in the variants that change it.

// Application types of OpenID Connect Registration §2.
const (
	applicationTypeWeb    = "web"
	applicationTypeNative = "native"
)

// checkApplicationType is dcr-native-only: like an OpenID Connect provider,
// the server takes an absent application_type as web, and a web client may
// not register loopback http redirect URIs (OIDC Registration §2); native
// clients may (RFC 8252 §7.3).
func (s *Server) checkApplicationType(req registrationRequest) *oauthError {
	if !s.variants[variantDCRNativeOnly] {
		return nil // application_type is not RFC 7591 metadata; ignored
	}
	switch req.ApplicationType {
	case "", applicationTypeWeb, applicationTypeNative:
	default:
		return newError(errInvalidClientMetadata, "application_type must be web or native (OpenID Connect Registration section 2).")
	}
	if req.ApplicationType == applicationTypeNative {
		return nil
	}
	for _, raw := range req.RedirectURIs {
		if u, err := url.Parse(raw); err == nil && u.Scheme == "http" && isLoopbackHost(u.Hostname()) {
			return newError(errInvalidRedirectURI, "The redirect URI %s uses http on a loopback host, which only native clients may register; send application_type native (an absent application_type means web).", raw)
		}
	}
	return nil
}

// variantRegistration adjusts the registration response: dcr-native-only
// returns the application type it registered, client-secret-post-only does
// not say which token_endpoint_auth_method it chose.
func (s *Server) variantRegistration(resp *registrationResponse, req registrationRequest) {
	if s.variants[variantDCRNativeOnly] {
		resp.ApplicationType = req.ApplicationType
		if resp.ApplicationType == "" {
			resp.ApplicationType = applicationTypeWeb
		}
	}
	if s.variants[variantClientSecretPostOnly] {
		resp.TokenEndpointAuthMethod = ""
	}
}
