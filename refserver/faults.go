package refserver

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Fault is a named, deliberate violation the server can be started with. The
// conformance suite's self-test runs against the server once per fault and
// requires every listed requirement to fail: that is how each check is shown
// to be able to fail at all (DESIGN.md §5).
type Fault struct {
	Name         string
	Requirements []string // requirement IDs from requirements.md that the fault breaks
	Description  string
}

// ErrUnknownFault is wrapped by the error New returns for a fault name that is
// not in Faults().
var ErrUnknownFault = errors.New("unknown fault")

// Fault names. The code refers to faults only through these constants, so a
// misspelt name is a compile error rather than a fault that silently never fires.
const (
	faultMetadataAbsent              = "metadata-absent"
	faultMetadataAppendedOnly        = "metadata-appended-only"
	faultMetadataTextPlain           = "metadata-text-plain"
	faultMetadataIssuerTrailingSlash = "metadata-issuer-trailing-slash"
	faultMetadataIssuerQuery         = "metadata-issuer-query"
	faultMetadataResponseTypesString = "metadata-response-types-string"
	faultMetadataNoCodeResponseType  = "metadata-no-code-response-type"
	faultMetadataNoPKCEMethods       = "metadata-no-pkce-methods"
	faultOIDCNoPKCEMethods           = "oidc-no-pkce-methods"
	faultMetadataAdvertisePlain      = "metadata-advertise-plain"
	faultMetadataNoGrantTypes        = "metadata-no-grant-types"
	faultMetadataNoAuthMethods       = "metadata-no-auth-methods"
	faultMetadataJWTAuthWithoutAlgs  = "metadata-jwt-auth-without-algs"
	faultMetadataEmptyArray          = "metadata-empty-array"
	faultMetadataHTTPJWKS            = "metadata-http-jwks"
	faultMetadataEndpointFragment    = "metadata-endpoint-fragment"
	faultOIDCInsertedOnly            = "oidc-inserted-only"
	faultOIDCMissingMembers          = "oidc-missing-members"
	faultOIDCInconsistentEndpoints   = "oidc-inconsistent-endpoints"
	faultISSNotAdvertised            = "iss-not-advertised"
	faultMetadataNoScopes            = "metadata-no-scopes"
	faultLegacyNoDefaultEndpoints    = "legacy-no-default-endpoints"

	faultPKCEOptionalPublic              = "pkce-optional-public"
	faultPKCEOptionalConfidential        = "pkce-optional-confidential"
	faultPKCEDowngrade                   = "pkce-downgrade"
	faultPKCEMissingChallengeWrongError  = "pkce-missing-challenge-wrong-error"
	faultPKCES256Broken                  = "pkce-s256-broken"
	faultPKCEVerifierNotChecked          = "pkce-verifier-not-checked"
	faultPKCEWrongVerifierInvalidRequest = "pkce-wrong-verifier-invalid-request"
	faultPKCEVerifierOptional            = "pkce-verifier-optional"
	faultPKCEAnyClientVerifier           = "pkce-any-client-verifier"
	faultPKCEDefaultS256                 = "pkce-default-s256"
	faultPKCEUnknownMethodAsS256         = "pkce-unknown-method-as-s256"
	faultPKCEAcceptPlain                 = "pkce-accept-plain"
	faultPKCELaxVerifierSyntax           = "pkce-lax-verifier-syntax"
	faultPKCELaxChallengeSyntax          = "pkce-lax-challenge-syntax"
	faultPKCEChallengeInCode             = "pkce-challenge-in-code"
	faultPKCEMethodCaseInsensitive       = "pkce-method-case-insensitive"

	faultTokenErrorHTML                 = "token-error-html"
	faultTokenErrorStatus200            = "token-error-status-200"
	faultTokenErrorUnregisteredCode     = "token-error-unregistered-code"
	faultTokenErrorDescriptionQuotes    = "token-error-description-quotes"
	faultInvalidClientBasic400          = "invalid-client-basic-400"
	faultClientSecretNotChecked         = "client-secret-not-checked"
	faultUnsupportedGrantAsInvalidGrant = "unsupported-grant-invalid-grant"
	faultMissingParamInvalidGrant       = "missing-param-invalid-grant"
	faultUnknownCodeServerError         = "unknown-code-server-error"
	faultScopeUnknownGranted            = "scope-unknown-granted"
	faultAuthzErrorInFragment           = "authz-error-in-fragment"
	faultAuthzErrorDropsState           = "authz-error-drops-state"
	faultResponseTypeUnchecked          = "response-type-unchecked"
	faultMultipleAuthMethodsAccepted    = "multiple-auth-methods-accepted"
	faultDuplicateParamsFirstWins       = "duplicate-params-first-wins"

	faultResourceRejected          = "resource-rejected"
	faultAudIgnoresResource        = "aud-ignores-resource"
	faultAudOriginOnly             = "aud-origin-only"
	faultAudTrailingSlash          = "aud-trailing-slash"
	faultNoDefaultAud              = "no-default-aud"
	faultMalformedResourceAccepted = "malformed-resource-accepted"
	faultUnknownResourceKnownAud   = "unknown-resource-gets-known-aud"
	faultTokenResourceOutsideGrant = "token-resource-outside-grant"
	faultResourceCaseSensitive     = "resource-case-sensitive"

	faultDCRAbsent               = "dcr-absent"
	faultDCRFormOnly             = "dcr-form-only"
	faultDCRStatus200            = "dcr-status-200"
	faultDCRNumericClientID      = "dcr-numeric-client-id"
	faultDCRNoSecretExpiry       = "dcr-no-secret-expiry"
	faultDCRNoEcho               = "dcr-no-echo"
	faultDCRRejectUnknown        = "dcr-reject-unknown-metadata"
	faultDCRErrorInvalidRequest  = "dcr-error-invalid-request"
	faultDCRLaxRedirectURIs      = "dcr-lax-redirect-uris"
	faultDCRHTTPRedirect         = "dcr-http-redirect-allowed"
	faultDCRPrivateSchemeNoDot   = "dcr-private-scheme-no-dot"
	faultDCRRedirectURIsOptional = "dcr-redirect-uris-optional"
	faultDCRInconsistentTypes    = "dcr-inconsistent-types-stored"
	faultDCRJWKSBoth             = "dcr-jwks-and-jwks-uri"
	faultDCRPublicSecret         = "dcr-public-client-secret"
	faultDCRSharedSecret         = "dcr-shared-secret"
	faultDCRCacheable            = "dcr-no-cache-control"
	faultDCRClientChosenID       = "dcr-client-chosen-id"
	faultDCRNativeRefused        = "dcr-native-refused"
	faultDCRConsentForeignLogo   = "dcr-consent-foreign-logo"
	faultCIMDBroken              = "cimd-broken"
	faultCIMDClientIDUnchecked   = "cimd-client-id-unchecked"
	faultCIMDRedirectUnchecked   = "cimd-redirect-uri-unchecked"
	faultCIMDFollowsRedirects    = "cimd-follows-redirects"
	faultCIMDSecretMethods       = "cimd-accepts-secret-methods"
	faultCIMDSSRF                = "cimd-ssrf-unguarded"
	faultCIMDCachesErrors        = "cimd-caches-errors"
	faultCIMDHidesRedirectHost   = "cimd-consent-hides-redirect-host"
	faultPlainHTTPAccepted       = "plain-http-accepted"
	faultTLSWrongHost            = "tls-certificate-wrong-host"
	faultWeakCodes               = "weak-authorization-codes"
	faultLongLivedAccessTokens   = "long-lived-access-tokens"
	faultDPoPAlgNone             = "dpop-alg-none-advertised"
	faultAuthorizeOpenRedirect   = "authorize-open-redirect"
	faultTokenInRedirect         = "token-in-redirect"
	faultNoBruteForceProtection  = "no-brute-force-protection"
)

