// Maps in shared memory: see shared_maps.hpp and map_file.hpp for the layout.
//
// Consistency, as in-process maps (docs/pinning.md):
//  * arrays: values are plain shared memory, written 8 bytes at a time with
//    relaxed atomics; lookups never lock.
//  * hash maps: elements are preallocated in the file (type-stable memory:
//    an element is only ever an element of this map, never unmapped while the
//    map is mapped). Writers lock one of 64 stripe lock words; lookups from
//    programs walk the bucket chain without locking. A writer that unlinks an
//    element (delete, LRU eviction) or rewrites a value first makes the
//    bucket's sequence number odd and then even again; a lookup reads the
//    sequence before the walk and retries if it changed. That is what keeps a
//    lookup in process B from trusting an element that process A freed and
//    reused for another key in the middle of B's walk: the only way into a
//    reused element's new chain is through an unlink, and every unlink bumps
//    the sequence of the bucket being walked. (The in-process epochs cannot
//    do this: they only know this process's CPU slots.) A freed element goes
//    back to the shared free list at once, as in Linux's preallocated hash
//    maps, so a value pointer a program holds after its lookup may come to
//    belong to another key if another process deletes and reinserts
//    meanwhile; it always points into this map's memory.
//  * every index read from the file is checked against the element count and
//    every walk is bounded by it, so a corrupt or hostile file yields wrong
//    answers (-ENOENT, -E2BIG), never an access outside the mapping or an
//    endless loop.
//  * locks are OwnerLock words (pid of the holder): a process killed while
//    holding one is detected by the next writer, which takes the lock over and
//    makes the stripe's odd sequence numbers even again. Each change a writer
//    makes is a single store that leaves every chain well formed, so the
//    worst a death leaves is one element neither in a chain nor free
//    (capacity one lower until the map is recreated).
#include "shared_maps.hpp"

#include <unistd.h>

#include <cstring>

#include "ebpf/error.hpp"

namespace ebpf::runtime_detail {
namespace {

constexpr uint32_t kNone = 0;
constexpr int kOptimisticAttempts = 64;

uint64_t hash_key(const void* data, size_t size) {
    // FNV-1a and a final mix (the bucket index uses the low bits). Stored in
    // the element, so every process must agree: part of layout version 1.
    const auto* bytes = static_cast<const uint8_t*>(data);
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < size; ++i) h = (h ^ bytes[i]) * 0x100000001b3ull;
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    return h;
}

// Key comparison with relaxed atomic loads: a key in shared memory may be
// rewritten while we compare (the element being reused); the sequence check
// afterwards discards such a result.
bool same_key(const uint8_t* stored, const void* key, size_t size) {
    const auto* wanted = static_cast<const uint8_t*>(key);
    size_t words = size / 8;
    for (size_t i = 0; i < words; ++i) {
        uint64_t a = __atomic_load_n(reinterpret_cast<const uint64_t*>(stored) + i, __ATOMIC_RELAXED);
        uint64_t b;
        std::memcpy(&b, wanted + 8 * i, 8);
        if (a != b) return false;
    }
    for (size_t i = words * 8; i < size; ++i)
        if (__atomic_load_n(stored + i, __ATOMIC_RELAXED) != wanted[i]) return false;
    return true;
}

// A busy-wait hint to the CPU (another core holds the lock): x86 `pause`,
// AArch64 `yield`; nothing elsewhere.
void spin_pause() {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    asm volatile("yield" ::: "memory");
#endif
}

class SharedArrayMap final : public SharedMap {
public:
    using SharedMap::SharedMap;

