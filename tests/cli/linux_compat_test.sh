#!/usr/bin/env bash
# linux_compat_test.sh EBPF CLANG INCLUDE_FLAGS SOURCES WORKDIR
# Issue 14's object and type options as a user meets them: --type on
# verify/run/build (bpftool prog load … type), .text-only objects, EM_NONE
# objects, XDP verdicts that are no action (a warning), GPL-only helpers and
# named unknown helpers.
set -uo pipefail
ebpf=$1 clang=$2 includes=$3 sources=$4 work=$5
rm -rf "$work" && mkdir -p "$work"
failures=0

# expect CODE TEXT ARGS...: `ebpf ARGS` exits CODE and its output holds TEXT.
expect() {
    local code=$1 text=$2; shift 2
    local out rc
    out=$("$ebpf" "$@" 2>&1); rc=$?
    if [ "$rc" != "$code" ]; then
        echo "FAIL: ebpf $*: exit $rc, expected $code"; echo "$out" | sed 's/^/    /'; failures=$((failures + 1)); return
    fi
    if [[ "$out" != *"$text"* ]]; then
        echo "FAIL: ebpf $*: output lacks '$text'"; echo "$out" | sed 's/^/    /'; failures=$((failures + 1)); return
    fi
    echo "ok: ebpf $* -> $rc"
}

build() {  # build NAME: $work/NAME.o from $sources/NAME.c
    # shellcheck disable=SC2086
    "$clang" -target bpf -O2 -g $includes -c "$sources/$1.c" -o "$work/$1.o" || { echo "FAIL: clang $1.c"; exit 1; }
}
build text_only_filter
build xdp_unknown_action
build nongpl_trace_printk
printf '\377\377\377\377\377\377\000\001\002\003\004\005\206\335\000\000' > "$work/ipv6.bin"

# A .text-only object has programs of no type until --type gives one.
expect 1 "unknown program type of section '.text'" verify "$work/text_only_filter.o"
expect 1 "--type TYPE" verify "$work/text_only_filter.o"
expect 0 "drop_ipv6 (xdp): verified" verify "$work/text_only_filter.o" --type xdp
expect 0 "drop_ipv6 (xdp): verified" verify "$work/text_only_filter.o" --type xdp --json
for mode in interpret jit native; do
    expect 0 "Return value: 1 (0x1)" run "$work/text_only_filter.o" --type xdp --mode "$mode" --data-in "$work/ipv6.bin"
done
# libbpf's section names work as bpftool's: "socket" is socket_filter.
expect 0 "drop_ipv6 (socket_filter)" verify "$work/text_only_filter.o" --type socket --json
expect 1 "unknown program type (xdp, sched_cls" verify "$work/text_only_filter.o" --type bogus
expect 1 "unknown program type" run "$work/text_only_filter.o" --type xdpp --data-in "$work/ipv6.bin"
# ebpf build --type: the module keeps the type; a module's type cannot change.
expect 0 "" build "$work/text_only_filter.o" --type xdp -o "$work/text_only.so"
expect 0 "Return value: 1 (0x1)" run "$work/text_only.so" --mode native --data-in "$work/ipv6.bin"
expect 1 "fixed when it is built" run "$work/text_only.so" --mode native --type xdp --data-in "$work/ipv6.bin"
expect 1 "unknown program type of section '.text'" build "$work/text_only_filter.o" -o "$work/untyped.so"
[ -e "$work/untyped.so" ] && { echo "FAIL: build without --type wrote a module"; failures=$((failures + 1)); }

# EM_NONE (e_machine 0, old toolchains): eBPF when the code says so.
cp "$work/text_only_filter.o" "$work/em_none.o"
printf '\000\000' | dd of="$work/em_none.o" bs=1 seek=18 conv=notrunc status=none
expect 0 "drop_ipv6 (xdp): verified" verify "$work/em_none.o" --type xdp
printf '\076\000' | dd of="$work/em_none.o" bs=1 seek=18 conv=notrunc status=none  # EM_X86_64
expect 1 "ELF machine is 62, not EM_BPF" verify "$work/em_none.o" --type xdp

# An XDP return value that may be no action: accepted with a warning; run,
# it is reported as it is and named XDP_ABORTED.
expect 0 "warning: at program exit R0 is" verify "$work/xdp_unknown_action.o"
expect 0 "which may not be an XDP action (0-4)" verify "$work/xdp_unknown_action.o"
expect 0 '"warnings"' verify "$work/xdp_unknown_action.o" --json
printf '01000000 07000000\n' > "$work/verdicts.txt"
for mode in interpret jit native; do
    expect 0 "Return value: 7 (0x7), not an XDP action: XDP_ABORTED when attached" run "$work/xdp_unknown_action.o" \
        --mode "$mode" --map "verdict_by_class=$work/verdicts.txt" --data-in "$work/ipv6.bin"
done

# GPL-only helpers from a program that is not GPL: refused, the helper named.
expect 1 "cannot call GPL-only helper bpf_trace_printk (6) from a program whose license is 'Proprietary'" \
    verify "$work/nongpl_trace_printk.o"
expect 1 "cannot call GPL-only helper bpf_trace_printk (6)" build "$work/nongpl_trace_printk.o" -o "$work/nongpl.so"

# Unknown helpers are named.
printf 'r1 = 0\ncall 101\nr0 = 2\nexit\n' > "$work/sysctl_helper.s"
expect 1 "bpf_sysctl_get_name (101)" verify "$work/sysctl_helper.s" --type xdp
printf 'call 999\nr0 = 2\nexit\n' > "$work/no_such_helper.s"
expect 1 "helper 999 is not supported by this runtime" verify "$work/no_such_helper.s" --type xdp

if [ "$failures" != 0 ]; then echo "$failures failure(s)"; exit 1; fi
echo "all ok"
