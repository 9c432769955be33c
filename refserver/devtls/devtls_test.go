package devtls

import (
	"crypto/x509"
	"testing"
)

func TestLeafVerifiesForLoopbackNames(t *testing.T) {
	a, err := New()
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(a.CACertPEM) {
		t.Fatal("CACertPEM holds no certificate")
	}
	leaf, err := x509.ParseCertificate(a.Leaf.Certificate[0])
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"127.0.0.1", "::1", "localhost"} {
		opts := x509.VerifyOptions{Roots: roots, DNSName: name, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
		if _, err := leaf.Verify(opts); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := leaf.Verify(x509.VerifyOptions{Roots: roots, DNSName: "example.com"}); err == nil {
		t.Error("the leaf verifies for example.com")
	}
}