    void* lookup_elem(const void* key) override {
        uint32_t cpu = slot();
        uint32_t index = read_index(key);
        return index < max_entries() && cpu < layout_.cpus ? value_at(index, cpu) : nullptr;
    }
    int64_t update_elem(const void* key, const void* value, uint64_t flags) override {
        if (!valid_update_flags(flags)) return -EINVAL;
        uint32_t index = read_index(key), cpu = slot();
        if (index >= max_entries() || cpu >= layout_.cpus) return -E2BIG;
        if (flags == kUpdateNoExist) return -EEXIST;
        copy_to_map(value_at(index, cpu), value, value_size());
        return 0;
    }
    int64_t delete_elem(const void*) override { return -EINVAL; }
    int64_t get_next_key(const void* key, void* next_key) override { return next_array_index(key, max_entries(), next_key); }
    void* direct_value(uint32_t index) override {
        return !layout_.per_cpu() && max_entries() == 1 && index == 0 ? value_at(0, 0) : nullptr;
    }
    int64_t host_lookup(const void* key, void* host_value) const override {
        uint32_t index = read_index(key);
        if (index >= max_entries()) return -ENOENT;
        for (uint32_t cpu = 0; cpu < layout_.cpus; ++cpu)
            copy_from_map(static_cast<uint8_t*>(host_value) + size_t{cpu} * layout_.value_stride, value_at(index, cpu),
                          layout_.per_cpu() ? layout_.value_stride : value_size());
        return 0;
    }
    int64_t update_from_host(const void* key, const void* host_value, uint64_t flags) override {
        if (host_writes_refused()) return -EPERM;
        if (!valid_update_flags(flags)) return -EINVAL;
        uint32_t index = read_index(key);
        if (index >= max_entries()) return -E2BIG;
        if (flags == kUpdateNoExist) return -EEXIST;
        for (uint32_t cpu = 0; cpu < layout_.cpus; ++cpu)
            copy_to_map(value_at(index, cpu), static_cast<const uint8_t*>(host_value) + size_t{cpu} * layout_.value_stride,
                        value_size());
        return 0;
    }
    int64_t for_each(const ElementVisitor& visit) override {
        uint32_t cpu = slot();
        if (cpu >= layout_.cpus) return 0;
        int64_t visited = 0;
        for (uint32_t index = 0; index < max_entries(); ++index) {
            ++visited;
            if (visit(&index, value_at(index, cpu))) break;
        }
        return visited;
    }

private:
    uint32_t slot() const { return layout_.per_cpu() ? current_cpu() : 0; }
    static uint32_t read_index(const void* key) {
        uint32_t index;
        std::memcpy(&index, key, 4);
        return index;
    }
    uint8_t* value_at(uint32_t index, uint32_t cpu) const {
        return data() + (uint64_t{index} * layout_.cpus + cpu) * layout_.value_stride;
    }
};

class SharedHashMap final : public SharedMap {
public:
    using SharedMap::SharedMap;

