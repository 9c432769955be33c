package refserver

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Variant is a named configuration of the server that is conformant but
// differs from the default the way real servers legitimately differ (an
// origin issuer, OIDC discovery only, no refresh tokens, ...). The
// conformance suite's self-test runs the whole suite against each variant and
// requires no FAIL or WARN beyond a short declared list: faults prove that
// the specs can fail, variants prove that they do not fail correct servers
// (DESIGN.md §5).
type Variant struct {
	Name        string
	Description string
	// IssuerPath, when set, replaces the issuer path Start is given ("/" for
	// an origin issuer), for variants that are about the issuer's form.
	IssuerPath string
}

// ErrUnknownVariant is wrapped by the error New returns for a variant name
// that is not in Variants().
var ErrUnknownVariant = errors.New("unknown variant")

// Variant names. The code refers to variants only through these constants.
// Each area adds its variants as one block here and in variantTable.
const (
	variantOriginIssuer = "origin-issuer"

	variantOIDCDiscoveryOnly    = "oidc-discovery-only"
	variantClientSecretPostOnly = "client-secret-post-only"
	variantDCRNativeOnly        = "dcr-native-only"
	variantRFC8707Ignored       = "rfc8707-ignored"
	variantLoginSeparateOrigin  = "login-separate-origin"
	variantLoginJSRedirect      = "login-js-redirect"
	variantLoginCookieLimit     = "login-cookie-limit"
	variantAuthzErrorsAsPage    = "authz-errors-as-page"
	// The token lifecycle.
	variantNoRefreshTokens       = "no-refresh-tokens"
	variantCodeBurntOnFailure    = "code-burnt-on-failed-attempt"
	variantRefreshGracePeriod    = "refresh-grace-period"
	variantOpaqueAccessTokens    = "opaque-access-tokens"
	variantPRMRootOnly           = "prm-root-only"
	variantNoConsentPage         = "no-consent-page"
	variantConsentRemembered     = "consent-remembered"
	variantDCRDisabledCIMD       = "dcr-disabled-cimd"
	variantDCRInitialAccessToken = "dcr-initial-access-token"
	variantCIMDOff               = "cimd-off"
)

var variantTable = []Variant{
	{Name: variantOriginIssuer, IssuerPath: "/",
		Description: "The issuer is the server's origin (https://127.0.0.1:PORT), with no path; the default is a path issuer (/as)."},

	{Name: variantOIDCDiscoveryOnly,
		Description: "No RFC 8414 document anywhere; OpenID Connect Discovery is served at the appended and the inserted location, with code_challenge_methods_supported."},
	{Name: variantClientSecretPostOnly,
		Description: "token_endpoint_auth_methods_supported is [client_secret_post, none]; HTTP Basic client authentication is refused (401 invalid_client); registration registers secret clients for client_secret_post and its response omits token_endpoint_auth_method."},
	{Name: variantDCRNativeOnly,
		Description: "Registration refuses loopback http redirect URIs (invalid_redirect_uri) unless application_type is native; an absent application_type means web (OIDC Registration §2)."},
	{Name: variantRFC8707Ignored,
		Description: "The resource parameter is ignored at both endpoints (never invalid_target); access tokens carry aud = the client_id."},
	{Name: variantLoginSeparateOrigin,
		Description: "The login UI is a separate app on another loopback origin: the AS redirects there, and the login app sends the browser back with a one-time ticket the AS turns into its session."},
	{Name: variantLoginJSRedirect,
		Description: "A successful login answers 200 with an interstitial page that navigates on from JavaScript after 1 s."},
	{Name: variantLoginCookieLimit,
		Description: "Each login page view sets a per-client cookie of about 600 bytes; the login UI answers 431 with an empty body when the Cookie header exceeds 16 KB."},
	{Name: variantAuthzErrorsAsPage,
		Description: "Authorization errors after login are shown on a 400 error page instead of redirected (RFC 9700 §4.11.2 allows it for redirect URIs the AS does not trust)."},
	{Name: variantNoRefreshTokens,
		Description: "No refresh token is ever issued, whatever the scope (OAuth 2.1 §1.3.2 leaves it to the server)."},
	{Name: variantCodeBurntOnFailure,
		Description: "A failed redemption attempt (wrong verifier, redirect_uri, resource or client) consumes the code, as OAuth 2.1 allows."},
	{Name: variantRefreshGracePeriod,
		Description: "A rotated refresh token still works for 3 seconds (a reuse leeway for network retries); after that, presenting it revokes the family."},
	{Name: variantOpaqueAccessTokens,
		Description: "Access tokens are random strings rather than JWTs; their audience is visible only through introspection."},
	{Name: variantPRMRootOnly,
		Description: "The MCP endpoints' challenges have no resource_metadata and the protected resource metadata is only at the root well-known URL, naming the first resource ({origin}/mcp) exactly (MCP 2025-11-25 and later allow this; RFC 9728 alone would expect the origin there)."},
	{Name: variantNoConsentPage,
		Description: "No consent page: a valid request is approved right after login, as first-party setups do."},
	{Name: variantConsentRemembered,
		Description: "Consent is asked once per user and client, then remembered: later requests of that client for that user are approved without the page."},
	{Name: variantDCRDisabledCIMD,
		Description: "No dynamic client registration (no registration_endpoint, /register answers 404); clients use client ID metadata documents."},
	{Name: variantDCRInitialAccessToken,
		Description: "Dynamic client registration requires an initial access token (Options.Registration.InitialAccessToken, default " + DefaultInitialAccessToken + "; give it to the suite with --initial-access-token)."},
	{Name: variantCIMDOff,
		Description: "No client ID metadata documents: client_id_metadata_document_supported is not advertised and URL client_ids are unknown."},
}

// Variants lists every variant the server implements, sorted by name.
func Variants() []Variant {
	out := slices.Clone(variantTable)
	slices.SortFunc(out, func(a, b Variant) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// LookupVariant returns the variant with that name.
func LookupVariant(name string) (Variant, bool) {
	i := slices.IndexFunc(variantTable, func(v Variant) bool { return v.Name == name })
	if i < 0 {
		return Variant{}, false
	}
	return variantTable[i], true
}

// variantSet is the set of variants a Server was started with.
type variantSet map[string]bool

func newVariantSet(names []string) (variantSet, error) {
	set := variantSet{}
	var unknown []string
	for _, n := range names {
		if _, ok := LookupVariant(n); !ok {
			unknown = append(unknown, n)
			continue
		}
		set[n] = true
	}
	if len(unknown) > 0 {
		return nil, fmt.Errorf("%w: %s (Variants() lists the %d known names)", ErrUnknownVariant, strings.Join(unknown, ", "), len(variantTable))
	}
	return set, nil
}
