#!/usr/bin/env bash
# `ebpf show prog.so`: a native module's programs, maps, helper imports,
# bytecode hashes and signer, read from the file without running it; and
# hostile or broken modules (hostile/*.c, built here) refused with a clear
# message and never run.
# Usage: show_module_test.sh EBPF CC PROGRAMS_DIR INCLUDE_DIR
set -u
ebpf=$1
cc=$2
programs=$3
include=$4
hostile=$(cd "$(dirname "$0")" && pwd)/hostile
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
failures=0
check() {  # check NAME COMMAND...
    local name=$1; shift
    if "$@" > /dev/null; then echo "ok: $name"; else echo "FAILED: $name"; failures=$((failures + 1)); fi
}
has() { grep -qF -- "$1" "$2"; }

"$ebpf" build "$programs/global_data.o" -o m.so > build.out 2>&1 || { cat build.out; echo "FAILED: ebpf build"; exit 1; }
"$ebpf" build "$programs/xdp_parse.o" -o xdp.so > build.out 2>&1 || { cat build.out; echo "FAILED: ebpf build"; exit 1; }

# Unsigned: text.
"$ebpf" show m.so > show.txt 2> show.err
check "show exits 0" test $? -eq 0
check "names the source object" has "built from: global_data.o" show.txt
check "lists a program with section and type" grep -qE "section hook/greeting +type hook" show.txt
check "prints each bytecode hash" grep -qE "bytecode sha256 [0-9a-f]{64}" show.txt
check "lists global data" grep -qE "^  \.rodata  [0-9]+ bytes  read-only" show.txt
check "names helper imports with their IDs" has "bpf_trace_printk#6" show.txt
"$ebpf" show xdp.so > xdp.txt
check "lists the maps" grep -qE "^  proto_count  array  key 4  value 8  max_entries" xdp.txt
check "xdp type" grep -qE "section xdp +type xdp" xdp.txt
check "map helper named" has "bpf_map_lookup_elem#1" xdp.txt
check "unsigned" has "signer: unsigned" show.txt

# JSON: the same facts, valid JSON.
"$ebpf" show m.so --json > show.json
check "json exits 0" test $? -eq 0
check "json parses" jq -e . show.json
check "json helper id and name" jq -e '.helpers | any(.id == 6 and .name == "bpf_trace_printk")' show.json
check "json program hash" jq -e '.programs | all(.bytecode_sha256 | test("^[0-9a-f]{64}$"))' show.json
check "json unsigned" jq -e '.signature.signed == false' show.json

# The hashes are those check-signature and the loader compare.
"$ebpf" keygen --out keys > /dev/null 2>&1
"$ebpf" sign --key keys/signing-key.pem --cert keys/signing-cert.pem m.so -o signed.so > /dev/null
"$ebpf" check-signature signed.so --trust keys/trust --json > check.json
check "same hashes as check-signature" test \
    "$(jq -r '[.programs[].bytecode_sha256] | sort | join(" ")' check.json)" = \
    "$(jq -r '[.programs[].bytecode_sha256] | sort | join(" ")' show.json)"

# Signed: the signer without a trust store, then against one.
"$ebpf" show signed.so > signed.txt
check "signed: subject" grep -q "^signer: CN=" signed.txt
check "signed: issuer" grep -q "^  issuer CN=" signed.txt
check "signed: trust not checked" has "trust: not checked" signed.txt
"$ebpf" show signed.so --trust keys/trust > trusted.txt
check "trusted: chains" has "trust: valid, chains to" trusted.txt
"$ebpf" keygen --out other > /dev/null 2>&1
"$ebpf" show signed.so --trust other/trust --json > untrusted.json
check "other store: not trusted" jq -e '.signature.trusted == false and .signature.verdict == "invalid"' untrusted.json
check "other store: reason" jq -e '.signature.reason | test("does not chain")' untrusted.json
check "signed json: subject and issuer" jq -e '.signature.subject and .signature.issuer' untrusted.json

# Refused, with the file named and the reason, exit 1, nothing run.
refused() {  # refused NAME FILE EXPECTED-TEXT
    "$ebpf" show "$2" > refused.out 2> refused.err
    local code=$?
    check "$1: exit 1" test $code -eq 1
    check "$1: says why" has "$3" refused.err
    check "$1: names the file" has "$2" refused.err
    check "$1: nothing on stdout" test ! -s refused.out
}
head -c 3000 m.so > truncated.so
refused "truncated" truncated.so "error:"
head -c 1000 /dev/urandom > noise.so
refused "not ELF" noise.so "error:"
module_cc() { "$cc" -O2 -fPIC -shared -nostartfiles -nostdlib -fvisibility=hidden -I"$include" -o "$2" "$hostile/$1"; }
module_cc constructor.c constructor.so
refused "constructor" constructor.so "constructors"
check "constructor never ran" test ! -e show-ran-me
module_cc entry_runs_code.c entry.so
refused "entry not bpf2c's" entry.so "cannot be read without running it"
module_cc wrong_magic.c magic.so
refused "wrong magic" magic.so "wrong magic"
module_cc pointer_outside.c outside.so
refused "pointer outside" outside.so "points outside the module"
module_cc map_refs_outside.c refs.so
refused "map references outside" refs.so "map reference table points outside the module"
# The loader runs the same metadata checks: it refuses the module too (it
# used to read the table wherever it pointed, and crashed).
"$ebpf" run refs.so --mode native > run.out 2> run.err
check "loader: map references outside refused" test $? -eq 1
check "loader: says why" has "map reference table points outside the module" run.err
# A signed module whose signature is cut short: the module is still read,
# the signature reported unreadable.
head -c $(( $(stat -c %s signed.so) - 60 )) signed.so > cut.so
"$ebpf" show cut.so > cut.out 2>&1
check "cut signature: not taken as signed" has "signer: unsigned" cut.out

# Every prefix of a module and every single flipped byte (sampled): a clear
# answer (shown, or refused with a message), never a crash or a hang.
size=$(stat -c %s xdp.so)
crashes=0
for (( length = 0; length < size; length += 397 )); do
    head -c "$length" xdp.so > prefix.so
    timeout 10 "$ebpf" show prefix.so > /dev/null 2> prefix.err
    code=$?
    if [ $code -gt 1 ] || { [ $code -eq 1 ] && ! grep -q "^ebpf: error: prefix.so" prefix.err; }; then
        echo "prefix of $length bytes: exit $code"; cat prefix.err; crashes=$((crashes + 1))
    fi
done
check "every prefix: shown or refused" test $crashes -eq 0
crashes=0
for (( offset = 0; offset < size; offset += 211 )); do
    cp xdp.so flipped.so
    value=$(od -An -tu1 -j "$offset" -N1 flipped.so | tr -d ' ')
    printf "\\x$(printf %02x $((value ^ 255)))" | dd of=flipped.so bs=1 seek="$offset" conv=notrunc status=none
    timeout 10 "$ebpf" show flipped.so > /dev/null 2> flipped.err
    code=$?
    # (Under the sanitizers a finding also exits 1: their report counts too.)
    if [ $code -gt 1 ] || grep -qE "Sanitizer|runtime error" flipped.err; then
        echo "byte $offset flipped: exit $code"; cat flipped.err; crashes=$((crashes + 1))
    fi
done
check "every flipped byte: shown or refused" test $crashes -eq 0

if [ "$failures" -ne 0 ]; then echo "$failures failure(s)"; exit 1; fi
echo "all passed"
