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

	faultTokenErrorsProblemJSON = "token-errors-problem-json"

	faultResourceRejected          = "resource-rejected"
	faultAudIgnoresResource        = "aud-ignores-resource"
	faultAudOriginOnly             = "aud-origin-only"
	faultAudTrailingSlash          = "aud-trailing-slash"
	faultNoDefaultAud              = "no-default-aud"
	faultMalformedResourceAccepted = "malformed-resource-accepted"
	faultUnknownResourceKnownAud   = "unknown-resource-gets-known-aud"
	faultTokenResourceOutsideGrant = "token-resource-outside-grant"
	faultResourceCaseSensitive     = "resource-case-sensitive"

	// The token lifecycle: code redemption, refresh tokens, revocation and
	// introspection (tokenfaults.go and the handlers use them).
	faultExpiresInString                  = "expires-in-string"
	faultExpiresInOmitted                 = "expires-in-omitted"
	faultTokenResponseCacheable           = "token-response-cacheable"
	faultRefreshResponseCacheable         = "refresh-response-cacheable"
	faultPragmaNotNoCache                 = "pragma-not-no-cache"
	faultScopeOmitted                     = "token-scope-omitted"
	faultCodeReusable                     = "code-reusable"
	faultCodeRedemptionRace               = "code-redemption-race"
	faultCodeReplayNoRevoke               = "code-replay-no-revoke"
	faultInvalidReplayRevokes             = "invalid-replay-revokes"
	faultCodeLongLived                    = "code-long-lived"
	faultCodeNotBoundToClient             = "code-not-bound-to-client"
	faultRedirectURINotChecked            = "redirect-uri-not-checked"
	faultRedirectURIRequired              = "redirect-uri-required-at-token"
	faultClientInferredFromCode           = "client-inferred-from-code"
	faultConfidentialAuthOptional         = "confidential-auth-optional"
	faultClientSecretPostBroken           = "client-secret-post-broken"
	faultSecretInQueryAccepted            = "secret-in-query-accepted"
	faultTokenGetAccepted                 = "token-get-accepted"
	faultFormCharsetRejected              = "form-charset-rejected"
	faultPasswordGrant                    = "password-grant"
	faultClientCredentialsPublic          = "client-credentials-public"
	faultRefreshNoRotation                = "refresh-no-rotation"
	faultRefreshOldStaysValid             = "refresh-old-stays-valid"
	faultRefreshReuseNoFamilyRevoke       = "refresh-reuse-no-family-revoke"
	faultRefreshNotBoundToClient          = "refresh-not-bound-to-client"
	faultRefreshScopeEscalation           = "refresh-scope-escalation"
	faultRefreshDefaultScope              = "refresh-default-scope"
	faultRefreshRTNarrowed                = "refresh-rt-narrowed"
	faultRefreshResourceOutsideGrant      = "refresh-resource-outside-grant"
	faultRefreshResourceRejected          = "refresh-resource-rejected"
	faultUnknownRefreshInvalidRequest     = "unknown-refresh-invalid-request"
	faultAccessTokenAsRefreshToken        = "access-token-as-refresh-token"
	faultRevokeNoop                       = "revoke-noop"
	faultRevokeATUnsupported              = "revoke-access-token-unsupported"
	faultRevokeATIgnored                  = "revoke-access-token-ignored"
	faultRevokeJSONOnly                   = "revoke-json-only"
	faultRevokeNoClientAuth               = "revoke-no-client-auth"
	faultRevokeForeignToken               = "revoke-foreign-token"
	faultRevokeUnknown400                 = "revoke-unknown-400"
	faultRevokeMissingToken200            = "revoke-missing-token-200"
	faultRevokeTrustsHint                 = "revoke-trusts-hint"
	faultRevokeRTKeepsATs                 = "revoke-rt-keeps-access-tokens"
	faultIntrospectionNoAuth              = "introspection-no-auth"
	faultIntrospectionUnknown400          = "introspection-unknown-400"
	faultIntrospectionInactiveDetails     = "introspection-inactive-details"
	faultIntrospectionNoAud               = "introspection-no-aud"
	faultChallengeNoResourceMetadata      = "challenge-no-resource-metadata"
	faultPRMUndiscoverable                = "prm-undiscoverable"
	faultChallengeDuplicateRealm          = "challenge-duplicate-realm"
	faultPRMTextPlain                     = "prm-text-plain"
	faultPRMResourceOrigin                = "prm-resource-origin"
	faultPRMResourceFragment              = "prm-resource-fragment"
	faultPRMUndiscoverableAS              = "prm-undiscoverable-as"
	faultPRMNoScopes                      = "prm-no-scopes"
	faultPRMEmptyArray                    = "prm-empty-array"
	faultPRMSigningAlgNone                = "prm-signing-alg-none"
	faultPRMBearerQuery                   = "prm-bearer-query"
	faultPRMOfflineAccess                 = "prm-offline-access"
	faultASProtectedResourcesMismatch     = "as-protected-resources-mismatch"
	faultResourceInvalidToken403          = "resource-invalid-token-403"
	faultChallengeErrorWithoutCredentials = "challenge-error-without-credentials"
	faultChallengeNoScope                 = "challenge-no-scope"
	faultResourceAnyAudience              = "resource-any-audience"
	faultResourceExpiryNotChecked         = "resource-expiry-not-checked"
	faultResourceQueryTokenAccepted       = "resource-query-token-accepted"
	faultResourceBearerCaseSensitive      = "resource-bearer-case-sensitive"
	faultResourceInsufficientScope401     = "resource-insufficient-scope-401"
	faultSessionIDAuthenticates           = "session-id-authenticates"
	faultSessionIDSequential              = "session-id-sequential"
	faultResourceAlgNoneAccepted          = "resource-alg-none-accepted"
	faultResourceSignatureNotVerified     = "resource-signature-not-verified"
	faultAuthorizeGetRefused              = "authorize-get-refused"
	faultRedirectUnregisteredURI          = "redirect-uri-unregistered-redirects"
	faultRedirectURIPrefixMatch           = "redirect-uri-prefix-match"
	faultLoopbackPortStrict               = "loopback-port-strict"
	faultLoopbackLaxMatch                 = "loopback-lax-match"
	faultInvalidClientRedirects           = "invalid-client-redirects"
	faultDuplicateRedirectURILastWin      = "duplicate-redirect-uri-last-wins"
	faultUnknownParamsRefused             = "unknown-params-refused"
	faultEmptyScopeRefused                = "empty-scope-refused"
	faultScopeOmittedInvalidRequest       = "scope-omitted-invalid-request"
	faultStateTruncated                   = "state-truncated"
	faultStateRequired                    = "state-required"
	faultRedirectURIQueryDropped          = "redirect-uri-query-dropped"
	faultISSSuccessTrailingSlash          = "iss-success-trailing-slash"
	faultISSMissingOnError                = "iss-missing-on-error"
	faultImplicitGrant                    = "implicit-grant-enabled"
	faultDenyIssuesCode                   = "deny-issues-code"
	faultConsentNoCSRFCheck               = "consent-no-csrf-check"
	faultConsentApproveOnGet              = "consent-approve-on-get"
	faultConsentReplayable                = "consent-replayable"
	faultSilentConsentNewClients          = "silent-consent-new-clients"
	faultConsentHidesClient               = "consent-hides-client"
	faultPagesFrameable                   = "pages-frameable"
	faultCORSOnAuthorize                  = "cors-on-authorize"
	faultLogin307                         = "login-307"
	faultErrorRedirectBeforeLogin         = "error-redirect-before-login"
	faultClientNameUnescaped              = "client-name-unescaped"
	faultSessionCookieNotHTTPOnly         = "session-cookie-not-httponly"
	faultThirdPartyScript                 = "third-party-script"
	faultRedirectURIOmittedGuessed        = "redirect-uri-omitted-guessed"
	faultDCRAbsent                        = "dcr-absent"
	faultDCRFormOnly                      = "dcr-form-only"
	faultDCRStatus200                     = "dcr-status-200"
	faultDCRNumericClientID               = "dcr-numeric-client-id"
	faultDCRNoSecretExpiry                = "dcr-no-secret-expiry"
	faultDCRNoEcho                        = "dcr-no-echo"
	faultDCRRejectUnknown                 = "dcr-reject-unknown-metadata"
	faultDCRErrorInvalidRequest           = "dcr-error-invalid-request"
	faultDCRLaxRedirectURIs               = "dcr-lax-redirect-uris"
	faultDCRHTTPRedirect                  = "dcr-http-redirect-allowed"
	faultDCRPrivateSchemeNoDot            = "dcr-private-scheme-no-dot"
	faultDCRRedirectURIsOptional          = "dcr-redirect-uris-optional"
	faultDCRInconsistentTypes             = "dcr-inconsistent-types-stored"
	faultDCRJWKSBoth                      = "dcr-jwks-and-jwks-uri"
	faultDCRPublicSecret                  = "dcr-public-client-secret"
	faultDCRSharedSecret                  = "dcr-shared-secret"
	faultDCRCacheable                     = "dcr-no-cache-control"
	faultDCRClientChosenID                = "dcr-client-chosen-id"
	faultDCRNativeRefused                 = "dcr-native-refused"
	faultDCRConsentForeignLogo            = "dcr-consent-foreign-logo"
	faultCIMDBroken                       = "cimd-broken"
	faultCIMDClientIDUnchecked            = "cimd-client-id-unchecked"
	faultCIMDRedirectUnchecked            = "cimd-redirect-uri-unchecked"
	faultCIMDFollowsRedirects             = "cimd-follows-redirects"
	faultCIMDSecretMethods                = "cimd-accepts-secret-methods"
	faultCIMDSSRF                         = "cimd-ssrf-unguarded"
	faultCIMDCachesErrors                 = "cimd-caches-errors"
	faultCIMDHidesRedirectHost            = "cimd-consent-hides-redirect-host"
	faultPlainHTTPAccepted                = "plain-http-accepted"
	faultTLSWrongHost                     = "tls-certificate-wrong-host"
	faultWeakCodes                        = "weak-authorization-codes"
	faultLongLivedAccessTokens            = "long-lived-access-tokens"
	faultDPoPAlgNone                      = "dpop-alg-none-advertised"
	faultAuthorizeOpenRedirect            = "authorize-open-redirect"
	faultTokenInRedirect                  = "token-in-redirect"
	faultNoBruteForceProtection           = "no-brute-force-protection"
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

	{faultTokenErrorsProblemJSON, []string{"RFC6749-5.2-token-error-format"},
		"Every token endpoint error is an RFC 9457 application/problem+json object (type, title, status, detail) with no error member."},

	{faultResourceRejected, []string{"RFC8707-2-resource-param-tolerated"},
		"A resource parameter, even a known one, is refused with invalid_target at the authorization and token endpoints."},
	// One defect, one finding: the rows that depend on audience restriction
	// (RFC 9068 aud, path, grant) are INFO "not applicable" under this fault.
	{faultAudIgnoresResource, []string{"RFC8707-2-audience-restriction"},
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

	{faultExpiresInString, []string{"OAUTH21-3.2.3-success-response-format"},
		"expires_in in token responses is a JSON string (\"300\") instead of a number."},
	{faultExpiresInOmitted, []string{"OAUTH21-3.2.3-expires-in"},
		"Token responses carry no expires_in."},
	{faultTokenResponseCacheable, []string{"OAUTH21-3.2.3-cache-control-no-store"},
		"Token responses (code and refresh) have Cache-Control: no-cache, private instead of no-store."},
	{faultRefreshResponseCacheable, []string{"OAUTH21-4.3.2-refresh-response-format", "OAUTH21-3.2.3-cache-control-no-store"},
		"Refresh-grant responses have no Cache-Control header; code-exchange responses keep no-store."},
	{faultPragmaNotNoCache, []string{"RFC6749-5.1-pragma-no-cache"},
		"Token responses carry Pragma: public instead of Pragma: no-cache."},
	{faultScopeOmitted, []string{"OAUTH21-1.4.1-scope-when-different"},
		"Token responses never carry scope, even when the granted scope (the default) differs from the request."},
	{faultCodeReusable, []string{"OAUTH21-4.1.3-code-single-use"},
		"An authorization code can be redeemed any number of times; each redemption gets new tokens."},
	{faultCodeRedemptionRace, []string{"OAUTH21-4.1.3-code-single-use"},
		"Code redemption checks and marks the code in two separate steps, so concurrent redemptions of one code can all succeed."},
	{faultCodeReplayNoRevoke, []string{"OAUTH21-4.1.3-replay-revokes-tokens"},
		"A valid replay of a redeemed code is refused, but the tokens issued from the code stay valid."},
	{faultInvalidReplayRevokes, []string{"OAUTH21-7.5.3-invalid-replay-no-revoke"},
		"Any replay of a redeemed code, even one with a wrong code_verifier, revokes the tokens issued from it."},
	{faultCodeLongLived, []string{"OAUTH21-4.1.2-code-lifetime"},
		"Authorization codes live for 24 hours."},
	{faultCodeNotBoundToClient, []string{"OAUTH21-4.1.3-code-bound-to-client"},
		"A code can be redeemed by any registered client, not only the one it was issued to."},
	{faultRedirectURINotChecked, []string{"RFC6749-4.1.3-redirect-uri-mismatch"},
		"The redirect_uri of a code redemption is not compared with the authorization request's."},
	{faultRedirectURIRequired, []string{"OAUTH21-10.2-redirect-uri-omission"},
		"A code redemption without redirect_uri is refused with invalid_request (RFC 6749-only behaviour)."},
	{faultClientInferredFromCode, []string{"RFC6749-3.2.1-public-client-id-required"},
		"A code redemption without client_id or client authentication is accepted; the client is taken from the code."},
	{faultConfidentialAuthOptional, []string{"OAUTH21-3.2.1-confidential-auth-required", "OAUTH21-4.3.1-confidential-auth-on-refresh"},
		"A confidential client that sends only its client_id (no secret, no Basic header) is accepted at the token endpoint."},
	{faultClientSecretPostBroken, []string{"OAUTH21-2.4.1-secret-auth-methods"},
		"client_secret_post is advertised, but a correct client_id and client_secret in the body are refused with invalid_client."},
	{faultSecretInQueryAccepted, []string{"OAUTH21-2.4.1-secret-not-in-query"},
		"client_id and client_secret in the token endpoint's URL query are accepted as client_secret_post credentials."},
	{faultTokenGetAccepted, []string{"OAUTH21-3.2-post-only"},
		"The token endpoint answers GET requests whose query holds the token request."},
	{faultFormCharsetRejected, []string{"OAUTH21-3.2.2-form-urlencoded"},
		"A token request whose Content-Type has a charset parameter is refused with invalid_request."},
	{faultPasswordGrant, []string{"RFC9700-2.4-password-grant-refused"},
		"The resource owner password credentials grant is implemented: the test user's username and password get tokens."},
	{faultClientCredentialsPublic, []string{"OAUTH21-4.2-client-credentials-confidential-only"},
		"The client credentials grant issues tokens to any client, public clients included."},
	{faultRefreshNoRotation, []string{"OAUTH21-4.3.1-public-rt-rotation"},
		"A refresh returns the presented refresh token again instead of a new one."},
	{faultRefreshOldStaysValid, []string{"OAUTH21-4.3.1-rotated-rt-rejected"},
		"A refresh issues a new refresh token, but the presented one stays valid."},
	{faultRefreshReuseNoFamilyRevoke, []string{"OAUTH21-4.3.1-reuse-revokes-family"},
		"A rotated refresh token is refused, but presenting it does not revoke its successors."},
	{faultRefreshNotBoundToClient, []string{"OAUTH21-4.3-rt-bound-to-client"},
		"A refresh token can be redeemed by any registered client."},
	{faultRefreshScopeEscalation, []string{"OAUTH21-4.3.1-no-scope-escalation"},
		"A refresh may ask for any known scope, even one the user never granted, and gets it."},
	{faultRefreshDefaultScope, []string{"OAUTH21-4.3.1-scope-omitted-equals-original"},
		"A refresh without scope gets every scope the server knows instead of the originally granted one."},
	{faultRefreshRTNarrowed, []string{"OAUTH21-4.3.3-rt-scope-unchanged"},
		"A down-scoped refresh also narrows the new refresh token to the requested scope."},
	{faultRefreshResourceOutsideGrant, []string{"OAUTH21-3.2.3-rt-bound-to-resource"},
		"A refresh may name any known resource, even one the user never authorized, and the new access token is audienced to it."},
	{faultRefreshResourceRejected, []string{"RFC8707-2.2-refresh-with-resource"},
		"A refresh request that carries resource, even the granted one, is refused with invalid_target."},
	{faultUnknownRefreshInvalidRequest, []string{"OAUTH21-4.3.1-invalid-rt"},
		"An unknown refresh token is answered invalid_request instead of invalid_grant."},
	{faultAccessTokenAsRefreshToken, []string{"RFC6749-6-access-token-not-refresh-token"},
		"An access token presented as refresh_token is accepted and gets new tokens."},
	{faultRevokeNoop, []string{"RFC7009-2-refresh-token-revocation"},
		"The revocation endpoint answers 200 to a refresh token but does not revoke it."},
	{faultRevokeATUnsupported, []string{"RFC7009-2-access-token-revocation"},
		"The revocation endpoint refuses access tokens with unsupported_token_type."},
	{faultRevokeATIgnored, []string{"RFC7009-2-access-token-revocation", "RFC7009-2.2.1-unsupported-token-type"},
		"The revocation endpoint answers 200 to an access token but leaves it active."},
	{faultRevokeJSONOnly, []string{"RFC7009-2.1-post-form"},
		"The revocation endpoint accepts only a JSON body and refuses form-encoded requests with invalid_request."},
	{faultRevokeNoClientAuth, []string{"RFC7009-2.1-client-authentication"},
		"The revocation endpoint does not check client credentials: a client_id alone revokes a confidential client's token."},
	{faultRevokeForeignToken, []string{"RFC7009-2.1-foreign-token-not-revoked"},
		"The revocation endpoint revokes a token whichever client asks."},
	{faultRevokeUnknown400, []string{"RFC7009-2.2-invalid-token-200"},
		"Revoking an unknown token is answered 400 invalid_request instead of 200."},
	{faultRevokeMissingToken200, []string{"RFC7009-2.1-missing-token-invalid-request"},
		"A revocation request without token is answered 200."},
	{faultRevokeTrustsHint, []string{"RFC7009-2.1-wrong-hint-still-revoked"},
		"Revocation looks the token up only under the hinted type, and refuses an unknown hint with invalid_request."},
	{faultRevokeRTKeepsATs, []string{"RFC7009-2.1-rt-revocation-cascades"},
		"Revoking a refresh token leaves the access tokens of its grant active."},
	{faultIntrospectionNoAuth, []string{"RFC7662-2.1-introspection-requires-auth"},
		"The introspection endpoint answers without client authentication."},
	{faultIntrospectionUnknown400, []string{"RFC7662-2.2-inactive-token"},
		"Introspecting an unknown token is answered 400 invalid_request instead of {\"active\":false}."},
	{faultIntrospectionInactiveDetails, []string{"RFC7662-2.2-no-details-inactive"},
		"An inactive token's introspection response also carries client_id and exp."},
	{faultIntrospectionNoAud, []string{"RFC7662-2.2-aud-reflects-resource"},
		"Introspection responses carry no aud."},
	{faultChallengeNoResourceMetadata, []string{"MCP-PRMDiscovery-401-challenge", "RFC6750-3.1-invalid-token-401"},
		"The MCP endpoints' Bearer challenges have no resource_metadata (the metadata stays at the well-known location); a violation in the 2025-06-18 profile."},
	{faultPRMUndiscoverable, []string{"MCP-PRMDiscovery-401-challenge", "RFC9728-3-well-known-location"},
		"No resource_metadata in the challenges, no metadata at the path-inserted well-known URL, and the root one describes https://elsewhere.invalid/mcp."},
	{faultChallengeDuplicateRealm, []string{"RFC6750-3-bearer-challenge-syntax"},
		"Every Bearer challenge of the MCP endpoints carries realm twice."},
	{faultPRMTextPlain, []string{"RFC9728-3.2-response-format"},
		"The protected resource metadata is served as text/plain."},
	{faultPRMResourceOrigin, []string{"RFC9728-3.3-resource-identical"},
		"The protected resource metadata's resource is the origin, not the MCP endpoint's URL."},
	{faultPRMResourceFragment, []string{"RFC9728-1.2-resource-syntax", "RFC9728-3.3-resource-identical"},
		"The protected resource metadata's resource has the fragment #mcp appended."},
	{faultPRMUndiscoverableAS, []string{"MCP-ASLocation-authorization-servers"},
		"authorization_servers lists, after the issuer, {origin}/no-such-issuer, which has no metadata."},
	{faultPRMNoScopes, []string{"RFC9728-2-scopes-supported"},
		"The protected resource metadata has no scopes_supported."},
	{faultPRMEmptyArray, []string{"RFC9728-3.2-no-empty-values"},
		"The protected resource metadata has authorization_details_types_supported: []."},
	{faultPRMSigningAlgNone, []string{"RFC9728-2-member-constraints"},
		"The protected resource metadata has resource_signing_alg_values_supported: [\"none\"]."},
	{faultPRMBearerQuery, []string{"RFC9728-2-bearer-methods-consistency"},
		"bearer_methods_supported is [\"header\",\"query\"] while query tokens are ignored."},
	{faultPRMOfflineAccess, []string{"MCP-RefreshTokens-no-offline-access-in-prm"},
		"The protected resource metadata's scopes_supported includes offline_access."},
	{faultASProtectedResourcesMismatch, []string{"RFC9728-4-as-rs-cross-check"},
		"The AS metadata's protected_resources lists only https://elsewhere.invalid/mcp."},
	{faultResourceInvalidToken403, []string{"RFC6750-3.1-invalid-token-401"},
		"An invalid access token at an MCP endpoint is answered 403 instead of 401."},
	{faultChallengeErrorWithoutCredentials, []string{"RFC6750-3.1-no-error-without-credentials"},
		"The challenge for a request without any token carries error=\"invalid_token\"."},
	{faultChallengeNoScope, []string{"MCP-ScopeSelection-challenge-scope"},
		"The MCP endpoints' Bearer challenges have no scope."},
	{faultResourceAnyAudience, []string{"MCP-TokenHandling-audience-enforced"},
		"The MCP endpoints accept a token of this issuer whatever its aud."},
	{faultResourceExpiryNotChecked, []string{"MCP-TokenHandling-expired-token-401"},
		"The MCP endpoints accept expired access tokens."},
	{faultResourceQueryTokenAccepted, []string{"OAUTH21-5.1-query-token-ignored"},
		"The MCP endpoints accept an access token from the access_token query parameter."},
	{faultResourceBearerCaseSensitive, []string{"OAUTH21-5.1.1-bearer-scheme-case-insensitive"},
		"The MCP endpoints accept the Authorization scheme only as \"Bearer\", byte for byte."},
	{faultResourceInsufficientScope401, []string{"RFC6750-3.1-insufficient-scope-403"},
		"A valid token without the required scope is answered 401 invalid_token instead of 403 insufficient_scope."},
	{faultSessionIDAuthenticates, []string{"MCPSBP-session-id-not-authentication"},
		"A request without a token that names a known Mcp-Session-Id is served as the session's user."},
	{faultSessionIDSequential, []string{"MCPSBP-session-id-not-authentication"},
		"Mcp-Session-Id values are sequential (session-1, session-2, ...)."},
	{faultResourceAlgNoneAccepted, []string{"MCP-TokenHandling-forged-jwt-rejected"},
		"The MCP endpoints accept an unsigned JWT (alg none) with valid claims."},
	{faultResourceSignatureNotVerified, []string{"MCP-TokenHandling-forged-jwt-rejected"},
		"The MCP endpoints do not verify the access token's signature (altered or re-signed tokens pass)."},
	{faultAuthorizeGetRefused, []string{"OAUTH21-3.1-get-supported"},
		"The authorization endpoint answers GET with 405; only POST is accepted."},
	{faultRedirectUnregisteredURI, []string{"RFC6749-3.1.2.4-no-redirect-unregistered-uri"},
		"A redirect_uri that is not registered for the client gets an invalid_request error redirect to it instead of an error page."},
	{faultRedirectURIPrefixMatch, []string{"OAUTH21-4.1.1-redirect-exact-match"},
		"A requested redirect_uri matches when a registered one is a prefix of it (/cb/x, /cb?x=1, /cb/../x are accepted)."},
	{faultLoopbackPortStrict, []string{"OAUTH21-8.4.2-loopback-any-port"},
		"Loopback redirect URIs must match with their port: a native client's ephemeral port is refused."},
	{faultLoopbackLaxMatch, []string{"OAUTH21-4.1.1-loopback-rest-exact"},
		"A registered loopback redirect URI matches any http or https URI on a 127.0.0.0/8 or ::1 host, whatever its path."},
	{faultInvalidClientRedirects, []string{"RFC6749-4.1.2.1-no-redirect-invalid-client"},
		"A missing or unknown client_id gets an error redirect to the redirect_uri sent instead of an error page."},
	{faultDuplicateRedirectURILastWin, []string{"RFC6749-3.1-duplicate-params-authz"},
		"A repeated redirect_uri is not refused: the first value is checked against the registration, the last one is used."},
	{faultUnknownParamsRefused, []string{"OAUTH21-3.1-unknown-params-ignored"},
		"An authorization request with a parameter the server does not know is refused with invalid_request."},
	{faultEmptyScopeRefused, []string{"OAUTH21-3.1-empty-params-as-omitted"},
		"An empty scope parameter (scope=) is refused with invalid_scope, while an omitted scope gets the default."},
	{faultScopeOmittedInvalidRequest, []string{"RFC6749-3.3-scope-omitted"},
		"An authorization request without scope is refused with invalid_request."},
	{faultStateTruncated, []string{"RFC6749-4.1.2-state-roundtrip"},
		"state is cut to its first 128 characters in authorization responses."},
	{faultStateRequired, []string{"OAUTH21-4.1.1-state-optional"},
		"An authorization request without state is refused with invalid_request."},
	{faultRedirectURIQueryDropped, []string{"RFC6749-4.1.2-success-response-shape"},
		"The query of a registered redirect URI is dropped from the authorization response."},
	{faultISSSuccessTrailingSlash, []string{"RFC9207-2-iss-in-authorization-response"},
		"Success redirects carry iss with a trailing slash, which the issuer does not have."},
	{faultISSMissingOnError, []string{"RFC9207-2-iss-in-error-response"},
		"Error redirects (access_denied, invalid_request, ...) carry no iss; success redirects still do."},
	{faultImplicitGrant, []string{"OAUTH21-4.1.1-implicit-rejected"},
		"response_type=token is accepted: after consent an access token is delivered in the fragment (the implicit grant)."},
	{faultDenyIssuesCode, []string{"RFC6749-4.1.2.1-access-denied-on-deny"},
		"The consent decision is ignored: Deny issues a code like Approve."},
	{faultConsentNoCSRFCheck, []string{"RFC6749-10.12-consent-csrf"},
		"The consent form's csrf_token and its binding to the session are not checked: request_id alone approves."},
	{faultConsentApproveOnGet, []string{"RFC6749-10.12-consent-csrf"},
		"GET {ISSUER}/consent?request_id=...&decision=approve approves for the logged-in session, without the CSRF token."},
	{faultConsentReplayable, []string{"RFC6749-10.12-consent-csrf"},
		"A consent form stays valid after it was used: submitting it again issues another code."},
	{faultSilentConsentNewClients, []string{"OAUTH21-7.3.1-no-silent-consent-unknown-client"},
		"Once a session approved any client, every later request of that session, for any client, is approved without a consent page."},
	{faultConsentHidesClient, []string{"MCPSBP-consent-shows-client-scope-redirect"},
		"The consent page names neither the client (\"An application\") nor the redirect host."},
	{faultPagesFrameable, []string{"RFC9700-4.16-clickjacking"},
		"HTML pages (login, consent, error) carry neither X-Frame-Options nor CSP frame-ancestors."},
	{faultCORSOnAuthorize, []string{"RFC9700-2.6-no-cors-authorization-endpoint"},
		"The authorization endpoint answers CORS: Access-Control-Allow-Origin echoes the Origin, and preflights succeed."},
	{faultLogin307, []string{"RFC9700-4.12-no-307-after-credentials"},
		"A successful login POST is answered with 307, which makes the browser re-post the credentials to the authorization endpoint."},
	{faultErrorRedirectBeforeLogin, []string{"RFC9700-4.11.2-authenticate-before-redirect"},
		"Authorization errors of a valid client (unknown PKCE method, unknown scope, ...) are redirected before the user logs in."},
	{faultClientNameUnescaped, []string{"RFC6749-10.14-input-sanitized"},
		"The consent page inserts the registered client_name as raw HTML."},
	{faultSessionCookieNotHTTPOnly, []string{"MCPSBP-consent-cookie-attributes"},
		"The session cookie is set without HttpOnly."},
	{faultThirdPartyScript, []string{"RFC9700-4.2.4-no-third-party-content"},
		"The login and consent pages load a script from https://analytics.example.invalid."},
	{faultRedirectURIOmittedGuessed, []string{"OAUTH21-2.3.2-redirect-uri-omitted"},
		"A request without redirect_uri from a client with several registered redirect URIs uses the first one."},
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

// LookupFault returns the fault with that name.
func LookupFault(name string) (Fault, bool) {
	i := slices.IndexFunc(faultTable, func(f Fault) bool { return f.Name == name })
	if i < 0 {
		return Fault{}, false
	}
	f := faultTable[i]
	f.Requirements = slices.Clone(f.Requirements)
	return f, true
}
