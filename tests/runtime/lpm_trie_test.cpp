// The LPM trie map (src/runtime/maps/lpm_trie_map.cpp): Linux's semantics,
// checked against a brute-force model and — where bpf() is allowed — against
// the running kernel's own BPF_MAP_TYPE_LPM_TRIE, plus hostile input and
// concurrent writers.
#include <gtest/gtest.h>
#include <linux/bpf.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <functional>
#include <map>
#include <optional>
#include <random>
#include <thread>
#include <vector>

#include "ebpf/error.hpp"
#include "ebpf/runtime.hpp"
#include "test_support.hpp"

namespace {

using ebpf::MapType;
using runtime_test::definition;

struct Key4 {
    uint32_t prefixlen;
    uint8_t addr[4];
};

std::shared_ptr<ebpf::Map> ipv4_trie(uint32_t max_entries) {
    return ebpf::create_map(definition(MapType::lpm_trie, 8, 8, max_entries));
}

std::optional<uint64_t> lookup(ebpf::Map& map, const Key4& key) {
    ebpf::CpuScope cpu;
    const void* found = map.lookup_elem(&key);
    if (!found) return std::nullopt;
    uint64_t value;
    std::memcpy(&value, found, 8);
    return value;
}

int64_t update(ebpf::Map& map, const Key4& key, uint64_t value, uint64_t flags = ebpf::kUpdateAny) {
    ebpf::CpuScope cpu;
    return map.update_elem(&key, &value, flags);
}

int64_t remove(ebpf::Map& map, const Key4& key) {
    ebpf::CpuScope cpu;
    return map.delete_elem(&key);
}

std::vector<Key4> all_keys(ebpf::Map& map) {
    std::vector<Key4> keys;
    Key4 key{}, next{};
    const void* previous = nullptr;
    while (map.get_next_key(previous, &next) == 0) {
        keys.push_back(next);
        key = next;
        previous = &key;
        if (keys.size() > 100'000) break;  // a cycle would be a bug; do not hang
    }
    return keys;
}

TEST(LpmTrie, LongestPrefixWins) {
    auto map = ipv4_trie(16);
    ASSERT_EQ(update(*map, {8, {10, 0, 0, 0}}, 8), 0);
    ASSERT_EQ(update(*map, {24, {10, 1, 2, 0}}, 24), 0);
    ASSERT_EQ(update(*map, {16, {10, 1, 99, 99}}, 16), 0);  // bits past the prefix are ignored
    ASSERT_EQ(update(*map, {0, {0, 0, 0, 0}}, 0), 0);        // the default route
    EXPECT_EQ(lookup(*map, {32, {10, 1, 2, 3}}), 24u);
    EXPECT_EQ(lookup(*map, {32, {10, 1, 3, 3}}), 16u);
    EXPECT_EQ(lookup(*map, {32, {10, 9, 9, 9}}), 8u);
    EXPECT_EQ(lookup(*map, {32, {11, 0, 0, 0}}), 0u);
    // A shorter lookup key matches only prefixes no longer than itself.
    EXPECT_EQ(lookup(*map, {20, {10, 1, 2, 3}}), 16u);
    EXPECT_EQ(lookup(*map, {33, {10, 1, 2, 3}}), std::nullopt);  // past the data's bits
}

TEST(LpmTrie, UpdateFlagsAndDeleteAreExact) {
    auto map = ipv4_trie(3);
    EXPECT_EQ(update(*map, {16, {10, 1, 0, 0}}, 1, ebpf::kUpdateExist), -ENOENT);
    EXPECT_EQ(update(*map, {16, {10, 1, 0, 0}}, 1, ebpf::kUpdateNoExist), 0);
    EXPECT_EQ(update(*map, {16, {10, 1, 7, 7}}, 2, ebpf::kUpdateNoExist), -EEXIST);  // same prefix
    EXPECT_EQ(update(*map, {16, {10, 1, 0, 0}}, 3, ebpf::kUpdateExist), 0);
    EXPECT_EQ(lookup(*map, {32, {10, 1, 5, 5}}), 3u);
    EXPECT_EQ(update(*map, {16, {10, 1, 0, 0}}, 3, 4), -EINVAL);  // unknown flag
    EXPECT_EQ(update(*map, {33, {10, 1, 0, 0}}, 3), -EINVAL);
    EXPECT_EQ(remove(*map, {33, {10, 1, 0, 0}}), -EINVAL);
    // Delete needs the stored prefix itself, not one it covers.
    EXPECT_EQ(remove(*map, {24, {10, 1, 0, 0}}), -ENOENT);
    EXPECT_EQ(remove(*map, {8, {10, 0, 0, 0}}), -ENOENT);
    // Full: a new prefix is -ENOSPC, replacing a stored one still works.
    EXPECT_EQ(update(*map, {8, {10, 0, 0, 0}}, 4), 0);
    EXPECT_EQ(update(*map, {24, {10, 1, 2, 0}}, 5), 0);
    EXPECT_EQ(update(*map, {24, {10, 1, 3, 0}}, 6), -ENOSPC);
    EXPECT_EQ(update(*map, {24, {10, 1, 2, 0}}, 7), 0);
    EXPECT_EQ(remove(*map, {16, {10, 1, 0, 0}}), 0);
    EXPECT_EQ(lookup(*map, {32, {10, 1, 5, 5}}), 4u);
    EXPECT_EQ(lookup(*map, {32, {10, 1, 2, 5}}), 7u);
    EXPECT_EQ(remove(*map, {16, {10, 1, 0, 0}}), -ENOENT);
}

TEST(LpmTrie, NeedsNoPreallocAsLinux) {
    ebpf::MapDefinition d = definition(MapType::lpm_trie, 8, 8, 16);
    d.map_flags = 0;
    try {
        ebpf::create_map(d);
        FAIL() << "an LPM trie without BPF_F_NO_PREALLOC was created";
    } catch (const ebpf::Error& e) {
        EXPECT_NE(std::string(e.what()).find("BPF_F_NO_PREALLOC"), std::string::npos) << e.what();
    }
}

TEST(LpmTrie, GetNextKeyIsPostOrder) {
    // Linux's order: children before their parent, the 0 side first.
    auto map = ipv4_trie(16);
    ASSERT_EQ(update(*map, {16, {192, 168, 0, 0}}, 1), 0);
    ASSERT_EQ(update(*map, {24, {192, 168, 0, 0}}, 2), 0);
    ASSERT_EQ(update(*map, {24, {192, 168, 1, 0}}, 3), 0);
    ASSERT_EQ(update(*map, {24, {192, 168, 128, 0}}, 4), 0);
    const std::vector<Key4> keys = all_keys(*map);
    ASSERT_EQ(keys.size(), 4u);
    EXPECT_EQ(keys[0].prefixlen, 24u);
    EXPECT_EQ(keys[0].addr[2], 0);
    EXPECT_EQ(keys[1].addr[2], 1);
    EXPECT_EQ(keys[2].addr[2], 128);
    EXPECT_EQ(keys[3].prefixlen, 16u);
    // A key that is not stored starts over from the first.
    Key4 missing{24, {1, 2, 3, 0}}, next{};
    ASSERT_EQ(map->get_next_key(&missing, &next), 0);
    EXPECT_EQ(std::memcmp(&next, &keys[0], sizeof next), 0);
    Key4 last = keys[3];
    EXPECT_EQ(map->get_next_key(&last, &next), -ENOENT);
}

// A brute-force model: every stored prefix, the longest match by scanning.
struct Model {
    std::map<std::pair<uint32_t, uint32_t>, uint64_t> entries;  // (prefixlen, masked address) → value
    static uint32_t address(const Key4& key) {
        return (uint32_t{key.addr[0]} << 24) | (uint32_t{key.addr[1]} << 16) | (uint32_t{key.addr[2]} << 8) | key.addr[3];
    }
    static uint32_t mask(uint32_t prefixlen) { return prefixlen == 0 ? 0 : ~uint32_t{0} << (32 - prefixlen); }
    std::optional<uint64_t> lookup(const Key4& key) const {
        std::optional<uint64_t> best;
        int best_len = -1;
        for (const auto& [prefix, value] : entries) {
            if (static_cast<int>(prefix.first) > best_len && prefix.first <= key.prefixlen &&
                (address(key) & mask(prefix.first)) == prefix.second) {
                best = value;
                best_len = static_cast<int>(prefix.first);
            }
        }
        return best;
    }
};

Key4 random_key(std::mt19937& random) {
    // Few distinct addresses, so that prefixes nest and collide often.
    const uint32_t a = static_cast<uint32_t>(random() % 8) << 28 | static_cast<uint32_t>(random() % 4) << 20 |
                       static_cast<uint32_t>(random() % 3);
    return {static_cast<uint32_t>(random() % 33),
            {static_cast<uint8_t>(a >> 24), static_cast<uint8_t>(a >> 16), static_cast<uint8_t>(a >> 8),
             static_cast<uint8_t>(a)}};
}

TEST(LpmTrie, MatchesABruteForceModel) {
    auto map = ipv4_trie(64);
    Model model;
    std::mt19937 random(1);
    for (int step = 0; step < 20'000; ++step) {
        const Key4 key = random_key(random);
        const std::pair<uint32_t, uint32_t> id{key.prefixlen, Model::address(key) & Model::mask(key.prefixlen)};
        const int op = static_cast<int>(random() % 3);
        if (op == 0) {
            const int64_t result = update(*map, key, static_cast<uint64_t>(step));
            if (model.entries.contains(id) || model.entries.size() < 64) {
                ASSERT_EQ(result, 0) << step;
                model.entries[id] = static_cast<uint64_t>(step);
            } else {
                ASSERT_EQ(result, -ENOSPC) << step;
            }
        } else if (op == 1) {
            ASSERT_EQ(remove(*map, key), model.entries.erase(id) ? 0 : -ENOENT) << step;
        } else {
            Key4 probe = key;
            probe.prefixlen = 32;
            ASSERT_EQ(lookup(*map, probe), model.lookup(probe)) << step;
        }
    }
    EXPECT_EQ(all_keys(*map).size(), model.entries.size());
}

// --- the lookup index (a table over the keys' first k bits, k = log2(max_entries) + 1, 4..16) ---

TEST(LpmTrie, MatchesTheModelWhateverTheIndexSize) {
    // max_entries sets k: 16 → 5, 64 → 7, 3000 → 13, 100000 → 16. Prefixes of
    // every length 0..32 land below, at and above k; probes of every prefixlen
    // use the index (prefixlen >= k) or the walk from the root (below k).
    for (const uint32_t capacity : {16u, 64u, 3000u, 100'000u}) {
        auto map = ipv4_trie(capacity);
        Model model;
        std::mt19937 random(capacity);
        for (int step = 0; step < 20'000; ++step) {
            Key4 key = random_key(random);
            if (step % 3 == 0) key.addr[1] = static_cast<uint8_t>(random() % 4 << 6 | random() % 2);  // bits near k
            const std::pair<uint32_t, uint32_t> id{key.prefixlen, Model::address(key) & Model::mask(key.prefixlen)};
            const int op = static_cast<int>(random() % 4);
            if (op == 0) {
                const int64_t result = update(*map, key, static_cast<uint64_t>(step));
                if (model.entries.contains(id) || model.entries.size() < capacity) {
                    ASSERT_EQ(result, 0) << capacity << " " << step;
                    model.entries[id] = static_cast<uint64_t>(step);
                } else {
                    ASSERT_EQ(result, -ENOSPC) << capacity << " " << step;
                }
            } else if (op == 1) {
                ASSERT_EQ(remove(*map, key), model.entries.erase(id) ? 0 : -ENOENT) << capacity << " " << step;
            } else {
                Key4 probe = key;
                probe.prefixlen = op == 2 ? 32 : static_cast<uint32_t>(random() % 33);
                ASSERT_EQ(lookup(*map, probe), model.lookup(probe)) << capacity << " " << step;
            }
        }
        EXPECT_EQ(all_keys(*map).size(), model.entries.size()) << capacity;
    }
}

TEST(LpmTrie, IndexBoundariesAndShrinking) {
    // max_entries 64: k = 7. Prefixes of length 0, k-1, k, k+1 and 32 in one
    // region, inserted, replaced and deleted in both orders; deleting all of
    // them leaves an index that finds nothing.
    auto map = ipv4_trie(64);
    const uint8_t a = 0b1010'1100;  // the region of 172.x: its first 7 bits
    const Key4 p0{0, {0, 0, 0, 0}}, p6{6, {a, 0, 0, 0}}, p7{7, {a, 0, 0, 0}}, p8{8, {a, 0, 0, 0}},
        p32{32, {a, 1, 2, 3}}, probe{32, {a, 1, 2, 3}}, other{32, {a | 1, 9, 9, 9}}, far{32, {1, 2, 3, 4}};
    auto check = [&](std::optional<uint64_t> at_probe, std::optional<uint64_t> at_other, std::optional<uint64_t> at_far) {
        EXPECT_EQ(lookup(*map, probe), at_probe);
        EXPECT_EQ(lookup(*map, other), at_other);
        EXPECT_EQ(lookup(*map, far), at_far);
    };
    check(std::nullopt, std::nullopt, std::nullopt);
    ASSERT_EQ(update(*map, p32, 32), 0);
    check(32, std::nullopt, std::nullopt);
    ASSERT_EQ(update(*map, p0, 0), 0);
    check(32, 0, 0);
    ASSERT_EQ(update(*map, p8, 8), 0);
    check(32, 0, 0);  // 172.0.0.0/8 does not cover 173.x (other)
    ASSERT_EQ(update(*map, p7, 7), 0);
    check(32, 7, 0);
    ASSERT_EQ(update(*map, p6, 6), 0);
    check(32, 7, 0);
    ASSERT_EQ(update(*map, p7, 70), 0);  // replace a prefix of length k
    ASSERT_EQ(update(*map, p6, 60), 0);  // and one shorter than k
    check(32, 70, 0);
    // A probe shorter than k does not use the index.
    EXPECT_EQ(lookup(*map, {6, {a, 1, 2, 3}}), 60u);
    EXPECT_EQ(lookup(*map, {5, {a, 1, 2, 3}}), 0u);
    EXPECT_EQ(lookup(*map, {8, {a, 1, 2, 3}}), 8u);
    ASSERT_EQ(remove(*map, p32), 0);
    check(8, 70, 0);
    ASSERT_EQ(remove(*map, p7), 0);
    check(8, 60, 0);
    ASSERT_EQ(remove(*map, p0), 0);
    check(8, 60, std::nullopt);
    ASSERT_EQ(remove(*map, p6), 0);
    check(8, std::nullopt, std::nullopt);
    ASSERT_EQ(remove(*map, p8), 0);
    check(std::nullopt, std::nullopt, std::nullopt);
    EXPECT_TRUE(all_keys(*map).empty());
    // The same, the longest first out.
    for (const Key4& k : {p0, p6, p7, p8, p32}) ASSERT_EQ(update(*map, k, k.prefixlen), 0);
    check(32, 7, 0);
    for (const Key4& k : {p0, p6, p7, p8, p32}) ASSERT_EQ(remove(*map, k), 0);
    check(std::nullopt, std::nullopt, std::nullopt);
    // Full: many long prefixes across regions, then deleted one by one.
    std::vector<Key4> keys;
    for (uint32_t i = 0; keys.size() < 64; ++i)
        keys.push_back({24 + i % 9, {static_cast<uint8_t>(i * 37), static_cast<uint8_t>(i), static_cast<uint8_t>(i * 7), 1}});
    for (const Key4& k : keys) ASSERT_EQ(update(*map, k, k.prefixlen), 0);
    EXPECT_EQ(update(*map, p0, 0), -ENOSPC);
    for (const Key4& k : keys) EXPECT_EQ(lookup(*map, {32, {k.addr[0], k.addr[1], k.addr[2], 1}}), k.prefixlen);
    for (const Key4& k : keys) ASSERT_EQ(remove(*map, k), 0);
    for (const Key4& k : keys) EXPECT_EQ(lookup(*map, {32, {k.addr[0], k.addr[1], k.addr[2], 1}}), std::nullopt);
    EXPECT_EQ(update(*map, p0, 0), 0);
}

// A trie of `size`-byte keys against a brute-force model over byte strings:
// random updates, deletes and lookups (of full length, or of the key's own
// prefixlen) of the keys `make` draws.
using KeyMaker = std::function<std::pair<uint32_t, std::vector<uint8_t>>(std::mt19937&)>;
void check_against_model(uint32_t size, uint32_t capacity, int steps, uint32_t seed, const KeyMaker& make) {
    const uint32_t bits = size * 8;
    auto map = ebpf::create_map(definition(MapType::lpm_trie, 4 + size, 8, capacity));
    std::map<std::pair<uint32_t, std::vector<uint8_t>>, uint64_t> entries;
    auto masked = [&](const std::vector<uint8_t>& data, uint32_t length) {
        std::vector<uint8_t> out(size, 0);
        for (uint32_t b = 0; b < length; ++b)
            if (data[b / 8] >> (7 - b % 8) & 1) out[b / 8] |= static_cast<uint8_t>(0x80 >> (b % 8));
        return out;
    };
    auto model_lookup = [&](const std::vector<uint8_t>& data, uint32_t length) {
        std::optional<uint64_t> best;
        int best_length = -1;
        for (const auto& [id, value] : entries) {
            if (static_cast<int>(id.first) > best_length && id.first <= length && masked(data, id.first) == id.second) {
                best = value;
                best_length = static_cast<int>(id.first);
            }
        }
        return best;
    };
    std::mt19937 random(seed);
    std::vector<uint8_t> key(4 + size);
    for (int step = 0; step < steps; ++step) {
        auto [length, data] = make(random);
        ASSERT_EQ(data.size(), size);
        std::memcpy(key.data(), &length, 4);
        std::memcpy(key.data() + 4, data.data(), size);
        ebpf::CpuScope cpu;
        const auto id = std::make_pair(length, masked(data, length));
        const int op = static_cast<int>(random() % 4);
        if (op == 0) {
            uint64_t value = static_cast<uint64_t>(step);
            const int64_t result = map->update_elem(key.data(), &value, 0);
            if (entries.contains(id) || entries.size() < capacity) {
                ASSERT_EQ(result, 0) << size << " " << step;
                entries[id] = value;
            } else {
                ASSERT_EQ(result, -ENOSPC) << size << " " << step;
            }
        } else if (op == 1) {
            ASSERT_EQ(map->delete_elem(key.data()), entries.erase(id) ? 0 : -ENOENT) << size << " " << step;
        } else {
            if (op == 2) {
                length = bits;
                std::memcpy(key.data(), &length, 4);
            }
            auto* found = static_cast<const uint64_t*>(map->lookup_elem(key.data()));
            ASSERT_EQ(found ? std::optional<uint64_t>(*found) : std::nullopt, model_lookup(data, length))
                << size << " " << step;
        }
    }
    std::vector<uint8_t> next(4 + size);
    size_t count = 0;
    for (const void* previous = nullptr; map->get_next_key(previous, next.data()) == 0; previous = key.data()) {
        key = next;
        if (++count > entries.size()) break;
    }
    EXPECT_EQ(count, entries.size());
}

// Keys of any data size (1, 3 and 16 bytes: the general walk, and a k capped
// by the data's bits).
TEST(LpmTrie, OtherKeySizesMatchTheModel) {
    for (const uint32_t size : {1u, 3u, 16u}) {
        for (const uint32_t capacity : {40u, 2000u}) {
            check_against_model(size, capacity, 6'000, size * 7 + capacity, [size](std::mt19937& random) {
                std::vector<uint8_t> data(size);
                for (uint32_t i = 0; i < size; ++i)  // few distinct values, so prefixes nest
                    data[i] = static_cast<uint8_t>(i < 2 || i == size - 1 ? (random() % 4) * 0x41 : 0x20);
                uint32_t length = static_cast<uint32_t>(random() % (size * 8 + 1));
                if (random() % 5 == 0) length = size * 8;
                return std::make_pair(length, data);
            });
        }
    }
}

// Nearly all prefixes under one /32 (as an IPv6 site's table), plus a few
// elsewhere and short ones (::/0, ::/1...): the index re-bases itself on
// the cluster (its regions split the bits after the shared ones). Lookups
// inside and outside the cluster, of every prefixlen.
TEST(LpmTrie, ClusteredKeysMatchTheModel) {
    for (const uint32_t capacity : {64u, 3000u}) {
        check_against_model(16, capacity, 12'000, capacity, [](std::mt19937& random) {
            std::vector<uint8_t> data(16);
            const uint8_t site[4] = {0x20, 0x01, 0x0d, 0xb8};
            const uint32_t kind = static_cast<uint32_t>(random() % 16);
            for (uint32_t i = 0; i < 16; ++i) data[i] = static_cast<uint8_t>(random() % 3 * 0x55);
            if (kind != 0) std::memcpy(data.data(), site, 4);
            if (kind == 1) data[4] = 0x20;  // a sub-cluster
            uint32_t length = kind == 2 ? static_cast<uint32_t>(random() % 40) : 32 + static_cast<uint32_t>(random() % 97);
            if (random() % 7 == 0) length = 128;
            return std::make_pair(length, data);
        });
    }
    // IPv4 whose cluster moves: first 10/8, then 192.168/16, then back.
    for (const uint32_t capacity : {100u, 1000u}) {
        int phase = 0, step = 0;
        check_against_model(4, capacity, 15'000, capacity + 1, [&](std::mt19937& random) {
            if (++step % 3000 == 0) ++phase;
            std::vector<uint8_t> data = {10, static_cast<uint8_t>(random() % 4), static_cast<uint8_t>(random() % 4 * 64),
                                         static_cast<uint8_t>(random() % 2)};
            if (phase % 2) {
                data[0] = 192;
                data[1] = 168;
            }
            if (random() % 11 == 0) data[0] = static_cast<uint8_t>(random());
            uint32_t length = random() % 9 == 0 ? static_cast<uint32_t>(random() % 17) : 8 + static_cast<uint32_t>(random() % 25);
            return std::make_pair(length, data);
        });
    }
}

