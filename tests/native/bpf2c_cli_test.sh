#!/bin/sh
# bpf2c and `ebpf build` on crafted and bad objects:
#  - an object whose section name and source path carry C (newlines, `*/`,
#    quotes, trigraphs, backslashes, #error) builds and runs: none of it
#    reached the compiler as code;
#  - `ebpf build --sign` makes a module that runs under --policy integrity;
#  - an unverifiable object gives the verifier's file:line:col error and
#    leaves no output file; so does a truncated ELF.
#   bpf2c_cli_test.sh SOURCE_DIR BPF2C EBPF WORKDIR
set -eu
src=$1 bpf2c=$2 ebpf=$3 work=$4
rm -rf "$work"
evil_dir="$work/dir*"
mkdir -p "$evil_dir"
evil_source="$evil_dir/e\"v??\\il#.c"
cp "$src/tests/native/programs/evil_names.c" "$evil_source"
clang -target bpf -O2 -g -Wno-trigraphs -I/usr/include/x86_64-linux-gnu -c "$evil_source" -o "$work/evil.o"

"$bpf2c" "$work/evil.o" -o "$work/evil.c"
# (the prelude's own byte-order #error is the one allowed)
if grep -n '^[[:space:]]*#[[:space:]]*error' "$work/evil.c" | grep -v 'need a little-endian target'; then echo "FAIL: an #error line reached the C"; exit 1; fi
"$ebpf" build "$work/evil.o" -o "$work/evil.so"
printf 'abcd' > "$work/in.bin"
out=$("$ebpf" run "$work/evil.so" --mode native --mem "$work/in.bin" 2>&1)
echo "$out"
echo "$out" | grep -q "Return value: 5 " || { echo "FAIL: evil.so did not return len + 1"; exit 1; }

clang -target bpf -O2 -g -I/usr/include/x86_64-linux-gnu -c "$src/tests/native/programs/unverifiable.c" -o "$work/bad.o"
if out=$("$bpf2c" "$work/bad.o" -o "$work/bad.c" 2>&1); then echo "FAIL: bpf2c accepted an unverifiable program"; exit 1; fi
echo "$out"
echo "$out" | grep -q "unverifiable.c:[0-9]*:[0-9]*: error: " || { echo "FAIL: no file:line:col: error:"; exit 1; }
[ ! -e "$work/bad.c" ] || { echo "FAIL: bpf2c left bad.c"; exit 1; }
if "$ebpf" build "$work/bad.o" -o "$work/bad.so"; then echo "FAIL: ebpf build accepted it"; exit 1; fi
[ ! -e "$work/bad.so" ] || { echo "FAIL: ebpf build left bad.so"; exit 1; }

head -c 200 "$work/evil.o" > "$work/truncated.o"
if out=$("$bpf2c" "$work/truncated.o" -o "$work/truncated.c" 2>&1); then echo "FAIL: truncated ELF accepted"; exit 1; fi
echo "$out"
[ ! -e "$work/truncated.c" ] || { echo "FAIL: bpf2c left truncated.c"; exit 1; }
ls "$work" | grep -q '\.tmp\.' && { echo "FAIL: temporary files left behind"; exit 1; }
# A signed build runs under the code-integrity policy (no executable memory
# but the signed module's); the unsigned one is refused there.
"$ebpf" keygen --out "$work/keys" >/dev/null
"$ebpf" build "$work/evil.o" -o "$work/signed.so" --sign --key "$work/keys/signing-key.pem" --cert "$work/keys/signing-cert.pem"
out=$("$ebpf" run "$work/signed.so" --mode native --mem "$work/in.bin" --policy integrity --trust "$work/keys/trust" 2>&1)
echo "$out"
echo "$out" | grep -q "Return value: 5 " || { echo "FAIL: the signed module did not run under --policy integrity"; exit 1; }
if "$ebpf" run "$work/evil.so" --mode native --mem "$work/in.bin" --policy integrity --trust "$work/keys/trust"; then
    echo "FAIL: an unsigned module ran under --policy integrity"; exit 1
fi
echo PASS
