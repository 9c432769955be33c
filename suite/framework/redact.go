package framework

import (
	"crypto/sha256"
	"encoding/hex"
	"regexp"
	"slices"
	"strings"
	"sync"
)

// Reports are meant to be shared (a GitHub job summary, CI artifacts), so no
// credential may appear in them: client secrets, passwords, registration
// access tokens, access, refresh and ID tokens, authorization codes and
// session cookies are shown masked, as a short prefix and a hash, so that two
// values can still be told apart. Two mechanisms work together: every secret
// the suite learns (configured, registered, issued) is registered and masked
// wherever it appears, and values in credential-shaped places (form fields,
// JSON members, Authorization and Cookie headers) are masked whatever they are.

// minSecretLen keeps short values (a "1", a "none") from being masked
// everywhere they happen to appear.
const minSecretLen = 6

var secrets = struct {
	sync.Mutex
	values   map[string]bool
	replacer *strings.Replacer // nil when values changed since it was built
}{values: map[string]bool{}}

// RegisterSecret makes every report of this process mask v.
func RegisterSecret(v string) {
	if len(v) < minSecretLen {
		return
	}
	secrets.Lock()
	defer secrets.Unlock()
	if !secrets.values[v] {
		secrets.values[v] = true
		secrets.replacer = nil
	}
}

// Mask is how a secret is shown: its first four characters (for values long
// enough that they reveal nothing) and the start of its SHA-256.
func Mask(v string) string {
	sum := sha256.Sum256([]byte(v))
	h := "[redacted sha256:" + hex.EncodeToString(sum[:4]) + "]"
	if len(v) >= 20 {
		return v[:4] + "…" + h
	}
	return h
}

var (
	// name=value in a query or a form body.
	formSecret = regexp.MustCompile(`(?i)\b(client_secret|password|code|refresh_token|access_token|id_token|registration_access_token|token|client_assertion|subject_token|ticket)=([^&\s"'<>#]+)`)
	// "name": "value" in JSON.
	jsonSecret = regexp.MustCompile(`(?i)"(client_secret|password|code|refresh_token|access_token|id_token|registration_access_token|token)"(\s*:\s*)"((?:[^"\\]|\\.)*)"`)
	// Authorization header values and bearer tokens in text.
	authSecret = regexp.MustCompile(`(?i)\b(Bearer|Basic|DPoP)( +)([A-Za-z0-9\-._~+/]{6,}=*)`)
	// A JWT anywhere, whole or cut short: in reports it is always a token
	// (access, ID, a client assertion) or a copy of one.
	jwtSecret = regexp.MustCompile(`\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]*)?`)
	// Cookie and Set-Cookie headers as evidence renders them.
	cookieHeader = regexp.MustCompile(`(?im)^([<>] (?:Set-)?Cookie: )(.*)$`)
	cookiePair   = regexp.MustCompile(`([^=;,\s]+)=([^;,\s]*)`)
)

// Redact masks every registered secret and every credential-shaped value in s.
func Redact(s string) string {
	if s == "" {
		return s
	}
	s = registeredReplacer().Replace(s)
	s = formSecret.ReplaceAllStringFunc(s, func(m string) string {
		p := formSecret.FindStringSubmatch(m)
		return p[1] + "=" + maskOnce(p[2])
	})
	s = jsonSecret.ReplaceAllStringFunc(s, func(m string) string {
		p := jsonSecret.FindStringSubmatch(m)
		return `"` + p[1] + `"` + p[2] + `"` + maskOnce(p[3]) + `"`
	})
	s = jwtSecret.ReplaceAllStringFunc(s, maskOnce)
	s = authSecret.ReplaceAllStringFunc(s, func(m string) string {
		p := authSecret.FindStringSubmatch(m)
		return p[1] + p[2] + maskOnce(p[3])
	})
	return cookieHeader.ReplaceAllStringFunc(s, func(m string) string {
		p := cookieHeader.FindStringSubmatch(m)
		first, rest, _ := strings.Cut(p[2], ";")
		if strings.HasPrefix(p[1], "< Set-") {
			// Only the cookie's own value is secret; its attributes are evidence.
			return p[1] + maskPairs(first) + semicolon(rest)
		}
		return p[1] + maskPairs(p[2])
	})
}

func semicolon(rest string) string {
	if rest == "" {
		return ""
	}
	return ";" + rest
}

func maskPairs(s string) string {
	return cookiePair.ReplaceAllStringFunc(s, func(m string) string {
		p := cookiePair.FindStringSubmatch(m)
		return p[1] + "=" + maskOnce(p[2])
	})
}

// maskOnce masks v unless it is already masked or too short to be a secret.
func maskOnce(v string) string {
	if strings.Contains(v, "[redacted") || len(v) < minSecretLen {
		return v
	}
	return Mask(v)
}

func registeredReplacer() *strings.Replacer {
	secrets.Lock()
	defer secrets.Unlock()
	if secrets.replacer == nil {
		vals := make([]string, 0, len(secrets.values))
		for v := range secrets.values {
			vals = append(vals, v)
		}
		// Longest first, so that a secret containing another is masked whole.
		slices.SortFunc(vals, func(a, b string) int { return len(b) - len(a) })
		pairs := make([]string, 0, 2*len(vals))
		for _, v := range vals {
			pairs = append(pairs, v, Mask(v))
		}
		secrets.replacer = strings.NewReplacer(pairs...)
	}
	return secrets.replacer
}

// redactAll masks secrets in each string.
func redactAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = Redact(s)
	}
	return out
}
