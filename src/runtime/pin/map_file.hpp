// The layout of a pinned map file (internal). One file per map, mapped
// MAP_SHARED by every process that uses the map:
//
//   [header, 1 KiB] [info: JSON, info_size bytes] [data, 64-aligned]
//
//   array, per-CPU array:   values[max_entries][cpus], each round8(value_size)
//   hash, per-CPU hash,     buckets[bucket_count] {seq, head}, then
//   LRU (per-CPU) hash:     elements[max_entries] {next, last_used, hash,
//                           key (round8), values[cpus]}
//
// Every offset is a pure function of (type, key_size, value_size,
// max_entries, cpus, info_size): a reader recomputes the layout from the
// header's parameters, checks it against the header and the file's size, and
// from then on uses only its own copy. Links between elements are indices
// (+1, 0 = none), never pointers, and are bounds-checked at every step.
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>

#include "ebpf/object.hpp"

namespace ebpf::runtime_detail {

inline constexpr char kMapFileMagic[8] = {'E', 'B', 'P', 'F', 'M', 'A', 'P', '\n'};
inline constexpr uint32_t kMapFileVersion = 1;
inline constexpr uint32_t kMapFileStripes = 64;        // lock words (hash maps)
inline constexpr uint32_t kMapFileMaxInfo = 64 * 1024;  // JSON info bytes
inline constexpr uint32_t kMapFileMaxCpus = 1024;
inline constexpr uint32_t kMapFileMaxKey = 64 * 1024;
inline constexpr uint64_t kMapFileMaxBytes = uint64_t{64} << 30;

struct MapFileHeader {
    char magic[8];
    uint32_t version;
    uint32_t header_size;         // sizeof(MapFileHeader)
    std::atomic<uint32_t> ready;  // 1 once the creator initialised everything (stored last)
    uint32_t map_type;            // MapType (Linux BPF_MAP_TYPE_*)
    uint32_t key_size;
    uint32_t value_size;
    uint32_t max_entries;
    uint32_t map_flags;
    uint32_t cpus;                // value slots per element: possible_cpus() of the creator for per-CPU maps, else 1
    uint32_t id;                  // id under the pin root (<root>/maps/<id>), 0 if none
    uint64_t file_size;
    uint32_t info_size;           // bytes of JSON after the header: {"name", "key_type", "value_type"}
    int32_t creator_pid;
    uint64_t creator_start_time;
    uint32_t bucket_count;        // hash maps: a power of 2 >= max_entries
    uint32_t element_count;       // hash maps: max_entries
    std::atomic<uint64_t> free_head;        // hash: free-list head, (tag << 32) | (index + 1)
    std::atomic<uint64_t> lru_clock;        // LRU maps: stamp of the latest use
    std::atomic<uint64_t> eviction_cursor;  // LRU maps: next bucket window to scan
    std::atomic<uint32_t> locks[kMapFileStripes];  // OwnerLock words, bucket b uses b % kMapFileStripes
};
static_assert(sizeof(MapFileHeader) <= 1024);
inline constexpr uint64_t kMapFileHeaderBytes = 1024;

struct Bucket {
    std::atomic<uint32_t> seq;   // even: stable; odd: a writer is changing this bucket
    std::atomic<uint32_t> head;  // element index + 1, 0: empty
};

struct ElementHeader {
    std::atomic<uint32_t> next;       // index + 1 of the next element (bucket chain or free list)
    uint32_t reserved;
    std::atomic<uint64_t> last_used;  // LRU stamp
    uint64_t hash;
    // Followed by the key (round8(key_size)) and the values (cpus × round8(value_size)).
};
static_assert(sizeof(ElementHeader) == 24);

// Where everything is, computed from the parameters alone.
struct MapFileLayout {
    MapType type = MapType::unspec;
    uint32_t key_size = 0, value_size = 0, max_entries = 0, map_flags = 0, cpus = 1;
    uint32_t info_size = 0;
    uint32_t key_stride = 0, value_stride = 0;
    uint32_t bucket_count = 0, element_count = 0;
    uint64_t element_size = 0;
    uint64_t info_offset = 0, data_offset = 0, elements_offset = 0, file_size = 0;
    bool per_cpu() const;
    bool hash() const;
    bool lru() const;
};

// Map types that can live in shared memory.
bool map_type_shareable(MapType type);
// The layout for these parameters; nullopt with `why` set when they are not
// valid for a pinned map (sizes, counts, overflow).
std::optional<MapFileLayout> compute_map_layout(MapType type, uint32_t key_size, uint32_t value_size,
                                                uint32_t max_entries, uint32_t map_flags, uint32_t cpus,
                                                uint32_t info_size, std::string& why);

// The type info JSON kept in the file (TypeInfo ↔ JSON), bounded on reading.
std::string map_info_json(const MapDefinition& definition);
// Fills name/key_type/value_type from the JSON; throws ebpf::Error on bad input.
void parse_map_info_json(const std::string& json, MapDefinition& definition);

}  // namespace ebpf::runtime_detail
