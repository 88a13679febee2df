#!/usr/bin/env bash
# Checks the libraries' DocC catalogs. For each module it
#  1. lints the catalog's markdown: the module page (Sources/M/M.docc/M.md) must start with the
#     title "# ``M``" (the symbol link that makes it the module page, not an article), then an
#     abstract paragraph, and have "## Overview" and "## Topics" with at least one "### " group;
#     no .md file may hold a malformed code fence (a line of two backticks used as a fence, or an
#     odd number of ``` fences);
#  2. generates the module's documentation the way users do, with swift-docc-plugin
#     (`swift package generate-documentation --target M`), and fails on any DocC warning (a broken
#     symbol link, an undocumented parameter). The plugin's symbol graphs do not hold the types a
#     module re-exports (SharedErrors' errors in Trio, Asyncio and TrioAsyncio), so those are
#     written as code spans there, not as symbol links.
#
# Usage:
#   Scripts/check-docs.sh [Module ...]     lint and build (default: every library)
#   Scripts/check-docs.sh --lint PATH ...  lint only: .md files, or .docc catalogs (no build)
#   Scripts/check-docs.sh --self-test      lint known-bad and known-good fixtures; fails unless
#                                          each one gets the expected verdict (no build)
set -euo pipefail
cd "$(dirname "$0")/.."

all_modules=(Sniffio SharedErrors TrioPlatform Trio TrioTesting Asyncio TrioAsyncio Traio)

# Prints one line per problem in the module page $1 of module $2; returns 1 if there is any.
lint_module_page() {
    local file=$1 module=$2
    awk -v file="$file" -v module="$module" '
        function problem(message) { print file ": " message; bad = 1 }
        NR == 1 {
            if ($0 != "# ``" module "``")
                problem("the first line must be \"# ``" module "``\" (the module page title), not \"" $0 "\"")
            next
        }
        # The abstract: the first non-blank line after the title must be a plain paragraph.
        !abstractSeen && /^[[:space:]]*$/ { next }
        !abstractSeen {
            abstractSeen = 1
            if ($0 ~ /^(#|[-*+] |[0-9]+\. |```|\||>|<|@|!\[)/)
                problem("no abstract: the title must be followed by a one-paragraph summary, not \"" $0 "\"")
        }
        /^## Overview[[:space:]]*$/ { overview = 1 }
        /^## / { inTopics = ($0 ~ /^## Topics[[:space:]]*$/); if (inTopics) topics = 1; next }
        inTopics && /^### / { groups++ }
        END {
            if (NR == 0) problem("empty module page")
            if (!abstractSeen && NR > 0) problem("no abstract after the title")
            if (!overview) problem("no \"## Overview\" section")
            if (!topics) problem("no \"## Topics\" section")
            else if (!groups) problem("\"## Topics\" has no \"### \" group")
            exit bad
        }' "$file"
}

# Prints one line per malformed code fence in the markdown file $1; returns 1 if there is any.
lint_fences() {
    local file=$1
    awk -v file="$file" '
        function problem(message) { print file ":" NR ": " message; bad = 1 }
        # A fence: up to three spaces, then three or more backticks.
        /^ ? ? ?```/ { fences++; inCode = !inCode; next }
        # Two backticks alone on a line, or followed by a language name, outside a code block:
        # meant as a fence, but Markdown reads it as inline code and the sample becomes a paragraph.
        !inCode && /^ ? ? ?``[A-Za-z0-9_+-]*[[:space:]]*$/ {
            problem("a fence needs three backticks: \"" $0 "\"")
        }
        END {
            if (fences % 2 != 0) { print file ": unbalanced code fences (" fences " lines start with ```)"; bad = 1 }
            exit bad
        }' "$file"
}

# Lints a .md file or every .md file of a .docc catalog; a file at */M.docc/M.md is a module page.
lint_path() {
    local path=$1 status=0 file base catalog
    local files=()
    if [ -d "$path" ]; then
        while IFS= read -r file; do files+=("$file"); done < <(find "$path" -name '*.md' | sort)
    else
        files=("$path")
    fi
    for file in "${files[@]}"; do
        lint_fences "$file" || status=1
        base=$(basename "$file" .md)
        catalog=$(basename "$(dirname "$file")")
        if [ "$catalog" = "$base.docc" ]; then
            lint_module_page "$file" "$base" || status=1
        fi
    done
    return $status
}

# Lints module $1's catalog; prints "M: ..." and returns 1 on problems.
lint_module() {
    local module=$1 catalog="Sources/$1/$1.docc"
    if [ ! -f "$catalog/$module.md" ]; then
        echo "$module: no module page $catalog/$module.md"
        return 1
    fi
    local output
    if ! output=$(lint_path "$catalog"); then
        echo "$module: catalog lint failed"
        echo "$output"
        return 1
    fi
}

