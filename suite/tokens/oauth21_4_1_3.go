package tokens

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/mcpauth/conformance/suite/framework"
)

// OAuth 2.1 §4.1.3 (RFC 6749 §4.1.2, §10.5): a code yields tokens at most
// once. The identical request is replayed at once and again after 2 s; an
// idempotency window that returns the same tokens is still a second
// issuance (requirements §7 "idempotent replay").
var _ = framework.It("OAUTH21-4.1.3-code-single-use",
	"a redeemed code is refused when the same token request is sent again, at once and 1 s later",
	func(ctx context.Context, t *framework.T) {
		m := t.Metadata()
		c := t.PublicClient()
		code, p := fresh(t, m, c)
		form := t.CodeRedemption(c, code, p)
		first, err := framework.ParseTokenResponse(t.TokenRequest(m, c, form))
		if err != nil {
			t.Skipf("precondition not met: the first redemption gave no tokens (%v), so a replay proves nothing", err)
		}
		// The immediate replay is the decisive one (an idempotency window
		// answers it with tokens); the later one catches a replay store that
		// lags behind. One second keeps the suite within its budget.
		for i, wait := range []time.Duration{0, time.Second} {
			sleep(t, wait)
			e := t.TokenRequest(m, c, t.CodeRedemption(c, code, p))
			if again, err := framework.ParseTokenResponse(e); err == nil {
				note := ""
				if again.AccessToken == first.AccessToken {
					note = " (an idempotent replay: the same access token again)"
				}
				t.FailExpected("a second redemption of a used code to be refused with invalid_grant (OAuth 2.1 §4.1.3)",
					fmt.Sprintf("replay %d (after %s) got tokens again%s", i+1, wait, note))
			}
			t.ExpectRejected(e, "a replay of a redeemed code", []string{"invalid_grant"}, framework.Warn)
		}
	}, framework.Browser)

// raceRedemptions is how many redemptions of one code are sent at once.
const raceRedemptions = 8

// The same requirement under concurrency: a server that checks "not yet
// redeemed" and marks the code in two steps hands out several token sets to
// simultaneous requests. Exactly one may succeed.
var _ = framework.It("OAUTH21-4.1.3-code-single-use",
	fmt.Sprintf("of %d simultaneous redemptions of one code, at most one gets tokens", raceRedemptions),
	func(ctx context.Context, t *framework.T) {
		m := t.Metadata()
		c := t.PublicClient()
		code, p := fresh(t, m, c)
		var (
			wg        sync.WaitGroup
			mu        sync.Mutex
			successes int
			start     = make(chan struct{})
		)
		for range raceRedemptions {
			wg.Go(func() {
				form := t.CodeRedemption(c, code, p)
				<-start
				if succeeded(t.TokenRequest(m, c, form)) {
					mu.Lock()
					successes++
					mu.Unlock()
				}
			})
		}
		close(start)
		wg.Wait()
		switch {
		case successes > 1:
			t.FailExpected(fmt.Sprintf("exactly one of %d simultaneous redemptions of one code to get tokens (OAuth 2.1 §4.1.3)", raceRedemptions),
				fmt.Sprintf("%d of them got tokens: the redemption is not atomic", successes))
		case successes == 0:
			t.Skipf("none of the %d simultaneous redemptions got tokens, so atomicity could not be judged (OAUTH21-3.2.3-success-response-format judges a failing exchange)", raceRedemptions)
		}
	}, framework.Browser)

// OAuth 2.1 §4.1.3 and §7.5.3 (RFC 6749 §4.1.2): after a valid replay of a
// used code the server should revoke what the code yielded. Judged through
// the refresh token and, where the suite can introspect, the access token
// (self-contained JWTs cannot be judged otherwise); polled for 10 s.
var _ = framework.It("OAUTH21-4.1.3-replay-revokes-tokens",
	"after a valid replay of a used code, the refresh and access tokens it yielded stop working",
	func(ctx context.Context, t *framework.T) {
		m := t.Metadata()
		c := t.PublicClient()
		code, p := fresh(t, m, c)
		tr, err := framework.ParseTokenResponse(t.TokenRequest(m, c, t.CodeRedemption(c, code, p)))
		if err != nil {
			t.Skipf("precondition not met: the redemption gave no tokens (%v)", err)
		}
		introspectable := canIntrospect(t, m)
		if tr.RefreshToken == "" && !introspectable {
			t.Skipf("no refresh token was issued and the suite cannot introspect, so whether the replay revoked anything cannot be observed")
		}
		if replay := t.TokenRequest(m, c, t.CodeRedemption(c, code, p)); succeeded(replay) {
			t.Skipf("the replay got tokens, which OAUTH21-4.1.3-code-single-use reports; revocation after a refused replay could not be judged")
		}
		want := "the tokens issued from the code to be revoked after its valid replay (OAuth 2.1 §4.1.3)"
		if tr.RefreshToken != "" {
			if refused, e := refreshRefused(t, m, c, tr.RefreshToken); !refused {
				t.WarnExpected(want, fmt.Sprintf("the refresh token still works %s after the replay (%s)", pollWindow(t), outcome(e)))
				return
			}
		}
		if introspectable {
			if inactive, observable, _ := introspectInactive(t, m, tr.AccessToken); observable && !inactive {
				t.WarnExpected(want, fmt.Sprintf("introspection still reports the access token active %s after the replay", pollWindow(t)))
			}
		} else {
			t.Notef("the access token was not judged: the suite cannot introspect, and a self-contained token may stay valid until it expires")
		}
	}, framework.Browser)

// OAuth 2.1 §4.1.3 (RFC 6749 §4.1.3, §10.5): the code is bound to its
// client. PUB's code is redeemed by PUB2 with the right verifier, and a
// second code of PUB with CONF's valid authentication; each with a fresh
// code, because a failed attempt may burn it.
var _ = framework.It("OAUTH21-4.1.3-code-bound-to-client",
	"a code issued to one client is refused to another public client and to a confidential client",
	func(ctx context.Context, t *framework.T) {
		m := t.Metadata()
		pub := t.PublicClient()
		pub2 := secondPublic(t)
		accepted := []string{"invalid_grant", "invalid_client", "unauthorized_client"}
		code, p := fresh(t, m, pub)
		e := t.TokenRequest(m, pub2, t.CodeRedemption(pub2, code, p))
		t.ExpectRejected(e, "a code issued to PUB redeemed by PUB2 with the right verifier", accepted, framework.Warn)
		if !confidentialAvailable(t, m) {
			t.Notef("no confidential client can be had, so only the public-client case was checked")
			return
		}
		conf := t.ConfidentialClient()
		code, p = fresh(t, m, pub)
		e = t.TokenRequest(m, conf, t.CodeRedemption(conf, code, p))
		t.ExpectRejected(e, "a code issued to PUB redeemed by a confidential client with its valid authentication", accepted, framework.Warn)
	}, framework.Browser)
