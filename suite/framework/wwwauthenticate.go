package framework

import (
	"fmt"
	"strings"
)

// Challenge is one challenge of a WWW-Authenticate header (RFC 9110 §11.6.1):
// an auth-scheme followed by either a token68 or a list of auth-params.
type Challenge struct {
	// Scheme is the auth-scheme as sent; compare it with strings.EqualFold
	// (RFC 9110 §11.1: schemes are case-insensitive).
	Scheme string
	// Token68 is the token68 form of the credentials, "" when absent.
	Token68 string
	// Params are the auth-params in the order they were sent.
	Params []AuthParam
}

// AuthParam is one auth-param. Name is as sent (names are case-insensitive);
// Value is unquoted, with quoted-pairs resolved.
type AuthParam struct {
	Name  string
	Value string
	// Quoted reports whether the value was a quoted-string.
	Quoted bool
	// Malformed is set when the value was neither a token nor a
	// quoted-string; Value then holds the raw text up to the next comma.
	Malformed bool
}

// Param returns the value of the first auth-param named name, compared
// without case.
func (c Challenge) Param(name string) (string, bool) {
	for _, p := range c.Params {
		if strings.EqualFold(p.Name, name) {
			return p.Value, true
		}
	}
	return "", false
}

// Duplicates lists, in lower case, the auth-param names that occur more than
// once in the challenge (compared without case).
func (c Challenge) Duplicates() []string {
	seen := map[string]int{}
	var dup []string
	for _, p := range c.Params {
		n := strings.ToLower(p.Name)
		seen[n]++
		if seen[n] == 2 {
			dup = append(dup, n)
		}
	}
	return dup
}

// IsScheme reports whether the challenge's scheme is scheme, without case.
func (c Challenge) IsScheme(scheme string) bool { return strings.EqualFold(c.Scheme, scheme) }

// String renders the challenge for messages (values quoted as needed).
func (c Challenge) String() string {
	var b strings.Builder
	b.WriteString(c.Scheme)
	if c.Token68 != "" {
		b.WriteString(" " + c.Token68)
	}
	for i, p := range c.Params {
		if i == 0 {
			b.WriteString(" ")
		} else {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%s=%q", p.Name, p.Value)
	}
	return b.String()
}

// maxChallengeInput bounds the work ParseWWWAuthenticate does: header text
// beyond it is not parsed (and reported as a problem).
const maxChallengeInput = 64 << 10

// ParseWWWAuthenticate parses the values of every WWW-Authenticate header of
// a response (RFC 9110 §11.6.1): several challenges in one header or spread
// over several, auth-params whose values are tokens or quoted-strings (with
// escaped characters and commas), token68 credentials, and empty list
// elements. It is total: it never panics, does work linear in the input (at
// most maxChallengeInput bytes), and on a syntax error records the problem,
// skips to the next comma and goes on, so that what could be read is
// returned together with every problem found.
func ParseWWWAuthenticate(headers []string) ([]Challenge, []string) {
	var challenges []Challenge
	var problems []string
	budget := maxChallengeInput
	for i, h := range headers {
		if len(h) > budget {
			problems = append(problems, fmt.Sprintf("header %d: only the first %d bytes of the WWW-Authenticate headers were parsed", i+1, maxChallengeInput))
			h = h[:budget]
		}
		budget -= len(h)
		p := &challengeParser{s: h, header: i + 1}
		challenges = append(challenges, p.parse()...)
		problems = append(problems, p.problems...)
		if budget <= 0 {
			break
		}
	}
	return challenges, problems
}

type challengeParser struct {
	s        string
	i        int
	header   int
	problems []string
}

func (p *challengeParser) eof() bool { return p.i >= len(p.s) }

func (p *challengeParser) peek() byte {
	if p.eof() {
		return 0
	}
	return p.s[p.i]
}

func (p *challengeParser) problem(format string, args ...any) {
	if len(p.problems) < 20 {
		p.problems = append(p.problems, fmt.Sprintf("header %d, offset %d: ", p.header, p.i)+fmt.Sprintf(format, args...))
	}
}

// skipOWS skips optional whitespace (SP / HTAB) and reports how much.
func (p *challengeParser) skipOWS() int {
	start := p.i
	for !p.eof() && (p.s[p.i] == ' ' || p.s[p.i] == '\t') {
		p.i++
	}
	return p.i - start
}

// skipToComma recovers from a syntax error: it moves past the next comma
// that is not inside a quoted-string.
func (p *challengeParser) skipToComma() {
	quoted := false
	for !p.eof() {
		c := p.s[p.i]
		p.i++
		switch {
		case quoted && c == '\\':
			if !p.eof() {
				p.i++
			}
		case c == '"':
			quoted = !quoted
		case c == ',' && !quoted:
			return
		}
	}
}

func (p *challengeParser) run(ok func(byte) bool) string {
	start := p.i
	for !p.eof() && ok(p.s[p.i]) {
		p.i++
	}
	return p.s[start:p.i]
}

// tchar is RFC 9110 §5.6.2.
func tchar(c byte) bool {
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		return true
	}
	return strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}

