#!/usr/bin/env bash
# The signing workflow through the `ebpf` command: keygen -> sign ->
# check-signature, and the exit codes and messages for a tampered module.
# Then `ebpf build --sign` and `ebpf run --mode native --policy integrity`
# over an eBPF object from tests/programs.
# Usage: cli_test.sh EBPF CC HOOK_BUFFER_OBJECT
set -u
ebpf=$1
cc=$2
hook_object=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
failures=0
flip_byte() {  # flip_byte FILE OFFSET: inverts one byte in place
    local value
    value=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
    printf "\\x$(printf %02x $((value ^ 255)))" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}
check() {  # check NAME CONDITION...
    local name=$1; shift
    if "$@"; then echo "ok: $name"; else echo "FAILED: $name"; failures=$((failures + 1)); fi
}

echo 'int answer(void) { return 42; }' > m.c
"$cc" -shared -fPIC -o prog.so m.c || { echo "cannot compile"; exit 1; }

"$ebpf" keygen --out keys > keygen.out 2> keygen.err
check "keygen exits 0" test $? -eq 0
check "keygen warns development only" grep -q "for development only" keygen.err
check "keygen wrote the root" test -s keys/trust/root-ca.pem
"$ebpf" keygen --out keys > /dev/null 2> again.err
check "keygen refuses to overwrite" test $? -ne 0
check "keygen says why" grep -q "never overwrites" again.err

"$ebpf" sign --key keys/signing-key.pem --cert keys/signing-cert.pem prog.so -o signed.so > sign.out
check "sign exits 0" test $? -eq 0

check "input stays unsigned" bash -c "! tail -c 33 prog.so | grep -q 'signature appended'"

"$ebpf" check-signature signed.so --trust keys/trust > check.out
check "valid module exits 0" test $? -eq 0
check "prints the verdict" grep -q "^Verdict: valid" check.out
check "prints the signer" grep -q "0: CN=ebpf-native development code signing" check.out
check "prints the root" grep -q "1: CN=ebpf-native development root CA" check.out

EBPF_TRUST_STORE=keys/trust/root-ca.pem "$ebpf" check-signature signed.so --json > check.json
check "trust store from the environment" test $? -eq 0
check "json verdict" grep -q '"verdict": "valid"' check.json

cp signed.so tampered.so
flip_byte tampered.so 1  # 'E' of the ELF magic
"$ebpf" check-signature tampered.so --trust keys/trust > tampered.out
check "tampered module exits 1" test $? -eq 1
check "tampered reason" grep -q "signature does not match the module contents" tampered.out

"$ebpf" check-signature prog.so --trust keys/trust > unsigned.out
check "unsigned module exits 1" test $? -eq 1
check "unsigned verdict" grep -q "^Verdict: unsigned" unsigned.out

"$ebpf" check-signature signed.so > /dev/null 2> notrust.err
check "no trust store is an error" test $? -eq 1
check "no trust store says how" grep -q -- "--trust DIR or set EBPF_TRUST_STORE" notrust.err

"$ebpf" sign --key keys/signing-key.pem --cert keys/signing-cert.pem m.c > /dev/null 2> notelf.err
check "sign refuses non-ELF" test $? -ne 0

# --- build --sign, then run under the code-integrity policy -----------------
"$ebpf" build "$hook_object" -o hook.so --sign --key keys/signing-key.pem --cert keys/signing-cert.pem 2> build.err
check "build --sign exits 0" test $? -eq 0
"$ebpf" check-signature hook.so --trust keys/trust > /dev/null
check "built module is signed" test $? -eq 0
"$ebpf" build "$hook_object" -o hook-unsigned.so 2> /dev/null
check "build without --sign exits 0" test $? -eq 0
# struct header { u32 magic = 0xEB9F0001; u16 version = 7; u16 flags = 0; }
printf '\x01\x00\x9f\xeb\x07\x00\x00\x00' > header.bin

printf '\xb7\x00\x00\x00\x2a\x00\x00\x00\x95\x00\x00\x00\x00\x00\x00\x00' > r0_42.bin
"$ebpf" run r0_42.bin --policy integrity > /dev/null 2> interp.err
check "interpreter refused under the policy" test $? -eq 1
if grep -q "prctl(PR_SET_MDWE" interp.err; then
    echo "skip: this kernel lacks PR_SET_MDWE; --policy integrity checks not run"
else
    check "interpreter refusal names the policy" \
        grep -q "code-integrity policy: the interpreter is disabled; only signed native modules may run" interp.err

    "$ebpf" run hook.so --mode native --program header_version --policy integrity --trust keys/trust \
        --mem header.bin > run.out 2> run.err
    check "signed module runs under the policy" test $? -eq 0
    check "signed module returns the version" grep -q "^Return value: 7 " run.out

    EBPF_TRUST_STORE=keys/trust "$ebpf" run hook.so --mode native --program header_version --policy integrity \
        --mem header.bin > /dev/null
    check "trust store from the environment for run" test $? -eq 0

    "$ebpf" run hook-unsigned.so --mode native --program header_version --policy integrity --trust keys/trust \
        --mem header.bin > /dev/null 2> unsigned-run.err
    check "unsigned module refused under the policy" test $? -eq 1
    check "refusal names the policy" grep -q "code-integrity policy: only signed native modules may run" unsigned-run.err

    cp hook.so hook-tampered.so
    flip_byte hook-tampered.so 1000
    "$ebpf" run hook-tampered.so --mode native --program header_version --policy integrity --trust keys/trust \
        --mem header.bin > /dev/null 2> tampered-run.err
    check "tampered module refused under the policy" test $? -eq 1
    check "tampered refusal names the check" grep -q "signature does not match the module contents" tampered-run.err

    "$ebpf" run hook.so --mode native --program header_version --policy integrity --trust keys/private \
        --mem header.bin > /dev/null 2> badtrust.err
    check "unreadable trust store refused under the policy" test $? -eq 1
fi

"$ebpf" run hook-unsigned.so --mode native --program header_version --mem header.bin > plain.out 2> plain.err
check "unsigned module runs outside the policy" test $? -eq 0
check "unsigned module returns the version" grep -q "^Return value: 7 " plain.out
check "with a warning" grep -q "warning: .*loading an unsigned module" plain.err
"$ebpf" run hook.so --mode interpret --mem header.bin > /dev/null 2> mode.err
check "a module needs --mode native" grep -q "runs only with --mode native" mode.err

# A trust store others can write is refused, whatever it holds (docs/signing.md).
chmod o+w keys/trust/root-ca.pem
"$ebpf" check-signature signed.so --trust keys/trust > /dev/null 2> writable.err
check "world-writable trust store refused" test $? -eq 1
check "refusal says who can write it" grep -q "root-ca.pem is writable by others (mode 0646)" writable.err
chmod o-w keys/trust/root-ca.pem
chmod g+w keys/trust
"$ebpf" check-signature signed.so --trust keys/trust > /dev/null 2> writable-dir.err
check "group-writable trust directory refused" grep -q "keys/trust is writable by its group" writable-dir.err
chmod g-w keys/trust
"$ebpf" check-signature signed.so --trust keys/trust > /dev/null
check "the store is accepted again once only its owner can write it" test $? -eq 0

if [ "$failures" -ne 0 ]; then echo "$failures check(s) failed"; exit 1; fi
echo "all CLI checks passed"
