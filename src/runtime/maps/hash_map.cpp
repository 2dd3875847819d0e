// BPF_MAP_TYPE_HASH, PERCPU_HASH, LRU_HASH and LRU_PERCPU_HASH.
//
// Buckets are singly linked lists of elements. Writers (update, delete, LRU
// eviction) lock one of kStripes stripe locks; lookups from programs walk the
// lists without locking (acquire loads). A deleted element is retired with
// the current epoch and reused only when every program that was running at
// that moment has finished (cpu_epoch.hpp), so a value pointer a program got
// from a lookup stays valid for its whole run. Element memory is returned to
// the system only when the map is destroyed. Host reads lock the stripe.
#include <array>
#include <functional>

#include "cpu_epoch.hpp"
#include "ebpf/error.hpp"
#include "map_types.hpp"

namespace ebpf::runtime_detail {
namespace {

constexpr size_t kStripes = 64;

uint64_t hash_bytes(const void* data, size_t size) {
    // FNV-1a, then a final mix so that low bits (the bucket index) depend on every byte.
    const auto* bytes = static_cast<const uint8_t*>(data);
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < size; ++i) h = (h ^ bytes[i]) * 0x100000001b3ull;
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    return h;
}

struct Element {
    std::atomic<Element*> next{nullptr};
    std::atomic<uint64_t> last_used{0};  // LRU clock at the last lookup/update
    uint64_t hash = 0;
    // Followed by the key (rounded to 8) and the value(s), 8-aligned.
};
static_assert(sizeof(Element) % 8 == 0);

class HashMap : public IterableMap {
public:
    explicit HashMap(const MapDefinition& definition)
        : IterableMap(definition),
          per_cpu_(definition.type == MapType::percpu_hash || definition.type == MapType::lru_percpu_hash),
          lru_(definition.type == MapType::lru_hash || definition.type == MapType::lru_percpu_hash),
          key_stride_(round8(definition.key_size)),
          value_stride_(round8(definition.value_size)),
          cpus_(per_cpu_ ? possible_cpus() : 1) {
        size_t buckets = 1;
        while (buckets < definition.max_entries && buckets < (1u << 30)) buckets <<= 1;
        bucket_mask_ = buckets - 1;
        buckets_ = std::make_unique<std::atomic<Element*>[]>(buckets);
        element_words_ = (sizeof(Element) + key_stride_ + static_cast<size_t>(value_stride_) * cpus_) / 8;
    }

    void* lookup_elem(const void* key) override {
        Element* e = find(key, hash_bytes(key, key_size()));
        if (!e) return nullptr;
        if (lru_) touch(e);
        return value_of(e, this_cpu());
    }

    int64_t update_elem(const void* key, const void* value, uint64_t flags) override {
        return update(key, value, flags, /*from_host=*/false);
    }

    int64_t delete_elem(const void* key) override {
        uint64_t h = hash_bytes(key, key_size());
        size_t bucket = h & bucket_mask_;
        Element* removed = nullptr;
        {
            std::lock_guard lock(stripe(bucket));
            std::atomic<Element*>* link = &buckets_[bucket];
            for (Element* e = link->load(std::memory_order_acquire); e; e = link->load(std::memory_order_acquire)) {
                if (e->hash == h && std::memcmp(key_of(e), key, key_size()) == 0) {
                    link->store(e->next.load(std::memory_order_relaxed), std::memory_order_release);
                    removed = e;
                    break;
                }
                link = &e->next;
            }
        }
        if (!removed) return -ENOENT;
        count_.fetch_sub(1, std::memory_order_relaxed);
        retire(removed);
        return 0;
    }

    int64_t get_next_key(const void* key, void* next_key) override { return next(key, next_key, false); }

    int64_t host_lookup(const void* key, void* host_value) const override {
        uint64_t h = hash_bytes(key, key_size());
        size_t bucket = h & bucket_mask_;
        std::lock_guard lock(stripe(bucket));
        Element* e = find(key, h);
        if (!e) return -ENOENT;
        for (uint32_t cpu = 0; cpu < cpus_; ++cpu) {
            copy_from_map(static_cast<uint8_t*>(host_value) + static_cast<size_t>(cpu) * value_stride_,
                          value_of(e, cpu), per_cpu_ ? value_stride_ : value_size());
        }
        return 0;
    }

    int64_t update_from_host(const void* key, const void* host_value, uint64_t flags) override {
        return update(key, host_value, flags, /*from_host=*/true);
    }

