// BPF_MAP_TYPE_LPM_TRIE: keys are {u32 prefixlen; u8 data[]} (data in network
// order, most significant bit first); a lookup returns the value of the
// longest stored prefix that matches the key's first prefixlen bits.
//
// A path-compressed binary trie, as Linux's kernel/bpf/lpm_trie.c: every node
// holds a prefix; a child extends its parent's prefix, on the side of the bit
// that follows it. Nodes the user inserted are "real"; the others
// ("intermediate") only join two subtrees whose prefixes part at that length.
// Updating a stored prefix replaces its node, as Linux does.
// A lookup walks one path from the root, so it costs O(prefix length), not
// O(entries).
//
// Readers never lock: child links are atomic pointers that writers (one at a
// time, under a mutex) change with release stores, after the node they link
// in is complete. A node that leaves the trie is freed only after every run
// that could still be on it has finished (cpu_epoch.hpp). Deleting a prefix
// whose node joins two subtrees only clears its `real` flag.
//
// A lookup index beside the trie (the trie stays the authority for updates,
// deletes and get_next_key): a table over k key bits starting at bit `base`
// (k = log2(max_entries) + 1, 4..16, base + k at most the data's bits), for
// the keys whose first `base` bits are the base prefix's; one slot per
// region (a value of those k bits) holding
//   - `leaf`: the longest real prefix of length <= base + k covering the
//     region (shorter prefixes are expanded over the regions they cover), and
//   - `resume`: the top of the trie's subtree of nodes of length >= base + k
//     inside the region (those nodes form one subtree; most regions have none).
// A lookup of prefixlen >= base + k under the base prefix reads its region's
// slot and walks the few nodes below `resume` instead of the ~log2(entries)
// from the root: for 10,000 random IPv4 prefixes, 1-3 dependent loads
// instead of ~14. Other lookups walk from the root.
// The base is the deepest trie node whose subtree holds at least 7/8 of the
// entries: the root for keys spread over the key space, 2001:db8::/32 for an
// IPv6 table almost all inside it (so the regions split the bits where the
// keys differ). It is re-chosen every max(64, entries / 2, 2^k / 8) updates
// (an O(entries / 8)-bounded count); a new base means a new table, built
// (one walk per region) and published with a release store, the old one
// retired through the epochs.
// Writers keep the current table exact under the writer lock: a change of a
// prefix of length L <= base + k rewrites the 2^(base+k-L) slots it covers
// (all of them for a prefix that covers the base prefix, e.g. a /0), one of
// length >= base + k re-finds its region's `resume` (O(depth)).
// Each slot word is stored atomically, so a reader sees the state before or
// after the change; nodes unlinked by a change are retired only after the
// table no longer points at them. The table is 16 bytes × 2^k, with
// 2^k < 4 × max_entries: under 64 bytes per entry of max_entries, between
// 256 bytes and 1 MiB (512 KiB for 10,000 entries, IPv4 or IPv6).

// Linux's rules, which the tests check against the kernel: the map needs
// BPF_F_NO_PREALLOC; update/delete of a prefixlen above the data's bits is
// -EINVAL; delete needs the exact prefix (-ENOENT otherwise); get_next_key
// walks the real nodes in post-order (children before their parent, the 0
// side first), and a missing key (or none) starts from the first of them.
#include <algorithm>

#include "cpu_epoch.hpp"
#include "ebpf/abi.hpp"
#include "ebpf/error.hpp"
#include "map_types.hpp"

