#!/usr/bin/env bash
# Installs every Debian 12 package ebpf-native needs. Idempotent: when all
# packages are present it does nothing (no apt-get update, no network).
#   bash scripts/setup.sh            the native (x86-64 or AArch64) build
#   bash scripts/setup.sh --aarch64  also the AArch64 cross build (`cmake --preset aarch64`):
#                                    cross compilers, qemu-user, the arm64 libraries (multiarch)
# (or EBPF_SETUP_AARCH64=1).
set -euo pipefail

aarch64="${EBPF_SETUP_AARCH64:-0}"
for arg in "$@"; do
  case "$arg" in
    --aarch64) aarch64=1 ;;
    *) echo "setup: unknown option $arg (known: --aarch64)" >&2; exit 2 ;;
  esac
done

PACKAGES=(
  build-essential cmake ninja-build pkg-config git
  clang llvm lld libclang-rt-14-dev          # eBPF programs, libFuzzer, sanitizers
  libelf-dev zlib1g-dev libbpf-dev           # object loader (ELF + BTF)
  libasmjit-dev libcapstone-dev              # JIT and its disassembly
  libcli11-dev libfmt-dev nlohmann-json3-dev # tools
  libssl-dev openssl                         # module signing
  libpcap-dev                                # packet hook
  libgtest-dev libgmock-dev libbenchmark-dev # tests and benchmarks
  gdb xxd                                    # source-level debugging test
  systemtap-sdt-dev bpftrace linux-perf      # USDT probes for bpf_printk and their test
  libcpp-httplib-dev                         # ebpf serve / submit / push / pull
  docker-registry                            # a real OCI registry in tests
  softhsm2 libengine-pkcs11-openssl libp11-dev libp11-kit-dev opensc  # signing keys in a PKCS#11 token
)

# The cross build's packages. Only "Multi-Arch: same" -dev packages can sit
# beside the host's: libp11-dev is not (installing libp11-dev:arm64 would
# remove the host's), and the build needs only p11-kit's header from it, so
# the target gets libp11-kit-dev:arm64 and libp11 stays the host's.
# Header-only packages (CLI11, nlohmann-json, cpp-httplib's header) are shared.
if [ "$aarch64" = 1 ]; then
  PACKAGES+=(
    qemu-user gcc-aarch64-linux-gnu g++-aarch64-linux-gnu
    libelf-dev:arm64 zlib1g-dev:arm64 libbpf-dev:arm64 libasmjit-dev:arm64 libcapstone-dev:arm64
    libfmt-dev:arm64 libssl-dev:arm64 libpcap-dev:arm64 libgtest-dev:arm64 libgmock-dev:arm64
    libcpp-httplib-dev:arm64 libp11-kit-dev:arm64 systemtap-sdt-dev:arm64
  )
  if ! dpkg --print-foreign-architectures | grep -qx arm64; then
    echo "setup: adding the arm64 architecture (dpkg --add-architecture arm64)"
    if [ "$(id -u)" -ne 0 ]; then sudo dpkg --add-architecture arm64; else dpkg --add-architecture arm64; fi
  fi
fi

missing=()
for pkg in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#PACKAGES[@]} packages present"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
echo "setup: done"
