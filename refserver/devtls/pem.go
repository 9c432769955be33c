package devtls

import (
	"crypto/x509"
	"encoding/pem"
	"fmt"
)

// LeafPEM returns the leaf certificate chain and its private key as PEM, for
// a server in another process (the conformance suite's client metadata
// document host) that must present this certificate.
func (a *Authority) LeafPEM() (certPEM, keyPEM []byte, err error) {
	for _, der := range a.Leaf.Certificate {
		certPEM = append(certPEM, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})...)
	}
	key, err := x509.MarshalPKCS8PrivateKey(a.Leaf.PrivateKey)
	if err != nil {
		return nil, nil, fmt.Errorf("devtls: encoding the leaf key: %w", err)
	}
	return certPEM, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: key}), nil
}