namespace ebpf::runtime_detail {
namespace {

struct Node {
    std::atomic<Node*> child[2] = {nullptr, nullptr};
    uint32_t prefixlen = 0;
    std::atomic<bool> real{false};
    // Followed by the data (data_size bytes as the key gave them, padded to
    // 8) and the value (value_size rounded to 8).
};
static_assert(sizeof(Node) % 8 == 0);

// Bit `index` of big-endian data (0 = the most significant bit of data[0]).
inline int bit_at(const uint8_t* data, uint32_t index) { return (data[index / 8] >> (7 - index % 8)) & 1; }

// One slot of the lookup index (see the top of the file).
struct Region {
    std::atomic<Node*> leaf{nullptr};
    std::atomic<Node*> resume{nullptr};
};
static_assert(sizeof(Region) == 16);

// The lookup index: 2^k regions over the key bits [base, base + k) of the
// keys whose first `base` bits are the base prefix's.
struct Index {
    uint32_t base = 0;
    uint32_t end = 0;                 // base + k
    uint64_t base_word = 0;           // the base prefix's first 64 bits, the first bit most significant
    std::vector<uint8_t> base_data;   // the base prefix's data (data_size bytes, zero past `base`)
    std::unique_ptr<Region[]> regions;
};

constexpr uint32_t kMinRegionBits = 4;
constexpr uint32_t kMaxRegionBits = 16;

uint32_t region_bits_for(uint32_t max_entries, uint32_t data_bits) {
    uint32_t bits = 0;
    while (bits < 32 && (uint64_t{1} << bits) < max_entries) ++bits;  // ceil(log2(max_entries))
    bits = std::clamp(bits + 1, kMinRegionBits, kMaxRegionBits);
    return std::min(bits, data_bits);
}

class LpmTrie final : public Map {
public:
    explicit LpmTrie(const MapDefinition& definition)
        : Map(definition),
          data_size_(definition.key_size - 4),
          max_prefixlen_(data_size_ * 8),
          data_stride_(round8(data_size_)),
          node_words_((sizeof(Node) + data_stride_ + round8(definition.value_size)) / 8),
          region_bits_(region_bits_for(definition.max_entries, max_prefixlen_)) {
        index_.store(make_index(0, nullptr), std::memory_order_relaxed);
    }

    ~LpmTrie() override {
        retired_.drain();
        delete index_.load(std::memory_order_relaxed);
        free_subtree(root_.load(std::memory_order_relaxed));
    }

    void* lookup_elem(const void* key) override {
        const uint32_t prefixlen = read_prefixlen(key);
        if (prefixlen > max_prefixlen_) return nullptr;
        const auto* data = static_cast<const uint8_t*>(key) + 4;
        Node* found = nullptr;
        const Index* index = index_.load(std::memory_order_acquire);
        if (data_size_ <= 8) {
            // The common case (IPv4, MAC, ports...): the key's bits in one word.
            const uint64_t bits = key_word(data);
            const uint32_t base = index->base;
            Node* node;
            if (prefixlen >= index->end && (base == 0 || ((bits ^ index->base_word) >> (64 - base)) == 0)) {
                const Region& region = index->regions[(bits << base) >> (64 - region_bits_)];
                found = region.leaf.load(std::memory_order_acquire);
                node = region.resume.load(std::memory_order_acquire);
            } else {
                node = root_.load(std::memory_order_acquire);
            }
            found = walk_word(node, found, bits, prefixlen);
        } else {
            Node* node;
            if (prefixlen >= index->end && under_base(*index, data)) {
                const Region& region = index->regions[region_of(*index, data)];
                found = region.leaf.load(std::memory_order_acquire);
                node = region.resume.load(std::memory_order_acquire);
            } else {
                node = root_.load(std::memory_order_acquire);
            }
            found = walk(node, found, data, prefixlen);
        }
        return found ? value_of(found) : nullptr;
    }

