#!/bin/bash
# How real projects' eBPF programs fare here next to the running kernel.
#
#   bash scripts/realworld-survey.sh SOURCE_TREE...
#
# Builds every eBPF C file (one with SEC( and no main) of the given source
# trees — checkouts of e.g. xdp-project/xdp-tutorial, xdp-project/xdp-tools,
# xdp-project/bpf-examples, facebookincubator/katran — with clang as their
# projects do (their own include directories, a vmlinux.h from the running
# kernel's BTF), then runs build/release/tests/realworld/realworld_survey on
# the objects: one line per program (does the kernel load it, do we verify it
# in each mode, do standard packets give the kernel's verdict, bytes and
# maps), then totals. Needs root (bpf()), clang and bpftool; the trees are
# not part of this repository (no network in CI): fetch them yourself.
# Output: $SURVEY_DIR (default /tmp/ebpf-survey)/survey.tsv.
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -gt 0 ] || { echo "usage: $0 SOURCE_TREE..." >&2; exit 2; }
survey=build/release/tests/realworld/realworld_survey
[ -x "$survey" ] || cmake --build --preset release --target realworld_survey >/dev/null
out=${SURVEY_DIR:-/tmp/ebpf-survey}
rm -rf "$out" && mkdir -p "$out/obj" "$out/shim/gnu" "$out/shim/bpf/vmlinux" "$out/errors"
# -target bpf has no 32-bit glibc stubs; vmlinux.h-based programs need the
# kernel's types.
touch "$out/shim/gnu/stubs-32.h"
if command -v bpftool >/dev/null && [ -r /sys/kernel/btf/vmlinux ]; then
  bpftool btf dump file /sys/kernel/btf/vmlinux format c > "$out/shim/vmlinux.h"
  ln -sf ../../vmlinux.h "$out/shim/bpf/vmlinux/vmlinux.h"
fi
multiarch=$(gcc -print-multiarch 2>/dev/null || echo x86_64-linux-gnu)
built=0 failed=0
for tree in "$@"; do
  tree=$(cd "$tree" && pwd)
  name=$(basename "$tree")
  while IFS= read -r source; do
    grep -q 'SEC(' "$source" || continue
    grep -q 'int main(' "$source" && continue
    relative=${source#"$tree"/}
    object="$out/obj/${name}__$(echo "${relative%.c}" | tr '/' '_').o"
    if clang -target bpf -O2 -g -D__TARGET_ARCH_x86 -Wno-everything -include stdbool.h \
         -I"$out/shim" -I"$(dirname "$source")" -I"$tree" -I"$tree/common" -I"$tree/headers" -I"$tree/include" \
         -I"$tree/lib" -I"$tree/lib/util" -I"$tree/katran/lib/bpf" -I/usr/include -I"/usr/include/$multiarch" \
         -c "$source" -o "$object" 2> "$out/errors/$(basename "$object").txt"; then
      built=$((built + 1))
    else
      failed=$((failed + 1))
    fi
  done < <(find "$tree" -name '*.c' -not -path '*/libbpf/*' -not -path '*/testenv/*' | sort)
done
echo "built $built objects ($failed did not compile: $out/errors)" >&2
"$survey" "$out"/obj/*.o | tee "$out/survey.tsv"
