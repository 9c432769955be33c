package framework

import (
	"fmt"
	"strings"
	"time"
)

// SlowLabel marks specs that wait for minutes (a code's lifetime, a refresh
// token's reuse window). They run only when the label filter names it:
// --label-filter='slow' or 'tokens && slow' (see Slow).
const SlowLabel = "slow"

// The waits of the token lifecycle's long checks are settings of their own
// (code_lifetime_wait, refresh_reuse_wait), so that a server with short
// lifetimes, such as the reference server with --code-lifetime, can be
// checked in seconds.
const (
	defaultCodeLifetimeWaits = "11m,61m"
	defaultRefreshReuseWaits = "65s,305s"
)

// CodeLifetimeWaits are the two waits of the code-lifetime check: a code
// refused after the first is short-lived; one accepted after the second is not.
func (c *Config) CodeLifetimeWaits() (time.Duration, time.Duration) {
	w1, w2, _ := twoWaits(c.CodeLifetimeWait)
	return w1, w2
}

// RefreshReuseWaits are the two waits after which a rotated refresh token
// that still worked is tried again: refused after the first is a short
// reuse window, accepted after the second is no rotation at all.
func (c *Config) RefreshReuseWaits() (time.Duration, time.Duration) {
	w1, w2, _ := twoWaits(c.RefreshReuseWait)
	return w1, w2
}

// twoWaits parses two increasing durations separated by a comma.
func twoWaits(value string) (time.Duration, time.Duration, error) {
	a, b, ok := strings.Cut(value, ",")
	w1, err1 := time.ParseDuration(strings.TrimSpace(a))
	w2, err2 := time.ParseDuration(strings.TrimSpace(b))
	if !ok || err1 != nil || err2 != nil || w1 <= 0 || w2 < w1 {
		return 0, 0, fmt.Errorf("%q must be two increasing durations, such as 11m,61m", value)
	}
	return w1, w2, nil
}
