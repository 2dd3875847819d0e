#!/usr/bin/env bash
# `ebpf disasm`: helper calls named as bpftool names them, in every listing
# (object, raw bytecode, --jit, verifier diagnostics, bpf2c's C); --jit on an
# ELF object, per program with --section; and the names read back by the
# assembler. Usage: disasm_test.sh EBPF BPF2C PROGRAMS_DIR
set -u
ebpf=$1
bpf2c=$2
programs=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
failures=0
check() {
    local name=$1; shift
    if "$@" > /dev/null; then echo "ok: $name"; else echo "FAILED: $name"; failures=$((failures + 1)); fi
}
has() { grep -qE -- "$1" "$2"; }

"$ebpf" disasm "$programs/xdp_parse.o" > object.txt
check "object: helper named" has "^ +[0-9]+: call bpf_map_lookup_elem#1$" object.txt

# --jit on an object: the program as loaded, with its x86-64 code.
"$ebpf" disasm --jit "$programs/xdp_parse.o" > jit.txt 2> jit.err
check "--jit on ELF: exit 0" test $? -eq 0
check "--jit on ELF: program header" has "^xdp_parse \(section xdp, xdp, [0-9]+ instructions as loaded\):" jit.txt
check "--jit on ELF: machine code" has "^ +0x[0-9a-f]+  [0-9a-f ]+ +(push|mov|call)" jit.txt
check "--jit on ELF: helper named" has "^ +[0-9]+: call bpf_map_lookup_elem#1$" jit.txt
"$ebpf" disasm --jit --section hook/greeting "$programs/global_data.o" > one.txt
check "--jit --section: that program" has "^greet \(section hook/greeting" one.txt
check "--jit --section: only that program" test "$(grep -c "instructions as loaded" one.txt)" -eq 1
check "--jit --section: bpf_trace_printk" has "call bpf_trace_printk#6" one.txt
"$ebpf" disasm --jit --section nope "$programs/global_data.o" > none.txt 2> none.err
check "--jit --section unknown: exit 1" test $? -eq 1
check "--jit --section unknown: says so" has "nope" none.err
"$ebpf" disasm --jit --blind --section hook/greeting "$programs/global_data.o" > blind.txt
check "--jit --blind on ELF" test -s blind.txt

# Raw bytecode and assembler text: the names round-trip.
printf 'r1 = 0\ncall bpf_ktime_get_ns#5\nexit\n' > calls.asm
"$ebpf" disasm --asm calls.asm > asm.txt
check "--asm: name#id read and printed" has "call bpf_ktime_get_ns#5" asm.txt
"$ebpf" asm calls.asm -o calls.bin > /dev/null 2>&1 && "$ebpf" disasm calls.bin > raw.txt
check "raw bytecode: helper named" has "call bpf_ktime_get_ns#5" raw.txt

# Verifier diagnostics and its log show the instruction the same way.
printf 'r1 = 0\nr2 = 0\ncall 1\nexit\n' > bad.asm
"$ebpf" verify --type hook bad.asm > verify.out 2> verify.err
check "verifier diagnostic: insn named" has "^  insn 2: call bpf_map_lookup_elem#1$" verify.err
"$ebpf" verify --type hook --log-level 2 bad.asm > log.out 2>&1
check "verifier log: insn named" has "^2: call bpf_map_lookup_elem#1 ;" log.out

# bpf2c's C names each helper call in a comment.
"$bpf2c" "$programs/xdp_parse.o" -o xdp.c > /dev/null 2>&1
check "bpf2c: call named in the C" has "function\(r1, r2, r3, r4, r5\); /\* call bpf_map_lookup_elem#1 \*/" xdp.c

exit $((failures != 0))
