// BPF_MAP_TYPE_HASH, PERCPU_HASH, LRU_HASH and LRU_PERCPU_HASH.
//
// Buckets are singly linked lists of elements. Writers (update, delete, LRU
// eviction) lock one of kStripes stripe locks (each on its own cache line);
// lookups from programs walk the lists without locking (acquire loads). A
// deleted element is retired with an epoch stamp and reused only when every
// program that was running at that moment has finished (cpu_epoch.hpp), so a
// value pointer a program got from a lookup stays valid for its whole run.
// Element memory is returned to the system only when the map is destroyed.
// Host reads lock the stripe.
//
// Everything else a writer touches is sharded by CPU slot (current_cpu(); the
// host, outside a run, is slot 0), as Linux's htab has per-CPU free lists and
// bpf_lru_list per-CPU local lists, so that threads on different keys write
// no common cache line. A shard, under its own lock, holds:
//  * credits: how many entries its CPU may still insert. The map's capacity
//    (max_entries) is split into credits held by the shards or by a global
//    pool; a shard takes a batch from the pool when it runs out, a delete
//    gives the credit back to the deleting CPU's shard (surplus batches go
//    back to the pool), and a shard that finds the pool empty takes half of
//    another shard's credits. Only when no shard has one is the map full:
//    -E2BIG, or for LRU maps an eviction. The count is exact (no more than
//    max_entries live elements), without a counter written by every insert.
//  * a free list of elements and the elements its CPU deleted: those wait
//    unstamped until kRetireBatch of them gather, then get one epoch stamp
//    together (retire_epoch() writes a global word: once a batch, not once a
//    delete), and move to the free list once every run still going began
//    after the stamp (stamps are in order, so collecting stops at the first
//    batch still in use; see collect() for how often it looks). A shard
//    with no free element takes half of another shard's free list before it
//    allocates (kChunk elements at a time).
//  * for LRU maps, a CLOCK list (second chance) of the elements its CPU
//    inserted, in insertion order. A lookup or update sets the element's
//    `referenced` flag, and writes it only when it was clear. Eviction takes
//    a list's head: a referenced element loses its flag and goes to the tail,
//    the first unreferenced one is the victim; after kClockScan referenced
//    elements the first of them is taken, so an eviction is O(1) even when
//    every entry is referenced. Which list: with BPF_F_NO_COMMON_LRU the
//    inserting CPU's own (Linux's per-CPU LRU); otherwise the list whose head
//    is oldest (each element carries the time it was appended, read without a
//    lock), so that the common LRU evicts the least recently used entry of
//    the whole map rather than of one CPU, unless the CPU's own head is about
//    as old (see victim_shard): then CPUs evict from their own lists.
#include <algorithm>
#include <array>
#include <chrono>
#include <thread>

#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
#endif

#include "cpu_epoch.hpp"
#include "ebpf/abi.hpp"
#include "ebpf/error.hpp"
#include "map_types.hpp"

