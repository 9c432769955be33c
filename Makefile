# Targets install Chromium from Debian when it is missing, so a fresh machine
# needs no manual step. ARGS passes suite flags: make conformance ARGS='--target https://as.example'
ARGS ?=

.PHONY: conformance test interop refserver chromium vet lint flake cascade bench fuzz

# No colour codes when the output is not a terminal (a CI log, a file).
conformance: chromium
	@if [ -t 1 ]; then color=; else color=--no-color; fi; go tool ginkgo $$color ./suite -- $(ARGS)

test: chromium
	go test -race -count=1 -timeout 60m -p 1 ./...

# The suite against panva's oidc-provider, compared with its verdict baseline
# (installs Node.js 22 and the provider into ~/.cache when missing).
interop: chromium
	@scripts/install-oidc-provider.sh
	MCP_CONFORMANCE_INTEROP=1 go test -count=1 ./interop/...

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

# The whole suite 20 times with -p and a fresh random seed each time; fails
# unless every run passes with identical verdicts.
flake: chromium
	MCP_CONFORMANCE_FLAKE=$${FLAKE_RUNS:-20} go test -count=1 -timeout 60m -run TestFlake -v ./selftest/

# The whole suite once per fault (about 20 minutes): lists, in
# selftest/cascades.txt, every requirement outside a fault's mapping that
# FAILs or ERRORs, the rows a defect should point to rather than fail.
cascade: chromium
	MCP_CONFORMANCE_CASCADE=1 go test -count=1 -timeout 60m -run TestCascades ./selftest/

# The three time budgets (medians of several runs) of the README's table.
bench: chromium
	scripts/bench.sh

# Every fuzz target for FUZZTIME each (default 5s).
fuzz:
	scripts/fuzz.sh