    void* lookup_elem(const void* key) override {
        uint32_t cpu = slot();
        if (cpu >= layout_.cpus) return nullptr;
        uint64_t h = hash_key(key, key_size());
        uint32_t found = find_lock_free(key, h);
        if (found == kNone) return nullptr;
        ElementHeader* e = element(found);
        if (layout_.lru()) touch_for_lookup(e);
        return value_of(e, cpu);
    }
    int64_t update_elem(const void* key, const void* value, uint64_t flags) override {
        if (slot() >= layout_.cpus) return -E2BIG;
        return update(key, value, flags, false);
    }
    int64_t delete_elem(const void* key) override { return remove(key); }
    int64_t get_next_key(const void* key, void* next_key) override { return next(key, next_key); }
    int64_t host_lookup(const void* key, void* host_value) const override {
        uint64_t h = hash_key(key, key_size());
        uint32_t b = bucket_of(h);
        Locked lock(*this, b);
        if (!lock) return -EBUSY;
        uint32_t found = walk(b, key, h, nullptr);
        if (found == kNone) return -ENOENT;
        for (uint32_t cpu = 0; cpu < layout_.cpus; ++cpu)
            copy_from_map(static_cast<uint8_t*>(host_value) + size_t{cpu} * layout_.value_stride,
                          value_of(element(found), cpu), layout_.per_cpu() ? layout_.value_stride : value_size());
        return 0;
    }
    int64_t update_from_host(const void* key, const void* host_value, uint64_t flags) override {
        if (host_writes_refused()) return -EPERM;
        return update(key, host_value, flags, true);
    }
    int64_t delete_from_host(const void* key) override { return host_writes_refused() ? -EPERM : remove(key); }
    int64_t host_get_next_key(const void* key, void* next_key) const override {
        return const_cast<SharedHashMap*>(this)->next(key, next_key);
    }
    int64_t for_each(const ElementVisitor& visit) override {
        uint32_t cpu = slot();
        if (cpu >= layout_.cpus) return 0;
        int64_t visited = 0;
        for (uint32_t b = 0; b < layout_.bucket_count; ++b) {
            uint32_t steps = 0;
            for (uint32_t at = bucket(b).head.load(std::memory_order_acquire); at != kNone && at <= layout_.element_count &&
                                                                                 steps++ < layout_.element_count;
                 at = element(at)->next.load(std::memory_order_acquire)) {
                ++visited;
                if (visit(key_of(element(at)), value_of(element(at), cpu))) return visited;
            }
        }
        return visited;
    }

private:
    // A stripe lock held; repairs what a dead holder left (odd sequences).
    class Locked {
    public:
        Locked(const SharedHashMap& map, uint32_t b) : lock_(&map.header().locks[b % kMapFileStripes]) {
            if (lock_.recovered()) map.repair_stripe(b % kMapFileStripes);
        }
        // False when a live process kept the lock too long (EBUSY).
        explicit operator bool() const { return lock_.acquired(); }

    private:
        OwnerLock lock_;
    };

    uint32_t slot() const { return layout_.per_cpu() ? current_cpu() : 0; }
    uint32_t bucket_of(uint64_t h) const { return static_cast<uint32_t>(h & (layout_.bucket_count - 1)); }
    Bucket& bucket(uint32_t b) const {
        return reinterpret_cast<Bucket*>(mapping_.base() + layout_.data_offset)[b];
    }
    // `index` is 1-based (0: none) and must be checked by the caller.
    ElementHeader* element(uint32_t index) const {
        return reinterpret_cast<ElementHeader*>(data() + (index - 1) * layout_.element_size);
    }
    uint8_t* key_of(ElementHeader* e) const { return reinterpret_cast<uint8_t*>(e + 1); }
    uint8_t* value_of(ElementHeader* e, uint32_t cpu) const {
        return key_of(e) + layout_.key_stride + size_t{cpu} * layout_.value_stride;
    }
    void touch(ElementHeader* e) {
        e->last_used.store(header().lru_clock.fetch_add(1, std::memory_order_relaxed), std::memory_order_relaxed);
    }
    // A lookup reads the clock (writers advance it) and writes the element's
    // stamp only when it changed: lookups from many threads do not write a
    // shared cache line (the clock's) on every call.
    void touch_for_lookup(ElementHeader* e) {
        const uint64_t now = header().lru_clock.load(std::memory_order_relaxed);
        if (e->last_used.load(std::memory_order_relaxed) != now) e->last_used.store(now, std::memory_order_relaxed);
    }

    void repair_stripe(uint32_t stripe) const {
        for (uint32_t b = stripe; b < layout_.bucket_count; b += kMapFileStripes) {
            uint32_t seq = bucket(b).seq.load(std::memory_order_relaxed);
            if (seq & 1) bucket(b).seq.store(seq + 1, std::memory_order_release);
        }
    }
    static void begin_write(Bucket& b) {
        b.seq.fetch_add(1, std::memory_order_relaxed);
        std::atomic_thread_fence(std::memory_order_release);
    }
    static void end_write(Bucket& b) { b.seq.fetch_add(1, std::memory_order_release); }

