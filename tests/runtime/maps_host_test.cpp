// Every map type through the host API: Linux semantics of update flags,
// errors, iteration, per-CPU layout, and clear errors for misuse.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <thread>

#include "ebpf/error.hpp"
#include "test_support.hpp"

using namespace runtime_test;
using ebpf::MapType;

namespace {

std::vector<uint8_t> u32(uint32_t v) { return bytes_of(v); }
std::vector<uint8_t> u64(uint64_t v) { return bytes_of(v); }

TEST(MapsHost, ArrayHasEveryIndexAndRejectsDeleteAndNoExist) {
    auto map = ebpf::create_map(definition(MapType::array, 4, 8, 4));
    EXPECT_EQ(value_of<uint64_t>(*map->lookup(u32(3))), 0u);
    EXPECT_FALSE(map->lookup(u32(4)));
    map->update(u32(2), u64(77));
    EXPECT_EQ(value_of<uint64_t>(*map->lookup(u32(2))), 77u);
    EXPECT_THROW(map->update(u32(2), u64(1), ebpf::kUpdateNoExist), ebpf::Error);
    EXPECT_THROW(map->update(u32(9), u64(1)), ebpf::Error);
    EXPECT_THROW(map->remove(u32(1)), ebpf::Error);
    auto keys = map->keys();
    ASSERT_EQ(keys.size(), 4u);
    EXPECT_EQ(value_of<uint32_t>(keys[3]), 3u);
    // next_key of an out-of-range key starts over, as Linux.
    EXPECT_EQ(value_of<uint32_t>(*map->next_key(u32(100))), 0u);
}

TEST(MapsHost, HashFlagsAndIteration) {
    auto map = ebpf::create_map(definition(MapType::hash, 4, 8, 3));
    map->update(u32(1), u64(10), ebpf::kUpdateNoExist);
    try {
        map->update(u32(1), u64(11), ebpf::kUpdateNoExist);
        FAIL();
    } catch (const ebpf::Error& e) {
        EXPECT_NE(std::string(e.what()).find("EEXIST"), std::string::npos) << e.what();
    }
    EXPECT_THROW(map->update(u32(2), u64(1), ebpf::kUpdateExist), ebpf::Error);
    map->update(u32(1), u64(12), ebpf::kUpdateExist);
    EXPECT_EQ(value_of<uint64_t>(*map->lookup(u32(1))), 12u);
    map->update(u32(2), u64(20));
    map->update(u32(3), u64(30));
    try {
        map->update(u32(4), u64(40));
        FAIL();
    } catch (const ebpf::Error& e) {
        EXPECT_NE(std::string(e.what()).find("E2BIG"), std::string::npos) << e.what();
    }
    std::set<uint32_t> keys;
    for (auto& key : map->keys()) keys.insert(value_of<uint32_t>(key));
    EXPECT_EQ(keys, (std::set<uint32_t>{1, 2, 3}));
    EXPECT_TRUE(map->remove(u32(2)));
    EXPECT_FALSE(map->remove(u32(2)));
    EXPECT_FALSE(map->lookup(u32(2)));
    map->update(u32(4), u64(40));  // room again after the delete
    EXPECT_EQ(map->keys().size(), 3u);
}

TEST(MapsHost, HashManyKeysSurviveDeletesAndReuse) {
    auto map = ebpf::create_map(definition(MapType::hash, 8, 16, 1000));
    for (uint64_t round = 0; round < 3; ++round) {
        for (uint64_t k = 0; k < 1000; ++k) {
            std::vector<uint8_t> value(16, static_cast<uint8_t>(k + round));
            map->update(u64(k), value);
        }
        for (uint64_t k = 0; k < 1000; k += 2) EXPECT_TRUE(map->remove(u64(k)));
        for (uint64_t k = 1; k < 1000; k += 2) {
            auto value = map->lookup(u64(k));
            ASSERT_TRUE(value);
            EXPECT_EQ((*value)[15], static_cast<uint8_t>(k + round));
        }
        for (uint64_t k = 1; k < 1000; k += 2) map->remove(u64(k));
        EXPECT_TRUE(map->keys().empty());
    }
}

TEST(MapsHost, PerCpuValuesUseLibbpfLayout) {
    uint32_t cpus = ebpf::possible_cpus();
    auto array = ebpf::create_map(definition(MapType::percpu_array, 4, 4, 2));
    EXPECT_EQ(array->host_value_size(), 8 * cpus);  // 4 rounded to 8, per CPU
    std::vector<uint8_t> all(8 * cpus);
    for (uint32_t cpu = 0; cpu < cpus; ++cpu) all[cpu * 8] = static_cast<uint8_t>(cpu + 1);
    array->update(u32(1), all);
    EXPECT_EQ(*array->lookup(u32(1)), all);
    EXPECT_THROW(array->update(u32(1), u64(1)), ebpf::Error);  // one CPU's worth is the wrong size

    auto hash = ebpf::create_map(definition(MapType::percpu_hash, 4, 8, 4));
    hash->update(u32(5), all);
    EXPECT_EQ(*hash->lookup(u32(5)), all);
    // A program on this thread sees its own CPU's slot.
    ebpf::CpuScope scope;
    uint32_t key = 5;
    auto* mine = static_cast<uint8_t*>(hash->lookup_elem(&key));
    ASSERT_NE(mine, nullptr);
    EXPECT_EQ(mine[0], ebpf::current_cpu() + 1);
}

TEST(MapsHost, LruEvictsTheLeastRecentlyUsed) {
    auto map = ebpf::create_map(definition(MapType::lru_hash, 4, 4, 4));
    for (uint32_t k = 0; k < 4; ++k) map->update(u32(k), u32(k));
    {
        ebpf::CpuScope scope;  // program-side lookups refresh recency
        uint32_t key = 0;
        ASSERT_NE(map->lookup_elem(&key), nullptr);
    }
    map->update(u32(4), u32(4));  // full: evicts 1, the oldest untouched
    EXPECT_TRUE(map->lookup(u32(0)));
    EXPECT_FALSE(map->lookup(u32(1)));
    EXPECT_TRUE(map->lookup(u32(4)));
    EXPECT_EQ(map->keys().size(), 4u);

    auto percpu = ebpf::create_map(definition(MapType::lru_percpu_hash, 4, 8, 2));
    std::vector<uint8_t> value(8 * ebpf::possible_cpus(), 1);
    for (uint32_t k = 0; k < 5; ++k) percpu->update(u32(k), value);
    EXPECT_EQ(percpu->keys().size(), 2u);
    EXPECT_TRUE(percpu->lookup(u32(4)));
}

// Program-side update/delete codes (inside a run, as helpers call them).
int64_t prog_update(ebpf::Map& map, uint32_t key, uint64_t value, uint64_t flags = ebpf::kUpdateAny) {
    return map.update_elem(&key, &value, flags);
}
int64_t prog_delete(ebpf::Map& map, uint32_t key) { return map.delete_elem(&key); }

TEST(MapsHost, LruFullMapWhereEveryEntryIsReferenced) {
    // Every entry looked up since the last eviction: CLOCK gives each a second
    // chance, and an insert must still evict one (and quickly: the scan is bounded).
    for (MapType type : {MapType::lru_hash, MapType::lru_percpu_hash}) {
        auto map = ebpf::create_map(definition(type, 4, 8, 256));
        ebpf::CpuScope scope;
        for (uint32_t k = 0; k < 256; ++k) ASSERT_EQ(prog_update(*map, k, k), 0);
        for (uint32_t round = 0; round < 4; ++round) {
            for (uint32_t k = 0; k < 256 + 1000 * round; ++k) map->lookup_elem(&k);  // reference all live keys
            for (uint32_t k = 1000 * (round + 1); k < 1000 * (round + 1) + 300; ++k) {
                ASSERT_EQ(prog_update(*map, k, k), 0) << k;
                ASSERT_NE(map->lookup_elem(&k), nullptr) << "a fresh insert was evicted at once";
            }
            EXPECT_EQ(map->keys().size(), 256u);
        }
    }
}

TEST(MapsHost, MaxEntriesOne) {
    for (MapType type : {MapType::hash, MapType::percpu_hash}) {
        auto map = ebpf::create_map(definition(type, 4, 8, 1));
        ebpf::CpuScope scope;
        // Deleted elements cannot be reused inside this run (a lookup's pointer
        // stays valid), yet the capacity comes back at once.
        for (uint32_t k = 0; k < 100; ++k) {
            ASSERT_EQ(prog_update(*map, k, k), 0);
            ASSERT_EQ(prog_update(*map, k + 1000, k), -E2BIG);
            ASSERT_EQ(prog_update(*map, k, k + 1, ebpf::kUpdateExist), 0);
            ASSERT_EQ(prog_delete(*map, k), 0);
            ASSERT_EQ(prog_delete(*map, k), -ENOENT);
        }
        EXPECT_TRUE(map->keys().empty());
    }
    for (MapType type : {MapType::lru_hash, MapType::lru_percpu_hash}) {
        auto map = ebpf::create_map(definition(type, 4, 8, 1));
        ebpf::CpuScope scope;
        for (uint32_t k = 0; k < 100; ++k) {
            ASSERT_EQ(prog_update(*map, k, k), 0);  // evicts k - 1
            uint32_t previous = k - 1;
            if (k > 0) {
                EXPECT_EQ(map->lookup_elem(&previous), nullptr);
            }
            ASSERT_NE(map->lookup_elem(&k), nullptr);
            ASSERT_EQ(map->keys().size(), 1u);
        }
        ASSERT_EQ(prog_delete(*map, 99), 0);
        EXPECT_TRUE(map->keys().empty());
        ASSERT_EQ(prog_update(*map, 7, 7, ebpf::kUpdateNoExist), 0);
    }
}

TEST(MapsHost, CapacityComesBackAfterDeletesFromAnotherCpu) {
    // Entries inserted on one CPU slot and deleted on another: the map's
    // capacity is exactly max_entries again, whoever holds it.
    if (ebpf::possible_cpus() < 2) GTEST_SKIP() << "needs 2 CPU slots (EBPF_NUM_CPUS)";
    auto map = ebpf::create_map(definition(MapType::hash, 4, 8, 100));
    ebpf::CpuScope scope;
    uint32_t mine = ebpf::current_cpu();
    for (uint32_t k = 0; k < 100; ++k) ASSERT_EQ(prog_update(*map, k, k), 0);
    ASSERT_EQ(prog_update(*map, 100, 0), -E2BIG);
    std::thread([&] {
        ebpf::CpuScope other;  // another slot: ours is taken
        ASSERT_NE(ebpf::current_cpu(), mine);
        for (uint32_t k = 0; k < 100; ++k) ASSERT_EQ(prog_delete(*map, k), 0);
    }).join();
    for (uint32_t k = 200; k < 300; ++k) ASSERT_EQ(prog_update(*map, k, k), 0) << k;
    EXPECT_EQ(prog_update(*map, 300, 0), -E2BIG);
    EXPECT_EQ(map->keys().size(), 100u);
}

TEST(MapsHost, LruCommonListEvictsTheOldestOfAnyCpu) {
    // Four old entries from this CPU, four newer from another; four more
    // inserts from the other CPU evict: the common LRU (Linux's default)
    // takes the oldest of the map, BPF_F_NO_COMMON_LRU the inserting CPU's
    // own oldest.
    if (ebpf::possible_cpus() < 2) GTEST_SKIP() << "needs 2 CPU slots (EBPF_NUM_CPUS)";
    for (bool own : {false, true}) {
        // Per-CPU LRU: 4 entries per CPU.
        ebpf::MapDefinition d = definition(MapType::lru_hash, 4, 8, own ? 4 * ebpf::possible_cpus() : 8);
        if (own) d.map_flags = ebpf::kMapFlagNoCommonLru;
        auto map = ebpf::create_map(d);
        ebpf::CpuScope scope;
        uint32_t mine = ebpf::current_cpu();
        for (uint32_t k = 0; k < 4; ++k) ASSERT_EQ(prog_update(*map, k, k), 0);
        std::thread([&] {
            ebpf::CpuScope other;
            ASSERT_NE(ebpf::current_cpu(), mine);
            for (uint32_t k = 100; k < 108; ++k) ASSERT_EQ(prog_update(*map, k, k), 0);
        }).join();
        EXPECT_EQ(map->keys().size(), 8u);
        for (uint32_t k = 0; k < 4; ++k) EXPECT_EQ(map->lookup_elem(&k) != nullptr, own) << k << (own ? " own" : " common");
        for (uint32_t k = 100; k < 104; ++k) EXPECT_EQ(map->lookup_elem(&k) == nullptr, own) << k;
        for (uint32_t k = 104; k < 108; ++k) EXPECT_NE(map->lookup_elem(&k), nullptr) << k;
    }
    // Linux's per-CPU LRU: max_entries rounded up to a multiple of the CPUs,
    // each CPU holding its share (inserts past it evict its own entries).
    {
        const uint32_t cpus = ebpf::possible_cpus();
        ebpf::MapDefinition d = definition(MapType::lru_hash, 4, 8, 2 * cpus - 1);
        d.map_flags = ebpf::kMapFlagNoCommonLru;
        auto map = ebpf::create_map(d);
        EXPECT_EQ(map->max_entries(), 2 * cpus);
        ebpf::CpuScope scope;
        for (uint32_t k = 0; k < 10; ++k) ASSERT_EQ(prog_update(*map, k, k), 0);
        EXPECT_EQ(map->keys().size(), 2u);
        uint32_t newest = 9;
        EXPECT_NE(map->lookup_elem(&newest), nullptr);
        ASSERT_EQ(prog_delete(*map, 9), 0);
        EXPECT_EQ(map->keys().size(), 1u);
    }
    // Linux: BPF_F_NO_COMMON_LRU on a map that is not an LRU hash is EINVAL.
    ebpf::MapDefinition plain = definition(MapType::hash, 4, 8, 8);
    plain.map_flags = ebpf::kMapFlagNoCommonLru;
    EXPECT_THROW(ebpf::create_map(plain), ebpf::Error);
}

TEST(MapsHost, QueueIsFifoStackIsLifo) {
    auto queue = ebpf::create_map(definition(MapType::queue, 0, 4, 3));
    auto stack = ebpf::create_map(definition(MapType::stack, 0, 4, 3));
    for (uint32_t v : {1u, 2u, 3u}) {
        queue->push(u32(v));
        stack->push(u32(v));
    }
    EXPECT_THROW(queue->push(u32(4)), ebpf::Error);  // full
    queue->push(u32(4), ebpf::kUpdateExist);         // full + BPF_EXIST: drops the oldest
    EXPECT_EQ(value_of<uint32_t>(*queue->peek()), 2u);
    EXPECT_EQ(value_of<uint32_t>(*queue->pop()), 2u);
    EXPECT_EQ(value_of<uint32_t>(*stack->pop()), 3u);
    EXPECT_EQ(value_of<uint32_t>(*stack->pop()), 2u);
    EXPECT_EQ(value_of<uint32_t>(*stack->pop()), 1u);
    EXPECT_FALSE(stack->pop());
    EXPECT_EQ(value_of<uint32_t>(*queue->lookup({})), 3u);  // lookup without key = peek
    EXPECT_THROW(ebpf::create_map(definition(MapType::queue, 4, 4, 3)), ebpf::Error);
}

struct LpmKey {
    uint32_t prefixlen;
    uint8_t addr[4];
};

TEST(MapsHost, LpmTrieLongestPrefixMatch) {
    auto map = ebpf::create_map(definition(MapType::lpm_trie, 8, 4, 8));
    map->update(bytes_of(LpmKey{8, {10, 0, 0, 0}}), u32(8));
    map->update(bytes_of(LpmKey{24, {10, 1, 2, 0}}), u32(24));
    map->update(bytes_of(LpmKey{16, {10, 1, 99, 99}}), u32(16));  // host bits beyond the prefix are ignored
    EXPECT_EQ(value_of<uint32_t>(*map->lookup(bytes_of(LpmKey{32, {10, 1, 2, 3}}))), 24u);
    EXPECT_EQ(value_of<uint32_t>(*map->lookup(bytes_of(LpmKey{32, {10, 1, 3, 3}}))), 16u);
    EXPECT_EQ(value_of<uint32_t>(*map->lookup(bytes_of(LpmKey{32, {10, 9, 9, 9}}))), 8u);
    EXPECT_FALSE(map->lookup(bytes_of(LpmKey{32, {11, 0, 0, 0}})));
    EXPECT_THROW(map->update(bytes_of(LpmKey{16, {10, 1, 0, 0}}), u32(1), ebpf::kUpdateNoExist), ebpf::Error);
    EXPECT_THROW(map->update(bytes_of(LpmKey{33, {10, 1, 0, 0}}), u32(1)), ebpf::Error);
    EXPECT_EQ(map->keys().size(), 3u);
    EXPECT_TRUE(map->remove(bytes_of(LpmKey{24, {10, 1, 2, 0}})));
    EXPECT_EQ(value_of<uint32_t>(*map->lookup(bytes_of(LpmKey{32, {10, 1, 2, 3}}))), 16u);
}

TEST(MapsHost, RingBufferRecordsInOrderSkippingDiscarded) {
    auto def = definition(MapType::ringbuf, 0, 0, 4096);
    auto map = ebpf::create_map(def);
    {
        ebpf::CpuScope scope;
        auto& helpers = ebpf::helper_table();
        auto reserve = helpers.find(ebpf::helper_id::ringbuf_reserve);
        auto submit = helpers.find(ebpf::helper_id::ringbuf_submit);
        auto discard = helpers.find(ebpf::helper_id::ringbuf_discard);
        auto address = reinterpret_cast<uint64_t>(map.get());
        for (uint32_t i = 0; i < 3; ++i) {
            uint64_t record = reserve(address, 4, 0, 0, 0);
            ASSERT_NE(record, 0u);
            std::memcpy(reinterpret_cast<void*>(record), &i, 4);
            (i == 1 ? discard : submit)(record, 0, 0, 0, 0);
        }
        EXPECT_EQ(ebpf::ringbuf_available(*map), 3u * 16);
    }
    std::vector<uint32_t> seen;
    size_t count = ebpf::ringbuf_consume(*map, [&](std::span<const uint8_t> record) {
        ASSERT_EQ(record.size(), 4u);
        uint32_t v;
        std::memcpy(&v, record.data(), 4);
        seen.push_back(v);
    });
    EXPECT_EQ(count, 2u);
    EXPECT_EQ(seen, (std::vector<uint32_t>{0, 2}));
    EXPECT_EQ(ebpf::ringbuf_available(*map), 0u);
}

TEST(MapsHost, RingBufferFullAndWrapsAround) {
    auto map = ebpf::create_map(definition(MapType::ringbuf, 0, 0, 4096));
    auto* ring = map.get();
    auto output = ebpf::helper_table().find(ebpf::helper_id::ringbuf_output);
    ebpf::CpuScope scope;
    std::vector<uint8_t> payload(1000);
    size_t total = 0;
    for (int round = 0; round < 20; ++round) {
        for (auto& b : payload) b = static_cast<uint8_t>(round);
        // 1008 bytes per record: four fit in 4096, the fifth finds it full.
        int written = 0;
        while (output(reinterpret_cast<uint64_t>(ring), reinterpret_cast<uint64_t>(payload.data()), payload.size(), 0, 0) == 0)
            ++written;
        EXPECT_GE(written, round == 0 ? 4 : 1);
        ebpf::ringbuf_consume(*map, [&](std::span<const uint8_t> record) {
            EXPECT_EQ(record.size(), 1000u);
            EXPECT_TRUE(std::all_of(record.begin(), record.end(), [&](uint8_t b) { return b == record[0]; }));
            ++total;
        });
    }
    EXPECT_GT(total, 20u);
    EXPECT_THROW(ebpf::create_map(definition(MapType::ringbuf, 0, 0, 1000)), ebpf::Error);
    auto array = ebpf::create_map(definition(MapType::array, 4, 4, 1));
    EXPECT_THROW(ebpf::ringbuf_consume(*array, [](std::span<const uint8_t>) {}), ebpf::Error);
}

TEST(MapsHost, ArrayAndHashOfMapsHoldMapIds) {
    std::vector<ebpf::MapDefinition> defs = {
        definition(MapType::array, 4, 4, 2, "inner_template"),
        definition(MapType::array_of_maps, 4, 4, 2, "outer_array"),
        definition(MapType::hash_of_maps, 4, 4, 2, "outer_hash"),
    };
    defs[0].inner_template = true;
    defs[1].inner_map = 0;
    defs[2].inner_map = 0;
    auto maps = ebpf::create_maps(defs);
    ASSERT_EQ(maps[0], nullptr);  // templates are not maps
    auto inner = ebpf::create_map(definition(MapType::array, 4, 4, 2, "inner"));
    inner->update(u32(0), u32(1234));
    maps[1]->update(u32(1), u32(inner->id()));
    EXPECT_EQ(value_of<uint32_t>(*maps[1]->lookup(u32(1))), inner->id());
    EXPECT_FALSE(maps[1]->lookup(u32(0)));
    maps[2]->update(u32(77), u32(inner->id()));
    {
        ebpf::CpuScope scope;
        uint32_t key = 77, zero = 0;
        auto* found = static_cast<ebpf::Map*>(maps[2]->lookup_elem(&key));
        ASSERT_EQ(found, inner.get());
        EXPECT_EQ(*static_cast<uint32_t*>(found->lookup_elem(&zero)), 1234u);
    }
    auto wrong = ebpf::create_map(definition(MapType::hash, 4, 4, 2, "wrong"));
    EXPECT_THROW(maps[1]->update(u32(0), u32(wrong->id())), ebpf::Error);  // does not match the template
    EXPECT_THROW(maps[1]->update(u32(0), u32(999999)), ebpf::Error);       // no such map
    EXPECT_TRUE(maps[2]->remove(u32(77)));
    EXPECT_FALSE(maps[2]->lookup(u32(77)));
    std::weak_ptr<ebpf::Map> weak = inner;
    maps[1]->remove(u32(1));
    inner.reset();
    maps.clear();
    EXPECT_TRUE(weak.expired());  // released once nothing holds it
}

TEST(MapsHost, MisuseGivesClearErrors) {
    auto map = ebpf::create_map(definition(MapType::hash, 4, 8, 4, "counts"));
    try {
        map->update(u64(1), u64(1));
        FAIL();
    } catch (const ebpf::Error& e) {
        EXPECT_STREQ(e.what(), "map 'counts': key size is 4 bytes, got 8");
    }
    try {
        map->update(u32(1), u32(1));
        FAIL();
    } catch (const ebpf::Error& e) {
        EXPECT_STREQ(e.what(), "map 'counts': value size is 8 bytes, got 4");
    }
    EXPECT_THROW(map->update(u32(1), u64(1), 7), ebpf::Error);
    EXPECT_THROW(map->push(u64(1)), ebpf::Error);
    EXPECT_THROW(ebpf::create_map(definition(MapType::array, 8, 4, 1)), ebpf::Error);
    EXPECT_THROW(ebpf::create_map(definition(MapType::hash, 4, 0, 1)), ebpf::Error);
    EXPECT_THROW(ebpf::create_map(definition(MapType::unspec, 4, 4, 1)), ebpf::Error);
    EXPECT_EQ(ebpf::find_map_by_id(map->id()), map);
}

}  // namespace
