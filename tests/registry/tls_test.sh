#!/usr/bin/env bash
# HTTPS: every registry but localhost/127.0.0.1/[::1] is spoken to over TLS
# with certificate and host-name checks. 127.0.0.2 is loopback to the kernel
# but "remote" to the client, so docker-registry serves HTTPS there with a
# certificate from a CA made here: trusted with --ca-file, refused without
# it, refused for a certificate naming another host, and a plain-HTTP
# registry at that address is never spoken to in plain text.
# Usage: tls_test.sh EBPF LOCAL_REGISTRY_SH   (exit 77: skipped)
set -u
ebpf=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
command -v openssl > /dev/null || { echo "skip: no openssl command"; exit 77; }
# Connection refused (not "cannot assign") means 127.0.0.2 is reachable.
if ! bash -c ': > /dev/tcp/127.0.0.2/1' 2>&1 | grep -q "refused"; then
    echo "skip: 127.0.0.2 is not a usable loopback address here"; exit 77
fi
# shellcheck source=local_registry.sh
source "$2"
failures=0
check() {  # check NAME CONDITION...
    local name=$1; shift
    if "$@"; then echo "ok: $name"; else echo "FAILED: $name"; failures=$((failures + 1)); fi
}
issue() {  # issue NAME SUBJECT_ALT_NAME: a server certificate signed by ca.pem
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$1.key" -out "$1.csr" \
        -subj "/CN=$1" 2> /dev/null &&
        openssl x509 -req -in "$1.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -out "$1.pem" -days 1 \
            -extfile <(printf 'subjectAltName=%s\nextendedKeyUsage=serverAuth\n' "$2") 2> /dev/null
}
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key -out ca.pem -days 1 \
    -subj "/CN=ebpf-native test registry CA" 2> /dev/null || { echo "skip: openssl cannot make a CA"; exit 77; }
issue right IP:127.0.0.2 && issue wrong IP:127.0.0.3 || { echo "skip: openssl cannot issue"; exit 77; }
printf '\x7fELF module bytes' > prog.so

LOCAL_REGISTRY_HOST=127.0.0.2 LOCAL_REGISTRY_TLS_CERT=$PWD/right.pem LOCAL_REGISTRY_TLS_KEY=$PWD/right.key \
    start_local_registry "$work/right" || exit 77
"$ebpf" push prog.so "$LOCAL_REGISTRY/team/prog:v1" --ca-file ca.pem > ref.out 2> push.err
check "HTTPS push with --ca-file" test $? -eq 0
"$ebpf" pull "$(cat ref.out)" -o pulled.so --ca-file ca.pem 2> pull.err
check "HTTPS pull with --ca-file" cmp -s prog.so pulled.so
"$ebpf" pull "$(cat ref.out)" -o untrusted.so 2> untrusted.err
check "an unknown CA is refused" grep -q "is not trusted or not for that host name" untrusted.err
check "nothing written" test ! -e untrusted.so
stop_local_registry

LOCAL_REGISTRY_HOST=127.0.0.2 LOCAL_REGISTRY_TLS_CERT=$PWD/wrong.pem LOCAL_REGISTRY_TLS_KEY=$PWD/wrong.key \
    start_local_registry "$work/wrong" || exit 77
"$ebpf" pull "$LOCAL_REGISTRY/team/prog:v1" -o wrong.so --ca-file ca.pem 2> wrong.err
check "a certificate for another host is refused" grep -q "is not trusted or not for that host name" wrong.err
stop_local_registry

# Behind a token service whose realm is plain HTTP: no credentials go there.
printf 'alice:secret\n' > basic-auth
LOCAL_REGISTRY_HOST=127.0.0.2 LOCAL_REGISTRY_TLS_CERT=$PWD/right.pem LOCAL_REGISTRY_TLS_KEY=$PWD/right.key \
LOCAL_REGISTRY_EXTRA_CONFIG="auth:
  token:
    realm: http://127.0.0.1:9/token
    service: test-registry
    issuer: test-issuer
    rootcertbundle: $PWD/ca.pem" start_local_registry "$work/token" || exit 77
"$ebpf" pull "$LOCAL_REGISTRY/team/prog:v1" -o token.so --ca-file ca.pem --basic-auth-file basic-auth 2> token.err
check "a plain-HTTP token service of an HTTPS registry is refused" \
    grep -q "refusing the token service http://127.0.0.1:9/token over plain HTTP" token.err
stop_local_registry

LOCAL_REGISTRY_HOST=127.0.0.2 start_local_registry "$work/plain" || exit 77
"$ebpf" pull "$LOCAL_REGISTRY/team/prog:v1" -o plain.so 2> plain.err
check "no plain HTTP off loopback" grep -q "TLS handshake with $LOCAL_REGISTRY failed" plain.err
stop_local_registry

if [ "$failures" -ne 0 ]; then echo "$failures check(s) failed"; exit 1; fi
echo "all registry TLS checks passed"
