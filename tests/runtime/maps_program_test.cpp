// Every map type through eBPF C programs (tests/programs/maps_all.c), the
// results checked from the host, in every mode the build offers.
#include <gtest/gtest.h>

#include "ebpf/error.hpp"
#include "test_support.hpp"

using namespace runtime_test;

namespace {

class MapsProgram : public ::testing::TestWithParam<ebpf::ExecMode> {
protected:
    void SetUp() override { object = load("maps_all", GetParam()); }
    int64_t run(const char* program, uint32_t key) { return run_with_key(object->program(program), key); }
    std::unique_ptr<ebpf::LoadedObject> object;
};

TEST_P(MapsProgram, Hash) {
    EXPECT_EQ(run("hook/hash", 7), 1);
    EXPECT_EQ(run("hook/hash", 7), 2);
    EXPECT_EQ(run("hook/hash", 8), 1);
    EXPECT_EQ(value_of<uint64_t>(*object->map("hash_map").lookup(bytes_of(uint32_t{7}))), 2u);
    uint8_t short_buffer[2] = {};
    EXPECT_EQ(static_cast<int64_t>(object->program("hook/hash").run(short_buffer, 2)), -1);
}

TEST_P(MapsProgram, Array) {
    EXPECT_EQ(run("hook/array", 21), 42);
    EXPECT_EQ(value_of<uint32_t>(*object->map("array_map").lookup(bytes_of(uint32_t{21 % 16}))), 42u);
}

TEST_P(MapsProgram, PerCpuArrayAndHash) {
    for (uint32_t k : {3u, 4u}) EXPECT_EQ(run("hook/percpu", k), 0);
    auto sum = [](const std::vector<uint8_t>& all) {
        uint64_t total = 0;
        for (size_t cpu = 0; cpu < all.size() / 8; ++cpu) total += value_of<uint64_t>({all.begin() + 8 * cpu, all.end()});
        return total;
    };
    EXPECT_EQ(sum(*object->map("percpu_array_map").lookup(bytes_of(uint32_t{0}))), 7u);
    EXPECT_EQ(sum(*object->map("percpu_hash_map").lookup(bytes_of(uint32_t{0}))), 7u);
}

TEST_P(MapsProgram, LruEvicts) {
    EXPECT_EQ(run("hook/lru", 1), 0);
    EXPECT_EQ(run("hook/lru", 1), 1);
    for (uint32_t k = 2; k < 20; ++k) run("hook/lru", k);
    EXPECT_EQ(object->map("lru_map").keys().size(), 8u);  // max_entries
    EXPECT_FALSE(object->map("lru_map").lookup(bytes_of(uint64_t{1})));
    EXPECT_EQ(run("hook/lru", 19), 1);
}

TEST_P(MapsProgram, RingBuffer) {
    for (uint32_t k = 0; k < 3; ++k) EXPECT_EQ(run("hook/ringbuf", k), 0);
    std::vector<std::pair<uint32_t, uint32_t>> events;
    ebpf::ringbuf_consume(object->map("events"), [&](std::span<const uint8_t> record) {
        ASSERT_EQ(record.size(), 8u);
        uint32_t key, len;
        std::memcpy(&key, record.data(), 4);
        std::memcpy(&len, record.data() + 4, 4);
        events.emplace_back(key, len);
    });
    EXPECT_EQ(events, (std::vector<std::pair<uint32_t, uint32_t>>{{0, 8}, {1, 8}, {2, 8}}));
    // 4096 bytes hold 256 records of 16 bytes; then it reports full (1).
    int64_t last = 0;
    for (int i = 0; i < 300 && last == 0; ++i) last = run("hook/ringbuf", 1);
    EXPECT_EQ(last, 1);
}

TEST_P(MapsProgram, QueueAndStack) {
    EXPECT_EQ(static_cast<uint64_t>(run("hook/queue_stack", 5)), (5ull << 32) | 5);
    object->map("queue_map").push(bytes_of(uint32_t{1}));
    object->map("stack_map").push(bytes_of(uint32_t{1}));
    // Queue: the oldest (1) comes out; stack: the newest (9).
    EXPECT_EQ(static_cast<uint64_t>(run("hook/queue_stack", 9)), (1ull << 32) | 9);
}

TEST_P(MapsProgram, LpmTrie) {
    struct Key {
        uint32_t prefixlen;
        uint8_t addr[4];
    };
    auto& lpm = object->map("lpm_map");
    lpm.update(bytes_of(Key{16, {192, 168, 0, 0}}), bytes_of(uint32_t{16}));
    lpm.update(bytes_of(Key{24, {192, 168, 7, 0}}), bytes_of(uint32_t{24}));
    auto address = [](uint8_t a, uint8_t b, uint8_t c, uint8_t d) {
        uint8_t bytes[4] = {a, b, c, d};
        uint32_t v;
        std::memcpy(&v, bytes, 4);
        return v;
    };
    EXPECT_EQ(run("hook/lpm", address(192, 168, 7, 1)), 24);
    EXPECT_EQ(run("hook/lpm", address(192, 168, 8, 1)), 16);
    // `value ? *value : -2` has type __u32 in C: -2 arrives as 0xfffffffe.
    EXPECT_EQ(run("hook/lpm", address(10, 0, 0, 1)), 0xfffffffe);
}

TEST_P(MapsProgram, MapInMap) {
    // outer_array = {inner_a, inner_b} statically; outer_hash is empty.
    object->map("inner_a").update(bytes_of(uint32_t{0}), bytes_of(uint32_t{100}));
    object->map("inner_b").update(bytes_of(uint32_t{0}), bytes_of(uint32_t{200}));
    EXPECT_EQ(run("hook/map_in_map", 2), 100);
    EXPECT_EQ(run("hook/map_in_map", 3), 200);
    object->map("outer_array").remove(bytes_of(uint32_t{1}));
    EXPECT_EQ(run("hook/map_in_map", 3), -2);
    ebpf::MapDefinition inner_definition;
    inner_definition.name = "inner_hash";
    inner_definition.type = ebpf::MapType::hash;
    inner_definition.key_size = 4;
    inner_definition.value_size = 8;
    inner_definition.max_entries = 16;
    auto inner = ebpf::create_map(inner_definition);
    inner->update(bytes_of(uint32_t{3}), bytes_of(uint64_t{333}));
    object->map("outer_hash").update(bytes_of(uint32_t{3}), bytes_of(inner->id()));
    EXPECT_EQ(run("hook/map_in_map", 3), 333);
}

std::vector<ebpf::ExecMode> modes() {
    std::vector<ebpf::ExecMode> all{ebpf::ExecMode::interpret};
    all.push_back(ebpf::ExecMode::jit);
    all.push_back(ebpf::ExecMode::native);
    return all;
}

INSTANTIATE_TEST_SUITE_P(Modes, MapsProgram, ::testing::ValuesIn(modes()),
                         [](const auto& info) { return std::string(ebpf::exec_mode_name(info.param)); });

}  // namespace
