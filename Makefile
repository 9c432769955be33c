# Targets install Chromium from Debian when it is missing, so a fresh machine
# needs no manual step. ARGS passes suite flags: make conformance ARGS='--target https://as.example'
ARGS ?=

.PHONY: conformance test refserver chromium vet lint

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
	@test -z "$$(gofmt -l .)" || (echo "not gofmt-formatted:"; gofmt -l .; exit 1)

# Linters live in tools/go.mod so they do not pull their dependencies into go.mod.
lint: vet
	go tool -modfile=tools/go.mod staticcheck ./...
	go tool -modfile=tools/go.mod actionlint .github/workflows/*.yml
