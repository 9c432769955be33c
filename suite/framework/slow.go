package framework

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"time"
)

// SlowLabel marks specs that wait for minutes (a code's lifetime, a refresh
// token's reuse window). They run only when the label filter names it:
// --label-filter='slow' or 'tokens && slow' (see Slow).
const SlowLabel = "slow"

// Waits of the token lifecycle's long checks. They are suite settings of
// their own (flag, or MCP_CONFORMANCE_* environment variable) so that a
// server with short lifetimes, such as the reference server with
// --code-lifetime, can be checked in seconds.
var (
	codeLifetimeWaits = flag.String("code-lifetime-wait", "",
		"how long OAUTH21-4.1.2-code-lifetime waits before redeeming its two codes, as two durations (default 11m,61m)")
	refreshReuseWaits = flag.String("refresh-reuse-wait", "",
		"how long OAUTH21-4.3.1-rotated-rt-rejected waits before retrying a rotated refresh token that still worked, as two durations (default 65s,305s)")
)

// CodeLifetimeWaits are the two waits of the code-lifetime check: a code
// refused after the first is short-lived; one accepted after the second is not.
func CodeLifetimeWaits() (time.Duration, time.Duration, error) {
	return twoWaits("code-lifetime-wait", *codeLifetimeWaits, 11*time.Minute, 61*time.Minute)
}

// RefreshReuseWaits are the two waits after which a rotated refresh token
// that still worked is tried again: refused after the first is a short
// reuse window, accepted after the second is no rotation at all.
func RefreshReuseWaits() (time.Duration, time.Duration, error) {
	return twoWaits("refresh-reuse-wait", *refreshReuseWaits, 65*time.Second, 305*time.Second)
}

func twoWaits(name, value string, d1, d2 time.Duration) (time.Duration, time.Duration, error) {
	if value == "" {
		value = os.Getenv(envName(name))
	}
	if value == "" {
		return d1, d2, nil
	}
	a, b, ok := strings.Cut(value, ",")
	w1, err1 := time.ParseDuration(strings.TrimSpace(a))
	w2, err2 := time.ParseDuration(strings.TrimSpace(b))
	if !ok || err1 != nil || err2 != nil || w1 <= 0 || w2 < w1 {
		return 0, 0, fmt.Errorf("--%s %q must be two increasing durations, such as 11m,61m", name, value)
	}
	return w1, w2, nil
}
