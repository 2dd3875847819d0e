#!/bin/sh
# pipe_program.sh PLUGIN PROGRAM_HEX MEMORY_HEX [OPTIONS]: runs the plugin the
# way the bpf_conformance runner does and prints its stdout and exit code.
# $EBPF_TEST_EMULATOR (cross builds: qemu-aarch64 ...) runs the plugin.
plugin="$1"
program="$2"
memory="$3"
shift 3
# shellcheck disable=SC2086 # the emulator command is words
printf '%s\n' "$program" | ${EBPF_TEST_EMULATOR:-} "$plugin" "$memory" "$@" 2>/dev/null
echo "exit=$?"
