#!/usr/bin/env bash
# Runs every fuzz target of the project for FUZZTIME each (default 5s): the
# suite's parsers of what servers send, and the reference server's request
# parsing. A finding fails the script and leaves the input under testdata/fuzz.
#   FUZZTIME=1m scripts/fuzz.sh
set -euo pipefail
cd "$(dirname "$0")/.."
fuzztime=${FUZZTIME:-5s}
status=0
for pkg in ./suite/framework ./refserver; do
  for target in $(go test -list '^Fuzz' "$pkg" | grep '^Fuzz'); do
    echo "fuzz $pkg $target ($fuzztime)"
    if ! go test -run '^$' -fuzz "^${target}\$" -fuzztime "$fuzztime" -parallel "${FUZZPARALLEL:-2}" "$pkg" >/tmp/fuzz-$target.log 2>&1; then
      tail -20 /tmp/fuzz-$target.log
      status=1
    fi
  done
done
exit $status