    // The element with `key` in bucket b, or kNone; bounded and checked.
    // `link_out` (writers, under the lock): the link that points to it.
    uint32_t walk(uint32_t b, const void* key, uint64_t h, std::atomic<uint32_t>** link_out) const {
        std::atomic<uint32_t>* link = &bucket(b).head;
        uint32_t steps = 0;
        for (uint32_t at = link->load(std::memory_order_acquire); at != kNone; at = link->load(std::memory_order_acquire)) {
            if (at > layout_.element_count || steps++ >= layout_.element_count) return kNone;  // corrupt
            ElementHeader* e = element(at);
            if (__atomic_load_n(&e->hash, __ATOMIC_RELAXED) == h && same_key(key_of(e), key, key_size())) {
                if (link_out) *link_out = link;
                return at;
            }
            link = &e->next;
        }
        return kNone;
    }

    // Programs: no lock unless writers keep the bucket busy (seqlock, above).
    uint32_t find_lock_free(const void* key, uint64_t h) const {
        uint32_t b = bucket_of(h);
        Bucket& bk = bucket(b);
        for (int attempt = 0; attempt < kOptimisticAttempts; ++attempt) {
            uint32_t before = bk.seq.load(std::memory_order_acquire);
            if (before & 1) {
                spin_pause();
                continue;
            }
            uint32_t found = walk(b, key, h, nullptr);
            std::atomic_thread_fence(std::memory_order_acquire);
            if (bk.seq.load(std::memory_order_relaxed) == before) return found;
        }
        Locked lock(*this, b);
        return lock ? walk(b, key, h, nullptr) : kNone;
    }

    uint32_t pop_free() {
        auto& head = header().free_head;
        uint64_t top = head.load(std::memory_order_acquire);
        for (;;) {
            auto index = static_cast<uint32_t>(top);
            if (index == kNone || index > layout_.element_count) return kNone;  // empty (or corrupt: full)
            uint32_t next = element(index)->next.load(std::memory_order_relaxed);
            // The tag in the high half makes a concurrent pop+push of the same index fail this CAS (ABA).
            uint64_t replacement = (((top >> 32) + 1) << 32) | next;
            if (head.compare_exchange_weak(top, replacement, std::memory_order_acquire, std::memory_order_acquire))
                return index;
        }
    }
    void push_free(uint32_t index) {
        auto& head = header().free_head;
        uint64_t top = head.load(std::memory_order_relaxed);
        for (;;) {
            element(index)->next.store(static_cast<uint32_t>(top), std::memory_order_relaxed);
            uint64_t replacement = (((top >> 32) + 1) << 32) | index;
            if (head.compare_exchange_weak(top, replacement, std::memory_order_release, std::memory_order_relaxed)) return;
        }
    }

    void write_value(ElementHeader* e, const void* value, bool from_host, bool fresh) {
        if (!layout_.per_cpu()) {
            copy_to_map(value_of(e, 0), value, value_size());
            return;
        }
        for (uint32_t cpu = 0; cpu < layout_.cpus; ++cpu) {
            if (from_host)
                copy_to_map(value_of(e, cpu), static_cast<const uint8_t*>(value) + size_t{cpu} * layout_.value_stride,
                            value_size());
            else if (cpu == current_cpu())
                copy_to_map(value_of(e, cpu), value, value_size());
            else if (fresh)
                zero_map_memory(value_of(e, cpu), layout_.value_stride);
        }
    }

