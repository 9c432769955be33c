// Command refserver runs the reference OAuth 2.1 authorization server of the
// MCP conformance suite, optionally with deliberate faults.
//
//	refserver [--addr 127.0.0.1:9000] [--issuer-path /as] [--plain-http]
//	          [--fault NAME]... [--variant NAME]... [--ca-out FILE] [--code-lifetime D]
//	          [--list-faults] [--list-variants]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/mcpauth/conformance/refserver"
)

// nameList collects a repeated flag (--fault, --variant).
type nameList []string

func (f *nameList) String() string     { return strings.Join(*f, ",") }
func (f *nameList) Set(v string) error { *f = append(*f, v); return nil }

func main() {
	os.Exit(run())
}

func run() int {
	var (
		addr         = flag.String("addr", "127.0.0.1:9000", "address to listen on")
		issuerPath   = flag.String("issuer-path", "", "path of the issuer identifier, such as /as (default: the origin is the issuer)")
		plainHTTP    = flag.Bool("plain-http", false, "serve plain http instead of https (no TLS)")
		listFaults   = flag.Bool("list-faults", false, "print every fault as NAME<TAB>REQUIREMENT-IDS<TAB>DESCRIPTION and exit")
		listVariants = flag.Bool("list-variants", false, "print every conformant variant as NAME<TAB>DESCRIPTION and exit")
		caOut        = flag.String("ca-out", "", "write the CA certificate (PEM) that clients must trust to this file")
		codeLifetime = flag.Duration("code-lifetime", 0, "how long authorization codes live (default 60s); a short one lets the suite's slow code-lifetime check run in seconds")
		faults       nameList
		variants     nameList
	)
	flag.Var(&faults, "fault", "start with the named deliberate fault (repeatable; see --list-faults)")
	flag.Var(&variants, "variant", "start as the named conformant variant (repeatable; see --list-variants)")
	flag.Parse()

	if *listFaults {
		for _, f := range refserver.Faults() {
			fmt.Printf("%s\t%s\t%s\n", f.Name, strings.Join(f.Requirements, ","), f.Description)
		}
		return 0
	}
	if *listVariants {
		for _, v := range refserver.Variants() {
			fmt.Printf("%s\t%s\n", v.Name, v.Description)
		}
		return 0
	}

	inst, err := refserver.Start(refserver.Config{
		Options:    refserver.Options{Faults: faults, Variants: variants, CodeLifetime: *codeLifetime},
		Addr:       *addr,
		IssuerPath: *issuerPath,
		PlainHTTP:  *plainHTTP,
	})
	if errors.Is(err, refserver.ErrUnknownFault) || errors.Is(err, refserver.ErrUnknownVariant) {
		fmt.Fprintf(os.Stderr, "%v\nRun refserver --list-faults or --list-variants to see the known names.\n", err)
		return 2
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer inst.Close()

	fmt.Printf("issuer:   %s\n", inst.Issuer)
	fmt.Printf("metadata: %s/.well-known/oauth-authorization-server%s\n", inst.Origin, *issuerPath)
	switch {
	case *plainHTTP:
		fmt.Println("TLS:      off (plain http)")
	case *caOut != "":
		if err := os.WriteFile(*caOut, inst.CACertPEM, 0o644); err != nil {
			fmt.Fprintf(os.Stderr, "refserver: writing the CA certificate: %v\n", err)
			return 1
		}
		fmt.Printf("CA:       %s (trust it, e.g. curl --cacert %s)\n", *caOut, *caOut)
	default:
		fmt.Println("CA:       generated for this run; pass --ca-out FILE to save it for clients")
	}
	if inst.LoginOrigin != "" {
		fmt.Printf("login UI: %s (a separate origin)\n", inst.LoginOrigin)
	}
	fmt.Printf("login:    user %q, password %q\n", refserver.DefaultUser.Username, refserver.DefaultUser.Password)
	if len(faults) > 0 {
		fmt.Printf("faults:   %s\n", faults.String())
	}
	if len(variants) > 0 {
		fmt.Printf("variants: %s\n", variants.String())
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	<-ctx.Done()
	return 0
}
