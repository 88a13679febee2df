#!/bin/sh
# Builds the echo benchmark's load generator: Benchmarks/LoadGenerator/build.sh [OUTPUT]
# (default .build/bench/echo_load, where `trio-bench echo` looks for it).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-"$here/../.build/bench/echo_load"}
mkdir -p "$(dirname "$out")"
${CC:-cc} -O2 -Wall -o "$out" "$here/echo_load.c"
echo "$out"
