// BPF_MAP_TYPE_LPM_TRIE: keys are {u32 prefixlen; u8 data[]} (data in network
// order, most significant bit first); a lookup returns the value of the
// longest stored prefix that matches the key's first prefixlen bits.
//
// Readers never lock: the entries live in an immutable snapshot (sorted by
// prefix length, longest first) that writers replace under a lock and publish
// with one atomic store; old snapshots and deleted entries are freed only
// after every run that could see them has finished (cpu_epoch.hpp). Lookups
// are a linear scan, fine for the policy-sized tables programs keep.
#include <algorithm>

#include "cpu_epoch.hpp"
#include "ebpf/error.hpp"
#include "map_types.hpp"

namespace ebpf::runtime_detail {
namespace {

struct Entry {
    uint32_t prefixlen = 0;
    std::vector<uint8_t> data;              // masked to prefixlen bits
    std::unique_ptr<uint64_t[]> value;      // value_size rounded to 8
};

struct Snapshot {
    std::vector<Entry*> entries;  // longest prefix first, then by data
};

bool prefix_matches(const uint8_t* a, const uint8_t* b, uint32_t bits) {
    uint32_t bytes = bits / 8;
    if (std::memcmp(a, b, bytes) != 0) return false;
    uint32_t rest = bits % 8;
    if (rest == 0) return true;
    auto mask = static_cast<uint8_t>(0xff << (8 - rest));
    return ((a[bytes] ^ b[bytes]) & mask) == 0;
}

class LpmTrie final : public Map {
public:
    explicit LpmTrie(const MapDefinition& definition)
        : Map(definition), data_size_(definition.key_size - 4), current_(new Snapshot) {}

    ~LpmTrie() override {
        retired_.drain();
        Snapshot* snapshot = current_.load();
        for (Entry* e : snapshot->entries) delete e;
        delete snapshot;
    }

    void* lookup_elem(const void* key) override {
        uint32_t prefixlen = read_prefixlen(key);
        const auto* data = static_cast<const uint8_t*>(key) + 4;
        if (prefixlen > data_size_ * 8) return nullptr;
        for (Entry* e : current_.load(std::memory_order_acquire)->entries) {
            if (e->prefixlen <= prefixlen && prefix_matches(e->data.data(), data, e->prefixlen)) return e->value.get();
        }
        return nullptr;
    }

    int64_t update_elem(const void* key, const void* value, uint64_t flags) override {
        if (!valid_update_flags(flags)) return -EINVAL;
        uint32_t prefixlen = read_prefixlen(key);
        if (prefixlen > data_size_ * 8) return -EINVAL;
        std::vector<uint8_t> data = masked(key, prefixlen);
        std::lock_guard lock(writer_mutex_);
        Snapshot* old = current_.load(std::memory_order_relaxed);
        if (Entry* e = find_exact(*old, prefixlen, data)) {
            if (flags == kUpdateNoExist) return -EEXIST;
            copy_to_map(e->value.get(), value, value_size());
            return 0;
        }
        if (flags == kUpdateExist) return -ENOENT;
        if (old->entries.size() >= max_entries()) return -ENOSPC;
        auto* entry = new Entry{prefixlen, std::move(data), std::make_unique<uint64_t[]>(round8(value_size()) / 8)};
        copy_to_map(entry->value.get(), value, value_size());
        auto* next = new Snapshot(*old);
        auto at = std::lower_bound(next->entries.begin(), next->entries.end(), entry, longer_first);
        next->entries.insert(at, entry);
        publish(old, next, nullptr);
        return 0;
    }

    int64_t delete_elem(const void* key) override {
        uint32_t prefixlen = read_prefixlen(key);
        if (prefixlen > data_size_ * 8) return -EINVAL;
        std::vector<uint8_t> data = masked(key, prefixlen);
        std::lock_guard lock(writer_mutex_);
        Snapshot* old = current_.load(std::memory_order_relaxed);
        Entry* e = find_exact(*old, prefixlen, data);
        if (!e) return -ENOENT;
        auto* next = new Snapshot(*old);
        std::erase(next->entries, e);
        publish(old, next, e);
        return 0;
    }

    int64_t get_next_key(const void* key, void* next_key) override {
        CpuScope scope;  // the host iterates too: keep the snapshot alive
        Snapshot* snapshot = current_.load(std::memory_order_acquire);
        size_t index = 0;
        if (key) {
            uint32_t prefixlen = read_prefixlen(key);
            if (prefixlen <= data_size_ * 8) {
                std::vector<uint8_t> data = masked(key, prefixlen);
                for (size_t i = 0; i < snapshot->entries.size(); ++i) {
                    Entry* e = snapshot->entries[i];
                    if (e->prefixlen == prefixlen && e->data == data) {
                        index = i + 1;
                        break;
                    }
                }
            }
        }
        if (index >= snapshot->entries.size()) return -ENOENT;
        Entry* e = snapshot->entries[index];
        std::memcpy(next_key, &e->prefixlen, 4);
        std::memcpy(static_cast<uint8_t*>(next_key) + 4, e->data.data(), data_size_);
        return 0;
    }

    int64_t host_lookup(const void* key, void* value) const override {
        CpuScope scope;
        void* found = const_cast<LpmTrie*>(this)->lookup_elem(key);
        if (!found) return -ENOENT;
        copy_from_map(value, found, value_size());
        return 0;
    }

private:
    static bool longer_first(const Entry* a, const Entry* b) {
        if (a->prefixlen != b->prefixlen) return a->prefixlen > b->prefixlen;
        return a->data < b->data;
    }
    static uint32_t read_prefixlen(const void* key) {
        uint32_t prefixlen;
        std::memcpy(&prefixlen, key, 4);
        return prefixlen;
    }
    std::vector<uint8_t> masked(const void* key, uint32_t prefixlen) const {
        std::vector<uint8_t> data(static_cast<const uint8_t*>(key) + 4, static_cast<const uint8_t*>(key) + 4 + data_size_);
        for (uint32_t bit = prefixlen; bit < data_size_ * 8; ++bit) data[bit / 8] &= static_cast<uint8_t>(~(0x80 >> (bit % 8)));
        return data;
    }
    static Entry* find_exact(const Snapshot& snapshot, uint32_t prefixlen, const std::vector<uint8_t>& data) {
        for (Entry* e : snapshot.entries) {
            if (e->prefixlen == prefixlen && e->data == data) return e;
        }
        return nullptr;
    }
    void publish(Snapshot* old, Snapshot* next, Entry* removed) {
        current_.store(next, std::memory_order_release);
        retired_.retire([old, removed] {
            delete old;
            delete removed;
        });
    }

    uint32_t data_size_;
    std::mutex writer_mutex_;
    std::atomic<Snapshot*> current_;
    RetireList retired_;
};

}  // namespace

std::shared_ptr<Map> make_lpm_trie_map(const MapDefinition& definition) {
    const std::string where = "map '" + definition.name + "': ";
    if (definition.key_size <= 4 || definition.key_size > 4 + 256)
        throw Error(where + "LPM trie key must be {u32 prefixlen; u8 data[1..256]}, got key size " +
                    std::to_string(definition.key_size));
    if (definition.value_size == 0) throw Error(where + "value size must not be 0");
    if (definition.max_entries == 0) throw Error(where + "max_entries must not be 0");
    return std::make_shared<LpmTrie>(definition);
}

}  // namespace ebpf::runtime_detail
