package refserver

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http"
	"sync"
)

// signingKey returns the RS256 key that signs access tokens, and its key ID.
// One key serves every Server in the process: RSA key generation takes tens of
// milliseconds, and the suite's self-test starts one server per fault. Tokens
// of different servers still differ by iss.
var signingKey = sync.OnceValues(func() (*rsa.PrivateKey, error) {
	return rsa.GenerateKey(rand.Reader, 2048)
})

// jwk is an RSA public key as a JSON Web Key (RFC 7517 §4, RFC 7518 §6.3.1).
type jwk struct {
	Kty string `json:"kty"`
	Use string `json:"use,omitempty"`
	Alg string `json:"alg,omitempty"`
	Kid string `json:"kid,omitempty"`
	N   string `json:"n"`
	E   string `json:"e"`
}

func publicJWK(pub *rsa.PublicKey) jwk {
	return jwk{
		Kty: "RSA",
		N:   base64.RawURLEncoding.EncodeToString(pub.N.Bytes()),
		E:   base64.RawURLEncoding.EncodeToString(big.NewInt(int64(pub.E)).Bytes()),
	}
}

// thumbprint is the RFC 7638 JWK thumbprint: SHA-256 over the required
// members in lexicographic order. It serves as a stable kid.
func thumbprint(pub *rsa.PublicKey) string {
	k := publicJWK(pub)
	canonical, _ := json.Marshal(struct {
		E   string `json:"e"`
		Kty string `json:"kty"`
		N   string `json:"n"`
	}{k.E, k.Kty, k.N}) // a struct of strings always marshals
	sum := sha256.Sum256(canonical)
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// handleJWKS serves the key set that verifies access tokens (RFC 8414 §2 jwks_uri).
func (s *Server) handleJWKS(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		writeError(w, http.StatusMethodNotAllowed, newError(errInvalidRequest, "The key set is read with GET."))
		return
	}
	k := publicJWK(&s.signingKey.PublicKey)
	k.Use, k.Alg, k.Kid = "sig", "RS256", s.keyID
	w.Header().Set("Access-Control-Allow-Origin", "*")
	writeJSON(w, http.StatusOK, map[string][]jwk{"keys": {k}})
}
