#!/usr/bin/env bash
# install_test.sh BUILD_DIR SOURCE_DIR WORKDIR VERSION
# Installs BUILD_DIR into WORKDIR/prefix and builds against the package:
#   (a) a C host with `pkg-config --cflags --libs ebpf-native` (shared library)
#   (b) the same host with libebpf-native.a (`pkg-config --static`)
#   (c) examples/xdp-host with find_package(ebpf-native) + ebpf_add_program
#   (d) every tests/libbpf/loaders/NAME.c written for libbpf, with -lebpf-native
# and runs each on the demo's XDP program in interpret, jit and native mode.
# Prints the installed size and the host sizes.
set -euo pipefail
build=$1 src=$2 work=$3 version=$4
: "${CC:=cc}" "${HOST_CFLAGS:=}" "${HOST_LDFLAGS:=}"
rm -rf "$work" && mkdir -p "$work"
prefix=$work/prefix
step() { printf '\n== %s\n' "$*"; }
fail() { echo "FAIL: $*"; exit 1; }
read -r -a cflags <<<"$HOST_CFLAGS"
read -r -a ldflags <<<"$HOST_LDFLAGS"

step "cmake --install into $prefix"
cmake --install "$build" --prefix "$prefix" >"$work/install.log" || { cat "$work/install.log"; fail "install"; }
pc=$(find "$prefix" -name ebpf-native.pc)
[ -n "$pc" ] || fail "no ebpf-native.pc installed"
export PKG_CONFIG_PATH=$(dirname "$pc")
libdir=$(realpath "$(pkg-config --variable=libdir ebpf-native)")
for f in bin/ebpf bin/bpf2c bin/ebpf-conformance-plugin include/ebpf/ebpf.h include/ebpf/version.h \
         share/doc/ebpf-native/README.md; do
    [ -e "$prefix/$f" ] || fail "$f not installed"
done
for f in libebpf-native.so "libebpf-native.so.${version%%.*}" "libebpf-native.so.$version" libebpf-native.a \
         cmake/ebpf-native/ebpf-nativeConfig.cmake cmake/ebpf-native/ebpf-nativeConfigVersion.cmake \
         cmake/ebpf-native/EbpfProgram.cmake; do
    [ -e "$libdir/$f" ] || fail "$libdir/$f not installed"
done
# Every header is installed: ebpf/ in include/, the libbpf-compatible bpf/
# one level down so that it never shadows libbpf-dev's headers for others.
(cd "$src/include" && find . -type f) | while read -r header; do
    case "$header" in ./bpf/*) where=include/ebpf-native/$header ;; *) where=include/$header ;; esac
    [ -e "$prefix/$where" ] || fail "$where not installed"
done
[ ! -e "$prefix/include/bpf" ] || fail "include/bpf installed where it would shadow libbpf-dev's headers"
soname=$(readelf -d "$libdir/libebpf-native.so" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
[ "$soname" = "libebpf-native.so.${version%%.*}" ] || fail "soname '$soname'"
# Third-party libraries are private: no asmjit symbol leaves the library.
if nm -D --defined-only "$libdir/libebpf-native.so" | grep -q ' _ZN6asmjit'; then fail "asmjit symbols exported"; fi
"$prefix/bin/ebpf" --version | grep -qx "ebpf (ebpf-native) $version" || fail "ebpf --version"
used=$(ldd "$prefix/bin/ebpf" | sed -n "s/.*libebpf-native.so.${version%%.*} => \([^ ]*\).*/\1/p")
[ "$(dirname "$(realpath "$used")")" = "$libdir" ] || fail "installed ebpf uses '$used', not $libdir"
# `ebpf attach bind` finds the installed shim (no build tree, no --shim).
preloaded=$(cd "$work" && ASAN_OPTIONS=verify_asan_link_order=0 EBPF_BIND_SHIM= \
    "$prefix/bin/ebpf" attach bind "$build/tests/programs/sock_addr.o" -- sh -c 'echo "$LD_PRELOAD"') ||
    fail "ebpf attach bind with the installed shim"
