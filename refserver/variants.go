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

	variantNoConsentPage     = "no-consent-page"
	variantConsentRemembered = "consent-remembered"
)

var variantTable = []Variant{
	{Name: variantOriginIssuer, IssuerPath: "/",
		Description: "The issuer is the server's origin (https://127.0.0.1:PORT), with no path; the default is a path issuer (/as)."},

	{Name: variantNoConsentPage,
		Description: "No consent page: a valid request is approved right after login, as first-party setups do."},
	{Name: variantConsentRemembered,
		Description: "Consent is asked once per user and client, then remembered: later requests of that client for that user are approved without the page."},
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
