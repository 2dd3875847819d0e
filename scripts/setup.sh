#!/usr/bin/env bash
# Installs every Debian 12 package ebpf-native needs. Idempotent: when all
# packages are present it does nothing (no apt-get update, no network).
set -euo pipefail

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
