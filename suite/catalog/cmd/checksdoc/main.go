// Command checksdoc writes docs/checks.md from the requirement catalog
// (suite/catalog/requirements.yaml) and the page's hand-written text
// (docs/checks-source.md). Run it from anywhere in the module:
//
//	go generate ./suite/catalog
//	go run ./suite/catalog/cmd/checksdoc
package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/mcpauth/conformance/suite/catalog"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "checksdoc:", err)
		os.Exit(1)
	}
}

func run() error {
	root, err := moduleRoot()
	if err != nil {
		return err
	}
	src, err := os.ReadFile(filepath.Join(root, catalog.ChecksSourcePath))
	if err != nil {
		return err
	}
	page, err := catalog.ChecksPage(src)
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(root, catalog.ChecksPagePath), page, 0o644)
}

// moduleRoot is the nearest directory at or above the working directory
// that holds go.mod (go generate runs in the package directory).
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod at or above the working directory; run it inside the module")
		}
		dir = parent
	}
}