TEST(LpmTrie, ConcurrentUpdatesAcrossTheIndex) {
    // Writers insert, replace and delete prefixes of every length (shorter
    // than, equal to and longer than k = 7, /0 and /32 included) whose value
    // names the prefix; readers check that what they get is a prefix that
    // covers their address — never a value of another region, never freed
    // memory (run it under ASan).
    auto map = ipv4_trie(64);
    std::atomic<bool> stop{false};
    std::atomic<uint64_t> bad{0}, seen{0};
    auto encode = [](const Key4& key) { return uint64_t{key.prefixlen} << 32 | (Model::address(key) & Model::mask(key.prefixlen)); };
    std::vector<std::thread> threads;
    for (int t = 0; t < 2; ++t) {
        threads.emplace_back([&, t] {
            std::mt19937 random(static_cast<uint32_t>(t) + 10);
            for (int i = 0; i < 20'000; ++i) {
                Key4 key = random_key(random);
                const uint32_t choice = static_cast<uint32_t>(random() % 10);
                if (choice == 0) key.prefixlen = 0;
                if (choice == 1) key.prefixlen = 32;
                if (choice == 2) key.prefixlen = 6 + static_cast<uint32_t>(random() % 3);
                if (random() % 2) update(*map, key, encode(key));
                else remove(*map, key);
            }
        });
    }
    for (int t = 0; t < 2; ++t) {
        threads.emplace_back([&, t] {
            std::mt19937 random(static_cast<uint32_t>(t) + 99);
            while (!stop.load()) {
                ebpf::CpuScope cpu;
                Key4 probe = random_key(random);
                probe.prefixlen = random() % 4 ? 32 : probe.prefixlen;
                if (auto* value = static_cast<const uint64_t*>(map->lookup_elem(&probe))) {
                    const uint64_t word = __atomic_load_n(value, __ATOMIC_RELAXED);
                    const uint32_t length = static_cast<uint32_t>(word >> 32);
                    if (length > probe.prefixlen || (Model::address(probe) & Model::mask(length)) != static_cast<uint32_t>(word))
                        bad.fetch_add(1);
                    seen.fetch_add(1, std::memory_order_relaxed);
                }
            }
        });
    }
    for (int t = 0; t < 2; ++t) threads[static_cast<size_t>(t)].join();
    stop = true;
    for (size_t t = 2; t < threads.size(); ++t) threads[t].join();
    EXPECT_EQ(bad.load(), 0u) << "of " << seen.load();
    for (const Key4& key : all_keys(*map)) {
        EXPECT_EQ(lookup(*map, key), encode(key));
        EXPECT_EQ(remove(*map, key), 0);
    }
    std::mt19937 random(5);
    for (int i = 0; i < 1000; ++i) EXPECT_EQ(lookup(*map, random_key(random)), std::nullopt);
}

