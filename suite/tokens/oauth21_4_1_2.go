package tokens

import (
	"context"
	"fmt"
	"time"

	"github.com/mcpauth/conformance/suite/framework"
)

// OAuth 2.1 §4.1.2 (RFC 6749 §4.1.2, §10.5): codes expire shortly after
// issuance; ten minutes at most is recommended. Two codes are obtained; the
// first is redeemed after 11 minutes (refused: PASS), and if that worked the
// second after 61 (refused: WARN, longer than recommended; accepted: FAIL,
// not short-lived, a suite policy since the spec gives no number). A slow
// spec: run it with --label-filter=slow; --code-lifetime-wait shortens the
// waits for a server with short-lived codes.
var _ = framework.It("OAUTH21-4.1.2-code-lifetime",
	"a code is refused 11 minutes after issuance (61 minutes at most)",
	func(ctx context.Context, t *framework.T) {
		w1, w2 := t.Config().CodeLifetimeWaits()
		m := t.Metadata()
		c := t.PublicClient()
		code1, p1 := fresh(t, m, c)
		issued := time.Now()
		code2, p2 := fresh(t, m, c)
		sleep(t, time.Until(issued.Add(w1)))
		e := t.TokenRequest(m, c, t.CodeRedemption(c, code1, p1))
		if !succeeded(e) {
			return
		}
		sleep(t, time.Until(issued.Add(w2)))
		e = t.TokenRequest(m, c, t.CodeRedemption(c, code2, p2))
		if succeeded(e) {
			t.FailExpected(fmt.Sprintf("a code to be refused %s after issuance (OAuth 2.1 §4.1.2: codes are short-lived)", w2),
				fmt.Sprintf("codes were still redeemed %s and %s after issuance", w1, w2))
		}
		t.WarnExpected(fmt.Sprintf("a code to be refused %s after issuance (OAuth 2.1 §4.1.2 recommends ten minutes at most)", w1),
			fmt.Sprintf("a code was redeemed %s after issuance; one was refused after %s", w1, w2))
	}, framework.Browser, framework.Slow)
