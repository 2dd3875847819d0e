// The map families (internal): one class per family, in one file each, and
// the helpers they share for copying values.
#pragma once

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "ebpf/runtime.hpp"

namespace ebpf::runtime_detail {

constexpr uint32_t round8(uint32_t n) { return (n + 7u) & ~7u; }

// Values live in map memory aligned to 8 bytes. The runtime copies them 8
// bytes at a time with relaxed atomics, so concurrent updates and lookups done
// by the runtime never race (a reader may see a mix of old and new words, as
// on Linux without BPF_F_LOCK).
inline void copy_to_map(void* map_memory, const void* source, size_t size) {
    auto* words = static_cast<uint64_t*>(map_memory);
    auto* bytes = static_cast<const uint8_t*>(source);
    size_t count = size / 8;
    for (size_t i = 0; i < count; ++i) {
        uint64_t word;
        std::memcpy(&word, bytes + 8 * i, 8);
        __atomic_store_n(words + i, word, __ATOMIC_RELAXED);
    }
    auto* tail = reinterpret_cast<uint8_t*>(words + count);
    for (size_t i = 0; i < size % 8; ++i) __atomic_store_n(tail + i, bytes[8 * count + i], __ATOMIC_RELAXED);
}

inline void copy_from_map(void* destination, const void* map_memory, size_t size) {
    auto* words = static_cast<const uint64_t*>(map_memory);
    auto* bytes = static_cast<uint8_t*>(destination);
    size_t count = size / 8;
    for (size_t i = 0; i < count; ++i) {
        uint64_t word = __atomic_load_n(words + i, __ATOMIC_RELAXED);
        std::memcpy(bytes + 8 * i, &word, 8);
    }
    auto* tail = reinterpret_cast<const uint8_t*>(words + count);
    for (size_t i = 0; i < size % 8; ++i) bytes[8 * count + i] = __atomic_load_n(tail + i, __ATOMIC_RELAXED);
}

inline void zero_map_memory(void* map_memory, size_t size) {
    auto* words = static_cast<uint64_t*>(map_memory);
    for (size_t i = 0; i < size / 8; ++i) __atomic_store_n(words + i, uint64_t{0}, __ATOMIC_RELAXED);
}

// Update flags accepted by update_elem (the lock flag BPF_F_LOCK is not supported).
inline bool valid_update_flags(uint64_t flags) { return flags <= kUpdateExist; }

// get_next_key of the index-keyed maps (array, prog array, array of maps),
// as Linux: no key or a key out of range starts at index 0; -ENOENT after
// the last index.
inline int64_t next_array_index(const void* key, uint32_t max_entries, void* next_key) {
    uint32_t next = 0;
    if (key) {
        uint32_t index;
        std::memcpy(&index, key, 4);
        if (index < max_entries) {
            if (index + 1 >= max_entries) return -ENOENT;
            next = index + 1;
        }
    }
    if (max_entries == 0) return -ENOENT;
    std::memcpy(next_key, &next, 4);
    return 0;
}

// Factories, one per family (each in its own file).
std::shared_ptr<Map> make_array_map(const MapDefinition& definition);
std::shared_ptr<Map> make_hash_map(const MapDefinition& definition);
std::shared_ptr<Map> make_prog_array(const MapDefinition& definition);
std::shared_ptr<Map> make_ringbuf_map(const MapDefinition& definition);
std::shared_ptr<Map> make_queue_stack_map(const MapDefinition& definition);
std::shared_ptr<Map> make_lpm_trie_map(const MapDefinition& definition);
std::shared_ptr<Map> make_map_of_maps(const MapDefinition& definition, const MapDefinition& inner);
std::shared_ptr<Map> make_redirect_map(const MapDefinition& definition);  // devmap(_hash), cpumap, xskmap, cgroup_array
std::shared_ptr<Map> make_perf_event_array(const MapDefinition& definition);
std::shared_ptr<Map> make_stack_trace_map(const MapDefinition& definition);
// Linux's creation rules of the redirect maps; throws ebpf::Error.
void check_redirect_map_definition(const MapDefinition& definition);

// cgroups (cgroup.cpp), for cgroup_array and bpf_skb_under_cgroup.
// The id of the cgroup v2 directory open as `fd` (its inode number, which is
// Linux's cgroup id); nullopt when fd is no cgroup v2 directory.
std::optional<uint64_t> cgroup_id_of_fd(int fd);
// Whether the calling thread's cgroup (v2, /proc/thread-self/cgroup) is the
// cgroup `id` or one of its descendants.
bool calling_cgroup_under(uint64_t id);

// Registers a new map so find_map_by_id() sees it.
void register_map(const std::shared_ptr<Map>& map);
// Every live map (prog arrays forget programs being unloaded).
std::vector<std::shared_ptr<Map>> live_maps();

// Families with operations beyond the Map interface.
class RingBufMap : public Map {
public:
    using Map::Map;
    virtual void* reserve(uint64_t size, uint64_t flags) = 0;
    virtual void submit(void* record, uint64_t flags) = 0;
    virtual void discard(void* record, uint64_t flags) = 0;
    virtual int64_t output(const void* data, uint64_t size, uint64_t flags) = 0;
    virtual uint64_t query(uint64_t flags) = 0;
    // on_record returns false to stop after that record (it counts as consumed).
    virtual size_t consume(const std::function<bool(std::span<const uint8_t>)>& on_record) = 0;
};

// Submits or discards a record from RingBufMap::reserve (its header is
// right before it).
void ringbuf_commit(void* record, bool discarded);

class PerfEventArrayMap : public Map {
public:
    using Map::Map;
    virtual uint32_t slots() const = 0;
    // A sample of head + tail into buffer `index` (the caller's CPU):
    // 0, -E2BIG, -ENOENT (no buffer), -EOPNOTSUPP (another CPU's), -ENOSPC (lost).
    virtual int64_t output(uint32_t index, std::span<const uint8_t> head, std::span<const uint8_t> tail) = 0;
    virtual void open(uint32_t index, uint32_t pages) = 0;
    virtual size_t consume(uint32_t index, const std::function<void(std::span<const uint8_t>)>& on_sample,
                           const std::function<void(uint64_t)>& on_lost) = 0;
};

class ProgArrayMap : public Map {
public:
    using Map::Map;
    // The program in slot `index`, or nullptr.
    virtual const LoadedProgram* program_at(uint64_t index) const = 0;
    // Stores `program` (the loader's static `.values`); throws ebpf::Error
    // when its type is not the map's owner type.
    virtual void set_program(uint32_t index, const LoadedProgram* program) = 0;
    // Fixes the owner type on first use, or checks `type` against it: throws
    // ebpf::Error "map 'm': <who> (<type>) cannot be <how>: ..." on a mismatch.
    virtual void claim_owner(ProgramType type, const std::string& who, const std::string& how) = 0;
    // Empties every slot holding `program` (it is being unloaded).
    virtual void forget_program(const LoadedProgram* program) = 0;
};

class MapOfMaps : public Map {
public:
    using Map::Map;
    // Stores `inner` at `key` (host: static `.values` initialisation).
    virtual void set_inner(const void* key, std::shared_ptr<Map> inner) = 0;
};

// Calls fn(key, value) for each element until it returns true (stop); returns
// the number of elements visited, or -EINVAL for a map type without iteration.
using ElementVisitor = std::function<bool(const void* key, void* value)>;
int64_t for_each_element(Map& map, const ElementVisitor& visit);

class IterableMap : public Map {
public:
    using Map::Map;
    virtual int64_t for_each(const ElementVisitor& visit) = 0;
};

}  // namespace ebpf::runtime_detail
