package refserver

import (
	"slices"
	"time"
)

// redemptionRules are the faults and variants that change how a code is
// redeemed (store.redeemCode).
type redemptionRules struct {
	reusable          bool // code-reusable
	racy              bool // code-redemption-race
	noReplayRevoke    bool // code-replay-no-revoke
	revokeOnAnyReplay bool // invalid-replay-revokes
	anyClient         bool // code-not-bound-to-client
	burnOnFailure     bool // the code-burnt-on-failed-attempt variant
}

func (s *Server) redemptionRules() redemptionRules {
	return redemptionRules{
		reusable:          s.faults[faultCodeReusable],
		racy:              s.faults[faultCodeRedemptionRace],
		noReplayRevoke:    s.faults[faultCodeReplayNoRevoke],
		revokeOnAnyReplay: s.faults[faultInvalidReplayRevokes],
		anyClient:         s.faults[faultCodeNotBoundToClient] || s.faults[faultClientInferredFromCode],
		burnOnFailure:     s.variants[variantCodeBurntOnFailure],
	}
}

// rotationRules are the faults and variants that change refresh-token
// rotation (store.rotateRefreshToken).
type rotationRules struct {
	sameValue      bool          // refresh-no-rotation
	keepOld        bool          // refresh-old-stays-valid
	noFamilyRevoke bool          // refresh-reuse-no-family-revoke
	anyClient      bool          // refresh-not-bound-to-client
	grace          time.Duration // the refresh-grace-period variant
	// narrowTo, when set, gives the new refresh token's scope
	// (refresh-rt-narrowed); by default it keeps the grant's.
	narrowTo func([]string) []string
}

// refreshGrace is how long a rotated refresh token keeps working in the
// refresh-grace-period variant.
const refreshGrace = 3 * time.Second

func (s *Server) rotationRules() rotationRules {
	r := rotationRules{
		sameValue:      s.faults[faultRefreshNoRotation],
		keepOld:        s.faults[faultRefreshOldStaysValid],
		noFamilyRevoke: s.faults[faultRefreshReuseNoFamilyRevoke],
		anyClient:      s.faults[faultRefreshNotBoundToClient],
	}
	if s.variants[variantRefreshGracePeriod] {
		r.grace = refreshGrace
	}
	return r
}

// accessTokenRecord is an issued access token, kept so that introspection
// (RFC 7662) and revocation (RFC 7009) can find it. It belongs to the family
// of the grant it was issued from: revoking the family makes it inactive.
type accessTokenRecord struct {
	FamilyID  string
	ClientID  string
	Subject   string
	Scopes    []string
	Audience  string
	IssuedAt  time.Time
	ExpiresAt time.Time
	revoked   bool
}

// addAccessToken stores an issued access token and drops expired ones.
func (st *store) addAccessToken(value string, at *accessTokenRecord, now time.Time) {
	st.mu.Lock()
	defer st.mu.Unlock()
	for v, old := range st.accessTokens {
		if !now.Before(old.ExpiresAt) {
			delete(st.accessTokens, v)
		}
	}
	st.accessTokens[value] = at
}

// tokenKind is what a presented token value turned out to be.
type tokenKind int

const (
	kindUnknown tokenKind = iota
	kindAccess
	kindRefresh
)

// tokenInfo is a token as introspection sees it.
type tokenInfo struct {
	Kind      tokenKind
	Active    bool
	ClientID  string
	Subject   string
	Scopes    []string
	Audience  string
	IssuedAt  time.Time
	ExpiresAt time.Time
}

// lookupToken finds a token of either kind (RFC 7662 §2.2: active means
// issued here, not expired and not revoked; a revoked family takes its access
// tokens with it).
func (st *store) lookupToken(value string, now time.Time) tokenInfo {
	st.mu.Lock()
	defer st.mu.Unlock()
	if at := st.accessTokens[value]; at != nil {
		return tokenInfo{Kind: kindAccess, ClientID: at.ClientID, Subject: at.Subject, Scopes: slices.Clone(at.Scopes),
			Audience: at.Audience, IssuedAt: at.IssuedAt, ExpiresAt: at.ExpiresAt,
			Active: !at.revoked && now.Before(at.ExpiresAt) && !st.revokedFamilies[at.FamilyID]}
	}
	if rt := st.refreshTokens[value]; rt != nil {
		return tokenInfo{Kind: kindRefresh, ClientID: rt.ClientID, Subject: rt.Subject, Scopes: slices.Clone(rt.Scopes),
			Audience: rt.Resource, ExpiresAt: rt.ExpiresAt,
			Active: !rt.rotated && now.Before(rt.ExpiresAt) && !st.revokedFamilies[rt.FamilyID] && !st.rtRevokedFamilies[rt.FamilyID]}
	}
	return tokenInfo{Kind: kindUnknown}
}

// revocationRules are the faults that change what revocation does.
type revocationRules struct {
	noop      bool // revoke-noop: refresh tokens are not revoked
	ignoreAT  bool // revoke-access-token-ignored
	anyClient bool // revoke-foreign-token
	trustHint bool // revoke-trusts-hint: look only under the hinted type
	keepATs   bool // revoke-rt-keeps-access-tokens
}

// revoke revokes a token of the client (RFC 7009 §2.1). A token of another
// client, or an unknown one, is left alone; the caller answers 200 either way
// (§2.2). A refresh token takes its whole family with it, access tokens
// included (§2.1: the server SHOULD also invalidate them). It reports what
// the token was.
func (st *store) revoke(value, clientID, hint string, rules revocationRules) tokenKind {
	st.mu.Lock()
	defer st.mu.Unlock()
	at := st.accessTokens[value]
	rt := st.refreshTokens[value]
	if rules.trustHint {
		switch hint {
		case "access_token":
			rt = nil
		case "refresh_token":
			at = nil
		}
	}
	switch {
	case at != nil:
		if (at.ClientID == clientID || rules.anyClient) && !rules.ignoreAT {
			at.revoked = true
		}
		return kindAccess
	case rt != nil:
		if (rt.ClientID == clientID || rules.anyClient) && !rules.noop {
			if rules.keepATs {
				st.rtRevokedFamilies[rt.FamilyID] = true
			} else {
				st.revokedFamilies[rt.FamilyID] = true
			}
		}
		return kindRefresh
	}
	return kindUnknown
}

// codeClient is the client a code was issued to ("" if unknown); only the
// client-inferred-from-code fault uses it.
func (st *store) codeClient(value string) string {
	st.mu.Lock()
	defer st.mu.Unlock()
	if c := st.codes[value]; c != nil {
		return c.ClientID
	}
	return ""
}