TEST(LpmTrie, ConcurrentReadersWhileTheIndexIsRebuilt) {
    // Writers fill one cluster (10.x, then 192.168.x, ...) and empty the
    // other, so the index's base moves and the index is rebuilt and replaced
    // while readers look up: what they get must cover their address.
    auto map = ipv4_trie(128);
    std::atomic<bool> stop{false};
    std::atomic<uint64_t> bad{0};
    auto encode = [](const Key4& key) { return uint64_t{key.prefixlen} << 32 | (Model::address(key) & Model::mask(key.prefixlen)); };
    auto cluster_key = [](std::mt19937& random, int which) {
        Key4 key{16 + static_cast<uint32_t>(random() % 17),
                 {10, static_cast<uint8_t>(random() % 8), static_cast<uint8_t>(random()), static_cast<uint8_t>(random())}};
        if (which) key.addr[0] = 192, key.addr[1] = static_cast<uint8_t>(168 + random() % 2);
        return key;
    };
    std::thread writer([&] {
        std::mt19937 random(1);
        for (int round = 0; round < 12; ++round) {
            for (int i = 0; i < 400; ++i) {
                const Key4 in = cluster_key(random, round % 2), out = cluster_key(random, 1 - round % 2);
                update(*map, in, encode(in));
                remove(*map, out);
                if (i % 50 == 0) update(*map, {0, {0, 0, 0, 0}}, 0);
                if (i % 50 == 25) remove(*map, {0, {0, 0, 0, 0}});
            }
            for (const Key4& key : all_keys(*map))  // empty the other cluster
                if ((key.addr[0] == 192) == (round % 2 == 0) && key.prefixlen > 0) remove(*map, key);
        }
    });
    std::vector<std::thread> readers;
    for (int t = 0; t < 2; ++t) {
        readers.emplace_back([&, t] {
            std::mt19937 random(static_cast<uint32_t>(t) + 7);
            while (!stop.load()) {
                ebpf::CpuScope cpu;
                Key4 probe = cluster_key(random, static_cast<int>(random() % 2));
                probe.prefixlen = 32;
                if (auto* value = static_cast<const uint64_t*>(map->lookup_elem(&probe))) {
                    const uint64_t word = __atomic_load_n(value, __ATOMIC_RELAXED);
                    const uint32_t length = static_cast<uint32_t>(word >> 32);
                    if (length > 32 || (Model::address(probe) & Model::mask(length)) != static_cast<uint32_t>(word))
                        bad.fetch_add(1);
                }
            }
        });
    }
    writer.join();
    stop = true;
    for (auto& reader : readers) reader.join();
    EXPECT_EQ(bad.load(), 0u);
    for (const Key4& key : all_keys(*map)) EXPECT_EQ(lookup(*map, {32, {key.addr[0], key.addr[1], key.addr[2], key.addr[3]}}).has_value(), true);
}

