#!/usr/bin/env bash
# A module-signing key in a SoftHSM2 token, for development, tests and demos.
#
#   scripts/softhsm-key.sh DIR [EBPF]
#
# Makes, all under DIR (created; must not exist yet):
#   DIR/softhsm2.conf       a private SoftHSM2 configuration (export SOFTHSM2_CONF=DIR/softhsm2.conf)
#   DIR/tokens/             its token store
#   DIR/pin                 the user PIN (mode 0600)
#   DIR/keys/trust/         a trust store: a root CA made by `ebpf keygen`
#   DIR/keys/signing-cert.pem  a code-signing certificate that CA issued to the token's key
#   DIR/key.uri             the key's pkcs11: URI (with module-path and pin-source)
# The key is an EC P-256 key pair generated inside the token with the
# attributes CKA_SENSITIVE=true, CKA_EXTRACTABLE=false: it can sign, and it
# can never be read out of the token. Then, for example:
#
#   export SOFTHSM2_CONF=DIR/softhsm2.conf
#   ebpf build prog.o -o prog.so --sign --key "$(cat DIR/key.uri)" --cert DIR/keys/signing-cert.pem
#   ebpf check-signature prog.so --trust DIR/keys/trust
#
# Environment: KEY_TYPE (default EC:prime256v1; or rsa:2048, rsa:3072),
# TOKEN_LABEL (default ebpf-signing), KEY_LABEL (default module-signer),
# PKCS11_MODULE (default SoftHSM's /usr/lib/softhsm/libsofthsm2.so).
set -euo pipefail

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
    echo "usage: $0 DIR [EBPF]" >&2
    exit 2
fi
dir=$1
ebpf=${2:-$(dirname "$0")/../build/release/tools/ebpf}
key_type=${KEY_TYPE:-EC:prime256v1}
token_label=${TOKEN_LABEL:-ebpf-signing}
key_label=${KEY_LABEL:-module-signer}
module=${PKCS11_MODULE:-/usr/lib/softhsm/libsofthsm2.so}

for tool in softhsm2-util pkcs11-tool; do
    command -v "$tool" > /dev/null || { echo "$0: $tool not found (apt-get install softhsm2 opensc)" >&2; exit 3; }
done
[ -r "$module" ] || { echo "$0: PKCS#11 module $module not found (apt-get install softhsm2)" >&2; exit 3; }
[ -x "$ebpf" ] || { echo "$0: $ebpf not found (build first, or pass the ebpf binary)" >&2; exit 3; }
[ ! -e "$dir" ] || { echo "$0: $dir already exists; choose a new directory" >&2; exit 2; }

umask 077
mkdir -p "$dir/tokens"
dir=$(cd "$dir" && pwd)
cat > "$dir/softhsm2.conf" <<EOF
directories.tokendir = $dir/tokens
objectstore.backend = file
log.level = ERROR
slots.removable = false
EOF
export SOFTHSM2_CONF=$dir/softhsm2.conf

# A random user PIN and SO PIN; only the user PIN is kept (in a 0600 file).
pin=$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')
so_pin=$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')
printf '%s\n' "$pin" > "$dir/pin"

softhsm2-util --init-token --free --label "$token_label" --so-pin "$so_pin" --pin "$pin" > /dev/null
# --sensitive and no --extractable: CKA_SENSITIVE=true, CKA_EXTRACTABLE=false.
pkcs11-tool --module "$module" --token-label "$token_label" --login --pin "$pin" \
    --keypairgen --key-type "$key_type" --label "$key_label" --id 01 \
    --usage-sign --sensitive --private > /dev/null

uri="pkcs11:token=$token_label;object=$key_label;type=private?module-path=$module&pin-source=file:$dir/pin"
printf '%s\n' "$uri" > "$dir/key.uri"

# The CA and the certificate for the token key (the key stays in the token).
umask 022
if ! "$ebpf" keygen --out "$dir/keys" --token-key "$uri" > "$dir/keygen.log" 2>&1; then
    cat "$dir/keygen.log" >&2
    exit 1
fi

echo "SOFTHSM2_CONF=$dir/softhsm2.conf"
echo "key:   $uri"
echo "cert:  $dir/keys/signing-cert.pem"
echo "trust: $dir/keys/trust"