    int64_t update_elem(const void* key, const void* value, uint64_t flags) override {
        if (!valid_update_flags(flags)) return -EINVAL;
        const uint32_t prefixlen = read_prefixlen(key);
        if (prefixlen > max_prefixlen_) return -EINVAL;
        const auto* data = static_cast<const uint8_t*>(key) + 4;
        std::lock_guard lock(writer_mutex_);
        // Walk down while the node's prefix is a proper prefix of the key.
        std::atomic<Node*>* slot = &root_;
        Node* node = slot->load(std::memory_order_relaxed);
        uint32_t match = 0;
        while (node) {
            match = common_prefix(node, data, prefixlen);
            if (match != node->prefixlen || node->prefixlen == prefixlen) break;
            slot = &node->child[bit_at(data, node->prefixlen)];
            node = slot->load(std::memory_order_relaxed);
        }
        if (node && match == node->prefixlen && node->prefixlen == prefixlen) {  // the same prefix
            const bool real = node->real.load(std::memory_order_relaxed);
            if (real && flags == kUpdateNoExist) return -EEXIST;
            if (!real && flags == kUpdateExist) return -ENOENT;
            if (!real && entries_ >= max_entries()) return -ENOSPC;
            // As Linux, a new node takes the old one's place: it keeps the
            // key's bits as given (get_next_key returns them), and a reader
            // on the old node still sees a complete one.
            Node* replacement = make_node(data, prefixlen);
            copy_to_map(value_of(replacement), value, value_size());
            replacement->real.store(true, std::memory_order_relaxed);
            for (int side = 0; side < 2; ++side)
                replacement->child[side].store(node->child[side].load(std::memory_order_relaxed), std::memory_order_relaxed);
            slot->store(replacement, std::memory_order_release);
            if (!real) ++entries_;
            index_inserted(replacement, data);
            release_later(node);  // the index no longer points at it
            maybe_rebase();
            return 0;
        }
        if (flags == kUpdateExist) return -ENOENT;
        if (entries_ >= max_entries()) return -ENOSPC;
        Node* fresh = make_node(data, prefixlen);
        copy_to_map(value_of(fresh), value, value_size());
        fresh->real.store(true, std::memory_order_relaxed);
        if (!node) {
            slot->store(fresh, std::memory_order_release);
        } else if (match == prefixlen) {
            // The new prefix is a prefix of the node's: the node hangs below it.
            fresh->child[bit_at(data_of(node), prefixlen)].store(node, std::memory_order_relaxed);
            slot->store(fresh, std::memory_order_release);
        } else {
            // They part at bit `match`: an intermediate node joins them.
            Node* join = make_node(data, match);
            const int fresh_side = bit_at(data, match);
            join->child[fresh_side].store(fresh, std::memory_order_relaxed);
            join->child[1 - fresh_side].store(node, std::memory_order_relaxed);
            slot->store(join, std::memory_order_release);
        }
        ++entries_;
        index_inserted(fresh, data);
        maybe_rebase();
        return 0;
    }

    int64_t delete_elem(const void* key) override {
        const uint32_t prefixlen = read_prefixlen(key);
        if (prefixlen > max_prefixlen_) return -EINVAL;
        const auto* data = static_cast<const uint8_t*>(key) + 4;
        std::lock_guard lock(writer_mutex_);
        std::atomic<Node*>* parent_slot = nullptr;
        std::atomic<Node*>* slot = &root_;
        Node* node = slot->load(std::memory_order_relaxed);
        while (node) {
            const uint32_t match = common_prefix(node, data, prefixlen);
            if (match != node->prefixlen || node->prefixlen == prefixlen) break;
            parent_slot = slot;
            slot = &node->child[bit_at(data, node->prefixlen)];
            node = slot->load(std::memory_order_relaxed);
        }
        if (!node || node->prefixlen != prefixlen || common_prefix(node, data, prefixlen) != prefixlen ||
            !node->real.load(std::memory_order_relaxed)) {
            return -ENOENT;
        }
        --entries_;
        Node* left = node->child[0].load(std::memory_order_relaxed);
        Node* right = node->child[1].load(std::memory_order_relaxed);
        Node* unlinked[2] = {nullptr, nullptr};
        if (left && right) {  // still joins two subtrees: it becomes intermediate
            node->real.store(false, std::memory_order_release);
        } else {
            // Zero or one child: the child (or nothing) takes the node's place.
            slot->store(left ? left : right, std::memory_order_release);
            unlinked[0] = node;
            // An intermediate parent left with one child is no longer needed.
            if (!left && !right && parent_slot) {
                Node* parent = parent_slot->load(std::memory_order_relaxed);
                if (!parent->real.load(std::memory_order_relaxed)) {
                    Node* other = parent->child[0].load(std::memory_order_relaxed);
                    if (!other) other = parent->child[1].load(std::memory_order_relaxed);
                    parent_slot->store(other, std::memory_order_release);
                    unlinked[1] = parent;
                }
            }
        }
        index_deleted(node, data);
        // Only now that neither the trie nor the index reaches them.
        for (Node* gone : unlinked)
            if (gone) release_later(gone);
        maybe_rebase();
        return 0;
    }

