#!/usr/bin/env bash
# Runs every benchmark side by side: swift-trio, the bare-Swift floor, the Python originals (trio, asyncio,
# uvloop, trio-asyncio), and for the echo servers swift-nio and a C epoll server too.
#
#     Benchmarks/Scripts/run-all.sh [ROUNDS]        (default 5)
#
# Each round runs every workload once per implementation, the implementations of one workload one right
# after another (in reverse order on even rounds), so every ratio compares numbers taken within seconds of
# each other. The memory workloads, which do not depend on the machine's speed, run in round 1 only.
# Writes results/latest.tsv (workload, impl, value, unit, run) and results/latest.meta (date, machine, load
# averages, versions). Needs a release build (`swift build -c release` in Benchmarks; this script runs it),
# a C compiler, and `pip install trio trio-asyncio uvloop`. Environment: PYTHON (default python3),
# OUT (default results/latest), SKIP_BUILD=1 to use the binaries as they are.
set -uo pipefail

rounds=${1:-5}
here=$(cd "$(dirname "$0")/.." && pwd)    # Benchmarks/
cd "$here"
python=${PYTHON:-python3}
out=${OUT:-results/latest}
tsv="$out.tsv"
meta="$out.meta"
mkdir -p "$(dirname "$out")"

if [ "${SKIP_BUILD:-0}" != 1 ]; then
    swift build -c release >&2 || exit 1
    LoadGenerator/build.sh >/dev/null || exit 1
fi
bin=$(swift build -c release --show-bin-path)
bench="$bin/trio-bench"
for program in "$bench" "$bin/nio-echo-server" .build/bench/echo_load .build/bench/epoll_echo_server; do
    [ -x "$program" ] || { echo "missing $program: build first" >&2; exit 1; }
done
"$python" -c 'import trio, trio_asyncio, uvloop' 2>/dev/null \
    || { echo "$python lacks trio, trio-asyncio or uvloop: pip install trio trio-asyncio uvloop" >&2; exit 1; }

loadavg() { cut -d' ' -f1-3 /proc/loadavg; }

{
    printf 'date\t%s\n' "$(date -u '+%Y-%m-%d %H:%M UTC')"
    printf 'rounds\t%s\n' "$rounds"
    printf 'cpu\t%s\n' "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
    printf 'cores\t%s\n' "$(nproc)"
    printf 'kernel\t%s\n' "$(uname -sr)"
    printf 'swift\t%s\n' "$(swift --version 2>&1 | head -1)"
    printf 'swift-nio\t%s\n' "$(sed -n '/"swift-nio"/,/version/s/.*"version" *: *"\(.*\)".*/\1/p' Package.resolved 2>/dev/null)"
    printf 'cc\t%s\n' "$(${CC:-cc} --version | head -1)"
    "$python" - <<'PY'
import sys, trio, trio_asyncio, uvloop
print(f"python\t{sys.version.split()[0]}")
print(f"trio\t{trio.__version__}\ntrio-asyncio\t{trio_asyncio.__version__}\nuvloop\t{uvloop.__version__}")
PY
    printf 'loadavg_before\t%s\n' "$(loadavg)"
} >"$meta"
printf 'workload\timpl\tvalue\tunit\trun\n' >"$tsv"

failures=0
errors=$(mktemp)
trap 'rm -f "$errors"' EXIT
# Runs one measurement (a command printing workload<TAB>impl<TAB>value<TAB>unit lines) and files its lines.
measure() {
    local output
    if output=$("$@" 2>"$errors"); then
        printf '%s\n' "$output" | awk -F'\t' -v run="$run" 'NF == 4 { print $0 "\t" run }' >>"$tsv"
        printf '%s\n' "$output" | sed 's/^/    /' >&2
    else
        failures=$((failures + 1))
        local command="$*"
        printf 'failed\t%s\n' "${command//$here\//}" >>"$meta"
        echo "FAILED: $*" >&2
        sed 's/^/    /' "$errors" >&2
    fi
}

# One workload: its implementations one after another, reversed on even rounds.
side_by_side() {
    local jobs=("$@") i
    if ((run % 2 == 0)); then
        for ((i = ${#jobs[@]} - 1; i >= 0; i--)); do eval "measure ${jobs[i]}"; done
    else
        for ((i = 0; i < ${#jobs[@]}; i++)); do eval "measure ${jobs[i]}"; done
    fi
}

py="$python Python/bench.py"
echo_server() { printf '%q echo --impl %q' "$bench" "$1"; shift; local word; for word in "$@"; do printf ' --server=%q' "$word"; done; }

for ((run = 1; run <= rounds; run++)); do
    echo "== round $run of $rounds (load $(loadavg))" >&2
    printf 'loadavg_round_%s\t%s\n' "$run" "$(loadavg)" >>"$meta"
    side_by_side "$bench spawn" "$bench floor_spawn" "$py spawn trio"
    side_by_side "$bench spawn_rounds" "$py spawn_rounds trio"
    side_by_side "$bench yield" "$bench floor_yield" "$py yield trio"
    side_by_side "$bench channel_buf0" "$py channel_buf0 trio"
    side_by_side "$bench channel_buf100" "$py channel_buf100 trio"
    side_by_side "$bench timers" "$py timers trio" "$py timers asyncio" "$py timers uvloop"
    side_by_side "$bench to_thread" "$py to_thread trio"
    side_by_side "$bench swift_as_trio" "$bench trio_thread_run"
    for workload in call_soon_batch call_soon_chain aio_spawn aio_yield; do
        side_by_side "$bench $workload" "$py $workload asyncio" "$py $workload uvloop" "$py $workload trio-asyncio"
    done
    side_by_side "$bench cross_aio_as_trio" "$py cross_aio_as_trio trio-asyncio" "$bench allow_asyncio_call"
    side_by_side "$bench cross_trio_as_aio" "$py cross_trio_as_aio trio-asyncio"
    if ((run == 1)); then
        side_by_side "$bench memory_sleep" "$bench floor_memory" "$py memory_sleep trio"
        side_by_side "$bench memory_wait" "$py memory_wait trio"
    fi
    side_by_side \
        "$(echo_server c-epoll .build/bench/epoll_echo_server 0)" \
        "$(echo_server swift-nio "$bin/nio-echo-server" 0)" \
        "$(echo_server swift-trio "$bench" echo-server --port 0)" \
        "$(echo_server swift-asyncio-protocol "$bench" aio-echo-server --port 0 --protocol)" \
        "$(echo_server swift-asyncio "$bench" aio-echo-server --port 0)" \
        "$(echo_server trio $python Python/echo_server.py trio)" \
        "$(echo_server asyncio-protocol $python Python/echo_server.py asyncio-protocol)" \
        "$(echo_server asyncio $python Python/echo_server.py asyncio)" \
        "$(echo_server uvloop-protocol $python Python/echo_server.py uvloop-protocol)" \
        "$(echo_server uvloop $python Python/echo_server.py uvloop)"
done
printf 'loadavg_after\t%s\n' "$(loadavg)" >>"$meta"
echo "wrote $tsv and $meta ($failures failed)" >&2
((failures == 0))
