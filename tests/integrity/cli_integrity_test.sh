#!/usr/bin/env bash
# Code-integrity mode through the command-line tools, as an attacker tries
# it: every route (ebpf run of modules, ELF objects, raw bytecode and --asm;
# ebpf attach packet; the bind shim; the conformance plugin; ebpf build)
# refuses unsigned, untrusted and constructor-carrying modules and refuses to
# compile, with --policy integrity and with EBPF_CODE_INTEGRITY=1; a module
# with a constructor is refused with the policy off too; ebpf run --object
# checks bytecode hashes and check-signature shows them; -o never follows a
# planted symlink; and a race against the build pipeline's files by another
# user never changes what is signed.
# Usage: cli_integrity_test.sh EBPF BPF2C PLUGIN SHIM SOCK_CLIENT CC BPF_CLANG PROGRAMS_DIR
set -u
ebpf=$1 bpf2c=$2 plugin=$3 shim=$4 sock_client=$5 cc=$6 clang=$7 programs=$8
work=$(mktemp -d)
trap 'touch "$work/shared/stop" 2>/dev/null; wait; rm -rf "$work"' EXIT
cd "$work"
failures=0
check() {  # check NAME CONDITION...
    local name=$1; shift
    if "$@"; then echo "ok: $name"; else echo "FAILED: $name"; failures=$((failures + 1)); fi
}
# refused NAME NEEDLE COMMAND...: the command fails and says NEEDLE.
refused() {
    local name=$1 needle=$2; shift 2
    local output status
    output=$("$@" 2>&1 < /dev/null); status=$?
    if [ "$status" -ne 0 ] && grep -qF -- "$needle" <<< "$output"; then
        echo "ok: $name"
    else
        echo "FAILED: $name (exit $status): $output"; failures=$((failures + 1))
    fi
}

hook=$programs/hook_buffer.o
"$ebpf" keygen --out keys > /dev/null 2>&1 || { echo "keygen failed"; exit 1; }
"$ebpf" keygen --out stranger > /dev/null 2>&1 || { echo "keygen failed"; exit 1; }
sign_flags=(--sign --key keys/signing-key.pem --cert keys/signing-cert.pem)
"$ebpf" build "$hook" -o good.so "${sign_flags[@]}" 2> /dev/null || { echo "build failed"; exit 1; }
"$ebpf" build "$hook" -o unsigned.so 2> /dev/null
"$ebpf" build "$hook" -o untrusted.so --sign --key stranger/signing-key.pem --cert stranger/signing-cert.pem 2> /dev/null
# struct header { u32 magic = 0xEB9F0001; u16 version = 7; u16 flags = 0; }
printf '\x01\x00\x9f\xeb\x07\x00\x00\x00' > header.bin
printf '\xb7\x00\x00\x00\x2a\x00\x00\x00\x95\x00\x00\x00\x00\x00\x00\x00' > r0_42.bin
printf 'r0 = 42\nexit\n' > r0_42.s

# What ebpf build makes runs nothing while it loads.
check "built module has no constructors or dependencies" \
    bash -c "! readelf -dW unsigned.so | grep -qE '\((INIT|INIT_ARRAY|PREINIT_ARRAY|FINI|FINI_ARRAY|NEEDED)\)'"

# A module signed by the trusted key whose constructor would leave a marker.
cat > ctor.c <<C
#include <fcntl.h>
#include <unistd.h>
__attribute__((constructor)) static void leave_marker(void) { close(open("$work/ctor-ran", O_CREAT | O_WRONLY, 0644)); }
int answer(void) { return 42; }
C
"$cc" -shared -fPIC -o ctor-plain.so ctor.c || { echo "cannot compile"; exit 1; }
"$ebpf" sign --key keys/signing-key.pem --cert keys/signing-cert.pem ctor-plain.so -o ctor.so > /dev/null
refused "constructor module refused without the policy" "may run no code of their own" \
    "$ebpf" run ctor.so --mode native --trust keys/trust
check "its constructor never ran" test ! -e ctor-ran

if "$ebpf" run r0_42.bin --policy integrity 2>&1 | grep -q "prctl(PR_SET_MDWE"; then
    echo "skip: this kernel lacks PR_SET_MDWE; the policy checks are not run"
    have_mdwe=0
else
    have_mdwe=1
fi

