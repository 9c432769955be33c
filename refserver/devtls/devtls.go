// Package devtls creates a throwaway certificate authority and a loopback
// server certificate signed by it, so that the reference server can serve
// real HTTPS that clients trust by trusting exactly one CA certificate.
package devtls

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"time"
)

// Authority is a freshly generated CA and a leaf certificate it signed for
// 127.0.0.1, ::1 and localhost.
type Authority struct {
	CACertPEM []byte          // the CA certificate, PEM-encoded, for clients to trust
	Leaf      tls.Certificate // the server certificate and its key
}

// lifetime is long enough for any test run and short enough that a leaked
// key soon stops mattering. Chrome rejects leaves valid for over 398 days.
const lifetime = 7 * 24 * time.Hour

// New generates an ECDSA P-256 CA and a loopback leaf certificate.
func New() (*Authority, error) {
	return NewFor([]string{"localhost"}, []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback})
}

// NewFor generates an ECDSA P-256 CA and a leaf certificate for the given
// DNS names and IP addresses.
func NewFor(dnsNames []string, ips []net.IP) (*Authority, error) {
	now := time.Now()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("devtls: generating the CA key: %w", err)
	}
	caTemplate := &x509.Certificate{
		SerialNumber:          serialNumber(),
		Subject:               pkix.Name{CommonName: "refserver development CA"},
		NotBefore:             now.Add(-time.Hour), // tolerate clock skew
		NotAfter:              now.Add(lifetime),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true, // it signs leaves only
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTemplate, caTemplate, &caKey.PublicKey, caKey)
	if err != nil {
		return nil, fmt.Errorf("devtls: creating the CA certificate: %w", err)
	}
	caCert, err := x509.ParseCertificate(caDER)
	if err != nil {
		return nil, fmt.Errorf("devtls: parsing the CA certificate: %w", err)
	}

	leafKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("devtls: generating the server key: %w", err)
	}
	leafTemplate := &x509.Certificate{
		SerialNumber: serialNumber(),
		Subject:      pkix.Name{CommonName: "localhost"},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(lifetime),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames:     dnsNames,
		IPAddresses:  ips,
	}
	leafDER, err := x509.CreateCertificate(rand.Reader, leafTemplate, caCert, &leafKey.PublicKey, caKey)
	if err != nil {
		return nil, fmt.Errorf("devtls: creating the server certificate: %w", err)
	}
	return &Authority{
		CACertPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}),
		Leaf: tls.Certificate{
			Certificate: [][]byte{leafDER, caDER},
			PrivateKey:  leafKey,
		},
	}, nil
}

// serialNumber returns a random 128-bit serial, as CAs must use unpredictable serials.
func serialNumber() *big.Int {
	n, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 128)) // crypto/rand does not fail
	return n
}
