#!/bin/sh
# Builds the echo benchmark's C programs: Benchmarks/LoadGenerator/build.sh [OUTPUT]
# OUTPUT is the load generator (default Benchmarks/.build/bench/echo_load, where `trio-bench echo` looks
# for it); the C epoll echo server goes beside it as epoll_echo_server.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-"$here/../.build/bench/echo_load"}
mkdir -p "$(dirname "$out")"
${CC:-cc} -O2 -Wall -o "$out" "$here/echo_load.c"
${CC:-cc} -O2 -Wall -o "$(dirname "$out")/epoll_echo_server" "$here/epoll_echo_server.c"
echo "$out"
