#!/usr/bin/env bash
# cli_errors_test.sh EBPF VERSION PROGRAMS_DIR WORKDIR BPF2C
# Every case: the exit code, and a message that names what went wrong.
set -uo pipefail
ebpf=$1 version=$2 programs=$3 work=$4 bpf2c=$5
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

# expect_json CODE KIND TEXT ARGS...: stdout is one JSON object
# {"error": {"kind": KIND, "message": "...TEXT...", "exit_code": CODE}}, stderr empty.
expect_json() {
    local code=$1 kind=$2 text=$3; shift 3
    local rc
    "$ebpf" "$@" >"$work/stdout" 2>"$work/stderr"; rc=$?
    if [ "$rc" != "$code" ] || [ -s "$work/stderr" ] ||
       ! python3 - "$work/stdout" "$kind" "$text" "$code" <<'PY'
import json, sys
path, kind, text, code = sys.argv[1:]
doc = json.load(open(path))
error = doc["error"]
assert set(doc) == {"error"}, doc
assert error["kind"] == kind, error
assert text in error["message"], error
assert error["exit_code"] == int(code), error
PY
    then
        echo "FAIL: ebpf $* (JSON): exit $rc, expected $code"; sed 's/^/    stdout: /' "$work/stdout"
        sed 's/^/    stderr: /' "$work/stderr"; failures=$((failures + 1)); return
    fi
    echo "ok: ebpf $* -> $rc (JSON)"
}

# --version: the project version, exit 0.
expect 0 "ebpf (ebpf-native) $version" --version

# Usage errors: exit 2, "ebpf: error: ...".
expect 2 "ebpf: error: unknown command 'frobnicate'" frobnicate
expect 2 "ebpf: error: A subcommand is required"
expect 2 "ebpf: error: The following argument was not expected: --bogus" run --bogus x.o
expect 2 "ebpf: error: file is required" run
expect 2 "ebpf: error: --mode: warp not in" run --mode warp x.o
expect 2 "ebpf: error: --repeat" run x.o --repeat 0
expect_json 2 usage "unknown command 'frobnicate'" frobnicate --json
expect_json 2 usage "--mode: warp" run --json --mode warp x.o
expect_json 2 usage "--bogus" show --json --bogus x.o

# Failures: exit 1, the path named.
missing="$work/missing.o"
expect 1 "ebpf: error: $missing: cannot open" run "$missing"
expect_json 1 failure "$missing: cannot open" run "$missing" --json
expect_json 1 failure "$missing: cannot open" show "$missing" --json
expect_json 1 failure "$missing: cannot open" verify "$missing" --json
expect_json 1 failure "no program 'nope'" run "$programs/maps_all.o" --prog nope --json
# "--" ends the options of `ebpf`: a --json after it is the child's, not ours.
expect 1 "ebpf: error: $missing: cannot open" attach bind "$missing" -- true --json

# No command reads a missing file and exits 0.
for command in "show $missing" "disasm $missing" "verify $missing" "run $missing" "asm $missing"
do
    # shellcheck disable=SC2086
    expect 1 "$missing: cannot open" $command
done
expect 1 "$missing: cannot open" build "$missing" -o "$work/out.so"
expect 1 "$missing: cannot open" check-signature "$missing" --trust "$work"
expect 1 "$missing: cannot open" attach packet "$missing" --pcap "$missing"
expect 1 "$missing: cannot read as a pcap file" attach packet "$programs/xdp_parse.o" --pcap "$missing"
expect 1 "$missing: cannot open" run "$programs/xdp_parse.o" --data-in "$missing"
expect 1 "$missing: no trace buffer" trace --path "$missing"
EBPF_TRACE_PATH=$missing expect 0 "no trace buffer at $missing yet" trace
asm_out="$work/never-written.bin"
expect 1 "$missing: cannot open" asm "$missing" -o "$asm_out"
[ ! -e "$asm_out" ] || { echo "FAIL: asm wrote $asm_out from a missing file"; failures=$((failures + 1)); }

# Nothing is taken as raw bytecode unless it can be: a directory, an empty
# file, a length that is not a multiple of 8, text of a multiple of 8 bytes.
: >"$work/empty.bin"
printf 'r0 = 1\n    exit\n' >"$work/text16.s"  # 16 bytes, no zero byte
printf '\x95\x00\x00\x00\x00\x00\x00\x00\x00' >"$work/nine.bin"
for command in run disasm; do
    expect 1 "$work: a directory, not a regular file" $command "$work"
    expect 1 "$work/empty.bin: the file is empty: not an ELF object nor raw bytecode" $command "$work/empty.bin"
    expect 1 "$work/nine.bin: bytecode length 9 is not a multiple of 8: not an ELF object nor raw bytecode" \
        $command "$work/nine.bin"
    expect 1 "$work/text16.s: no zero byte, so no exit instruction: not an ELF object nor raw bytecode" $command "$work/text16.s"
done
expect 1 "$work/empty.bin: the file is empty: not an ELF object nor raw bytecode" verify "$work/empty.bin" --type raw
expect 1 "$work/nine.bin: bytecode length 9 is not a multiple of 8" verify "$work/nine.bin" --type raw
expect 1 "$work: a directory" verify "$work" --type raw
expect 1 "$work/empty.bin: not an ELF file" show "$work/empty.bin"
# The same text is a program with --asm.
expect 0 "Return value: 1 " run "$work/text16.s" --asm

# bpf2c follows the same rules.
bpf2c_expect() {
    local code=$1 text=$2; shift 2
    local out rc
    out=$("$bpf2c" "$@" 2>&1); rc=$?
    if [ "$rc" != "$code" ] || [[ "$out" != *"$text"* ]]; then
        echo "FAIL: bpf2c $*: exit $rc (expected $code), output lacks '$text'?"; echo "$out" | sed 's/^/    /'
        failures=$((failures + 1)); return
    fi
    echo "ok: bpf2c $* -> $rc"
}
bpf2c_expect 0 "bpf2c (ebpf-native) $version" --version
bpf2c_expect 2 "bpf2c: error: The following argument was not expected: --bogus" "$programs/xdp_parse.o" -o "$work/x.c" --bogus
bpf2c_expect 2 "bpf2c: error: --output is required" "$programs/xdp_parse.o"
bpf2c_expect 1 "$missing: cannot open" "$missing" -o "$work/x.c"

if [ "$failures" -ne 0 ]; then echo "$failures failure(s)"; exit 1; fi
echo PASS
