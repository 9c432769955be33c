package framework

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
)

// JWT is the header and claims of a compact JWS (RFC 7515 §7.1), read without
// verifying its signature: the suite only observes what a token says, such as
// its audience (requirements §1.3, AUD-OBSERVE), and never trusts it.
type JWT struct {
	Header map[string]any
	Claims map[string]any
}

// DecodeJWT reads a compact JWS: three base64url segments whose first two are
// JSON objects. It returns an error for anything else, such as an opaque
// token or a JWE (five segments), saying why.
func DecodeJWT(raw string) (*JWT, error) {
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		return nil, fmt.Errorf("the token has %d dot-separated segments, not the 3 of a JWS", len(parts))
	}
	header, err := jwtSegment(parts[0], "header")
	if err != nil {
		return nil, err
	}
	claims, err := jwtSegment(parts[1], "payload")
	if err != nil {
		return nil, err
	}
	return &JWT{Header: header, Claims: claims}, nil
}

func jwtSegment(seg, what string) (map[string]any, error) {
	// base64url without padding (RFC 7515 §2); tolerate padding anyway.
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(seg, "="))
	if err != nil {
		return nil, fmt.Errorf("the %s segment is not base64url: %v", what, err)
	}
	obj, err := ParseJSONObject(b)
	if err != nil {
		return nil, fmt.Errorf("the %s segment: %v", what, err)
	}
	return obj, nil
}

// Type is the typ header parameter ("" if absent or not a string).
func (j *JWT) Type() string {
	s, _ := MemberString(j.Header, "typ")
	return s
}

// ErrNoAudience is returned by Audience when the token has no aud claim.
var ErrNoAudience = errors.New("the token has no aud claim")

// Audience returns the aud claim as a list: RFC 7519 §4.1.3 allows a single
// string or an array of strings. It returns ErrNoAudience when the claim is
// absent, and another error when it has another type.
func (j *JWT) Audience() ([]string, error) {
	v, ok := j.Claims["aud"]
	if !ok {
		return nil, ErrNoAudience
	}
	switch aud := v.(type) {
	case string:
		return []string{aud}, nil
	case []any:
		out := make([]string, 0, len(aud))
		for _, a := range aud {
			s, ok := a.(string)
			if !ok {
				return nil, fmt.Errorf("the aud claim is an array with a non-string member %v", a)
			}
			out = append(out, s)
		}
		return out, nil
	}
	return nil, fmt.Errorf("the aud claim is neither a string nor an array of strings: %v", v)
}
