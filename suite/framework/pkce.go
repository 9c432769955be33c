package framework

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
)

// PKCE is a code verifier and its S256 challenge (RFC 7636 §4.1, §4.2).
type PKCE struct {
	Verifier  string
	Challenge string
	Method    string
}

// NewPKCE returns a fresh verifier of 43 characters (32 random bytes,
// base64url without padding, as RFC 7636 §4.1 recommends) and its S256
// challenge.
func NewPKCE() PKCE {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	v := base64.RawURLEncoding.EncodeToString(b)
	return PKCE{Verifier: v, Challenge: S256(v), Method: "S256"}
}

// S256 is BASE64URL(SHA256(ASCII(verifier))) without padding (RFC 7636 §4.2).
func S256(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}
