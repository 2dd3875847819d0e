// Resource limits: what one object (or one native module's map definitions)
// may make the host allocate. A 200-byte ELF file can declare a hash map of
// 2^32 entries or a 2 GiB .bss; these limits are checked before anything is
// allocated, by open_object() for what the object declares and by
// create_maps() for what the runtime is about to allocate (per-CPU values
// multiplied by the number of CPUs). docs/limits.md lists them.
#pragma once

#include <cstdint>
#include <span>

namespace ebpf {

struct MapDefinition;

struct ResourceLimits {
    // The input file itself: open_object() reads at most this many bytes.
    uint64_t max_object_bytes = uint64_t{256} << 20;  // 256 MiB
    // The .BTF and .BTF.ext sections, each.
    uint64_t max_btf_bytes = uint64_t{64} << 20;  // 64 MiB
    uint32_t max_maps = 1024;      // map definitions, global data and inner templates included
    uint32_t max_programs = 1024;  // entry programs of one object
    // Per program after linking its subprograms (Linux's BPF_COMPLEXITY_LIMIT_INSNS).
    uint64_t max_program_instructions = 1'000'000;
    // All linked programs of one object together: subprograms are copied into
    // every caller, so many programs sharing a huge .text multiply memory.
    uint64_t max_object_instructions = 8'000'000;
    // One map's data (map_memory_bytes) and all maps of an object together.
    uint64_t max_map_bytes = uint64_t{512} << 20;         // 512 MiB
    uint64_t max_total_map_bytes = uint64_t{1} << 30;     // 1 GiB
};

// The memory the runtime allocates for a map when full, as the limits count
// it (sizes rounded up to 8 bytes, as the runtime stores them; per-CPU values
// × cpus): arrays, queues and stacks max_entries × value; hash tables and
// tries max_entries × (key + value + 40) for the element header and the
// bucket array; prog_array and array_of_maps 8-byte slots; a ring buffer
// max_entries bytes. Saturates at UINT64_MAX instead of wrapping.
uint64_t map_memory_bytes(const MapDefinition& definition, uint32_t cpus);

// Throws ebpf::Error "map 'NAME': needs N bytes (max_entries × ...), more
// than the limit of M bytes (max_map_bytes)" for the first map over the
// per-map limit, or names the total when all maps together exceed it, or the
// count of maps. Inner-map templates are checked alone but not counted in the
// total (nothing is allocated for them). `cpus` multiplies per-CPU values.
void check_map_limits(std::span<const MapDefinition> definitions, const ResourceLimits& limits, uint32_t cpus);

}  // namespace ebpf
