# Targets install Chromium from Debian when it is missing, so a fresh machine
# needs no manual step. ARGS passes suite flags: make conformance ARGS='--target https://as.example'
ARGS ?=

.PHONY: conformance test refserver chromium vet

conformance: chromium
	go tool ginkgo ./suite -- $(ARGS)

test: chromium
	go test -race -count=1 ./...

refserver:
	go run ./cmd/refserver $(ARGS)

chromium:
	@scripts/install-chromium.sh

vet:
	go vet ./...
	gofmt -l . | (! grep .)