// token68char is RFC 9110 §11.2, without the trailing "=" padding.
func token68char(c byte) bool {
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		return true
	}
	return strings.IndexByte("-._~+/", c) >= 0
}

// paramAhead reports whether an auth-param (token BWS "=") starts here,
// as opposed to the auth-scheme of a new challenge.
func (p *challengeParser) paramAhead() bool {
	j := p.i
	for j < len(p.s) && (p.s[j] == ' ' || p.s[j] == '\t') {
		j++
	}
	start := j
	for j < len(p.s) && tchar(p.s[j]) {
		j++
	}
	if j == start {
		return false
	}
	for j < len(p.s) && (p.s[j] == ' ' || p.s[j] == '\t') {
		j++
	}
	return j < len(p.s) && p.s[j] == '='
}

func (p *challengeParser) parse() []Challenge {
	var out []Challenge
	for {
		// Empty list elements and whitespace between challenges.
		for !p.eof() && (p.peek() == ',' || p.peek() == ' ' || p.peek() == '\t') {
			p.i++
		}
		if p.eof() {
			return out
		}
		scheme := p.run(tchar)
		if scheme == "" {
			p.problem("expected an auth-scheme, found %q", p.peek())
			p.skipToComma()
			continue
		}
		c := Challenge{Scheme: scheme}
		sp := p.skipOWS()
		if p.eof() || p.peek() == ',' {
			out = append(out, c)
			continue
		}
		if sp == 0 {
			p.problem("the auth-scheme %q is not followed by a space", scheme)
			p.skipToComma()
			out = append(out, c)
			continue
		}
		if p.token68(&c) {
			out = append(out, c)
			continue
		}
		p.params(&c)
		out = append(out, c)
	}
}

// token68 reads a token68 when one is the whole rest of the challenge.
func (p *challengeParser) token68(c *Challenge) bool {
	start := p.i
	t := p.run(token68char)
	if t != "" {
		t += p.run(func(b byte) bool { return b == '=' })
		p.skipOWS()
		if p.eof() || p.peek() == ',' {
			c.Token68 = t
			if !p.eof() {
				p.i++
			}
			return true
		}
	}
	p.i = start
	return false
}

// params reads the auth-param list of a challenge, up to the start of the
// next challenge or the end of the header.
func (p *challengeParser) params(c *Challenge) {
	for {
		p.skipOWS()
		if p.eof() {
			return
		}
		if p.peek() == ',' {
			p.i++
			p.skipOWS()
			for !p.eof() && p.peek() == ',' {
				p.i++
				p.skipOWS()
			}
			if p.eof() || !p.paramAhead() {
				return // the next challenge, or the end
			}
			continue
		}
		name := p.run(tchar)
		if name == "" {
			p.problem("expected an auth-param name, found %q", p.peek())
			p.skipToComma()
			if !p.paramAhead() {
				return
			}
			continue
		}
		p.skipOWS()
		if p.peek() != '=' {
			p.problem("the auth-param %q has no \"=\"", name)
			p.skipToComma()
			if !p.paramAhead() {
				return
			}
			continue
		}
		p.i++
		p.skipOWS()
		c.Params = append(c.Params, p.value(name))
		p.skipOWS()
		if !p.eof() && p.peek() != ',' {
			p.problem("expected a comma after the value of %q", name)
			p.skipToComma()
			if !p.paramAhead() {
				return
			}
		}
	}
}

// value reads an auth-param value: a token or a quoted-string.
func (p *challengeParser) value(name string) AuthParam {
	if p.peek() == '"' {
		v, ok := p.quoted()
		if !ok {
			p.problem("the quoted value of %q is not terminated", name)
		}
		return AuthParam{Name: name, Value: v, Quoted: true, Malformed: !ok}
	}
	v := p.run(tchar)
	if v != "" && (p.eof() || p.peek() == ',' || p.peek() == ' ' || p.peek() == '\t') {
		return AuthParam{Name: name, Value: v}
	}
	// Neither a token nor a quoted-string (for example an unquoted URL):
	// keep the raw text for diagnostics.
	start := p.i - len(v)
	p.problem("the value of %q is neither a token nor a quoted-string", name)
	for !p.eof() && p.peek() != ',' {
		p.i++
	}
	return AuthParam{Name: name, Value: strings.TrimRight(p.s[start:p.i], " \t"), Malformed: true}
}

// quoted reads a quoted-string (RFC 9110 §5.6.4), resolving quoted-pairs.
func (p *challengeParser) quoted() (string, bool) {
	p.i++ // the opening quote
	var b strings.Builder
	for !p.eof() {
		c := p.s[p.i]
		p.i++
		switch {
		case c == '"':
			return b.String(), true
		case c == '\\':
			if p.eof() {
				return b.String(), false
			}
			b.WriteByte(p.s[p.i])
			p.i++
		case c == '\t' || c >= 0x20 && c != 0x7f:
			b.WriteByte(c)
		default:
			p.problem("a control character inside a quoted-string")
			b.WriteByte(c)
		}
	}
	return b.String(), false
}