// --- the kernel as the oracle ------------------------------------------------

std::string describe(const std::vector<Key4>& keys) {
    std::string text;
    for (const Key4& key : keys) {
        text += std::to_string(key.addr[0]) + "." + std::to_string(key.addr[1]) + "." + std::to_string(key.addr[2]) +
                "." + std::to_string(key.addr[3]) + "/" + std::to_string(key.prefixlen) + " ";
    }
    return text;
}

class KernelTrie {
public:
    KernelTrie(uint32_t max_entries) {
        bpf_attr attr{};
        attr.map_type = BPF_MAP_TYPE_LPM_TRIE;
        attr.key_size = 8;
        attr.value_size = 8;
        attr.max_entries = max_entries;
        attr.map_flags = BPF_F_NO_PREALLOC;
        fd_ = static_cast<int>(syscall(__NR_bpf, BPF_MAP_CREATE, &attr, sizeof attr));
    }
    ~KernelTrie() {
        if (fd_ >= 0) close(fd_);
    }
    bool ok() const { return fd_ >= 0; }
    int64_t update(const Key4& key, uint64_t value, uint64_t flags) { return call(BPF_MAP_UPDATE_ELEM, &key, &value, flags); }
    int64_t remove(const Key4& key) { return call(BPF_MAP_DELETE_ELEM, &key, nullptr, 0); }
    std::optional<uint64_t> lookup(const Key4& key) {
        uint64_t value = 0;
        if (call(BPF_MAP_LOOKUP_ELEM, &key, &value, 0) != 0) return std::nullopt;
        return value;
    }
    std::vector<Key4> keys() {
        std::vector<Key4> out;
        Key4 key{}, next{};
        const Key4* previous = nullptr;
        for (;;) {
            bpf_attr attr{};
            attr.map_fd = static_cast<uint32_t>(fd_);
            attr.key = reinterpret_cast<uint64_t>(previous);
            attr.next_key = reinterpret_cast<uint64_t>(&next);
            if (syscall(__NR_bpf, BPF_MAP_GET_NEXT_KEY, &attr, sizeof attr) != 0) break;
            out.push_back(next);
            key = next;
            previous = &key;
        }
        return out;
    }

private:
    int64_t call(int command, const void* key, void* value, uint64_t flags) {
        bpf_attr attr{};
        attr.map_fd = static_cast<uint32_t>(fd_);
        attr.key = reinterpret_cast<uint64_t>(key);
        attr.value = reinterpret_cast<uint64_t>(value);
        attr.flags = flags;
        return syscall(__NR_bpf, command, &attr, sizeof attr) == 0 ? 0 : -errno;
    }
    int fd_ = -1;
};