[[ "$(realpath "${preloaded##*:}")" == "$libdir/libebpf_bind_shim.so" ]] || fail "attach bind preloaded '$preloaded'"
# The environment must not help: only the package.
export PATH=/usr/bin:/bin

demo=$src/examples/demo
packets=("$demo/dns_query.pkt" "$demo/udp_8080.pkt")
# run_host HOST: the program in the three modes, verdicts and map as expected.
run_host() {
    local host=$1 mode out
    for mode in interpret jit native; do
        local program=$work/cmake/packet_filter.o
        [ "$mode" = native ] && program=$work/cmake/packet_filter.so
        out=$("$host" "$program" "$mode" "${packets[@]}" 2>&1) || { echo "$out"; fail "$host in $mode"; }
        for expected in "ebpf-native $version, mode $mode" "dns_query.pkt: XDP_DROP (1), 54 bytes out" \
                        "udp_8080.pkt: XDP_PASS (2), 54 bytes out" "UDP packets counted: 2"; do
            [[ "$out" == *"$expected"* ]] || { echo "$out"; fail "$host in $mode: no '$expected'"; }
        done
        echo "ok: $(basename "$host") $mode"
    done
}

step "(c) find_package(ebpf-native) + ebpf_add_program: examples/xdp-host"
generator=()
[ -n "${CMAKE_GENERATOR:-}" ] && generator=(-G "$CMAKE_GENERATOR")
cmake -S "$src/examples/xdp-host" -B "$work/cmake" "${generator[@]}" -DCMAKE_PREFIX_PATH="$prefix" \
      -DCMAKE_C_COMPILER="$CC" -DCMAKE_C_FLAGS="$HOST_CFLAGS" -DCMAKE_EXE_LINKER_FLAGS="$HOST_LDFLAGS" \
      >"$work/cmake.log" 2>&1 || { cat "$work/cmake.log"; fail "configure examples/xdp-host"; }
cmake --build "$work/cmake" >>"$work/cmake.log" 2>&1 || { cat "$work/cmake.log"; fail "build examples/xdp-host"; }
grep -q "$prefix/bin/ebpf" "$work/cmake/"{build.ninja,Makefile} 2>/dev/null ||
    grep -rqs "$prefix/bin/ebpf" "$work/cmake/CMakeFiles" || fail "ebpf_add_program did not use the installed ebpf"
run_host "$work/cmake/xdp_host"

step "(a) pkg-config: shared library"
read -r -a pc_flags <<<"$(pkg-config --cflags --libs ebpf-native)"
"$CC" "${cflags[@]}" "$src/examples/xdp-host/xdp_host.c" -o "$work/xdp_host_dynamic" "${pc_flags[@]}" \
      -Wl,-rpath,"$libdir" "${ldflags[@]}"
readelf -d "$work/xdp_host_dynamic" | grep -q "NEEDED.*libebpf-native.so.${version%%.*}" || fail "not linked with the .so"
run_host "$work/xdp_host_dynamic"

step "(b) pkg-config --static: libebpf-native.a, the system's libraries shared"
read -r -a pc_cflags <<<"$(pkg-config --cflags ebpf-native)"
read -r -a pc_static <<<"$(pkg-config --static --libs ebpf-native)"
"$CC" "${cflags[@]}" "$src/examples/xdp-host/xdp_host.c" -o "$work/xdp_host_static" "${pc_cflags[@]}" \
      -Wl,--as-needed -Wl,-Bstatic -lebpf-native -Wl,-Bdynamic "${pc_static[@]}" "${ldflags[@]}"
if readelf -d "$work/xdp_host_static" | grep -q "NEEDED.*libebpf-native"; then fail "static host needs libebpf-native.so"; fi
run_host "$work/xdp_host_static"

step "(d) loaders written for libbpf, built with -lebpf-native"
shopt -s nullglob
loaders=("$src"/tests/libbpf/loaders/*.c)
if [ ${#loaders[@]} -eq 0 ]; then echo "(no tests/libbpf/loaders in this tree)"; fi
for loader in "${loaders[@]}"; do
    name=$(basename "$loader" .c)
    # Its program as tests/libbpf built it (ebpf_add_program: NAME.o and the
    # sibling NAME.so); the loader itself is compiled here, against the package.
    for f in "$name.o" "$name.so"; do
        [ -e "$build/tests/libbpf/$f" ] || fail "$loader: no $build/tests/libbpf/$f (tests/libbpf builds it)"
        cp "$build/tests/libbpf/$f" "$work/$f"
    done
    "$CC" "${cflags[@]}" "$loader" -o "$work/loader_$name" "${pc_flags[@]}" -Wl,-rpath,"$libdir" "${ldflags[@]}"
    # EBPF_MODE=native: the loader opens the object's sibling NAME.so.
    for mode in interpret jit native; do
        out=$(EBPF_MODE=$mode "$work/loader_$name" "$work/$name.o" 2>"$work/loader.err") ||
            { echo "$out"; cat "$work/loader.err"; fail "loader $name in $mode"; }
        if [ -e "${loader%.c}.expected" ] && ! diff -u "${loader%.c}.expected" <(echo "$out"); then
            fail "loader $name in $mode: output differs from ${loader%.c}.expected"
        fi
        echo "ok: loader $name $mode"
    done
done

step "sizes"
size_of() { stat -c %s "$1"; }
strip -o "$work/dynamic.stripped" "$work/xdp_host_dynamic"
strip -o "$work/static.stripped" "$work/xdp_host_static"
strip -o "$work/lib.stripped" "$libdir/libebpf-native.so.$version"
echo "installed: $(du -sb "$prefix" | cut -f1) bytes ($(du -sh "$prefix" | cut -f1), as built: with debug info)"
echo "libebpf-native.so: $(size_of "$libdir/libebpf-native.so.$version") bytes, stripped $(size_of "$work/lib.stripped")"
echo "libebpf-native.a: $(size_of "$libdir/libebpf-native.a") bytes"
echo "host, dynamic: $(size_of "$work/xdp_host_dynamic") bytes, stripped $(size_of "$work/dynamic.stripped")"
echo "host, static: $(size_of "$work/xdp_host_static") bytes, stripped $(size_of "$work/static.stripped")"
rm -rf "$work"  # kept on failure, to look at
echo PASS
