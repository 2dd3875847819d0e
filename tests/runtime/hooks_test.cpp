// Named hooks and the C API (ebpf.h).
#include <gtest/gtest.h>

#include <cerrno>

#include "ebpf/ebpf.h"
#include "ebpf/error.hpp"
#include "test_support.hpp"

using namespace runtime_test;

namespace {

struct Header {
    uint32_t magic;
    uint16_t version;
    uint16_t flags;
};

TEST(Hooks, AttachRunDetach) {
    auto object = load("hook_buffer");
    Header header{0xEB9F0001, 7, 0};
    EXPECT_FALSE(ebpf::run_hook("header", &header, sizeof(header)));
    {
        ebpf::HookLink link = ebpf::attach_hook(object->program("hook/header"));  // hook name from the section
        EXPECT_EQ(ebpf::run_hook("header", &header, sizeof(header)), 7u);
        EXPECT_EQ(static_cast<int64_t>(*ebpf::run_hook("header", &header, 4)), -1);
        header.magic = 0;
        EXPECT_EQ(static_cast<int64_t>(*ebpf::run_hook("header", &header, sizeof(header))), -2);
    }
    EXPECT_FALSE(ebpf::run_hook("header", &header, sizeof(header)));  // detached with the link
}

TEST(Hooks, SeveralProgramsRunInAttachOrderAndUnloadDetaches) {
    auto object = load("hook_buffer");
    auto other = load("subprograms");
    auto first = ebpf::attach_hook(object->program("hook/checksum"), "pipeline");
    auto second = ebpf::attach_hook(other->program("hook/calls"), "pipeline");
    uint8_t bytes[3] = {1, 2, 3};
    EXPECT_EQ(ebpf::run_hook("pipeline", bytes, 3), 9u + 3 + 3);  // the last program's result: len² + len + 3
    other.reset();  // unloading detaches
    EXPECT_EQ(ebpf::run_hook("pipeline", bytes, 3), 6u);
    EXPECT_THROW(ebpf::attach_hook(load("xdp_parse")->program("xdp")), ebpf::Error);
}

TEST(CApi, LoadRunMapsHooks) {
    ebpf_object* object = ebpf_object_load(program_path("maps_all").c_str(), "interpret");
    ASSERT_NE(object, nullptr) << ebpf_last_error();
    ebpf_program* program = ebpf_object_find_program(object, "hook/hash");
    ASSERT_NE(program, nullptr);
    EXPECT_STREQ(ebpf_program_name(program), "use_hash");
    uint32_t key = 5;
    uint64_t result = 0;
    ASSERT_EQ(ebpf_program_run(program, &key, sizeof(key), &result), 0) << ebpf_last_error();
    EXPECT_EQ(result, 1u);
    ebpf_map* map = ebpf_object_find_map(object, "hash_map");
    ASSERT_NE(map, nullptr);
    uint64_t value = 0;
    ASSERT_EQ(ebpf_map_lookup(map, &key, sizeof(key), &value, sizeof(value)), 0);
    EXPECT_EQ(value, 1u);
    value = 41;
    EXPECT_EQ(ebpf_map_update(map, &key, sizeof(key), &value, sizeof(value), EBPF_EXIST), 0);
    EXPECT_EQ(ebpf_map_update(map, &key, sizeof(key), &value, sizeof(value), EBPF_NOEXIST), -EINVAL);
    EXPECT_NE(std::string(ebpf_last_error()).find("EEXIST"), std::string::npos);
    EXPECT_EQ(ebpf_map_lookup(map, &key, 2, &value, sizeof(value)), -EINVAL);
    EXPECT_STREQ(ebpf_last_error(), "map 'hash_map': key size is 4 bytes, got 2");
    uint32_t next = 0;
    EXPECT_EQ(ebpf_map_next_key(map, nullptr, &next, sizeof(next)), 0);
    EXPECT_EQ(next, 5u);
    EXPECT_EQ(ebpf_map_next_key(map, &next, &next, sizeof(next)), -ENOENT);
    EXPECT_EQ(ebpf_map_delete(map, &key, sizeof(key)), 0);
    EXPECT_EQ(ebpf_map_delete(map, &key, sizeof(key)), -ENOENT);

    ebpf_hook_link* link = ebpf_hook_attach(program, "c_api_hook");
    ASSERT_NE(link, nullptr) << ebpf_last_error();
    EXPECT_EQ(ebpf_hook_run("c_api_hook", &key, sizeof(key), &result), 0);
    EXPECT_EQ(result, 1u);
    ebpf_hook_detach(link);
    EXPECT_EQ(ebpf_hook_run("c_api_hook", &key, sizeof(key), &result), -ENOENT);

    ebpf_program* ring_program = ebpf_object_find_program(object, "hook/ringbuf");
    ASSERT_EQ(ebpf_program_run(ring_program, &key, sizeof(key), &result), 0);
    size_t record_bytes = 0;
    int records = ebpf_ringbuf_consume(ebpf_object_find_map(object, "events"),
                                       [](void* user, const void*, size_t size) { *static_cast<size_t*>(user) += size; },
                                       &record_bytes);
    EXPECT_EQ(records, 1);
    EXPECT_GT(record_bytes, 0u);
    EXPECT_EQ(ebpf_object_find_map(object, "nope"), nullptr);
    EXPECT_NE(std::string(ebpf_last_error()).find("no map 'nope'"), std::string::npos);
    // An empty buffer is passed as a valid address (the verifier assumes r1 is
    // never NULL); NULL with a length is refused.
    ebpf_program* header = ebpf_object_find_program(object, "hook/hash");
    ASSERT_EQ(ebpf_program_run(header, nullptr, 0, &result), 0) << ebpf_last_error();
    EXPECT_EQ(ebpf_program_run(header, nullptr, 8, &result), -EINVAL);
    EXPECT_NE(std::string(ebpf_last_error()).find("NULL memory of 8 bytes"), std::string::npos);
    const uint64_t budget = ebpf_callback_budget();
    EXPECT_EQ(budget, 1u << 23);
    ebpf_set_callback_budget(5);
    EXPECT_EQ(ebpf_callback_budget(), 5u);
    ebpf_set_callback_budget(budget);
    ebpf_object_close(object);

    EXPECT_EQ(ebpf_object_load("/nonexistent.o", nullptr), nullptr);
    EXPECT_NE(std::string(ebpf_last_error()).find("/nonexistent.o"), std::string::npos);
    EXPECT_EQ(ebpf_object_load(program_path("maps_all").c_str(), "warp"), nullptr);
    EXPECT_NE(std::string(ebpf_last_error()).find("unknown mode 'warp'"), std::string::npos);
}

}  // namespace
