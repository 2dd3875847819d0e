#!/usr/bin/env bash
# The signing workflow through the `ebpf` command: keygen -> sign ->
# check-signature, and the exit codes and messages for a tampered module.
# Usage: cli_test.sh EBPF CC
set -u
ebpf=$1
cc=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
failures=0
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
printf 'Z' | dd of=tampered.so bs=1 seek=1 conv=notrunc status=none  # 'E' of the ELF magic
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

if [ "$failures" -ne 0 ]; then echo "$failures check(s) failed"; exit 1; fi
echo "all CLI checks passed"
