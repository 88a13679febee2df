#!/usr/bin/env bash
# Counts the instructions (callgrind's Ir) that a built trio-bench executes per workload, for comparing two
# builds of the same code: unlike wall-clock rates, the count hardly moves with machine load.
#
#     Benchmarks/Scripts/callgrind.sh [-b TRIO_BENCH] [-H HOST]... WORKLOAD...
#
#   -b  the trio-bench binary (default: the release build in Benchmarks/.build/release)
#   -H  for the asyncio workloads that run on both hosts: `standalone` (SelectorEventLoop) or `trio`
#       (TrioEventLoop in a Trio run); repeatable; each host is measured on its own run. Without -H
#       each workload runs once as trio-bench runs it.
#
# Prints one `workload<TAB>host<TAB>Ir` line per run (host `-` without -H). The count includes the
# process's start and exit, which are the same for two builds of one trio-bench. Needs valgrind and strip:
# valgrind's reader gives up on the DWARF that swiftc writes, so it runs a copy without debug info.
set -uo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)    # Benchmarks/
bench="$here/.build/release/trio-bench"
hosts=()
while getopts "b:H:" opt; do
    case $opt in
        b) bench=$OPTARG ;;
        H) hosts+=("$OPTARG") ;;
        *) echo "usage: $0 [-b TRIO_BENCH] [-H HOST]... WORKLOAD..." >&2; exit 2 ;;
    esac
done
shift $((OPTIND - 1))
[ $# -gt 0 ] || { echo "usage: $0 [-b TRIO_BENCH] [-H HOST]... WORKLOAD..." >&2; exit 2; }
[ -x "$bench" ] || { echo "missing $bench: swift build -c release --package-path Benchmarks" >&2; exit 1; }
command -v valgrind >/dev/null || { echo "valgrind not found" >&2; exit 1; }
command -v strip >/dev/null || { echo "strip not found" >&2; exit 1; }
[ ${#hosts[@]} -gt 0 ] || hosts=(-)

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
strip --strip-debug -o "$scratch/trio-bench" "$bench" || exit 1
bench="$scratch/trio-bench"
status=0
for workload in "$@"; do
    for host in "${hosts[@]}"; do
        log="$scratch/log"
        if [ "$host" = - ]; then
            env -u TRIO_BENCH_HOST valgrind --tool=callgrind --callgrind-out-file="$scratch/out" \
                "$bench" run "$workload" >/dev/null 2>"$log"
        else
            TRIO_BENCH_HOST=$host valgrind --tool=callgrind --callgrind-out-file="$scratch/out" \
                "$bench" run "$workload" >/dev/null 2>"$log"
        fi
        # valgrind's summary line: `==PID== Collected : N`.
        ir=$(sed -n 's/^==[0-9]*== Collected : \([0-9]*\).*/\1/p' "$log")
        if [ -z "$ir" ]; then
            echo "$workload ($host): no count; valgrind said:" >&2
            tail -5 "$log" >&2
            status=1
            continue
        fi
        printf '%s\t%s\t%s\n' "$workload" "$host" "$ir"
    done
done
exit $status