# run_policy HOW ARGS...: ebpf run under the policy, by option or by the environment switch.
run_policy() {
    local how=$1; shift
    if [ "$how" = option ]; then "$ebpf" run "$@" --policy integrity --trust keys/trust
    else EBPF_CODE_INTEGRITY=1 EBPF_TRUST_STORE=keys/trust "$ebpf" run "$@"; fi
}
if [ "$have_mdwe" = 1 ]; then
    for how in option environment; do
        run_policy $how good.so --mode native --program header_version --mem header.bin > good.out 2>&1
        check "[$how] signed module runs" grep -q "^Return value: 7 " good.out
        refused "[$how] unsigned module" "code-integrity policy: only signed native modules may run" \
            run_policy $how unsigned.so --mode native --program header_version --mem header.bin
        refused "[$how] untrusted module" "does not chain to a trusted root" \
            run_policy $how untrusted.so --mode native --program header_version --mem header.bin
        refused "[$how] constructor module" "may run no code of their own" run_policy $how ctor.so --mode native
        check "[$how] its constructor never ran" test ! -e ctor-ran
        cp unsigned.so unsigned-named.o
        refused "[$how] unsigned module named .o" "only signed native modules may run" \
            run_policy $how unsigned-named.o --mode native --program header_version
        refused "[$how] ELF object, native" "code-integrity policy" \
            run_policy $how "$hook" --mode native --program header_version
        refused "[$how] ELF object, interpreter" "the interpreter is disabled" run_policy $how "$hook"
        refused "[$how] ELF object, JIT" "the JIT is disabled" run_policy $how "$hook" --mode jit
        refused "[$how] raw bytecode, native" "compiling bytecode to a native engine is disabled" \
            run_policy $how r0_42.bin --mode native
        refused "[$how] --asm, native" "compiling bytecode to a native engine is disabled" \
            run_policy $how r0_42.s --asm --mode native
        refused "[$how] --asm, interpreter" "the interpreter is disabled" run_policy $how r0_42.s --asm
    done
    refused "ebpf build refuses to compile in the mode" "compiling a native module is disabled" \
        env EBPF_CODE_INTEGRITY=1 "$ebpf" build "$hook" -o never.so
    check "and writes nothing" test ! -e never.so
    refused "an unknown switch value fails closed" "EBPF_CODE_INTEGRITY=yes: unknown value" \
        env EBPF_CODE_INTEGRITY=yes "$ebpf" run good.so --mode native --trust keys/trust --program header_version
    refused "no trust store in the mode" "code-integrity policy: trust store: none given" \
        env -u EBPF_TRUST_STORE "$ebpf" run good.so --mode native --policy integrity --program header_version

    # The packet hook.
    "$ebpf" build "$programs/xdp_parse.o" -o xdp-unsigned.so 2> /dev/null
    "$ebpf" build "$programs/xdp_parse.o" -o xdp-untrusted.so \
        --sign --key stranger/signing-key.pem --cert stranger/signing-cert.pem 2> /dev/null
    for case in "xdp-unsigned.so:only signed native modules may run" \
                "xdp-untrusted.so:does not chain to a trusted root" "ctor.so:may run no code of their own"; do
        refused "attach packet: ${case%%:*}" "${case#*:}" \
            "$ebpf" attach packet "${case%%:*}" --mode native --policy integrity --trust keys/trust --pcap /dev/null
    done
    refused "attach packet: ELF object" "the interpreter is disabled" \
        "$ebpf" attach packet "$programs/xdp_parse.o" --policy integrity --trust keys/trust --pcap /dev/null

    # The bind shim fails closed on anything but a signed module.
    "$ebpf" build "$programs/hooks_sock_addr.o" -o sock-unsigned.so 2> /dev/null
    "$ebpf" build "$programs/hooks_sock_addr.o" -o sock-signed.so "${sign_flags[@]}" 2> /dev/null
    bind_under_policy() {  # bind_under_policy PROGRAM MODE: a bind() in a process the shim guards
        # In sanitizer builds the shim is instrumented: preloading it puts it
        # before the ASan runtime, which ASan refuses unless told it is intended.
        ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0 EBPF_CODE_INTEGRITY=1 EBPF_TRUST_STORE=$work/keys/trust LD_PRELOAD="$shim" EBPF_BIND_PROGRAM="$1" \
            EBPF_MODE=$2 "$sock_client" bind4 0 2>&1
    }
    out=$(bind_under_policy "$work/sock-unsigned.so" native)
    check "bind shim, unsigned module: denied (fail closed)" grep -q "^EPERM" <<< "$out"
    check "bind shim, unsigned module: says why" grep -qF "only signed native modules may run" <<< "$out"
    "$ebpf" build "$programs/hooks_sock_addr.o" -o sock-untrusted.so \
        --sign --key stranger/signing-key.pem --cert stranger/signing-cert.pem 2> /dev/null
    for case in "sock-untrusted.so:does not chain to a trusted root" "ctor.so:may run no code of their own"; do
        out=$(bind_under_policy "$work/${case%%:*}" native)
        check "bind shim, ${case%%:*}: denied (fail closed)" grep -q "^EPERM" <<< "$out"
        check "bind shim, ${case%%:*}: says why" grep -qF "${case#*:}" <<< "$out"
    done
    check "no constructor ran in the bind shim's process" test ! -e ctor-ran
    out=$(bind_under_policy "$programs/hooks_sock_addr.o" interpret)
    check "bind shim, ELF object: denied (fail closed)" grep -q "^EPERM" <<< "$out"
    check "bind shim, ELF object: says why" grep -qF "the interpreter is disabled" <<< "$out"
    out=$(bind_under_policy "$work/sock-signed.so" native)
    check "bind shim, signed module: bind allowed" grep -q "^ok" <<< "$out"

    # The conformance plugin.
    for mode in native interpret jit; do
        needle="compiling bytecode to a native engine is disabled"
        [ $mode = interpret ] && needle="the interpreter is disabled"
        [ $mode = jit ] && needle="the JIT is disabled"
        refused "conformance plugin, $mode" "$needle" bash -c \
            "echo 'b7 00 00 00 01 00 00 00 95 00 00 00 00 00 00 00' | EBPF_CODE_INTEGRITY=1 '$plugin' --mode $mode"
    done