TEST(LpmTrie, BehavesAsTheKernel) {
    // 48 entries (index k = 7) and 3000 (k = 13, with 7 keys of 8 under
    // 10.0.0.0/8, so the index re-bases on them).
    for (const uint32_t capacity : {48u, 3000u}) {
        SCOPED_TRACE(capacity);
        KernelTrie kernel(capacity);
        if (!kernel.ok()) GTEST_SKIP() << "bpf(BPF_MAP_CREATE) is not allowed here: " << std::strerror(errno);
        auto map = ipv4_trie(capacity);
        std::mt19937 random(3 + capacity);
        for (int step = 0; step < 4'000; ++step) {
            Key4 key = random_key(random);
            if (capacity > 48 && step % 8 != 0) key.addr[0] = 10;
            if (step % 97 == 0) key.prefixlen = 33 + static_cast<uint32_t>(random() % 100);  // hostile
            const uint64_t flags = random() % 4 == 0 ? random() % 3 : 0;
            switch (random() % 4) {
            case 0: ASSERT_EQ(update(*map, key, static_cast<uint64_t>(step), flags), kernel.update(key, static_cast<uint64_t>(step), flags)) << step; break;
            case 1: ASSERT_EQ(remove(*map, key), kernel.remove(key)) << step; break;
            case 2: ASSERT_EQ(lookup(*map, key), kernel.lookup(key)) << step; break;
            default: {
                Key4 probe = key;
                probe.prefixlen = 32;
                ASSERT_EQ(lookup(*map, probe), kernel.lookup(probe)) << step;
            }
            }
            if (step % 500 == 0 || step == 3'999) {
                const std::vector<Key4> ours = all_keys(*map), theirs = kernel.keys();
                ASSERT_EQ(ours.size(), theirs.size()) << step;
                for (size_t i = 0; i < ours.size(); ++i)
                    ASSERT_EQ(std::memcmp(&ours[i], &theirs[i], sizeof(Key4)), 0)
                        << "get_next_key order differs at " << i << ": ours " << describe(ours) << ", the kernel's "
                        << describe(theirs);
            }
        }
    }
}