    int64_t host_get_next_key(const void* key, void* next_key) const override {
        return const_cast<HashMap*>(this)->next(key, next_key, true);
    }

    int64_t for_each(const ElementVisitor& visit) override {
        uint32_t cpu = this_cpu();
        int64_t visited = 0;
        for (size_t bucket = 0; bucket <= bucket_mask_; ++bucket) {
            for (Element* e = buckets_[bucket].load(std::memory_order_acquire); e;
                 e = e->next.load(std::memory_order_acquire)) {
                ++visited;
                if (visit(key_of(e), value_of(e, cpu))) return visited;
            }
        }
        return visited;
    }

protected:
    int64_t update(const void* key, const void* value, uint64_t flags, bool from_host) {
        if (!valid_update_flags(flags)) return -EINVAL;
        uint64_t h = hash_bytes(key, key_size());
        size_t bucket = h & bucket_mask_;
        for (int attempt = 0;; ++attempt) {
            {
                std::lock_guard lock(stripe(bucket));
                if (Element* e = find(key, h)) {
                    if (flags == kUpdateNoExist) return -EEXIST;
                    write_value(e, value, from_host, /*fresh=*/false);
                    if (lru_) touch(e);
                    return 0;
                }
                if (flags == kUpdateExist) return -ENOENT;
                if (reserve_entry()) {
                    Element* e = allocate();
                    e->hash = h;
                    e->next.store(buckets_[bucket].load(std::memory_order_relaxed), std::memory_order_relaxed);
                    std::memcpy(key_of(e), key, key_size());
                    write_value(e, value, from_host, /*fresh=*/true);
                    if (lru_) touch(e);
                    buckets_[bucket].store(e, std::memory_order_release);  // publish
                    return 0;
                }
            }
            // Full: an LRU map evicts its least recently used element and retries.
            if (!lru_ || attempt >= 4 || !evict_one()) return -E2BIG;
        }
    }

    Element* find(const void* key, uint64_t h) const {
        for (Element* e = buckets_[h & bucket_mask_].load(std::memory_order_acquire); e;
             e = e->next.load(std::memory_order_acquire)) {
            if (e->hash == h && std::memcmp(key_of(e), key, key_size()) == 0) return e;
        }
        return nullptr;
    }

    uint8_t* key_of(Element* e) const { return reinterpret_cast<uint8_t*>(e + 1); }
    uint8_t* value_of(Element* e, uint32_t cpu) const {
        return key_of(e) + key_stride_ + static_cast<size_t>(cpu) * value_stride_;
    }

private:
    // The running program's slot of a per-CPU map; slot 0 otherwise.
    uint32_t this_cpu() const { return per_cpu_ ? current_cpu() : 0; }
    std::mutex& stripe(size_t bucket) const { return stripes_[bucket % kStripes]; }

    void touch(Element* e) { e->last_used.store(clock_.fetch_add(1, std::memory_order_relaxed), std::memory_order_relaxed); }

    // A program writes its own CPU's value of a per-CPU map (a new element
    // starts with the other CPUs' values zeroed); the host writes all of them.
    void write_value(Element* e, const void* value, bool from_host, bool fresh) {
        if (!per_cpu_) {
            copy_to_map(value_of(e, 0), value, value_size());
            return;
        }
        for (uint32_t cpu = 0; cpu < cpus_; ++cpu) {
            if (from_host) {
                copy_to_map(value_of(e, cpu), static_cast<const uint8_t*>(value) + static_cast<size_t>(cpu) * value_stride_,
                            value_size());
            } else if (cpu == current_cpu()) {
                copy_to_map(value_of(e, cpu), value, value_size());
            } else if (fresh) {
                zero_map_memory(value_of(e, cpu), value_stride_);
            }
        }
    }

    bool reserve_entry() {
        uint32_t current = count_.load(std::memory_order_relaxed);
        while (current < max_entries()) {
            if (count_.compare_exchange_weak(current, current + 1, std::memory_order_relaxed)) return true;
        }
        return false;
    }