    int64_t update(const void* key, const void* value, uint64_t flags, bool from_host) {
        if (!valid_update_flags(flags)) return -EINVAL;
        uint64_t h = hash_key(key, key_size());
        uint32_t b = bucket_of(h);
        for (int attempt = 0;; ++attempt) {
            {
                Locked lock(*this, b);
                if (!lock) return -EBUSY;
                if (uint32_t found = walk(b, key, h, nullptr); found != kNone) {
                    if (flags == kUpdateNoExist) return -EEXIST;
                    begin_write(bucket(b));
                    write_value(element(found), value, from_host, false);
                    end_write(bucket(b));
                    if (layout_.lru()) touch(element(found));
                    return 0;
                }
                if (flags == kUpdateExist) return -ENOENT;
                if (uint32_t index = pop_free(); index != kNone) {
                    ElementHeader* e = element(index);
                    __atomic_store_n(&e->hash, h, __ATOMIC_RELAXED);
                    copy_to_map(key_of(e), key, key_size());
                    write_value(e, value, from_host, true);
                    if (layout_.lru()) touch(e);
                    e->next.store(bucket(b).head.load(std::memory_order_relaxed), std::memory_order_relaxed);
                    bucket(b).head.store(index, std::memory_order_release);  // publish
                    return 0;
                }
            }
            if (!layout_.lru() || attempt >= 4 || !evict_one()) return -E2BIG;
        }
    }

    int64_t remove(const void* key) {
        uint64_t h = hash_key(key, key_size());
        uint32_t b = bucket_of(h);
        uint32_t removed;
        {
            Locked lock(*this, b);
            if (!lock) return -EBUSY;
            std::atomic<uint32_t>* link = nullptr;
            removed = walk(b, key, h, &link);
            if (removed == kNone) return -ENOENT;
            begin_write(bucket(b));
            link->store(element(removed)->next.load(std::memory_order_relaxed), std::memory_order_release);
            end_write(bucket(b));
        }
        push_free(removed);
        return 0;
    }

    // Approximate LRU, as the in-process map: the oldest element among a
    // window of buckets after a moving cursor.
    bool evict_one() {
        constexpr uint32_t kWindow = 128;
        uint64_t start = header().eviction_cursor.fetch_add(kWindow, std::memory_order_relaxed);
        for (uint64_t scanned = 0; scanned < layout_.bucket_count; scanned += kWindow) {
            uint32_t victim = kNone, victim_bucket = 0;
            uint64_t oldest = UINT64_MAX;
            for (uint32_t i = 0; i < kWindow && scanned + i < layout_.bucket_count; ++i) {
                auto b = static_cast<uint32_t>((start + scanned + i) & (layout_.bucket_count - 1));
                uint32_t steps = 0;
                for (uint32_t at = bucket(b).head.load(std::memory_order_acquire);
                     at != kNone && at <= layout_.element_count && steps++ < layout_.element_count;
                     at = element(at)->next.load(std::memory_order_acquire)) {
                    uint64_t used = element(at)->last_used.load(std::memory_order_relaxed);
                    if (used < oldest) {
                        oldest = used;
                        victim = at;
                        victim_bucket = b;
                    }
                }
            }
            if (victim != kNone && unlink(victim, victim_bucket)) return true;
        }
        return false;
    }

    bool unlink(uint32_t target, uint32_t b) {
        {
            Locked lock(*this, b);
            if (!lock) return false;
            std::atomic<uint32_t>* link = &bucket(b).head;
            uint32_t steps = 0;
            uint32_t at = link->load(std::memory_order_acquire);
            while (at != kNone && at != target) {
                if (at > layout_.element_count || steps++ >= layout_.element_count) return false;
                link = &element(at)->next;
                at = link->load(std::memory_order_acquire);
            }
            if (at == kNone) return false;  // someone else removed it
            begin_write(bucket(b));
            link->store(element(at)->next.load(std::memory_order_relaxed), std::memory_order_release);
            end_write(bucket(b));
        }
        push_free(target);
        return true;
    }