// --- hostile input -------------------------------------------------------------

TEST(LpmTrie, HugeMaxEntries) {
    // Beyond the map-memory limit: a clear error, not an allocation attempt.
    try {
        ipv4_trie(UINT32_MAX);
        FAIL() << "a trie of 2^32 entries was accepted";
    } catch (const ebpf::Error& e) {
        EXPECT_NE(std::string(e.what()).find("max_map_bytes"), std::string::npos) << e.what();
    }
    // Within it: nodes are allocated on insert only.
    auto map = ipv4_trie(1u << 22);
    EXPECT_EQ(update(*map, {32, {1, 2, 3, 4}}, 1), 0);
    EXPECT_EQ(lookup(*map, {32, {1, 2, 3, 4}}), 1u);
}

TEST(LpmTrie, LongestDataAndDeepChains) {
    // 256 bytes of data (2048-bit prefixes), every prefix length along one
    // path: the deepest trie a user can build, then torn down by deletes and
    // by the destructor.
    constexpr uint32_t kData = 256;
    auto map = ebpf::create_map(definition(MapType::lpm_trie, 4 + kData, 8, 4096));
    std::vector<uint8_t> key(4 + kData, 0xa5);
    auto set_len = [&](uint32_t len) { std::memcpy(key.data(), &len, 4); };
    ebpf::CpuScope cpu;
    for (uint32_t len = 0; len <= kData * 8; len += 1) {
        set_len(len);
        uint64_t value = len;
        ASSERT_EQ(map->update_elem(key.data(), &value, 0), 0) << len;
    }
    set_len(kData * 8);
    auto* found = static_cast<const uint64_t*>(map->lookup_elem(key.data()));
    ASSERT_NE(found, nullptr);
    EXPECT_EQ(*found, kData * 8);
    set_len(kData * 8 + 1);
    uint64_t value = 0;
    EXPECT_EQ(map->update_elem(key.data(), &value, 0), -EINVAL);
    EXPECT_EQ(map->lookup_elem(key.data()), nullptr);
    for (uint32_t len = 0; len < kData * 8; len += 2) {
        set_len(len);
        ASSERT_EQ(map->delete_elem(key.data()), 0) << len;
    }
    set_len(kData * 8);
    found = static_cast<const uint64_t*>(map->lookup_elem(key.data()));
    ASSERT_NE(found, nullptr);
    EXPECT_EQ(*found, kData * 8);
}

