#!/usr/bin/env bash
# A throw-away OCI registry for tests: Debian's docker-registry (the
# reference Distribution registry) on a free loopback port, storage in a
# directory of the caller's, stopped when the calling shell exits.
#
#   source tests/registry/local_registry.sh
#   start_local_registry "$work/registry" || exit 77   # 77: skip (CTest SKIP_RETURN_CODE)
#   ebpf push prog.so "$LOCAL_REGISTRY/team/prog:v1"
#
# Works under `set -euo pipefail`. Sets LOCAL_REGISTRY (HOST:PORT, 127.0.0.1 by default), LOCAL_REGISTRY_PID and
# LOCAL_REGISTRY_STORAGE; stop_local_registry stops it early. Optional:
# LOCAL_REGISTRY_HOST (another loopback address such as 127.0.0.2, which the
# client treats as remote: HTTPS) and LOCAL_REGISTRY_TLS_CERT /
# LOCAL_REGISTRY_TLS_KEY (PEM files: serve HTTPS), LOCAL_REGISTRY_EXTRA_CONFIG
# (YAML appended to the configuration, e.g. an `auth:` section). An EXIT trap
# set before sourcing is kept: the stop runs first, then it. Prints why on
# stderr and returns 1 when no registry can run here (no docker-registry,
# no free port): callers skip then rather than fail.

LOCAL_REGISTRY_BINARY=${LOCAL_REGISTRY_BINARY:-docker-registry}

# 0 when something accepts connections on $LOCAL_REGISTRY_HOST:$1.
_local_registry_port_open() {
    (exec 3<>"/dev/tcp/${LOCAL_REGISTRY_HOST:-127.0.0.1}/$1") 2>/dev/null
}

# 0 when GET /v2/ answers 200, or 401 with auth configured (checked with
# curl when it is installed).
_local_registry_answers() {
    command -v curl > /dev/null || return 0
    local scheme=http status
    [ -n "${LOCAL_REGISTRY_TLS_CERT:-}" ] && scheme=https
    status=$(curl -sk -o /dev/null -w '%{http_code}' --max-time 2 \
        "$scheme://${LOCAL_REGISTRY_HOST:-127.0.0.1}:$1/v2/") || true
    [ "$status" = 200 ] || [ "$status" = 401 ]
}

# Safe under `set -e` and when nothing runs.
stop_local_registry() {
    if [ -n "${LOCAL_REGISTRY_PID:-}" ]; then
        kill "$LOCAL_REGISTRY_PID" 2>/dev/null || true
        wait "$LOCAL_REGISTRY_PID" 2>/dev/null || true
        LOCAL_REGISTRY_PID=
    fi
    return 0
}

start_local_registry() {
    local dir=$1 port i tls='' host=${LOCAL_REGISTRY_HOST:-127.0.0.1}
    if ! command -v "$LOCAL_REGISTRY_BINARY" > /dev/null; then
        echo "skip: $LOCAL_REGISTRY_BINARY is not installed (Debian package docker-registry)" >&2
        return 1
    fi
    mkdir -p "$dir/storage" || return 1
    LOCAL_REGISTRY_STORAGE=$dir/storage
    local previous_trap
    previous_trap=$(trap -p EXIT | sed "s/^trap -- '\(.*\)' EXIT$/\1/")
    # shellcheck disable=SC2064
    trap "stop_local_registry; $previous_trap" EXIT
    if [ -n "${LOCAL_REGISTRY_TLS_CERT:-}" ]; then
        tls=$(printf '  tls:\n    certificate: %s\n    key: %s\n' "$LOCAL_REGISTRY_TLS_CERT" "$LOCAL_REGISTRY_TLS_KEY")
    fi
    for _ in 1 2 3 4 5 6 7 8; do
        port=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
        _local_registry_port_open "$port" && continue
        cat > "$dir/config.yml" <<CONFIG
version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $dir/storage
  delete:
    enabled: true
http:
  addr: $host:$port
$tls
${LOCAL_REGISTRY_EXTRA_CONFIG:-}
CONFIG
        "$LOCAL_REGISTRY_BINARY" serve "$dir/config.yml" > "$dir/registry.log" 2>&1 &
        LOCAL_REGISTRY_PID=$!
        # Up to 10 s for /v2/ to answer; give up on this port if the process died.
        for i in $(seq 1 100); do
            if ! kill -0 "$LOCAL_REGISTRY_PID" 2>/dev/null; then break; fi
            if _local_registry_port_open "$port" && _local_registry_answers "$port"; then
                LOCAL_REGISTRY=$host:$port
                export LOCAL_REGISTRY LOCAL_REGISTRY_PID LOCAL_REGISTRY_STORAGE
                return 0
            fi
            sleep 0.1
        done
        stop_local_registry
    done
    echo "skip: could not start $LOCAL_REGISTRY_BINARY on a free port (log: $dir/registry.log)" >&2
    tail -5 "$dir/registry.log" >&2 2>/dev/null
    return 1
}