    int64_t next(const void* key, void* next_key) {
        uint32_t start = 0;
        if (key) {
            uint64_t h = hash_key(key, key_size());
            uint32_t b = bucket_of(h);
            Locked lock(*this, b);
            if (!lock) return -EBUSY;
            if (uint32_t found = walk(b, key, h, nullptr); found != kNone) {
                uint32_t after = element(found)->next.load(std::memory_order_acquire);
                if (after != kNone && after <= layout_.element_count) {
                    std::memcpy(next_key, key_of(element(after)), key_size());
                    return 0;
                }
                start = b + 1;
            }
        }
        for (uint32_t b = start; b < layout_.bucket_count; ++b) {
            if (bucket(b).head.load(std::memory_order_relaxed) == kNone) continue;  // cheap skip, rechecked locked
            Locked lock(*this, b);
            if (!lock) return -EBUSY;
            uint32_t first = bucket(b).head.load(std::memory_order_acquire);
            if (first != kNone && first <= layout_.element_count) {
                std::memcpy(next_key, key_of(element(first)), key_size());
                return 0;
            }
        }
        return -ENOENT;
    }
};

std::shared_ptr<SharedMap> make_shared_map(const MapDefinition& definition, SharedMapping mapping,
                                           const MapFileLayout& layout, const std::string& path, uint32_t id) {
    if (layout.hash()) return std::make_shared<SharedHashMap>(definition, std::move(mapping), layout, path, id);
    return std::make_shared<SharedArrayMap>(definition, std::move(mapping), layout, path, id);
}

std::string type_text(uint32_t raw) {
    auto type = map_type_from_id(raw);
    return type ? "'" + std::string(map_type_name(*type)) + "'" : std::to_string(raw) + " (unknown)";
}

// Checks everything a reader relies on, in order, and copies the header.
MapFileSummary validate(const std::string& path, const SharedMapping& mapping) {
    const auto& h = *mapping.at<MapFileHeader>(0);
    if (std::memcmp(h.magic, kMapFileMagic, sizeof kMapFileMagic) != 0)
        throw Error(path + ": not an ebpf-native pinned map (bad magic)");
    if (h.version != kMapFileVersion)
        throw Error(path + ": pinned map layout version " + std::to_string(h.version) + ", this runtime reads version " +
                    std::to_string(kMapFileVersion));
    if (h.header_size != sizeof(MapFileHeader))
        throw Error(path + ": header size " + std::to_string(h.header_size) + ", expected " + std::to_string(sizeof(MapFileHeader)));
    if (h.ready.load(std::memory_order_acquire) != 1)
        throw Error(path + ": the map is not initialised (its creator is still creating it, or died doing so)");
    MapFileSummary summary;
    auto type = map_type_from_id(h.map_type);
    if (!type) throw Error(path + ": map type " + type_text(h.map_type) + " is not a map type");
    std::string why;
    auto layout = compute_map_layout(*type, h.key_size, h.value_size, h.max_entries, h.map_flags, h.cpus, h.info_size, why);
    if (!layout) throw Error(path + ": " + why);
    if (h.file_size != layout->file_size || h.bucket_count != layout->bucket_count ||
        h.element_count != layout->element_count)
        throw Error(path + ": header sizes do not match the layout its parameters give (corrupt file)");
    if (mapping.size() != layout->file_size)
        throw Error(path + ": truncated or extended: " + std::to_string(mapping.size()) + " bytes, the layout needs " +
                    std::to_string(layout->file_size));
    summary.layout = *layout;
    summary.definition.type = *type;
    summary.definition.key_size = h.key_size;
    summary.definition.value_size = h.value_size;
    summary.definition.max_entries = h.max_entries;
    summary.definition.map_flags = h.map_flags;
    summary.definition.pinning = kPinByName;
    std::string info(reinterpret_cast<const char*>(mapping.base() + layout->info_offset), layout->info_size);
    try {
        parse_map_info_json(info, summary.definition);
    } catch (const Error& e) {
        throw Error(path + ": " + e.what());
    }
    summary.id = h.id;
    summary.creator = {h.creator_pid, h.creator_start_time};
    return summary;
}

}  // namespace