fi

# --- bytecode hashes: ebpf run --object, check-signature ----------------------
for v in 1 2; do
    cat > answer$v.c <<C
__attribute__((section("hook/answer"), used)) long answer(void *buf, unsigned long len) { return $v; }
char LICENSE[] __attribute__((section("license"), used)) = "GPL";
C
    "$clang" -target bpf -O2 -c answer$v.c -o answer$v.o || { echo "cannot compile eBPF"; exit 1; }
done
"$ebpf" build answer1.o -o answer1.so "${sign_flags[@]}" 2> /dev/null
"$ebpf" run answer1.so --mode native --trust keys/trust --object answer1.o > hash-ok.out 2>&1
check "--object: the object it was built from" grep -q "^Return value: 1 " hash-ok.out
refused "--object: another object's bytecode" "the module was built from different bytecode" \
    "$ebpf" run answer1.so --mode native --trust keys/trust --object answer2.o
refused "--object: an object without the program" "is not in" \
    "$ebpf" run answer1.so --mode native --trust keys/trust --object "$hook"
# Same bytecode, other maps: the programs were verified against the object's
# map sizes; a module whose map is smaller would run out of bounds.
for size in 8 64; do
    cat > map$size.c <<C
struct { int (*type)[2]; int *key; char (*value)[$size]; int (*max_entries)[1]; } values
    __attribute__((section(".maps"), used));
static void *(*lookup)(void *, const void *) = (void *)1;
__attribute__((section("hook/first"), used)) long first(void *buf, unsigned long len) {
    int key = 0;
    char *value = lookup(&values, &key);
    return value ? value[0] : 0;
}
char LICENSE[] __attribute__((section("license"), used)) = "GPL";
C
    "$clang" -target bpf -O2 -g -c map$size.c -o map$size.o || { echo "cannot compile eBPF"; exit 1; }
done
"$ebpf" build map8.o -o map8.so "${sign_flags[@]}" 2> /dev/null
"$ebpf" run map8.so --mode native --trust keys/trust --object map8.o > map-ok.out 2>&1
check "--object: maps as in the object" grep -q "^Return value: 0 " map-ok.out
refused "--object: same bytecode, another map size" "its value size differs" \
    "$ebpf" run map8.so --mode native --trust keys/trust --object map64.o
# The program has no relocations: its bytecode is the section's bytes.
objcopy=$(dirname "$clang")/llvm-objcopy
[ -x "$objcopy" ] || objcopy=$(command -v llvm-objcopy || true)
"$ebpf" check-signature answer1.so --trust keys/trust > sig.out
"$ebpf" check-signature answer1.so --trust keys/trust --json > sig.json
if [ -n "$objcopy" ] && "$objcopy" -O binary --only-section=hook/answer answer1.o answer1.text; then
    expected=$(sha256sum answer1.text | cut -d' ' -f1)
    check "check-signature shows each program's bytecode hash" grep -q "^  answer (hook/answer): $expected\$" sig.out
    check "check-signature --json shows it" grep -q "\"bytecode_sha256\": \"$expected\"" sig.json
