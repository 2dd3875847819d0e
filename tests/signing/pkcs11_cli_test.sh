#!/usr/bin/env bash
# The PKCS#11 workflow through the command line: scripts/softhsm-key.sh makes
# a SoftHSM2 token with a key and a certificate; `ebpf build --sign` and
# `ebpf sign` sign with the key in the token; check-signature and
# `run --policy integrity` accept the result; a wrong PIN, a missing token
# and a missing key are clear errors. Exits 77 (skipped) without SoftHSM2.
# Usage: pkcs11_cli_test.sh EBPF SOFTHSM_KEY_SH HOOK_BUFFER_OBJECT
set -u
ebpf=$1
script=$2
hook_object=$3
for tool in softhsm2-util pkcs11-tool; do
    command -v "$tool" > /dev/null || { echo "SKIP: $tool not installed"; exit 77; }
done
[ -r /usr/lib/softhsm/libsofthsm2.so ] || { echo "SKIP: SoftHSM2 not installed"; exit 77; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
failures=0
check() {  # check NAME CONDITION...
    local name=$1; shift
    if "$@"; then echo "ok: $name"; else echo "FAILED: $name"; failures=$((failures + 1)); fi
}

bash "$script" hsm "$ebpf" > script.out 2> script.err
status=$?
if [ $status -ne 0 ] && grep -q "engine" script.err; then echo "SKIP: $(cat script.err)"; exit 77; fi
check "softhsm-key.sh exits 0" test $status -eq 0
cat script.err
export SOFTHSM2_CONF=$PWD/hsm/softhsm2.conf
uri=$(cat hsm/key.uri)
check "the URI names module and PIN file" grep -q "module-path=.*pin-source=file:" hsm/key.uri
check "the PIN file is private" test "$(stat -c %a hsm/pin)" = 600
check "no key file was written" test ! -e hsm/keys/signing-key.pem

"$ebpf" build "$hook_object" -o signed.so --sign --key "$uri" --cert hsm/keys/signing-cert.pem --json \
    > build.json 2> build.err
check "build --sign with the token exits 0" test $? -eq 0
check "build names the token key without the PIN" grep -q '"key": "pkcs11:token=ebpf-signing;object=module-signer' build.json
check "no PIN in the output" bash -c "! grep -q \"$(cat hsm/pin)\" build.json build.err"
"$ebpf" check-signature signed.so --trust hsm/keys/trust > check.out
check "check-signature: valid" test $? -eq 0
check "signer is the token certificate" grep -q "PKCS#11 token" check.out
printf '\x01\x00\x9f\xeb\x07\x00\x00\x00' > header.bin
"$ebpf" run signed.so --mode native --program header_version --policy integrity --trust hsm/keys/trust \
    --mem header.bin > run.out 2> run.err
if grep -q "prctl(PR_SET_MDWE" run.err; then
    echo "skip: this kernel lacks PR_SET_MDWE; --policy integrity not run"
else
    check "run --policy integrity accepts it" grep -q "^Return value: 7 " run.out
fi

# ebpf sign with the token, PIN from the environment instead of the URI.
"$ebpf" build "$hook_object" -o plain.so > /dev/null 2>&1
EBPF_PKCS11_PIN=$(cat hsm/pin) "$ebpf" sign --key "pkcs11:token=ebpf-signing;object=module-signer" \
    --pkcs11-module /usr/lib/softhsm/libsofthsm2.so --cert hsm/keys/signing-cert.pem plain.so -o resigned.so > sign.out
check "sign with the PIN from EBPF_PKCS11_PIN" test $? -eq 0
"$ebpf" check-signature resigned.so --trust hsm/keys/trust > /dev/null
check "its signature is valid" test $? -eq 0
module_digest() { "$ebpf" build "$1" -o "$2" --json 2> /dev/null | sed -n 's/.*"module_digest": "\(.*\)".*/\1/p'; }
check "the signature is all that differs" test "$(grep 'Module digest' sign.out | awk '{print $3}')" = \
    "$(module_digest "$hook_object" again.so)"

# Errors: each names what is wrong and exits non-zero.
wrong_uri="pkcs11:token=ebpf-signing;object=module-signer?module-path=/usr/lib/softhsm/libsofthsm2.so"
EBPF_PKCS11_PIN=000000 "$ebpf" sign --key "$wrong_uri" --cert hsm/keys/signing-cert.pem plain.so -o x.so 2> wrong.err
check "wrong PIN fails" test $? -ne 0
check "wrong PIN says so" grep -q "wrong PIN" wrong.err
check "no partial output" test ! -e x.so
EBPF_PKCS11_PIN=$(cat hsm/pin) "$ebpf" sign --key "${wrong_uri/ebpf-signing/missing}" \
    --cert hsm/keys/signing-cert.pem plain.so -o x.so 2> token.err
check "missing token says so" grep -q "no initialised token with token=missing" token.err
EBPF_PKCS11_PIN=$(cat hsm/pin) "$ebpf" build "$hook_object" -o x.so --sign --key "${wrong_uri/module-signer/nope}" \
    --cert hsm/keys/signing-cert.pem 2> key.err
check "missing key says so" grep -q "no private key with object=nope" key.err
"$ebpf" sign --key "${wrong_uri}" --cert hsm/keys/signing-cert.pem plain.so -o x.so 2> nopin.err
check "no PIN says where to put one" grep -q "EBPF_PKCS11_PIN" nopin.err
check "no partial output after errors" test ! -e x.so

if [ $failures -ne 0 ]; then
    for f in script.err build.err wrong.err token.err key.err nopin.err; do echo "--- $f"; cat "$f" 2>/dev/null; done
    echo "$failures check(s) failed"
    exit 1
fi
echo "all PKCS#11 CLI checks passed"
