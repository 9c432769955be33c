package framework

import (
	"reflect"
	"strings"
	"testing"
)

func TestParseWWWAuthenticate(t *testing.T) {
	bearer := func(params ...AuthParam) Challenge { return Challenge{Scheme: "Bearer", Params: params} }
	q := func(n, v string) AuthParam { return AuthParam{Name: n, Value: v, Quoted: true} }
	tok := func(n, v string) AuthParam { return AuthParam{Name: n, Value: v} }
	tests := []struct {
		name     string
		headers  []string
		want     []Challenge
		problems int
	}{
		{"bare scheme", []string{"Bearer"}, []Challenge{{Scheme: "Bearer"}}, 0},
		{"quoted and token values", []string{`Bearer realm="mcp", error=invalid_token`},
			[]Challenge{bearer(q("realm", "mcp"), tok("error", "invalid_token"))}, 0},
		{"escaped quote and comma inside a quoted string", []string{`Bearer error_description="a \"b\", c", scope="x y"`},
			[]Challenge{bearer(q("error_description", `a "b", c`), q("scope", "x y"))}, 0},
		{"two challenges in one header", []string{`Basic realm="x", Bearer resource_metadata="https://h/.well-known/oauth-protected-resource/mcp", scope="a"`},
			[]Challenge{{Scheme: "Basic", Params: []AuthParam{q("realm", "x")}}, bearer(q("resource_metadata", "https://h/.well-known/oauth-protected-resource/mcp"), q("scope", "a"))}, 0},
		{"several headers", []string{`DPoP algs="ES256"`, `bearer Scope="a b"`},
			[]Challenge{{Scheme: "DPoP", Params: []AuthParam{q("algs", "ES256")}}, {Scheme: "bearer", Params: []AuthParam{q("Scope", "a b")}}}, 0},
		{"token68", []string{"Negotiate abc+/9==, Bearer"},
			[]Challenge{{Scheme: "Negotiate", Token68: "abc+/9=="}, {Scheme: "Bearer"}}, 0},
		{"whitespace around = and empty list elements", []string{` , Bearer  realm = "x" ,, scope=y , `},
			[]Challenge{bearer(q("realm", "x"), tok("scope", "y"))}, 0},
		{"bare scheme then another challenge", []string{`Bearer, Basic realm="r"`},
			[]Challenge{{Scheme: "Bearer"}, {Scheme: "Basic", Params: []AuthParam{q("realm", "r")}}}, 0},
		{"unquoted URL is malformed but kept", []string{`Bearer resource_metadata=https://h/x, scope="a"`},
			[]Challenge{bearer(AuthParam{Name: "resource_metadata", Value: "https://h/x", Malformed: true}, q("scope", "a"))}, 1},
		{"unterminated quoted string", []string{`Bearer realm="x`},
			[]Challenge{bearer(AuthParam{Name: "realm", Value: "x", Quoted: true, Malformed: true})}, 1},
		{"missing comma between params", []string{`Bearer a="1" b="2"`}, []Challenge{bearer(q("a", "1"))}, 1},
		{"garbage", []string{`=== "`}, nil, 1},
		{"empty", []string{""}, nil, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, problems := ParseWWWAuthenticate(tc.headers)
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("challenges = %#v\nwant %#v", got, tc.want)
			}
			if len(problems) != tc.problems {
				t.Errorf("problems = %q, want %d", problems, tc.problems)
			}
		})
	}
}

func TestChallengeParamAndDuplicates(t *testing.T) {
	cs, _ := ParseWWWAuthenticate([]string{`BEARER Realm="a", realm="b", scope="s"`})
	if len(cs) != 1 || !cs[0].IsScheme("bearer") {
		t.Fatalf("got %#v", cs)
	}
	if v, ok := cs[0].Param("REALM"); !ok || v != "a" {
		t.Errorf("Param(REALM) = %q, %v", v, ok)
	}
	if d := cs[0].Duplicates(); !reflect.DeepEqual(d, []string{"realm"}) {
		t.Errorf("Duplicates = %q", d)
	}
}

// The parser is total: hostile input never panics and the work is bounded.
func TestParseWWWAuthenticateTotal(t *testing.T) {
	inputs := []string{
		strings.Repeat(`Bearer a="\`, 1000),
		strings.Repeat(",", 1<<17),
		strings.Repeat(`x=`, 1<<16),
		"\x00\xff\"\\",
		`Bearer a=` + strings.Repeat("b", 1<<17),
	}
	for _, in := range inputs {
		ParseWWWAuthenticate([]string{in, in})
	}
}

func FuzzParseWWWAuthenticate(f *testing.F) {
	f.Add(`Bearer realm="x", error="invalid_token", Basic abc==`)
	f.Fuzz(func(t *testing.T, s string) {
		cs, _ := ParseWWWAuthenticate([]string{s})
		for _, c := range cs {
			if c.Scheme == "" {
				t.Fatalf("a challenge without a scheme from %q", s)
			}
		}
	})
}
