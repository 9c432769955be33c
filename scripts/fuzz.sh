#!/usr/bin/env bash
# Runs every fuzz target of the project for FUZZTIME each (default 5s): the
# suite's parsers of what servers send, and the reference server's request
# parsing. A finding fails the script and leaves the input under testdata/fuzz.
#   FUZZTIME=1m scripts/fuzz.sh
#
# Go 1.26's fuzzing coordinator can end a run at the -fuzztime deadline with a
# bare "context deadline exceeded" and no input (go.dev/issue/75804, fixed in
# Go 1.27). A finding always writes its input, so a failure without one is
# that race: the target is run once more, and only a written input, or a
# failure other than the race, fails the script.
set -euo pipefail
cd "$(dirname "$0")/.."
fuzztime=${FUZZTIME:-5s}
status=0

inputs() { find "$1/testdata/fuzz/$2" -type f 2>/dev/null | sort || true; }

fuzz_once() { # pkg target log
  go test -run '^$' -fuzz "^$2\$" -fuzztime "$fuzztime" -parallel "${FUZZPARALLEL:-2}" "$1" >"$3" 2>&1
}

for pkg in ./suite/framework ./refserver; do
  for target in $(go test -list '^Fuzz' "$pkg" | grep '^Fuzz'); do
    echo "fuzz $pkg $target ($fuzztime)"
    log=/tmp/fuzz-$target.log
    for attempt in 1 2; do
      before=$(inputs "$pkg" "$target")
      if fuzz_once "$pkg" "$target" "$log"; then
        break
      fi
      if [ "$(inputs "$pkg" "$target")" != "$before" ] || ! grep -q 'context deadline exceeded' "$log" || [ "$attempt" = 2 ]; then
        tail -20 "$log"
        status=1
        break
      fi
      echo "  $target ended on Go's fuzztime deadline race (go.dev/issue/75804) without an input; running it again"
    done
  done
done
exit $status