    // Unlinks the element with the oldest LRU clock among a window of buckets
    // after a moving cursor (an approximation of LRU, as Linux's).
    bool evict_one() {
        constexpr size_t kWindow = 128;
        size_t buckets = bucket_mask_ + 1;
        size_t start = eviction_cursor_.fetch_add(kWindow, std::memory_order_relaxed);
        for (size_t scanned = 0; scanned < buckets; scanned += kWindow) {
            Element* victim = nullptr;
            size_t victim_bucket = 0;
            uint64_t oldest = UINT64_MAX;
            {
                CpuScope scope;  // we dereference elements outside their stripe lock
                for (size_t i = 0; i < kWindow && scanned + i < buckets; ++i) {
                    size_t bucket = (start + scanned + i) & bucket_mask_;
                    for (Element* e = buckets_[bucket].load(std::memory_order_acquire); e;
                         e = e->next.load(std::memory_order_acquire)) {
                        uint64_t used = e->last_used.load(std::memory_order_relaxed);
                        if (used < oldest) {
                            oldest = used;
                            victim = e;
                            victim_bucket = bucket;
                        }
                    }
                }
            }
            if (victim && unlink(victim, victim_bucket)) return true;
        }
        return false;
    }

    bool unlink(Element* target, size_t bucket) {
        {
            std::lock_guard lock(stripe(bucket));
            std::atomic<Element*>* link = &buckets_[bucket];
            Element* e = link->load(std::memory_order_acquire);
            while (e && e != target) {
                link = &e->next;
                e = link->load(std::memory_order_acquire);
            }
            if (!e) return false;  // someone else removed it
            link->store(e->next.load(std::memory_order_relaxed), std::memory_order_release);
        }
        count_.fetch_sub(1, std::memory_order_relaxed);
        retire(target);
        return true;
    }

    int64_t next(const void* key, void* next_key, bool locked) {
        CpuScope scope;  // host iteration dereferences elements outside stripe locks
        size_t start = 0;
        if (key) {
            uint64_t h = hash_bytes(key, key_size());
            size_t bucket = h & bucket_mask_;
            std::unique_lock lock(stripe(bucket), std::defer_lock);
            if (locked) lock.lock();
            if (Element* e = find(key, h)) {
                if (Element* after = e->next.load(std::memory_order_acquire)) {
                    std::memcpy(next_key, key_of(after), key_size());
                    return 0;
                }
                start = bucket + 1;
            }
        }
        for (size_t bucket = start; bucket <= bucket_mask_; ++bucket) {
            std::unique_lock lock(stripe(bucket), std::defer_lock);
            if (locked) lock.lock();
            if (Element* first = buckets_[bucket].load(std::memory_order_acquire)) {
                std::memcpy(next_key, key_of(first), key_size());
                return 0;
            }
        }
        return -ENOENT;
    }

    Element* allocate() {
        std::lock_guard lock(alloc_mutex_);
        if (free_.empty()) collect_retired();
        if (!free_.empty()) {
            Element* e = free_.back();
            free_.pop_back();
            return e;
        }
        blocks_.push_back(std::make_unique<uint64_t[]>(element_words_));
        return new (blocks_.back().get()) Element;
    }

    void retire(Element* e) {
        std::lock_guard lock(alloc_mutex_);
        retired_.emplace_back(retire_epoch(), e);
        if (retired_.size() >= 64) collect_retired();
    }

    void collect_retired() {
        size_t kept = 0;
        for (auto& entry : retired_) {
            if (epoch_passed(entry.first)) {
                free_.push_back(entry.second);
            } else {
                retired_[kept++] = entry;
            }
        }
        retired_.resize(kept);
    }

    bool per_cpu_;
    bool lru_;
    uint32_t key_stride_;
    uint32_t value_stride_;
    uint32_t cpus_;
    size_t bucket_mask_ = 0;
    size_t element_words_ = 0;
    std::unique_ptr<std::atomic<Element*>[]> buckets_;
    mutable std::array<std::mutex, kStripes> stripes_;
    std::atomic<uint32_t> count_{0};
    std::atomic<uint64_t> clock_{1};
    std::atomic<size_t> eviction_cursor_{0};
    std::mutex alloc_mutex_;
    std::vector<std::unique_ptr<uint64_t[]>> blocks_;
    std::vector<Element*> free_;
    std::vector<std::pair<uint64_t, Element*>> retired_;
};

}  // namespace

std::shared_ptr<Map> make_hash_map(const MapDefinition& definition) {
    const std::string where = "map '" + definition.name + "': ";
    if (definition.key_size == 0) throw Error(where + "key size must not be 0");
    if (definition.value_size == 0) throw Error(where + "value size must not be 0");
    if (definition.max_entries == 0) throw Error(where + "max_entries must not be 0");
    return std::make_shared<HashMap>(definition);
}

}  // namespace ebpf::runtime_detail