SharedMap::SharedMap(const MapDefinition& definition, SharedMapping mapping, const MapFileLayout& layout, std::string path,
                     uint32_t shared_id)
    : IterableMap(definition), mapping_(std::move(mapping)), layout_(layout), path_(std::move(path)), shared_id_(shared_id) {
    if (layout_.per_cpu()) set_value_cpus(layout_.cpus);
}

SharedMap::~SharedMap() {
    if (!owned_link_.empty()) ::unlink(owned_link_.c_str());
}

std::shared_ptr<SharedMap> create_map_file(const MapDefinition& definition, const std::string& path, uint32_t id) {
    const std::string info = map_info_json(definition);
    bool per_cpu = definition.type == MapType::percpu_array || definition.type == MapType::percpu_hash ||
                   definition.type == MapType::lru_percpu_hash;
    std::string why;
    auto layout = compute_map_layout(definition.type, definition.key_size, definition.value_size, definition.max_entries,
                                     definition.map_flags, per_cpu ? possible_cpus() : 1,
                                     static_cast<uint32_t>(std::min<size_t>(info.size(), UINT32_MAX)), why);
    if (!layout) throw Error("map '" + definition.name + "': " + why);
    if (!definition.initial_data.empty() && (layout->per_cpu() || layout->hash() ||
                                             definition.initial_data.size() > layout->element_size * definition.max_entries))
        throw Error("map '" + definition.name + "': initial data does not fit the map");
    SharedMapping mapping = create_shared_file(path, layout->file_size);
    auto& h = *mapping.at<MapFileHeader>(0);
    std::memcpy(h.magic, kMapFileMagic, sizeof kMapFileMagic);
    h.version = kMapFileVersion;
    h.header_size = sizeof(MapFileHeader);
    h.map_type = static_cast<uint32_t>(definition.type);
    h.key_size = definition.key_size;
    h.value_size = definition.value_size;
    h.max_entries = definition.max_entries;
    h.map_flags = definition.map_flags;
    h.cpus = layout->cpus;
    h.id = id;
    h.file_size = layout->file_size;
    h.info_size = layout->info_size;
    const ProcessIdentity self = this_process();
    h.creator_pid = self.pid;
    h.creator_start_time = self.start_time;
    h.bucket_count = layout->bucket_count;
    h.element_count = layout->element_count;
    std::memcpy(mapping.base() + layout->info_offset, info.data(), info.size());
    if (layout->hash()) {
        // Every element on the free list: element i links to i + 1.
        uint8_t* elements = mapping.base() + layout->elements_offset;
        for (uint32_t i = 1; i <= layout->element_count; ++i) {
            auto* e = reinterpret_cast<ElementHeader*>(elements + (i - 1) * layout->element_size);
            e->next.store(i < layout->element_count ? i + 1 : 0, std::memory_order_relaxed);
        }
        h.free_head.store(1, std::memory_order_relaxed);
        h.lru_clock.store(1, std::memory_order_relaxed);
    } else if (!definition.initial_data.empty()) {
        copy_to_map(mapping.base() + layout->elements_offset, definition.initial_data.data(), definition.initial_data.size());
    }
    h.ready.store(1, std::memory_order_release);
    MapDefinition kept = definition;
    return make_shared_map(kept, std::move(mapping), *layout, path, id);
}

MapFileSummary read_map_file(const std::string& path) {
    SharedMapping mapping = open_shared_file(path, sizeof(MapFileHeader), kMapFileMaxBytes);
    return validate(path, mapping);
}

std::shared_ptr<SharedMap> open_shared_map(const std::string& path) {
    SharedMapping mapping = open_shared_file(path, sizeof(MapFileHeader), kMapFileMaxBytes);
    MapFileSummary summary = validate(path, mapping);
    auto map = make_shared_map(summary.definition, std::move(mapping), summary.layout, path, summary.id);
    register_map(map);
    return map;
}

}  // namespace ebpf::runtime_detail