TEST(LpmTrie, ConcurrentWritersAndReaders) {
    // Writers insert and delete nested prefixes whose value is their length;
    // readers must only ever see a value that is a stored prefix's length
    // covering their address (never freed or torn memory).
    auto map = ipv4_trie(1024);
    std::atomic<bool> stop{false};
    std::atomic<uint64_t> bad{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 3; ++t) {
        threads.emplace_back([&, t] {
            std::mt19937 random(static_cast<uint32_t>(t));
            for (int i = 0; i < 20'000; ++i) {
                const uint32_t len = static_cast<uint32_t>(random() % 33);
                Key4 key{len, {10, static_cast<uint8_t>(random() % 4), static_cast<uint8_t>(t), 1}};
                if (random() % 2) update(*map, key, len);
                else remove(*map, key);
            }
        });
    }
    for (int t = 0; t < 2; ++t) {
        threads.emplace_back([&] {
            std::mt19937 random(99);
            while (!stop.load()) {
                ebpf::CpuScope cpu;
                Key4 key{32, {10, static_cast<uint8_t>(random() % 4), static_cast<uint8_t>(random() % 3), 1}};
                if (auto* value = static_cast<const uint64_t*>(map->lookup_elem(&key))) {
                    if (__atomic_load_n(value, __ATOMIC_RELAXED) > 32) bad.fetch_add(1);
                }
            }
        });
    }
    for (int t = 0; t < 3; ++t) threads[static_cast<size_t>(t)].join();
    stop = true;
    for (size_t t = 3; t < threads.size(); ++t) threads[t].join();
    EXPECT_EQ(bad.load(), 0u);
    for (const Key4& key : all_keys(*map)) EXPECT_EQ(lookup(*map, key), key.prefixlen);
}

}  // namespace
