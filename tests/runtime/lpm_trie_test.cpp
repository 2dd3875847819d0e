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
    KernelTrie kernel(48);
    if (!kernel.ok()) GTEST_SKIP() << "bpf(BPF_MAP_CREATE) is not allowed here: " << std::strerror(errno);
    auto map = ipv4_trie(48);
    std::mt19937 random(3);
    for (int step = 0; step < 4'000; ++step) {
        Key4 key = random_key(random);
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
