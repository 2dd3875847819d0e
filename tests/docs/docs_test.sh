#!/usr/bin/env bash
# docs_test.sh SOURCE_DIR BUILD_DIR FILE.md WORKDIR
#
# Runs every ```sh block of FILE.md the way the docs convention promises a
# reader they run (COMMON rules, README "Documentation"):
#  - in order, each block with `bash -euo pipefail`, in the repository root,
#    after the README's first command built build/release;
#  - the tools of the build on PATH (build/release/tools: ebpf, bpf2c, …);
#  - within a few seconds each (a block is stopped after 120 s), leaving
#    nothing running (what it leaves is stopped and the block fails).
# The "repository root" is a scratch copy made of links to the real tree's
# top-level entries, with build/release pointing at BUILD_DIR: files a block
# creates (keys/, prog.o) land in the scratch root, never in the checkout, and
# the tests of any build tree (release, asan) run the docs against that tree.
# Scripts the docs call see EBPF_DOCS_TEST=1: the tree is built already.
#
# A failure names FILE:LINE of the block, the command text and its output; the
# remaining blocks still run, so one run shows every broken block.
set -uo pipefail
src=$(realpath "$1") build=$(realpath "$2") doc=$3 work=$4
[ -f "$src/$doc" ] || { echo "FAIL: $src/$doc: no such file"; exit 1; }

rm -rf "$work" && mkdir -p "$work/root/build" "$work/blocks"
root=$work/root
for entry in "$src"/* "$src"/.[!.]*; do
    [ -e "$entry" ] || continue
    name=$(basename "$entry")
    [ "$name" = build ] || [ "$name" = .git ] || ln -s "$entry" "$root/$name"
done
ln -s "$build" "$root/build/release"

# The blocks: WORK/blocks/N.sh, with their first line numbers in WORK/blocks/N.line.
awk -v dir="$work/blocks" '
    # Fences may be indented (a block inside a list item): the lines of a block
    # lose the indentation of its fence.
    /^[ \t]*```/ {
        if (inside) { inside = 0; close(file); next }
        if ($0 ~ /^[ \t]*```sh[ \t]*$/) {
            inside = 1; n++; file = dir "/" n ".sh"
            indent = match($0, /[^ \t]/) - 1
            print NR + 1 > (dir "/" n ".line"); close(dir "/" n ".line")
            printf "" > file
        }
        next
    }
    inside {
        line = $0
        for (i = 0; i < indent && substr(line, 1, 1) ~ /[ \t]/; i++) line = substr(line, 2)
        print line > file
    }
' "$src/$doc"

count=$(find "$work/blocks" -name '*.sh' | wc -l)
if [ "$count" -eq 0 ]; then
    echo "$doc: no sh blocks"
    exit 0
fi

export PATH="$root/build/release/tools:$PATH"
export EBPF_DOCS_TEST=1
# A block's bpf_printk output and trust store stay in the scratch root.
export EBPF_TRACE_PATH="$root/.ebpf-trace"
unset EBPF_TRUST_STORE EBPF_CODE_INTEGRITY
failures=0
for ((i = 1; i <= count; i++)); do
    block=$work/blocks/$i.sh
    line=$(cat "$work/blocks/$i.line")
    where="$doc:$line"
    # Paths of a developer's own build trees do not exist on a reader's clone.
    if grep -nE 'build/(dev|debug|asan|tsan|fuzz)\b' "$block" >/dev/null; then
        echo "FAIL: $where: the block uses a build tree a fresh clone does not have (build/release only):"
        grep -nE 'build/(dev|debug|asan|tsan|fuzz)\b' "$block" | sed 's/^/    /'
        failures=$((failures + 1))
        continue
    fi
    start=$(date +%s%N)
    # Its own session, so whatever the block leaves running can be found and
    # stopped (by session id) instead of holding the test open.
    (cd "$root" && exec setsid timeout --kill-after=5 120 bash -euo pipefail "$block") >"$work/out.$i" 2>&1 &
    session=$!
    wait "$session"
    status=$?
    left=$(ps -o pid=,args= -s "$session" 2>/dev/null || true)
    if [ -n "$left" ]; then
        pkill -KILL -s "$session" 2>/dev/null || true
        echo "FAIL: $where: the block left processes running (stopped now):"
        echo "$left" | sed 's/^/    /'
        [ "$status" -ne 0 ] || status=125
    fi
    ms=$((($(date +%s%N) - start) / 1000000))
    if [ "$status" -ne 0 ]; then
        failures=$((failures + 1))
        echo "FAIL: $where: the sh block exited with $status$([ "$status" = 124 ] && echo ' (stopped after 120 s)')"
        echo "  block:"
        sed 's/^/    | /' "$block"
        echo "  output:"
        tail -n 40 "$work/out.$i" | sed 's/^/    > /'
    else
        printf 'ok: %s (%d ms)\n' "$where" "$ms"
    fi
done
if [ "$failures" -ne 0 ]; then
    echo "$doc: $failures of $count sh block(s) failed"
    exit 1
fi
echo "$doc: all $count sh block(s) ran"
rm -rf "$work"  # kept on failure, to look at