else
    check "check-signature shows each program's bytecode hash" grep -qE "^  answer \(hook/answer\): [0-9a-f]{64}\$" sig.out
    check "check-signature --json shows it" grep -qE "\"bytecode_sha256\": \"[0-9a-f]{64}\"" sig.json
fi

# --- planted symlinks at -o ----------------------------------------------------
echo "precious" > victim.txt
for tool in build bpf2c emit-c; do
    ln -s victim.txt "link-$tool"
    case $tool in
        build) "$ebpf" build answer1.o -o "link-$tool" 2> /dev/null ;;
        bpf2c) "$bpf2c" answer1.o -o "link-$tool" 2> /dev/null ;;
        emit-c) "$ebpf" build answer1.o -o emit.so --emit-c "link-$tool" 2> /dev/null ;;
    esac
    check "$tool: the planted symlink is replaced, not followed" test -f "link-$tool" -a ! -L "link-$tool"
done
check "the symlinks' target is untouched" grep -qx precious victim.txt

# --- a race against the build pipeline's files --------------------------------
# Another user (nobody) watches the shared directory that is both $TMPDIR and
# the output directory, and tries to write, append to or replace every file
# of the builds it can find, and plants symlinks at the temporary names an
# output used to get (OUT.tmp.PID). Every signed module must still be
# exactly what bpf2c and cc produced (the reference build), and the planted
# targets must stay empty.
if [ "$(id -u)" != 0 ] || ! command -v setpriv > /dev/null; then
    echo "skip: the race test needs root and setpriv (to run the attacker as another user)"
else
    chmod 755 "$work"
    mkdir shared && chmod 1777 shared
    "$ebpf" build answer1.o -o reference.so 2> /dev/null
    "$bpf2c" answer1.o -o reference.c 2> /dev/null
    cat > attacker.sh <<'SH'
shared=$1
# One process plants them all, so the pids of the builds fall in the range.
perl -e 'my ($shared, $last) = @ARGV;
         for my $n (1 .. 8) { for my $p ($last .. $last + 1500) {
             symlink("$shared/planted", "$shared/out$n.so.tmp.$p");
             symlink("$shared/planted", "$shared/out$n.c.tmp.$p"); } }' "$shared" "$(cat /proc/sys/kernel/ns_last_pid)"
touch "$shared/ready"
seen=0
while [ ! -e "$shared/stop" ]; do
    for dir in "$shared"/ebpf-build-*; do
        [ -d "$dir" ] || continue
        seen=$((seen + 1))
        for f in module.c module.so; do
            printf 'int evil;\n' >> "$dir/$f"
            ln -sf "$shared/planted" "$dir/$f"
        done
    done 2> /dev/null
    # The outputs and their temporary files (not the planted links).
    for f in "$shared"/out[0-9].so "$shared"/out[0-9].c "$shared"/out[0-9].so.?????? "$shared"/out[0-9].c.??????; do
        [ -e "$f" ] || continue
        printf 'ATTACK' >> "$f"
        cp "$shared/../answer2.o" "$f.new" && mv -f "$f.new" "$f"
    done 2> /dev/null
done
echo "$seen" > "$shared/seen"
SH
    chmod 755 attacker.sh
    setpriv --reuid=65534 --regid=65534 --clear-groups bash attacker.sh "$work/shared" &
    attacker=$!
    for _ in $(seq 1 300); do [ -e shared/ready ] && break; sleep 0.1; done
    for n in $(seq 1 8); do
        TMPDIR=$work/shared "$ebpf" build answer1.o -o "shared/out$n.so" "${sign_flags[@]}" 2> /dev/null
        TMPDIR=$work/shared "$bpf2c" answer1.o -o "shared/out$n.c" 2> /dev/null
    done
    touch shared/stop
    wait $attacker
    echo "info: the attacker saw $(cat shared/seen 2> /dev/null || echo 0) private build directories"
    size=$(stat -c %s reference.so)
    for n in $(seq 1 8); do
        out=shared/out$n.so
        check "race $n: output is a regular file" test -f "$out" -a ! -L "$out"
        check "race $n: signature valid" bash -c "'$ebpf' check-signature '$out' --trust keys/trust > /dev/null"
        check "race $n: the signed module is the reference build" cmp -s -n "$size" "$out" reference.so
        check "race $n: bpf2c output is the reference C" cmp -s "shared/out$n.c" reference.c
    done
    check "race: nothing was written through a planted symlink" test ! -s shared/planted
fi

if [ "$failures" -ne 0 ]; then echo "$failures check(s) failed"; exit 1; fi
echo "all integrity CLI checks passed"
