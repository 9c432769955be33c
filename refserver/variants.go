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

	variantDCRDisabledCIMD       = "dcr-disabled-cimd"
	variantDCRInitialAccessToken = "dcr-initial-access-token"
	variantCIMDOff               = "cimd-off"
)

var variantTable = []Variant{
	{Name: variantOriginIssuer, IssuerPath: "/",
		Description: "The issuer is the server's origin (https://127.0.0.1:PORT), with no path; the default is a path issuer (/as)."},

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
