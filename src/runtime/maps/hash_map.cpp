// BPF_MAP_TYPE_HASH, PERCPU_HASH, LRU_HASH and LRU_PERCPU_HASH.
//
// Buckets are singly linked lists of elements. Writers (update, delete, LRU
// eviction) lock one of kStripes stripe locks; lookups from programs walk the
// lists without locking (acquire loads). A deleted element is retired with
// the current epoch and reused only when every program that was running at
// that moment has finished (cpu_epoch.hpp), so a value pointer a program got
// from a lookup stays valid for its whole run. Element memory is returned to
// the system only when the map is destroyed. Host reads lock the stripe.
//
// LRU maps evict by the CLOCK algorithm (second chance), as an approximation
// of least-recently-used like Linux's: elements sit in one list in insertion
// order (changed only by writers, under lru_mutex_); a lookup or update sets
// the element's `referenced` flag — and writes it only when it was clear, so
// that lookups from many threads do not keep writing a shared cache line.
// Eviction takes the list's head: a referenced element loses its flag and
// goes to the tail, the first unreferenced one is evicted. Each insert into a
// full map thus costs O(1) amortised instead of a scan of the buckets.
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
    uint64_t hash = 0;
    // LRU maps only: the eviction list (under lru_mutex_) and the CLOCK flag.
    Element* lru_prev = nullptr;
    Element* lru_next = nullptr;
    std::atomic<bool> referenced{false};
    bool in_lru = false;
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
        if (lru_) lru_remove(removed);
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
                    if (lru_) lru_append(e);
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

    // A lookup's only write, and only when the flag was clear.
    static void touch(Element* e) {
        if (!e->referenced.load(std::memory_order_relaxed)) e->referenced.store(true, std::memory_order_relaxed);
    }

    void lru_append(Element* e) {
        std::lock_guard lock(lru_mutex_);
        e->referenced.store(false, std::memory_order_relaxed);
        e->lru_next = nullptr;
        e->lru_prev = lru_tail_;
        if (lru_tail_) lru_tail_->lru_next = e;
        else lru_head_ = e;
        lru_tail_ = e;
        e->in_lru = true;
    }
    void lru_unlink_locked(Element* e) {
        if (e->lru_prev) e->lru_prev->lru_next = e->lru_next;
        else lru_head_ = e->lru_next;
        if (e->lru_next) e->lru_next->lru_prev = e->lru_prev;
        else lru_tail_ = e->lru_prev;
        e->lru_prev = e->lru_next = nullptr;
        e->in_lru = false;
    }
    // Called by whoever unlinked `e` from its bucket; eviction may have taken
    // it off the list already.
    void lru_remove(Element* e) {
        std::lock_guard lock(lru_mutex_);
        if (e->in_lru) lru_unlink_locked(e);
    }

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

    // CLOCK eviction: the first element from the head of the list that was
    // not referenced since it last passed (referenced ones get a second
    // chance at the tail). The victim leaves the list under lru_mutex_, then
    // its bucket under the stripe lock; if a delete unlinked it from the
    // bucket in between, that delete retires it and we report no eviction
    // (the caller retries). The CpuScope keeps the victim from being reused
    // while we hold it outside both locks.
    bool evict_one() {
        CpuScope scope;
        Element* victim = nullptr;
        {
            std::lock_guard lock(lru_mutex_);
            for (uint64_t passes = 0; lru_head_ && passes <= uint64_t{max_entries()}; ++passes) {
                Element* e = lru_head_;
                lru_unlink_locked(e);
                if (e->referenced.load(std::memory_order_relaxed)) {
                    e->referenced.store(false, std::memory_order_relaxed);
                    e->lru_prev = lru_tail_;
                    if (lru_tail_) lru_tail_->lru_next = e;
                    else lru_head_ = e;
                    lru_tail_ = e;
                    e->in_lru = true;
                    continue;
                }
                victim = e;
                break;
            }
            if (!victim && lru_head_) {  // everything was referenced twice over: take the head
                victim = lru_head_;
                lru_unlink_locked(victim);
            }
        }
        return victim && unlink(victim, victim->hash & bucket_mask_);
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
        // A collection costs a membarrier (cpu_epoch.hpp): only per batch;
        // below one, a fresh element (bounded by the batch) is cheaper.
        if (free_.empty() && retired_.size() >= next_collect_) collect_retired();
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
        if (retired_.size() >= next_collect_) collect_retired();
    }

    void collect_retired() {
        if (retired_.empty()) return;
        const uint64_t oldest = oldest_running_epoch();
        size_t kept = 0;
        for (auto& entry : retired_) {
            if (entry.first < oldest) {
                free_.push_back(entry.second);
            } else {
                retired_[kept++] = entry;
            }
        }
        retired_.resize(kept);
        // What runs still hold doubles the next batch, so that long runs do
        // not make every retirement collect.
        next_collect_ = std::max<size_t>(kCollectBatch, 2 * kept);
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
    std::mutex lru_mutex_;
    Element* lru_head_ = nullptr;  // next candidate for eviction
    Element* lru_tail_ = nullptr;
    std::mutex alloc_mutex_;
    std::vector<std::unique_ptr<uint64_t[]>> blocks_;
    std::vector<Element*> free_;
    std::vector<std::pair<uint64_t, Element*>> retired_;
    static constexpr size_t kCollectBatch = 64;
    size_t next_collect_ = kCollectBatch;
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
