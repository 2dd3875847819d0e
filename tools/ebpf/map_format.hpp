// The one shape of map contents in every command (`ebpf run --dump-maps`,
// `ebpf attach packet --dump-maps`, `ebpf map dump|lookup`), as JSON and as
// text, with values formatted from the map's BTF types when it has them.
//
// JSON, one object per map:
//   {"name", "type", "key_size", "value_size", "max_entries", "flags",
//    "id" and "pinned": [paths] (shared maps only),
//    "entries": [ENTRY...], "zero_entries_hidden": N (array maps, when some)}
// ENTRY:
//   {"key": HEX, "value": HEX, "formatted": {"key": T, "value": T}}
//   per-CPU maps: {"key": HEX, "values": [{"cpu": 0, "value": HEX}...],
//                  "formatted": {"key": T, "values": [{"cpu": 0, "value": T}...]}}
//   queue/stack: {"value": HEX}; ring buffer: {"record": HEX}
// HEX is the bytes in order, two lowercase digits each ("06000000"); T is
// the value decoded with its BTF type: integers as numbers, structs as
// objects by field name, arrays as arrays ("formatted" only with BTF).
// Array slots whose value is all zeros are counted, not listed, unless
// `all` is set.
#pragma once

#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <vector>

#include "ebpf/runtime.hpp"

namespace ebpf::tools {

struct MapDumpOptions {
    bool all = false;  // list all-zero array slots too
};

std::string hex_bytes(std::span<const uint8_t> bytes);
// The value decoded with `type` (nullptr or a type of another size: HEX).
nlohmann::json formatted_bytes(const TypeInfo* type, std::span<const uint8_t> bytes);

// One entry in the shape above (`value` is the host value: per-CPU maps hold every CPU's).
nlohmann::json map_entry_json(const Map& map, std::span<const uint8_t> key, std::span<const uint8_t> value);
// The whole map. Ring buffers are consumed and queues/stacks drained (frozen
// ones: only the head is shown), as a dump after a run may.
nlohmann::json map_json(Map& map, const MapDumpOptions& options = {});
// The map's description without entries (`ebpf map show`).
nlohmann::json map_summary_json(const Map& map);

// Text: "map NAME (TYPE): N entries[, M zero entries not shown]" then one
// line per entry ("  key K: value V"; per-CPU: "  key K:" and "    cpu N: V").
// K and V are the formatted value (one-line JSON) when there is one, else HEX.
void print_map_text(const nlohmann::json& map);
void print_entry_text(const nlohmann::json& entry, const char* indent = "  ");

}  // namespace ebpf::tools
