#!/usr/bin/env bash
# `ebpf build --target`: a module for the other machine (x86-64 ⇄ AArch64)
# with Debian's cross compiler; `ebpf show` reads it here (the AArch64 entry
# decoder in the module reader, or the x86-64 one on an AArch64 host), the
# loader refuses it with the reason, a wrong compiler or an unknown target
# fails clearly, and the generated C refuses a big-endian target (#error).
# Exit 77 (skipped) when the cross compiler is not installed
# (`bash scripts/setup.sh --aarch64`).
set -euo pipefail
ebpf="$1" programs="$2" work="$3"
case "$(uname -m)" in
    x86_64) other=aarch64-linux-gnu other_name=AArch64 host_name=x86-64 ;;
    aarch64) other=x86_64-linux-gnu other_name=x86-64 host_name=AArch64 ;;
    *) echo "skipped: no cross target for $(uname -m)"; exit 77 ;;
esac
if ! command -v "$other-gcc" >/dev/null; then
    echo "skipped: $other-gcc is not installed (bash scripts/setup.sh --aarch64)"
    exit 77
fi
rm -rf "$work" && mkdir -p "$work"
fail() { echo "FAIL: $*" >&2; exit 1; }

# A module for the other machine; the digests line proves it was written.
"$ebpf" build "$programs/xdp_parse.o" --target "$other" -o "$work/other.so" --emit-c "$work/other.c" \
    >"$work/build.out" 2>"$work/build.err" || { cat "$work/build.err"; fail "ebpf build --target $other"; }
grep -q "\[3/3\] $other-gcc -O2" "$work/build.err" || { cat "$work/build.err"; fail "the cross compiler was not used"; }
file_machine=$(od -An -tu2 -j18 -N2 "$work/other.so" | tr -d ' ')
case "$other" in
    aarch64*) [ "$file_machine" = 183 ] || fail "e_machine $file_machine, not EM_AARCH64" ;;
    x86_64*) [ "$file_machine" = 62 ] || fail "e_machine $file_machine, not EM_X86_64" ;;
esac

# Readable here: the metadata comes from decoding the other machine's entry.
"$ebpf" show "$work/other.so" >"$work/show.out" 2>&1 || { cat "$work/show.out"; fail "ebpf show of the $other module"; }
grep -q "xdp_parse" "$work/show.out" || { cat "$work/show.out"; fail "ebpf show lists no program"; }
# The same object built for the host shows the same programs and maps.
"$ebpf" build "$programs/xdp_parse.o" -o "$work/host.so" 2>/dev/null >/dev/null
"$ebpf" show "$work/host.so" >"$work/show_host.out" 2>&1
diff <(grep -v -i "module\|file\|digest\|sha256" "$work/show_host.out") \
     <(grep -v -i "module\|file\|digest\|sha256" "$work/show.out") || fail "ebpf show differs between the machines"

# Not loadable here: the loader names both machines.
if "$ebpf" run "$work/other.so" --mode native >"$work/run.out" 2>&1; then fail "a $other module ran on $host_name"; fi
grep -q "built for $other_name (ELF machine $file_machine), not this one ($host_name)" "$work/run.out" ||
    { cat "$work/run.out"; fail "no clear refusal"; }

# An unknown target fails before anything is built.
if "$ebpf" build "$programs/xdp_parse.o" --target riscv64-linux-gnu -o "$work/bad.so" >"$work/bad.out" 2>&1; then
    fail "an unknown target was accepted"
fi
grep -q "unknown module target 'riscv64-linux-gnu' (known: x86_64-linux-gnu, aarch64-linux-gnu)" "$work/bad.out" ||
    { cat "$work/bad.out"; fail "unclear unknown-target error"; }
[ ! -e "$work/bad.so" ] || fail "output written for an unknown target"

# A "cross compiler" that builds for the host: the built module's machine
# is checked against the target.
mkdir -p "$work/bin"
cat >"$work/bin/$other-gcc" <<'SHIM'
#!/usr/bin/env bash
args=()
for arg in "$@"; do [ "$arg" = -mno-outline-atomics ] || args+=("$arg"); done
exec cc "${args[@]}"
SHIM
chmod +x "$work/bin/$other-gcc"
if PATH="$work/bin:$PATH" "$ebpf" build "$programs/xdp_parse.o" --target "$other" -o "$work/wrong.so" \
    >"$work/wrong.out" 2>&1; then
    fail "a host module passed as a $other one"
fi
grep -q "built it for ELF machine .*, not $other_name (--target $other)" "$work/wrong.out" ||
    { cat "$work/wrong.out"; fail "unclear wrong-machine error"; }

# The generated C refuses a big-endian target.
if command -v aarch64-linux-gnu-gcc >/dev/null; then
    # (-ffreestanding: the compiler's own <stdint.h>; there is no big-endian libc here)
    if aarch64-linux-gnu-gcc -mbig-endian -ffreestanding -fsyntax-only "$work/other.c" >"$work/be.out" 2>&1; then
        fail "the generated C compiled for a big-endian target"
    fi
    grep -q "need a little-endian target" "$work/be.out" || { cat "$work/be.out"; fail "no #error for big-endian"; }
fi
echo "ok: $other module built, shown, refused here; bad targets and big-endian refused"
