#!/bin/sh
# pipe_program.sh PLUGIN PROGRAM_HEX MEMORY_HEX [OPTIONS]: runs the plugin the
# way the bpf_conformance runner does and prints its stdout and exit code.
plugin="$1"
program="$2"
memory="$3"
shift 3
printf '%s\n' "$program" | "$plugin" "$memory" "$@" 2>/dev/null
echo "exit=$?"