namespace ebpf::runtime_detail {
namespace {

constexpr size_t kStripes = 64;
constexpr size_t kRetireBatch = 16;
constexpr size_t kCollectBatch = 64;
constexpr size_t kChunk = 16;
constexpr uint32_t kClockScan = 64;

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

// A cheap clock for LRU ages (only compared, never converted): the CPU's
// counter where one can be read in user mode.
uint64_t now_ticks() {
#if defined(__x86_64__) || defined(__i386__)
    return __rdtsc();
#elif defined(__aarch64__)
    uint64_t ticks;
    asm volatile("mrs %0, cntvct_el0" : "=r"(ticks));
    return ticks;
#else
    return static_cast<uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
#endif
}

// A test-and-test-and-set lock for the short critical sections here: one
// atomic exchange to take, one store to release (a std::mutex pays two
// locked instructions); it yields to the scheduler when the holder is slow.
class SpinLock {
public:
    void lock() {
        while (locked_.exchange(true, std::memory_order_acquire)) {
            for (int spins = 0; locked_.load(std::memory_order_relaxed);) {
                if (++spins < 128) {
#if defined(__x86_64__) || defined(__i386__)
                    _mm_pause();
#endif
                } else {
                    std::this_thread::yield();
                }
            }
        }
    }
    void unlock() { locked_.store(false, std::memory_order_release); }

private:
    std::atomic<bool> locked_{false};
};

using Lock = SpinLock;
using StripeLock = std::mutex;

struct Element {
    std::atomic<Element*> next{nullptr};
    // LRU maps only: the owner shard's CLOCK list (under its lock), when the
    // element was appended to it, and the CLOCK flag.
    Element* lru_prev = nullptr;
    Element* lru_next = nullptr;
    std::atomic<uint64_t> age{0};
    uint32_t hash = 0;  // the low half of the key's hash (bucket index: at most 30 bits)
    uint16_t owner = 0;  // shard index (possible_cpus() <= 1024)
    bool in_lru = false;
    std::atomic<bool> referenced{false};
    // Followed by the key (rounded to 8) and the value(s), 8-aligned.
};
static_assert(sizeof(Element) == 40);  // docs/limits.md counts 40 bytes of header per entry

struct alignas(64) Stripe {
    StripeLock lock;
};

struct alignas(64) Shard {
    Lock lock;
    std::vector<Element*> free;
    std::vector<Element*> unstamped;                  // deleted here, not yet stamped
    std::vector<std::pair<uint64_t, Element*>> retired;  // stamped, stamps in order
    size_t retired_head = 0;
    size_t next_collect = kCollectBatch;                  // collect once this many wait (collect())
    std::atomic<Element*> lru_head{nullptr};  // next candidate for eviction
    Element* lru_tail = nullptr;
    uint32_t lru_size = 0;
    // Written under lock; read racily by other CPUs looking for credits or
    // free elements (on their own line: a full map's failing inserts read
    // them on every attempt, and nothing writes them then).
    alignas(64) std::atomic<uint32_t> credits{0};
    std::atomic<uint32_t> free_count{0};  // free.size()
};

class HashMap : public IterableMap {
public:
    explicit HashMap(const MapDefinition& definition)
        : IterableMap(definition),
          per_cpu_(definition.type == MapType::percpu_hash || definition.type == MapType::lru_percpu_hash),
          lru_(definition.type == MapType::lru_hash || definition.type == MapType::lru_percpu_hash),
          own_lru_(lru_ && (definition.map_flags & kMapFlagNoCommonLru)),
          key_stride_(round8(definition.key_size)),
          value_stride_(round8(definition.value_size)),
          cpus_(per_cpu_ ? possible_cpus() : 1),
          shard_count_(std::clamp<uint32_t>(possible_cpus(), 1, 65535)),
          shards_(std::make_unique<Shard[]>(shard_count_)),
          available_(own_lru_ ? 0 : definition.max_entries) {
        size_t buckets = 1;
        while (buckets < definition.max_entries && buckets < (1u << 30)) buckets <<= 1;
        bucket_mask_ = buckets - 1;
        buckets_ = std::make_unique<std::atomic<Element*>[]>(buckets);
        element_words_ = (sizeof(Element) + key_stride_ + static_cast<size_t>(value_stride_) * cpus_) / 8;
        credit_batch_ = std::clamp<uint32_t>(definition.max_entries / (4 * shard_count_), 1, 64);
        if (own_lru_) {
            // Linux's per-CPU LRU: each CPU owns max_entries / CPUs entries
            // (max_entries was rounded to a multiple of the CPU count), and
            // a delete gives the entry back to the CPU that inserted it.
            for (uint32_t i = 0; i < shard_count_; ++i) shards_[i].credits.store(definition.max_entries / shard_count_);
        }
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
                if (e->hash == static_cast<uint32_t>(h) && std::memcmp(key_of(e), key, key_size()) == 0) {
                    link->store(e->next.load(std::memory_order_relaxed), std::memory_order_release);
                    removed = e;
                    break;
                }
                link = &e->next;
            }
        }
        if (!removed) return -ENOENT;
        release(removed, my_shard());
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
        uint32_t shard = my_shard();
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
                if (Element* e = take_entry(shard, h)) {
                    e->next.store(buckets_[bucket].load(std::memory_order_relaxed), std::memory_order_relaxed);
                    std::memcpy(key_of(e), key, key_size());
                    write_value(e, value, from_host, /*fresh=*/true);
                    buckets_[bucket].store(e, std::memory_order_release);  // publish
                    return 0;
                }
            }
            // Full: an LRU map evicts its least recently used element and retries.
            if (!lru_ || attempt >= 4 || !evict_one(shard)) return -E2BIG;
        }
    }

    Element* find(const void* key, uint64_t h) const {
        for (Element* e = buckets_[h & bucket_mask_].load(std::memory_order_acquire); e;
             e = e->next.load(std::memory_order_acquire)) {
            if (e->hash == static_cast<uint32_t>(h) && std::memcmp(key_of(e), key, key_size()) == 0) return e;
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
    uint32_t my_shard() const { return current_cpu() % shard_count_; }
    StripeLock& stripe(size_t bucket) const { return stripes_[bucket % kStripes].lock; }

    // A lookup's only write, and only when the flag was clear.
    static void touch(Element* e) {
        if (!e->referenced.load(std::memory_order_relaxed)) e->referenced.store(true, std::memory_order_relaxed);
    }

    // --- capacity and elements (per shard) ---------------------------------

    // A credit and an element for a new entry with hash `h` inserted by
    // shard `index` (on an LRU map already on its list); nullptr when full.
    // Called under the bucket's stripe lock.
    Element* take_entry(uint32_t index, uint64_t h) {
        Shard& shard = shards_[index];
        // A full map (no credit here or in the pool) skips our own lock.
        if (shard.credits.load(std::memory_order_relaxed) == 0 && available_.load(std::memory_order_relaxed) == 0) {
            uint32_t got = steal_credits(index);
            if (got == 0) return nullptr;
            shard.lock.lock();
            shard.credits.store(shard.credits.load(std::memory_order_relaxed) + got, std::memory_order_relaxed);
        } else {
            shard.lock.lock();
        }
        if (shard.credits.load(std::memory_order_relaxed) == 0) {
            uint32_t got = take_from_pool();
            if (got == 0) {
                shard.lock.unlock();
                got = steal_credits(index);
                if (got == 0) return nullptr;
                shard.lock.lock();
            }
            shard.credits.store(shard.credits.load(std::memory_order_relaxed) + got, std::memory_order_relaxed);
        }
        shard.credits.store(shard.credits.load(std::memory_order_relaxed) - 1, std::memory_order_relaxed);
        Element* e = pop_free(shard);
        if (!e) {
            shard.lock.unlock();
            std::vector<Element*> found = steal_free(index);
            if (found.empty()) found = allocate_chunk();
            shard.lock.lock();
            e = found.back();
            found.pop_back();
            shard.free.insert(shard.free.end(), found.begin(), found.end());
            shard.free_count.store(static_cast<uint32_t>(shard.free.size()), std::memory_order_relaxed);
        }
        e->hash = static_cast<uint32_t>(h);
        if (lru_) {
            e->owner = static_cast<uint16_t>(index);
            lru_append_locked(shard, e);
        }
        shard.lock.unlock();
        return e;
    }

    uint32_t take_from_pool() {
        uint32_t current = available_.load(std::memory_order_relaxed);
        while (current > 0) {
            uint32_t take = std::min(current, credit_batch_);
            if (available_.compare_exchange_weak(current, current - take, std::memory_order_relaxed)) return take;
        }
        return 0;
    }

    // Half of another shard's credits (called without any shard lock).
    uint32_t steal_credits(uint32_t index) {
        if (own_lru_) return 0;  // a CPU's share is its own
        for (uint32_t i = 1; i < shard_count_; ++i) {
            Shard& other = shards_[(index + i) % shard_count_];
            if (other.credits.load(std::memory_order_relaxed) == 0) continue;
            std::lock_guard lock(other.lock);
            uint32_t have = other.credits.load(std::memory_order_relaxed);
            if (have == 0) continue;
            uint32_t take = (have + 1) / 2;
            other.credits.store(have - take, std::memory_order_relaxed);
            return take;
        }
        return available_.load(std::memory_order_relaxed) ? take_from_pool() : 0;  // a delete refilled it meanwhile
    }

    Element* pop_free(Shard& shard) {
        if (shard.free.empty()) {
            if (waiting(shard) >= shard.next_collect) {
                if (!shard.unstamped.empty()) stamp(shard);
                collect(shard);
            }
            if (shard.free.empty()) return nullptr;
        }
        Element* e = shard.free.back();
        shard.free.pop_back();
        shard.free_count.store(static_cast<uint32_t>(shard.free.size()), std::memory_order_relaxed);
        return e;
    }

    // Half of another shard's free elements (called without any shard lock).
    std::vector<Element*> steal_free(uint32_t index) {
        std::vector<Element*> found;
        for (uint32_t i = 1; i < shard_count_ && found.empty(); ++i) {
            Shard& other = shards_[(index + i) % shard_count_];
            std::lock_guard lock(other.lock);
            if (other.free_count.load(std::memory_order_relaxed) == 0 && waiting(other) >= other.next_collect)
                collect(other);
            size_t take = (other.free.size() + 1) / 2;
            found.assign(other.free.end() - static_cast<ptrdiff_t>(take), other.free.end());
            other.free.resize(other.free.size() - take);
            other.free_count.store(static_cast<uint32_t>(other.free.size()), std::memory_order_relaxed);
        }
        return found;
    }

    std::vector<Element*> allocate_chunk() {
        auto block = std::make_unique<uint64_t[]>(element_words_ * kChunk);
        std::vector<Element*> elements;
        for (size_t i = 0; i < kChunk; ++i) elements.push_back(new (block.get() + i * element_words_) Element);
        std::lock_guard lock(blocks_mutex_);
        blocks_.push_back(std::move(block));
        return elements;
    }

    // The deleted elements get one stamp together.
    void stamp(Shard& shard) {
        uint64_t now = retire_epoch();
        for (Element* e : shard.unstamped) shard.retired.emplace_back(now, e);
        shard.unstamped.clear();
    }

    // Deleted elements not yet reusable.
    static size_t waiting(const Shard& shard) {
        return shard.unstamped.size() + shard.retired.size() - shard.retired_head;
    }

    // Moves the retired elements whose epoch has passed to the free list.
    // One look at the runs (oldest_running_epoch: a membarrier where runs
    // take no fence) per collection, and a collection only once kCollectBatch
    // elements wait; below that a fresh chunk is cheaper. What runs still
    // hold doubles the next batch, so that a long run does not make every
    // allocation look.
    void collect(Shard& shard) {
        size_t& head = shard.retired_head;
        const uint64_t oldest = head < shard.retired.size() ? oldest_running_epoch() : 0;
        while (head < shard.retired.size() && shard.retired[head].first < oldest) {
            shard.free.push_back(shard.retired[head].second);
            ++head;
        }
        shard.next_collect = std::max(kCollectBatch, 2 * (shard.retired.size() - head));
        if (head == shard.retired.size()) {
            shard.retired.clear();
            head = 0;
        } else if (head >= 256 && head * 2 >= shard.retired.size()) {
            shard.retired.erase(shard.retired.begin(), shard.retired.begin() + static_cast<ptrdiff_t>(head));
            head = 0;
        }
        shard.free_count.store(static_cast<uint32_t>(shard.free.size()), std::memory_order_relaxed);
    }

    // Called by whoever unlinked `e` from its bucket: takes it off its LRU
    // list (eviction may have done so already), returns its credit to shard
    // `index` (the deleting CPU's) and retires it there.
    void release(Element* e, uint32_t index) {
        Shard& shard = shards_[index];
        bool elsewhere = lru_ && e->owner != index;
        if (elsewhere) {
            Shard& owner = shards_[e->owner];
            std::lock_guard lock(owner.lock);
            if (e->in_lru) lru_unlink_locked(owner, e);
            if (own_lru_) owner.credits.store(owner.credits.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
        }
        std::lock_guard lock(shard.lock);
        if (lru_ && !elsewhere && e->in_lru) lru_unlink_locked(shard, e);
        if (!(own_lru_ && elsewhere)) {
            uint32_t credits = shard.credits.load(std::memory_order_relaxed) + 1;
            if (!own_lru_ && credits >= 2 * credit_batch_) {
                credits -= credit_batch_;
                available_.fetch_add(credit_batch_, std::memory_order_relaxed);
            }
            shard.credits.store(credits, std::memory_order_relaxed);
        }
        shard.unstamped.push_back(e);
        if (shard.unstamped.size() >= kRetireBatch) stamp(shard);
    }

    // --- LRU ----------------------------------------------------------------

    void lru_append_locked(Shard& shard, Element* e) {
        e->referenced.store(false, std::memory_order_relaxed);
        e->age.store(now_ticks(), std::memory_order_relaxed);
        e->lru_next = nullptr;
        e->lru_prev = shard.lru_tail;
        if (shard.lru_tail) shard.lru_tail->lru_next = e;
        else shard.lru_head.store(e, std::memory_order_release);
        shard.lru_tail = e;
        e->in_lru = true;
        ++shard.lru_size;
    }
    void lru_unlink_locked(Shard& shard, Element* e) {
        if (e->lru_prev) e->lru_prev->lru_next = e->lru_next;
        else shard.lru_head.store(e->lru_next, std::memory_order_release);
        if (e->lru_next) e->lru_next->lru_prev = e->lru_prev;
        else shard.lru_tail = e->lru_prev;
        e->lru_prev = e->lru_next = nullptr;
        e->in_lru = false;
        --shard.lru_size;
    }

    // The list to evict from: the inserting CPU's own with
    // BPF_F_NO_COMMON_LRU (while it has elements). Otherwise the list whose
    // head is oldest, except that our own list is taken when its head is
    // about as old (younger by at most an eighth of the oldest head's age):
    // CPUs that insert at similar rates then evict from their own lists and
    // do not all contend for one, while entries a CPU left long ago are
    // still evicted first. Reads other shards' heads without their locks:
    // element memory lives as long as the map (the release store of a head
    // orders the element's construction before this acquire load), and a
    // stale age only makes a worse choice.
    uint32_t victim_shard(uint32_t index) const {
        Element* own = shards_[index].lru_head.load(std::memory_order_acquire);
        if (own_lru_) return index;  // (an eviction elsewhere would free none of our share)
        uint32_t best = index;
        uint64_t best_age = UINT64_MAX;
        for (uint32_t i = 0; i < shard_count_; ++i) {
            Element* head = shards_[i].lru_head.load(std::memory_order_acquire);
            if (!head) continue;
            uint64_t age = head->age.load(std::memory_order_relaxed);
            if (age < best_age) {
                best_age = age;
                best = i;
            }
        }
        if (own && best != index) {
            uint64_t now = now_ticks();
            uint64_t own_age = own->age.load(std::memory_order_relaxed);
            if (now > best_age && own_age >= best_age && own_age - best_age <= (now - best_age) / 8) return index;
        }
        return best;
    }

    // CLOCK eviction from one shard's list (see the top of the file). The
    // victim leaves the list under the shard lock, then its bucket under the
    // stripe lock; if a delete unlinked it from the bucket in between, that
    // delete retires it and we report no eviction (the caller retries). The
    // CpuScope keeps the victim from being reused while we hold it outside
    // both locks.
    bool evict_one(uint32_t index) {
        CpuScope scope;
        Element* victim = nullptr;
        {
            Shard& shard = shards_[victim_shard(index)];
            std::lock_guard lock(shard.lock);
            Element* first_spared = nullptr;
            for (uint32_t scanned = 0; scanned < kClockScan; ++scanned) {
                Element* e = shard.lru_head.load(std::memory_order_relaxed);
                if (!e || e == first_spared) break;
                if (!e->referenced.load(std::memory_order_relaxed)) {
                    victim = e;
                    break;
                }
                // Second chance: to the tail, unreferenced.
                lru_unlink_locked(shard, e);
                lru_append_locked(shard, e);
                if (!first_spared) first_spared = e;
            }
            if (!victim) victim = first_spared ? first_spared : shard.lru_head.load(std::memory_order_relaxed);
            if (victim) lru_unlink_locked(shard, victim);
        }
        return victim && unlink(victim, victim->hash & bucket_mask_, index);
    }

    bool unlink(Element* target, size_t bucket, uint32_t index) {
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
        release(target, index);
        return true;
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

    bool per_cpu_;
    bool lru_;
    bool own_lru_;  // BPF_F_NO_COMMON_LRU
    uint32_t key_stride_;
    uint32_t value_stride_;
    uint32_t cpus_;
    uint32_t shard_count_;
    uint32_t credit_batch_ = 1;
    size_t bucket_mask_ = 0;
    size_t element_words_ = 0;
    std::unique_ptr<std::atomic<Element*>[]> buckets_;
    mutable std::array<Stripe, kStripes> stripes_;
    std::unique_ptr<Shard[]> shards_;
    alignas(64) std::atomic<uint32_t> available_;  // credits no shard holds
    alignas(64) std::mutex blocks_mutex_;
    std::vector<std::unique_ptr<uint64_t[]>> blocks_;
};

}  // namespace

std::shared_ptr<Map> make_hash_map(const MapDefinition& definition) {
    const std::string where = "map '" + definition.name + "': ";
    if (definition.key_size == 0) throw Error(where + "key size must not be 0");
    if (definition.value_size == 0) throw Error(where + "value size must not be 0");
    if (definition.max_entries == 0) throw Error(where + "max_entries must not be 0");
    if (!(definition.map_flags & kMapFlagNoCommonLru)) return std::make_shared<HashMap>(definition);
    if (definition.type != MapType::lru_hash && definition.type != MapType::lru_percpu_hash)
        throw Error(where + "BPF_F_NO_COMMON_LRU is for LRU hash maps only (EINVAL, as Linux)");
    // As Linux: max_entries rounded up to a multiple of the CPU count (down
    // if that overflows), each CPU owning an equal share.
    MapDefinition rounded = definition;
    uint64_t cpus = std::max<uint32_t>(1, possible_cpus());
    uint64_t up = (uint64_t{definition.max_entries} + cpus - 1) / cpus * cpus;
    rounded.max_entries = static_cast<uint32_t>(up <= UINT32_MAX ? up : uint64_t{definition.max_entries} / cpus * cpus);
    return std::make_shared<HashMap>(rounded);
}

}  // namespace ebpf::runtime_detail
