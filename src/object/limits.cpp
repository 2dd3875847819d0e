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

std::string formula(const MapDefinition& map, uint32_t cpus) {
    switch (map.type) {
    case MapType::ringbuf: return "ring buffer of max_entries bytes";
    case MapType::prog_array:
    case MapType::array_of_maps:
    case MapType::hash_of_maps:
        return std::to_string(map.max_entries) + " entries × (key " + std::to_string(map.key_size) + " + 8)";
    default: break;
    }
    std::string text = std::to_string(map.max_entries) + " entries × (key " + std::to_string(map.key_size) +
                       " + value " + std::to_string(map.value_size);
    if (is_per_cpu(map.type)) text += " × " + std::to_string(cpus) + " CPUs";
    return text + ")";
}

}  // namespace

uint64_t map_memory_bytes(const MapDefinition& map, uint32_t cpus) {
    switch (map.type) {
    case MapType::ringbuf: return map.max_entries;
    case MapType::prog_array:
    case MapType::array_of_maps:
    case MapType::hash_of_maps: return multiply(map.max_entries, add(map.key_size, 8));
    default: break;
    }
    uint64_t value = is_per_cpu(map.type) ? multiply(map.value_size, cpus == 0 ? 1 : cpus) : map.value_size;
    return multiply(map.max_entries, add(map.key_size, value));
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
