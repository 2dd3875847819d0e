# Cross-compiling ebpf-native for AArch64 Linux on a Debian host:
#   Debian's cross compilers (gcc-aarch64-linux-gnu, g++-aarch64-linux-gnu),
#   the target's libraries from multiarch (libelf-dev:arm64, ... — installed by
#   `bash scripts/setup.sh --aarch64`), and qemu-user to run what was built
#   (tests, gtest discovery) without an AArch64 machine.
# Used by the `aarch64` preset (CMakePresets.json).
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_LIBRARY_ARCHITECTURE aarch64-linux-gnu)

set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)

# Multiarch: the target's libraries live in /usr/lib/aarch64-linux-gnu and
# share /usr/include with the host, so the root stays /; pkg-config reads only
# the target's .pc files (and the architecture-independent ones).
set(ENV{PKG_CONFIG_LIBDIR} "/usr/lib/aarch64-linux-gnu/pkgconfig:/usr/share/pkgconfig")
set(ENV{PKG_CONFIG_PATH} "")

# Programs run at build time (clang -target bpf) are the host's; libraries
# and headers are the target's (CMAKE_LIBRARY_ARCHITECTURE above).
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)

# Everything built runs under qemu-user: the test commands that are targets
# of this build and gtest's test discovery. Its dynamic loader and libraries
# are the multiarch ones (libc6:arm64, libstdc++6:arm64 come with the
# -dev:arm64 packages), found at their usual paths, so qemu needs no -L
# sysroot. (qemu 7.2 with -L or QEMU_LD_PREFIX hangs in a forked child that
# calls execve, and the native mode forks the C compiler.)
find_program(EBPF_QEMU_AARCH64 qemu-aarch64 REQUIRED)
# The CPU is qemu's default for user mode ("max": every ARMv8.x extension it
# knows, LSE atomics among them) or $QEMU_CPU, which a test may set to an
# older core (cortex-a53: no LSE) to run the JIT's other code paths.
set(CMAKE_CROSSCOMPILING_EMULATOR ${EBPF_QEMU_AARCH64})
