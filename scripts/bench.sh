#!/usr/bin/env bash
# Prints the three time budgets of the README's performance table, each the
# median of several whole-process runs on this machine:
#   the HTTP-only specs and the whole suite against the embedded reference
#   server (RUNS runs each, default 5), and the fault and variant matrix
#   (MATRIX_RUNS runs, default 3).
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-5}
matrix_runs=${MATRIX_RUNS:-3}
bin=$(mktemp -d)/suite.test
go test -c -o "$bin" ./suite
go test -c -o "${bin%/*}/selftest.test" ./selftest

median() { sort -n | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.2f", m}'; }
timeit() { local s e; s=$(date +%s.%N); "$@" >/dev/null 2>&1 || { echo "failed: $*" >&2; return 1; }; e=$(date +%s.%N); echo "$e - $s" | bc; }

reports=$(mktemp -d)
http=$(for _ in $(seq "$runs"); do (cd "${bin%/*}" && timeit "$bin" -report-dir "$reports" -ginkgo.label-filter='!browser'); done | median)
whole=$(for _ in $(seq "$runs"); do (cd "${bin%/*}" && timeit "$bin" -report-dir "$reports"); done | median)
matrix=$(for _ in $(seq "$matrix_runs"); do (cd selftest && timeit "${bin%/*}/selftest.test" -test.count=1 -test.run 'TestCleanRun|TestFaults|TestVariants'); done | median)
printf '%-44s %8s %8s\n' "what" "budget" "median"
printf '%-44s %8s %7ss\n' "HTTP-only specs, embedded server" "2 s" "$http"
printf '%-44s %8s %7ss\n' "whole suite, browser specs included" "15 s" "$whole"
printf '%-44s %8s %7ss\n' "fault and variant matrix" "300 s" "$matrix"