    int64_t get_next_key(const void* key, void* next_key) override {
        CpuScope scope;  // the host iterates too: keep the nodes alive
        std::lock_guard lock(writer_mutex_);
        // The real nodes in post-order; the one after `key`, or the first.
        std::vector<Node*> order;
        post_order(root_.load(std::memory_order_relaxed), order);
        size_t index = 0;
        if (key) {
            const uint32_t prefixlen = read_prefixlen(key);
            if (prefixlen <= max_prefixlen_) {
                const auto* data = static_cast<const uint8_t*>(key) + 4;
                for (size_t i = 0; i < order.size(); ++i) {
                    if (order[i]->prefixlen == prefixlen && common_prefix(order[i], data, prefixlen) == prefixlen) {
                        index = i + 1;
                        break;
                    }
                }
            }
        }
        if (index >= order.size()) return -ENOENT;
        Node* e = order[index];
        std::memcpy(next_key, &e->prefixlen, 4);
        std::memcpy(static_cast<uint8_t*>(next_key) + 4, data_of(e), data_size_);
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
    static uint32_t read_prefixlen(const void* key) {
        uint32_t prefixlen;
        std::memcpy(&prefixlen, key, 4);
        return prefixlen;
    }
    uint8_t* data_of(Node* node) const { return reinterpret_cast<uint8_t*>(node + 1); }
    uint8_t* value_of(Node* node) const { return data_of(node) + data_stride_; }

    // The key's data (data_size_ <= 8 bytes) as one word, its first bit the
    // most significant.
    uint64_t key_word(const uint8_t* data) const {
        uint64_t word = 0;
        std::memcpy(&word, data, data_size_);
        return __builtin_bswap64(word);
    }
    // A node's data as one word (its padding to 8 bytes is zero).
    uint64_t node_word(Node* node) const {
        uint64_t word;
        std::memcpy(&word, data_of(node), 8);
        return __builtin_bswap64(word);
    }

    // The trie walk from `node` down the key's path: the last real node whose
    // prefix covers the key's first prefixlen bits, or `found`.
    Node* walk_word(Node* node, Node* found, uint64_t bits, uint32_t prefixlen) const {
        while (node) {
            const uint32_t length = node->prefixlen;
            if (length > prefixlen) break;  // longer than the key
            if (length != 0 && ((node_word(node) ^ bits) >> (64 - length)) != 0) break;  // does not cover the key
            if (node->real.load(std::memory_order_acquire)) found = node;
            if (length == prefixlen) break;  // the key has no bits left to follow
            node = node->child[(bits >> (63 - length)) & 1].load(std::memory_order_acquire);
        }
        return found;
    }
    Node* walk(Node* node, Node* found, const uint8_t* data, uint32_t prefixlen) const {
        while (node) {
            const uint32_t match = common_prefix(node, data, prefixlen);
            if (match < node->prefixlen) break;  // the node's prefix does not cover the key
            if (node->real.load(std::memory_order_acquire)) found = node;
            if (node->prefixlen >= prefixlen) break;  // the key has no bits left to follow
            node = node->child[bit_at(data, node->prefixlen)].load(std::memory_order_acquire);
        }
        return found;
    }

    // Whether data's first index.base bits are the base prefix's.
    bool under_base(const Index& index, const uint8_t* data) const {
        const uint32_t full = index.base / 8, rest = index.base % 8;
        if (std::memcmp(data, index.base_data.data(), full) != 0) return false;
        return rest == 0 || ((data[full] ^ index.base_data[full]) >> (8 - rest)) == 0;
    }
    // The region of data: its bits [base, base + k) (k <= 16: within 3 bytes).
    uint32_t region_of(const Index& index, const uint8_t* data) const {
        const uint32_t byte = index.base / 8;
        uint32_t word = uint32_t{data[byte]} << 16;
        if (byte + 1 < data_size_) word |= uint32_t{data[byte + 1]} << 8;
        if (byte + 2 < data_size_) word |= data[byte + 2];
        return ((word << (index.base % 8)) & 0xffffff) >> (24 - region_bits_);
    }

    // --- keeping the index exact (under writer_mutex_) ---

    // The regions a prefix of `length` bits from data covers, as [first,
    // first + count); count 0 when it covers none (it is not under the base
    // prefix, nor covers it) or when it is longer than index.end.
    std::pair<uint32_t, uint32_t> covered(const Index& index, const uint8_t* data, uint32_t length) const {
        if (length > index.end) return {0, 0};
        const uint32_t shared = std::min(length, index.base);
        if (shared > 0 && common_bits(data, index.base_data.data(), shared) < shared) return {0, 0};
        if (length <= index.base) return {0, uint32_t{1} << region_bits_};
        const uint32_t span = index.end - length;
        return {(region_of(index, data) >> span) << span, uint32_t{1} << span};
    }
    bool in_regions(const Index& index, const uint8_t* data, uint32_t length) const {
        return length >= index.end && under_base(index, data);
    }

    // `node` (real, from `data`) was inserted or replaced a node of the same prefix.
    void index_inserted(Node* node, const uint8_t* data) {
        Index& index = *index_.load(std::memory_order_relaxed);
        const uint32_t length = node->prefixlen;
        // It is now the longest prefix <= end for the regions it covers,
        // except where a longer one (<= end) below it already is.
        const auto [first, count] = covered(index, data, length);
        for (uint32_t r = first; r < first + count; ++r) {
            Node* leaf = index.regions[r].leaf.load(std::memory_order_relaxed);
            if (!leaf || leaf->prefixlen <= length) index.regions[r].leaf.store(node, std::memory_order_release);
        }
        if (in_regions(index, data, length)) refresh_resume(index, data);
    }

    // `node` (from `data`) is no longer real: unlinked, or left intermediate.
    void index_deleted(Node* node, const uint8_t* data) {
        Index& index = *index_.load(std::memory_order_relaxed);
        const uint32_t length = node->prefixlen;
        const auto [first, count] = covered(index, data, length);
        if (count > 0) {
            // Its regions fall back on its longest real ancestor.
            Node* fallback = nullptr;
            for (Node* n = root_.load(std::memory_order_relaxed); n && n->prefixlen < length;) {
                if (common_prefix(n, data, length) < n->prefixlen) break;
                if (n->real.load(std::memory_order_relaxed)) fallback = n;
                n = n->child[bit_at(data, n->prefixlen)].load(std::memory_order_relaxed);
            }
            for (uint32_t r = first; r < first + count; ++r) {
                if (index.regions[r].leaf.load(std::memory_order_relaxed) == node)
                    index.regions[r].leaf.store(fallback, std::memory_order_release);
            }
        }
        if (in_regions(index, data, length)) refresh_resume(index, data);
    }

    // The top node of length >= end in the region of data (its first end
    // bits), or null, walking down from `top` (the root, or a node that
    // covers the region); with `leaf`, the longest real prefix of length
    // <= end covering the region, or *leaf.
    Node* region_top(Node* top, uint32_t end, const uint8_t* data, Node** leaf) const {
        while (top && top->prefixlen < end) {
            if (common_prefix(top, data, end) < top->prefixlen) return nullptr;
            if (leaf && top->real.load(std::memory_order_relaxed)) *leaf = top;
            top = top->child[bit_at(data, top->prefixlen)].load(std::memory_order_relaxed);
        }
        if (top && common_prefix(top, data, end) < end) return nullptr;  // the path leaves the region
        if (top && leaf && top->prefixlen == end && top->real.load(std::memory_order_relaxed)) *leaf = top;
        return top;
    }
    void refresh_resume(Index& index, const uint8_t* data) {
        index.regions[region_of(index, data)].resume.store(region_top(root_.load(std::memory_order_relaxed), index.end, data, nullptr),
                                                           std::memory_order_release);
    }

    // A new index over the regions under `base_node`'s first `base` bits,
    // filled from the trie (one walk per region).
    Index* make_index(uint32_t base, Node* base_node) const {
        auto* index = new Index;
        index->base = base;
        index->end = base + region_bits_;
        index->base_data.assign(data_stride_, 0);
        for (uint32_t bit = 0; bit < base; ++bit)
            if (bit_at(data_of(base_node), bit)) index->base_data[bit / 8] |= static_cast<uint8_t>(0x80 >> (bit % 8));
        std::memcpy(&index->base_word, index->base_data.data(), std::min<uint32_t>(8, data_stride_));
        index->base_word = __builtin_bswap64(index->base_word);
        const uint32_t regions = uint32_t{1} << region_bits_;
        index->regions.reset(new Region[regions]);
        Node* start = root_.load(std::memory_order_relaxed);
        if (!start) return index;
        // Every region's path goes through the base node: walk to it once.
        Node* above = nullptr;  // the longest real prefix shorter than base covering it
        if (base_node) {
            while (start != base_node) {
                if (start->real.load(std::memory_order_relaxed)) above = start;
                start = start->child[bit_at(data_of(base_node), start->prefixlen)].load(std::memory_order_relaxed);
            }
        }
        std::vector<uint8_t> key = index->base_data;
        for (uint32_t r = 0; r < regions; ++r) {
            for (uint32_t i = 0; i < region_bits_; ++i) {  // bits [base, end) := r
                const uint32_t bit = base + i;
                const auto mask = static_cast<uint8_t>(0x80 >> (bit % 8));
                if (r >> (region_bits_ - 1 - i) & 1) key[bit / 8] |= mask;
                else key[bit / 8] &= static_cast<uint8_t>(~mask);
            }
            Node* leaf = above;
            Node* top = region_top(start, index->end, key.data(), &leaf);
            index->regions[r].leaf.store(leaf, std::memory_order_relaxed);
            index->regions[r].resume.store(top, std::memory_order_relaxed);
        }
        return index;
    }

    // Every so often (amortised O(1) per update), re-chooses the base: the
    // deepest node whose subtree holds at least 7/8 of the entries (e.g.
    // 2001:db8::/32 when nearly all prefixes are in it), so that the regions
    // split where the keys differ. A new base means a new index (built, then
    // published; the old one is retired).
    void maybe_rebase() {
        if (++updates_since_rebase_check_ < std::max<uint64_t>({64, entries_ / 2, (uint64_t{1} << region_bits_) / 8}))
            return;
        updates_since_rebase_check_ = 0;
        Node* chosen = nullptr;
        const uint64_t need = (uint64_t{entries_} * 7 + 7) / 8;
        uint64_t held = entries_;
        for (Node* node = root_.load(std::memory_order_relaxed); node;) {
            if (node->prefixlen + region_bits_ > max_prefixlen_) break;
            chosen = node;
            const uint64_t below = held - (node->real.load(std::memory_order_relaxed) ? 1 : 0);
            if (below < need || below == 0) break;
            const uint64_t allowance = below - need;
            Node* sides[2] = {node->child[0].load(std::memory_order_relaxed), node->child[1].load(std::memory_order_relaxed)};
            Node* next = nullptr;
            for (int side = 0; side < 2 && !next; ++side) {
                const uint64_t light = count_up_to(sides[side], allowance + 1);
                if (light <= allowance) {
                    next = sides[1 - side];
                    held = below - light;
                }
            }
            node = next;
        }
        const uint32_t base = chosen ? chosen->prefixlen : 0;
        Index* current = index_.load(std::memory_order_relaxed);
        if (base == current->base && (base == 0 || common_bits(data_of(chosen), current->base_data.data(), base) >= base))
            return;
        Index* fresh = make_index(base, chosen);
        index_.store(fresh, std::memory_order_release);
        retired_.retire([current] { delete current; });
    }

    // Real nodes in the subtree, counting stops at `limit`.
    uint64_t count_up_to(Node* root, uint64_t limit) {
        uint64_t count = 0;
        scratch_.clear();
        if (root) scratch_.push_back(root);
        while (!scratch_.empty() && count < limit) {
            Node* n = scratch_.back();
            scratch_.pop_back();
            if (n->real.load(std::memory_order_relaxed)) ++count;
            for (auto& child : n->child)
                if (Node* c = child.load(std::memory_order_relaxed)) scratch_.push_back(c);
        }
        return count;
    }

    // How many leading bits of a and b agree, at most `limit`.
    uint32_t common_bits(const uint8_t* a, const uint8_t* b, uint32_t limit) const {
        uint32_t bits = 0;
        for (uint32_t byte = 0; bits < limit; ++byte, bits += 8) {
            const uint8_t diff = a[byte] ^ b[byte];
            if (diff) return std::min(limit, bits + static_cast<uint32_t>(__builtin_clz(diff)) - 24);
        }
        return limit;
    }

    // How many leading bits the node's prefix and the key's first `prefixlen`
    // bits share, at most min(node->prefixlen, prefixlen). Compares 8 bytes
    // at a time.
    uint32_t common_prefix(Node* node, const uint8_t* data, uint32_t prefixlen) const {
        const uint32_t limit = std::min(node->prefixlen, prefixlen);
        const uint8_t* mine = data_of(node);
        uint32_t bits = 0;
        for (uint32_t byte = 0; bits < limit; byte += 8) {
            const uint32_t chunk = std::min<uint32_t>(8, data_size_ - byte);
            uint64_t a = 0, b = 0;
            std::memcpy(&a, mine + byte, chunk);
            std::memcpy(&b, data + byte, chunk);
            const uint64_t diff = __builtin_bswap64(a ^ b);
            if (diff != 0) return std::min(limit, bits + static_cast<uint32_t>(__builtin_clzll(diff)));
            bits += chunk * 8;
        }
        return limit;
    }

    Node* make_node(const uint8_t* data, uint32_t prefixlen) {
        auto* node = new (allocate()) Node;
        node->prefixlen = prefixlen;
        // The key's data as given, bits past the prefix included (Linux keeps
        // them too: get_next_key returns them); only the prefix is compared.
        uint8_t* mine = data_of(node);
        std::memset(mine, 0, data_stride_);
        std::memcpy(mine, data, data_size_);
        return node;
    }

    void* allocate() { return ::operator new(node_words_ * 8, std::align_val_t{8}); }
    static void release(Node* node) {
        node->~Node();
        ::operator delete(node, std::align_val_t{8});
    }
    // Frees the node once every run that could still reach it has ended.
    // Called after the node is unreachable from both the trie and the index.
    void release_later(Node* node) {
        retired_.retire([node] { release(node); });
    }
    void free_subtree(Node* node) {
        // Iterative: a hostile sequence of inserts can make the trie deep.
        std::vector<Node*> pending;
        if (node) pending.push_back(node);
        while (!pending.empty()) {
            Node* n = pending.back();
            pending.pop_back();
            for (auto& child : n->child)
                if (Node* c = child.load(std::memory_order_relaxed)) pending.push_back(c);
            release(n);
        }
    }
    static void post_order(Node* root, std::vector<Node*>& out) {
        // Iterative post-order (0 side first): children before their parent.
        std::vector<std::pair<Node*, int>> stack;
        if (root) stack.push_back({root, 0});
        while (!stack.empty()) {
            auto& [node, next_child] = stack.back();
            if (next_child < 2) {
                Node* child = node->child[next_child++].load(std::memory_order_relaxed);
                if (child) stack.push_back({child, 0});
                continue;
            }
            if (node->real.load(std::memory_order_relaxed)) out.push_back(node);
            stack.pop_back();
        }
    }

    uint32_t data_size_;
    uint32_t max_prefixlen_;
    uint32_t data_stride_;
    size_t node_words_;
    uint32_t region_bits_;          // k: 2^k regions
    std::atomic<Index*> index_;     // replaced (and the old one retired) when the base changes
    uint64_t updates_since_rebase_check_ = 0;  // under writer_mutex_
    std::vector<Node*> scratch_;               // under writer_mutex_
    std::mutex writer_mutex_;
    std::atomic<Node*> root_{nullptr};
    uint32_t entries_ = 0;  // real nodes; under writer_mutex_
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
    // As Linux: trie nodes are allocated as prefixes are inserted, never up front.
    if (!(definition.map_flags & kMapFlagNoPrealloc))
        throw Error(where + "an LPM trie needs map_flags BPF_F_NO_PREALLOC (nodes are allocated on insert, as in Linux)");
    return std::make_shared<LpmTrie>(definition);
}

}  // namespace ebpf::runtime_detail