var faultTable = []Fault{
	{faultMetadataAbsent, []string{"MCP-Overview-as-discovery-available"},
		"Every well-known metadata location (RFC 8414 and OIDC, inserted and appended) answers 404."},
	{faultMetadataAppendedOnly, []string{"RFC8414-3-path-insertion"},
		"The RFC 8414 document is served only at {ISSUER}/.well-known/oauth-authorization-server, not at the inserted location."},
	{faultMetadataTextPlain, []string{"RFC8414-3.2-response-format"},
		"Metadata documents (RFC 8414 and OIDC) are served as text/plain."},
	{faultMetadataIssuerTrailingSlash, []string{"RFC8414-3.3-issuer-match"},
		"The issuer member of both documents has a trailing slash."},
	{faultMetadataIssuerQuery, []string{"RFC8414-2-issuer-syntax", "RFC8414-3.3-issuer-match"},
		"The issuer member of both documents has ?tenant=a appended."},
	{faultMetadataResponseTypesString, []string{"RFC8414-2-required-members"},
		"response_types_supported is the string \"code\" instead of an array (both documents)."},
	{faultMetadataNoCodeResponseType, []string{"RFC8414-2-response-types-code"},
		"response_types_supported is [\"token\"] (both documents)."},
	{faultMetadataNoPKCEMethods, []string{"RFC8414-2-pkce-s256-advertised"},
		"code_challenge_methods_supported is omitted from the RFC 8414 document only."},
	{faultOIDCNoPKCEMethods, []string{"MCP-AuthCodeProtection-oidc-pkce-methods"},
		"code_challenge_methods_supported is omitted from the OIDC document only."},
	{faultMetadataAdvertisePlain, []string{"RFC8414-2-pkce-plain-not-advertised", "RFC8414-2-pkce-metadata-truthful"},
		"code_challenge_methods_supported is [\"S256\",\"plain\"] (both documents) while plain is still refused."},
	{faultMetadataNoGrantTypes, []string{"RFC8414-2-grant-types-explicit"},
		"grant_types_supported is omitted (both documents)."},
	{faultMetadataNoAuthMethods, []string{"RFC8414-2-auth-methods-advertised"},
		"token_endpoint_auth_methods_supported is omitted (both documents)."},
	{faultMetadataJWTAuthWithoutAlgs, []string{"RFC8414-2-signing-alg-members"},
		"private_key_jwt is advertised without token_endpoint_auth_signing_alg_values_supported."},
	{faultMetadataEmptyArray, []string{"RFC8414-3.2-no-empty-arrays"},
		"ui_locales_supported is an empty array (both documents)."},
	{faultMetadataHTTPJWKS, []string{"OAUTH21-1.5-metadata-endpoints-https"},
		"jwks_uri uses http:// (both documents)."},
	{faultMetadataEndpointFragment, []string{"RFC6749-3.1-endpoint-url-syntax"},
		"authorization_endpoint has the fragment #x appended (both documents)."},
	{faultOIDCInsertedOnly, []string{"OIDCD-4.1-path-append-location"},
		"The OIDC document is served only at the inserted location, not at {ISSUER}/.well-known/openid-configuration."},
	{faultOIDCMissingMembers, []string{"OIDCD-3-required-oidc-members"},
		"The OIDC document lacks jwks_uri, subject_types_supported and id_token_signing_alg_values_supported."},
	{faultOIDCInconsistentEndpoints, []string{"RFC8414-5-doc-consistency"},
		"The OIDC document's token_endpoint is {ISSUER}/oidc/token (served by the same handler)."},
	{faultISSNotAdvertised, []string{"RFC9207-2.3-iss-metadata-flag"},
		"authorization_response_iss_parameter_supported is omitted (both documents) while iss is still sent."},
	{faultMetadataNoScopes, []string{"RFC8414-2-scopes-supported"},
		"scopes_supported is omitted (both documents)."},
	{faultLegacyNoDefaultEndpoints, []string{"MCP-2025-03-26-default-endpoints"},
		"Like metadata-absent, and the origin-level /authorize, /token and /register aliases answer 404."},

	{faultPKCEOptionalPublic, []string{"OAUTH21-4.1.2.1-pkce-required-public", "RFC7636-4.4.1-missing-challenge-error"},
		"A public client's authorization request without code_challenge gets a code, redeemable without a verifier."},
	{faultPKCEOptionalConfidential, []string{"OAUTH21-7.5.2-pkce-required-confidential"},
		"A confidential client's authorization request without code_challenge gets a code, redeemable without a verifier."},
	{faultPKCEDowngrade, []string{"RFC9700-4.8.2-pkce-downgrade", "OAUTH21-4.1.2.1-pkce-required-public", "OAUTH21-7.5.2-pkce-required-confidential"},
		"Codes without a challenge are issued to any client, and a code_verifier sent for such a code is ignored."},
	{faultPKCEMissingChallengeWrongError, []string{"RFC7636-4.4.1-missing-challenge-error"},
		"A missing code_challenge is redirected with error=access_denied instead of invalid_request."},
	{faultPKCES256Broken, []string{"RFC7636-4.2-s256-mti"},
		"The server compares hex(SHA256(verifier)) with the challenge, so correct S256 verifiers fail."},
	{faultPKCEVerifierNotChecked, []string{"RFC7636-4.6-wrong-verifier-invalid-grant", "RFC7636-4.6-cross-flow-verifier"},
		"A code_verifier that does not match the challenge is accepted."},
	{faultPKCEWrongVerifierInvalidRequest, []string{"RFC7636-4.6-wrong-verifier-invalid-grant"},
		"A mismatching code_verifier is answered invalid_request instead of invalid_grant."},
	{faultPKCEVerifierOptional, []string{"OAUTH21-4.1.3-missing-verifier-rejected"},
		"A token request without code_verifier is accepted for a code that has a challenge."},
	{faultPKCEAnyClientVerifier, []string{"RFC7636-4.6-cross-flow-verifier"},
		"A code_verifier is accepted if it matches the challenge of any unredeemed code of the same client."},
	{faultPKCEDefaultS256, []string{"RFC7636-4.3-default-method-plain"},
		"A code_challenge without code_challenge_method is treated as S256 instead of plain."},
	{faultPKCEUnknownMethodAsS256, []string{"RFC7636-4.4.1-unsupported-method-error"},
		"An unknown code_challenge_method (for example S512) is treated as S256."},
	{faultPKCEAcceptPlain, []string{"MCP-AuthCodeProtection-plain-refused", "RFC8414-2-pkce-metadata-truthful"},
		"code_challenge_method=plain is accepted (verifier equals challenge) but still not advertised."},
	{faultPKCELaxVerifierSyntax, []string{"RFC7636-4.1-verifier-syntax"},
		"The code_verifier's length and characters are not checked."},
	{faultPKCELaxChallengeSyntax, []string{"RFC7636-4.2-challenge-syntax"},
		"The code_challenge's length and characters are not checked (short or padded challenges are accepted)."},
	{faultPKCEChallengeInCode, []string{"RFC7636-4.4-challenge-not-extractable"},
		"The authorization code is base64url of a JSON object holding the challenge, plus a random part."},
	{faultPKCEMethodCaseInsensitive, []string{"OAUTH21-1.9-method-case-sensitive"},
		"code_challenge_method=s256 is accepted as S256."},

	{faultTokenErrorHTML, []string{"RFC6749-5.2-token-error-format"},
		"Token endpoint errors are text/html pages with status 400."},
	{faultTokenErrorStatus200, []string{"RFC6749-5.2-token-error-format"},
		"Token endpoint errors keep their JSON body but have status 200."},
	{faultTokenErrorUnregisteredCode, []string{"RFC6749-5.2-error-code-known"},
		"invalid_grant is reported as the unregistered code invalid_code."},
	{faultTokenErrorDescriptionQuotes, []string{"RFC6749-5.2-error-value-charset"},
		"Every token error_description contains a double quote and a non-ASCII character."},
	{faultInvalidClientBasic400, []string{"RFC6749-5.2-invalid-client-401-basic"},
		"Failed Basic client authentication answers 400 without WWW-Authenticate."},
	{faultClientSecretNotChecked, []string{"RFC6749-5.2-invalid-client-401-basic", "RFC6749-5.2-invalid-client-body"},
		"Client secrets are not verified: a known client_id suffices."},
	{faultUnsupportedGrantAsInvalidGrant, []string{"RFC6749-5.2-unsupported-grant-type"},
		"An unknown grant_type is answered invalid_grant instead of unsupported_grant_type."},
	{faultMissingParamInvalidGrant, []string{"RFC6749-5.2-invalid-request-missing-param"},
		"A missing grant_type or code is answered invalid_grant instead of invalid_request."},
	{faultUnknownCodeServerError, []string{"RFC6749-5.2-invalid-grant-unknown-code"},
		"An unknown authorization code is answered 500 server_error."},
	{faultScopeUnknownGranted, []string{"RFC6749-3.3-scope-handling"},
		"Unknown scopes are accepted at authorization and granted (listed in the token response scope)."},
	{faultAuthzErrorInFragment, []string{"RFC6749-4.1.2.1-authz-error-redirect"},
		"Authorization error redirects carry their parameters in the fragment instead of the query."},
	{faultAuthzErrorDropsState, []string{"RFC6749-4.1.2.1-state-in-error"},
		"Authorization error redirects omit state."},
	{faultResponseTypeUnchecked, []string{"RFC6749-3.1.1-response-type-errors"},
		"A missing or unknown response_type is treated as code."},
	{faultMultipleAuthMethodsAccepted, []string{"OAUTH21-3.2.4-multiple-auth-methods"},
		"Basic authentication plus client_secret in the body (both correct) is accepted."},
	{faultDuplicateParamsFirstWins, []string{"RFC6749-3.2-duplicate-params-token"},
		"Duplicated token request parameters are not refused; the first value is used."},

	{faultResourceRejected, []string{"RFC8707-2-resource-param-tolerated"},
		"A resource parameter, even a known one, is refused with invalid_target at the authorization and token endpoints."},
	{faultAudIgnoresResource, []string{"RFC8707-2-audience-restriction", "RFC9068-3-jwt-aud-matches-resource"},
		"The access token's aud is always the client_id, whatever resource was requested."},
	{faultAudOriginOnly, []string{"RFC8707-2-audience-includes-path", "RFC9068-3-jwt-aud-matches-resource"},
		"The access token's aud is the origin of the requested resource (https://host:port), without its path."},
	{faultAudTrailingSlash, []string{"RFC9068-3-jwt-aud-matches-resource"},
		"The access token's aud is the requested resource with a trailing slash added."},
	{faultNoDefaultAud, []string{"RFC9068-3-default-aud"},
		"A flow without a resource parameter gets an access token without an aud claim."},
	{faultMalformedResourceAccepted, []string{"RFC8707-2-invalid-target-malformed"},
		"A relative resource or one with a fragment is accepted at both endpoints and becomes the access token's aud."},
	{faultUnknownResourceKnownAud, []string{"RFC8707-2-unknown-resource-policy"},
		"A well-formed resource the server does not know is accepted, and the token is audienced to the default (or granted) resource instead."},
	{faultTokenResourceOutsideGrant, []string{"RFC8707-2.2-token-resource-within-grant"},
		"A code redemption may name any known resource, even one not authorized at the authorization endpoint, and the token is audienced to it."},
	{faultResourceCaseSensitive, []string{"MCP-ResourceParam-case-tolerance"},
		"Resources are compared as exact strings, so a resource whose scheme or host is in upper case is refused with invalid_target."},

	{faultDCRAbsent, []string{"MCP-DCR-endpoint-available"},
		"No registration_endpoint is advertised and /register answers 404 (observable as a WARN in the MCP 2025-06-18 profile)."},
	{faultDCRFormOnly, []string{"RFC7591-3-post-json"},
		"The registration endpoint answers 415 to JSON and accepts only form-encoded metadata."},
	{faultDCRStatus200, []string{"RFC7591-3.2.1-201-json"},
		"A successful registration answers 200 instead of 201 Created."},
	{faultDCRNumericClientID, []string{"RFC7591-3.2.1-client-id"},
		"Client IDs are sequential numbers, returned as JSON numbers instead of strings."},
	{faultDCRNoSecretExpiry, []string{"RFC7591-3.2.1-secret-expires-at"},
		"A registration that issues a client_secret omits client_secret_expires_at."},
	{faultDCRNoEcho, []string{"RFC7591-3.2.1-echo-registered-metadata"},
		"The registration response leaves out client_name, grant_types, response_types and scope, although they were registered."},
	{faultDCRRejectUnknown, []string{"RFC7591-2-ignore-unknown-metadata"},
		"Registration metadata the server does not know is refused with invalid_client_metadata instead of ignored."},
	{faultDCRErrorInvalidRequest, []string{"RFC7591-3.2.2-error-format"},
		"Refused registrations answer error invalid_request instead of an RFC 7591 registration error code."},
	{faultDCRLaxRedirectURIs, []string{"RFC7591-3.2.2-bad-redirect-uri-rejected"},
		"Redirect URIs are not checked at registration: fragments, relative URIs and javascript: are registered."},
	{faultDCRHTTPRedirect, []string{"RFC9700-2.6-no-http-redirect-non-loopback"},
		"http redirect URIs on any host are registered and redirected to."},
	{faultDCRPrivateSchemeNoDot, []string{"OAUTH21-2.3.1-private-scheme-needs-dot"},
		"Private-use redirect URI schemes without a dot (myapp:/callback) are registered."},
	{faultDCRRedirectURIsOptional, []string{"RFC7591-2-redirect-uris-required"},
		"A registration without redirect_uris is accepted (authorization requests of that client then show an error page)."},
	{faultDCRInconsistentTypes, []string{"RFC7591-2.1-grant-response-consistency"},
		"grant_types and response_types that do not go together (authorization_code with token) are stored as sent."},
	{faultDCRJWKSBoth, []string{"RFC7591-2-jwks-and-jwks-uri-exclusive"},
		"A registration with both jwks and jwks_uri is accepted and both are echoed."},
	{faultDCRPublicSecret, []string{"RFC7591-2-public-client-none"},
		"A public registration (token_endpoint_auth_method none) comes back with a client_secret."},
	{faultDCRSharedSecret, []string{"RFC7591-3.2.1-unique-credentials"},
		"Every confidential client gets the same client_secret."},
	{faultDCRCacheable, []string{"RFC7591-3.2.1-response-no-store"},
		"Registration responses carry no Cache-Control: no-store."},
	{faultDCRClientChosenID, []string{"RFC9700-4.15.1-client-cannot-choose-client-id"},
		"A client_id in the registration request is used as the client's identifier when it is free."},
	{faultDCRNativeRefused, []string{"MCP-DCR-application-type-native"},
		"Registrations with application_type native are refused with invalid_client_metadata."},
	{faultDCRConsentForeignLogo, []string{"RFC7591-5-uri-host-consistency"},
		"The consent page shows the registered logo_uri as an image, whatever its host."},
	{faultCIMDBroken, []string{"MCP-CIMD-supported"},
		"client_id_metadata_document_supported is advertised, but URL client_ids are never fetched and are refused as unknown."},
	{faultCIMDClientIDUnchecked, []string{"CIMD-client-id-must-match-url"},
		"A metadata document is accepted although its client_id differs from the URL it was fetched from."},
	{faultCIMDRedirectUnchecked, []string{"CIMD-redirect-uri-from-document"},
		"A metadata-document client may use any redirect_uri, not only those its document lists."},
	{faultCIMDFollowsRedirects, []string{"CIMD-no-redirect-following"},
		"Fetching a metadata document follows HTTP redirects."},
	{faultCIMDSecretMethods, []string{"CIMD-no-shared-secret-methods"},
		"A metadata document that declares client_secret_basic is accepted (as a public client)."},
	{faultCIMDSSRF, []string{"CIMD-ssrf-private-address"},
		"Metadata documents are fetched from any address, private ones included, and the fetch error is shown on the error page."},
	{faultCIMDCachesErrors, []string{"CIMD-errors-not-cached"},
		"A failed metadata document fetch is remembered for 10 minutes: the document is not fetched again."},
	{faultCIMDHidesRedirectHost, []string{"MCP-CIMD-display-redirect-host"},
		"The consent page of a metadata-document client shows neither the redirect host nor a localhost warning."},
	{faultPlainHTTPAccepted, []string{"OAUTH21-1.5-https-only"},
		"The server's port also serves plain http: every endpoint, token endpoint included, works without TLS."},
	{faultTLSWrongHost, []string{"RFC8414-6.2-valid-tls-certificate"},
		"The server's certificate names only wrong-host.invalid, not the host it is reached on."},
	{faultWeakCodes, []string{"RFC6749-10.10-credential-entropy"},
		"Authorization codes are 16 hex characters (64 bits)."},
	{faultLongLivedAccessTokens, []string{"OAUTH21-7.1.3.5-short-lived-access-tokens"},
		"Access tokens live 30 days."},
	{faultDPoPAlgNone, []string{"RFC9700-2.2.1-sender-constrained-tokens"},
		"dpop_signing_alg_values_supported is advertised as [\"none\"]."},
	{faultAuthorizeOpenRedirect, []string{"RFC9700-2.1-no-open-redirector"},
		"The authorization endpoint redirects to any URL given in a next or return_to parameter."},
	{faultTokenInRedirect, []string{"RFC6749-10.3-no-tokens-in-urls"},
		"The success redirect of the authorization endpoint also carries an access_token."},
	{faultNoBruteForceProtection, []string{"OAUTH21-2.4.1-brute-force-protection"},
		"Failed client authentication is never throttled or locked out."},
}

// Faults lists every fault the server implements, sorted by name.
func Faults() []Fault {
	out := make([]Fault, len(faultTable))
	for i, f := range faultTable {
		f.Requirements = slices.Clone(f.Requirements)
		out[i] = f
	}
	slices.SortFunc(out, func(a, b Fault) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// faultSet is the set of faults a Server was started with.
type faultSet map[string]bool

func newFaultSet(names []string) (faultSet, error) {
	known := make(map[string]bool, len(faultTable))
	for _, f := range faultTable {
		known[f.Name] = true
	}
	set := faultSet{}
	var unknown []string
	for _, n := range names {
		if !known[n] {
			unknown = append(unknown, n)
			continue
		}
		set[n] = true
	}
	if len(unknown) > 0 {
		return nil, fmt.Errorf("%w: %s (Faults() lists the %d known names)", ErrUnknownFault, strings.Join(unknown, ", "), len(faultTable))
	}
	return set, nil
}
