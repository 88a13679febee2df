#!/usr/bin/env bash
# Builds each library's DocC catalog with its own symbol graph and fails on any DocC warning
# (broken symbol links, undocumented parameters). Usage: Scripts/check-docs.sh [Module ...]
set -euo pipefail
cd "$(dirname "$0")/.."
modules=("$@")
[ ${#modules[@]} -gt 0 ] || modules=(Sniffio SharedErrors TrioPlatform Trio TrioTesting Asyncio TrioAsyncio Traio)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
status=0
for module in "${modules[@]}"; do
    [ -d "Sources/$module/$module.docc" ] || { echo "$module: no DocC catalog"; status=1; continue; }
    swift build --target "$module" -Xswiftc -emit-symbol-graph -Xswiftc -emit-symbol-graph-dir \
        -Xswiftc "$work/all" >/dev/null
    mkdir -p "$work/$module"
    cp "$work/all/$module.symbols.json" "$work/$module/"
    warnings=$(docc convert "Sources/$module/$module.docc" --additional-symbol-graph-dir "$work/$module" \
        --fallback-display-name "$module" --fallback-bundle-identifier "$module" \
        --output-path "$work/out-$module" 2>&1 | grep -E "^(warning|error)" || true)
    if [ -n "$warnings" ]; then
        echo "$module: DocC warnings"; echo "$warnings"; status=1
    else
        echo "$module: documentation clean"
    fi
done
exit $status