self_test() {
    local dir failures=0
    dir=$(mktemp -d)
    trap 'rm -rf "$dir"' RETURN
    mkdir -p "$dir/Good.docc" "$dir/TrioAsyncio.docc" "$dir/NoOverview.docc" "$dir/NoGroups.docc" \
        "$dir/NoAbstract.docc" "$dir/Articles.docc"

    # A correct module page with an article.
    cat >"$dir/Good.docc/Good.md" <<'EOF'
# ``Good``

One paragraph that says what the module is for.

## Overview

```swift
let x = 1
```

## Topics

### Essentials

- <doc:Article>
EOF
    cat >"$dir/Good.docc/Article.md" <<'EOF'
# An article

Its abstract.

```swift
print("fenced right")
```
EOF
    # TrioAsyncio's module page as it was when the check called it clean: a title that is a code span
    # (DocC makes the page an article) and a sample fenced with two backticks.
    cat >"$dir/TrioAsyncio.docc/TrioAsyncio.md" <<'EOF'
# `TrioAsyncio`

trio-asyncio in Swift: an asyncio event loop that runs on the Trio runtime, so that one program holds
Trio-flavored and asyncio-flavored code that call each other explicitly and safely.

## Overview

``swift
import TrioAsyncio

try TrioAsyncio.run {
    try await Trio.sleep(0.1)
}
``

## Topics

### Essentials

- ``openLoop(queueLen:_:)``
EOF
    cat >"$dir/NoOverview.docc/NoOverview.md" <<'EOF'
# ``NoOverview``

An abstract.

## Topics

### Group

- ``something``
EOF
    cat >"$dir/NoGroups.docc/NoGroups.md" <<'EOF'
# ``NoGroups``

An abstract.

## Overview

Text.

## Topics

- ``something``
EOF
    cat >"$dir/NoAbstract.docc/NoAbstract.md" <<'EOF'
# ``NoAbstract``

## Overview

Text.

## Topics

### Group

- ``something``
EOF
    cat >"$dir/Articles.docc/Unbalanced.md" <<'EOF'
# Unbalanced

An abstract.

```swift
let open = true
EOF
    cat >"$dir/Articles.docc/TwoBackticks.md" <<'EOF'
# Two backticks

An abstract.

``
plain text that was meant to be code
``
EOF

    # expect VERDICT PATTERN PATH: lint PATH, require the verdict (pass/fail) and, for a failure, a
    # message matching PATTERN.
    expect() {
        local verdict=$1 pattern=$2 path=$3 output status=0
        output=$(lint_path "$path") || status=1
        if [ "$verdict" = pass ] && [ $status -ne 0 ]; then
            echo "self-test: expected $path to pass, got:"; echo "$output"; failures=$((failures + 1))
        elif [ "$verdict" = fail ] && { [ $status -eq 0 ] || ! grep -q -- "$pattern" <<<"$output"; }; then
            echo "self-test: expected $path to fail with \"$pattern\", got status $status:"; echo "$output"
            failures=$((failures + 1))
        else
            local shown=${pattern:+$(grep -m1 -- "$pattern" <<<"$output" | sed "s|$dir/||")}
            echo "self-test: $(basename "$path"): ${verdict}ed as expected${shown:+ ($shown)}"
        fi
    }
    expect pass "" "$dir/Good.docc"
    expect fail "the first line must be" "$dir/TrioAsyncio.docc/TrioAsyncio.md"
    expect fail "a fence needs three backticks" "$dir/TrioAsyncio.docc/TrioAsyncio.md"
    expect fail "no \"## Overview\" section" "$dir/NoOverview.docc"
    expect fail "has no \"### \" group" "$dir/NoGroups.docc"
    expect fail "no abstract" "$dir/NoAbstract.docc"
    expect fail "unbalanced code fences" "$dir/Articles.docc/Unbalanced.md"
    expect fail "a fence needs three backticks" "$dir/Articles.docc/TwoBackticks.md"
    if [ $failures -ne 0 ]; then
        echo "self-test: $failures check(s) did not behave as expected"
        return 1
    fi
    echo "self-test: passed"
}

case "${1:-}" in
--self-test)
    self_test
    exit $?
    ;;
--lint)
    shift
    [ $# -gt 0 ] || { echo "usage: $0 --lint PATH ..."; exit 2; }
    status=0
    for path in "$@"; do lint_path "$path" || status=1; done
    exit $status
    ;;
esac

modules=("$@")
[ ${#modules[@]} -gt 0 ] || modules=("${all_modules[@]}")
status=0
for module in "${modules[@]}"; do
    [ -d "Sources/$module/$module.docc" ] || { echo "$module: no DocC catalog"; status=1; continue; }
    lint_module "$module" || status=1
    if ! output=$(swift package generate-documentation --target "$module" 2>&1); then
        echo "$module: swift package generate-documentation --target $module failed"
        echo "$output" | tail -20
        status=1
        continue
    fi
    # DocC's diagnostics start their line; the compiler's start with a file path.
    warnings=$(grep -E "^(warning|error)" <<<"$output" || true)
    if [ -n "$warnings" ]; then
        echo "$module: DocC warnings"; echo "$warnings"; status=1
    else
        echo "$module: DocC clean"
    fi
done
[ $status -eq 0 ] && echo "documentation clean"
exit $status
