// Resource limits (include/ebpf/limits.hpp): how much memory a map
// definition asks for, and the check that runs before any of it is allocated.
#include "ebpf/limits.hpp"

#include <limits>
#include <string>

#include "ebpf/error.hpp"
#include "ebpf/object.hpp"

namespace ebpf {
namespace {

constexpr uint64_t kSaturated = std::numeric_limits<uint64_t>::max();

uint64_t multiply(uint64_t a, uint64_t b) {
    uint64_t product = 0;
    return __builtin_mul_overflow(a, b, &product) ? kSaturated : product;
}

uint64_t add(uint64_t a, uint64_t b) { return a > kSaturated - b ? kSaturated : a + b; }

bool is_per_cpu(MapType type) {
    return type == MapType::percpu_array || type == MapType::percpu_hash || type == MapType::lru_percpu_hash;
}

uint64_t round8(uint64_t n) { return (n + 7) & ~uint64_t{7}; }

enum class Layout { ring, slots, handles, array, table };

// How the runtime stores the map (src/runtime/maps): a byte ring, pointer
// slots, an array of values, or a hash table / trie of keyed elements.
Layout layout_of(MapType type) {
    switch (type) {
    case MapType::ringbuf: return Layout::ring;
    case MapType::prog_array:
    case MapType::array_of_maps: return Layout::slots;
    // An entry plus the handle it holds (a socket, a sample buffer's pointer).
    case MapType::perf_event_array:
    case MapType::cgroup_array:
    case MapType::devmap:
    case MapType::cpumap:
    case MapType::xskmap: return Layout::handles;
    case MapType::stack_trace:
    case MapType::array:
    case MapType::percpu_array:
    case MapType::queue:
    case MapType::stack: return Layout::array;
    default: return Layout::table;
    }
}

// A slot of the redirect maps, cgroup_array and perf_event_array: its value,
// whether it is set, and a shared handle (src/runtime/maps/redirect_maps.cpp).
constexpr uint64_t kHandleSlot = 32;

// A table element's header and its share of the power-of-two bucket array.
constexpr uint64_t kTableEntryOverhead = 40;

std::string formula(const MapDefinition& map, uint32_t cpus) {
    const std::string entries = std::to_string(map.max_entries) + " entries × ";
    std::string value = "value " + std::to_string(round8(map.value_size));
    if (is_per_cpu(map.type)) value += " × " + std::to_string(cpus) + " CPUs";
    switch (layout_of(map.type)) {
    case Layout::ring: return "a ring buffer of max_entries bytes";
    case Layout::slots: return entries + "8-byte slots";
    case Layout::handles: return entries + std::to_string(kHandleSlot) + "-byte slots";
    case Layout::array: return entries + "(" + value + ")";
    case Layout::table: break;
    }
    return entries + "(key " + std::to_string(round8(map.key_size)) + " + " + value + " + " +
           std::to_string(kTableEntryOverhead) + " per entry)";
}

}  // namespace

uint64_t map_memory_bytes(const MapDefinition& map, uint32_t cpus) {
    if (!map_type_provided(map.type)) return 0;  // never created
    const uint64_t value = multiply(round8(map.value_size), is_per_cpu(map.type) ? (cpus == 0 ? 1 : cpus) : 1);
    switch (layout_of(map.type)) {
    case Layout::ring: return map.max_entries;
    case Layout::slots: return multiply(map.max_entries, 8);
    case Layout::handles: return multiply(map.max_entries, kHandleSlot);
    case Layout::array: return multiply(map.max_entries, value);
    case Layout::table: break;
    }
    return multiply(map.max_entries, add(add(round8(map.key_size), value), kTableEntryOverhead));
}

void check_map_limits(std::span<const MapDefinition> definitions, const ResourceLimits& limits, uint32_t cpus) {
    if (definitions.size() > limits.max_maps)
        throw Error(std::to_string(definitions.size()) + " maps, more than the limit of " +
                    std::to_string(limits.max_maps) + " (max_maps)");
    uint64_t total = 0;
    for (const MapDefinition& map : definitions) {
        const uint64_t bytes = map_memory_bytes(map, cpus);
        if (bytes > limits.max_map_bytes)
            throw Error("map '" + map.name + "': needs " +
                        (bytes == kSaturated ? std::string("more than 2^64") : std::to_string(bytes)) + " bytes (" +
                        formula(map, cpus) + "), more than the limit of " + std::to_string(limits.max_map_bytes) +
                        " bytes (max_map_bytes)");
        if (map.inner_template) continue;  // a template allocates nothing
        total = add(total, bytes);
        if (total > limits.max_total_map_bytes)
            throw Error("map '" + map.name + "': the maps up to this one need " + std::to_string(total) +
                        " bytes together, more than the limit of " + std::to_string(limits.max_total_map_bytes) +
                        " bytes (max_total_map_bytes)");
    }
}

}  // namespace ebpf
