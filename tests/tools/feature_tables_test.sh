#!/usr/bin/env bash
# docs/helpers.md is `ebpf feature --markdown`, byte for byte: fails while the
# committed file is out of date (regenerate with the command below). And the
# hand-written docs name every program type and map type the tables call
# supported. Usage: feature_tables_test.sh EBPF SOURCE_DIR
set -u
ebpf=$1
source_dir=$2
failures=0
if ! "$ebpf" feature --markdown | diff -u "$source_dir/docs/helpers.md" - ; then
    echo "FAILED: docs/helpers.md is out of date; regenerate it from the repository root with:"
    echo "  build/release/tools/ebpf feature --markdown > docs/helpers.md"
    failures=$((failures + 1))
fi
json=$("$ebpf" feature --json) || { echo "FAILED: ebpf feature --json"; exit 1; }
for type in $(printf '%s' "$json" | jq -r '.program_types[] | select(.supported) | .name'); do
    grep -qw "$type" "$source_dir/docs/program-types.md" ||
        { echo "FAILED: docs/program-types.md does not mention program type $type"; failures=$((failures + 1)); }
done
for map in $(printf '%s' "$json" | jq -r '.map_types[] | select(.supported) | .name'); do
    grep -qw "$map" "$source_dir/docs/maps.md" ||
        { echo "FAILED: docs/maps.md does not mention map type $map"; failures=$((failures + 1)); }
done
# Every helper the runtime implements has a prototype and a Linux name.
unnamed=$(printf '%s' "$json" | jq '[.helpers[] | select(.supported and (.name | length) == 0)] | length')
[ "$unnamed" -eq 0 ] || { echo "FAILED: $unnamed supported helpers without a name"; failures=$((failures + 1)); }
[ "$failures" -eq 0 ] && echo "docs tables up to date"
exit $((failures != 0))
