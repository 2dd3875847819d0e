// Read-only data (issue 12, class 2): .rodata and maps declared
// BPF_F_RDONLY_PROG are frozen when the object loads, so the constants the
// verifier folded from .rodata stay true: every host write path (C++ API, C
// API, map-in-map insertion; `ebpf run --map` in cli_test.cmake) is refused,
// in every engine. runtime_rodata_bound.c is the program that a host write
// would turn into an out-of-bounds stack read.
#include <gtest/gtest.h>

#include "ebpf/ebpf.h"
#include "ebpf/error.hpp"
#include "test_support.hpp"

using namespace runtime_test;

namespace {

std::string thrown_by(const std::function<void()>& body) {
    try {
        body();
    } catch (const ebpf::Error& e) {
        return e.what();
    }
    return "(nothing thrown)";
}

class ReadOnlyMaps : public ::testing::TestWithParam<ebpf::ExecMode> {};

TEST_P(ReadOnlyMaps, RodataIsFrozenOnEveryHostPath) {
    auto object = load("runtime_rodata_bound", GetParam());
    auto& rodata = object->map(".rodata");
    EXPECT_TRUE(rodata.frozen());
    uint8_t buffer[8] = {};
    EXPECT_EQ(object->program("read_table").run(buffer, 8), 40u);

    // index_limit = 1000 would make table[index_limit] read 8 KB past the table.
    std::vector<uint8_t> evil = *rodata.lookup(bytes_of(uint32_t{0}));
    uint32_t limit = 1000;
    std::memcpy(evil.data(), &limit, 4);
    EXPECT_NE(thrown_by([&] { rodata.update(bytes_of(uint32_t{0}), evil); }).find("the map is frozen"),
              std::string::npos);
    auto* handle = reinterpret_cast<ebpf_map*>(&rodata);
    const uint32_t key = 0;
    EXPECT_EQ(ebpf_map_update(handle, &key, 4, evil.data(), evil.size(), EBPF_ANY), -EPERM);
    EXPECT_NE(std::string(ebpf_last_error()).find("frozen"), std::string::npos) << ebpf_last_error();
    EXPECT_EQ(ebpf_map_delete(handle, &key, 4), -EPERM);
    EXPECT_EQ(value_of<uint32_t>(*rodata.lookup(bytes_of(uint32_t{0}))), 3u);
    EXPECT_EQ(object->program("read_table").run(buffer, 8), 40u);
}

TEST_P(ReadOnlyMaps, ReadOnlyForProgramsMapsAreFrozenToo) {
    auto object = load("runtime_rodata_bound", GetParam());
    auto& settings = object->map("settings");
    EXPECT_TRUE(settings.frozen());
    EXPECT_NE(thrown_by([&] { settings.update(bytes_of(uint32_t{0}), bytes_of(uint64_t{7})); }).find("frozen"),
              std::string::npos);
    uint8_t buffer[8] = {};
    EXPECT_EQ(object->program("read_setting").run(buffer, 8), 0u);
    auto& pending = object->map("pending");
    EXPECT_TRUE(pending.frozen());
    EXPECT_NE(thrown_by([&] { pending.push(bytes_of(uint64_t{1})); }).find("push: the map is frozen"), std::string::npos);
    EXPECT_NE(thrown_by([&] { pending.pop(); }).find("pop: the map is frozen"), std::string::npos);
    EXPECT_FALSE(pending.peek());
}

TEST_P(ReadOnlyMaps, WritableGlobalDataIsNotFrozen) {
    auto object = load("global_data", GetParam());
    EXPECT_TRUE(object->map(".rodata").frozen());
    EXPECT_FALSE(object->map(".data").frozen());
    EXPECT_FALSE(object->map(".bss").frozen());
    object->map(".bss").update(bytes_of(uint32_t{0}), std::vector<uint8_t>(object->map(".bss").value_size(), 0));
}

INSTANTIATE_TEST_SUITE_P(Modes, ReadOnlyMaps,
                         ::testing::Values(ebpf::ExecMode::interpret, ebpf::ExecMode::jit, ebpf::ExecMode::native),
                         [](const auto& info) { return std::string(ebpf::exec_mode_name(info.param)); });

// The lower-level entry (prepare_program, for embedders with their own maps)
// holds the same line: the maps must be the verified definitions' maps, and
// read-only ones frozen with the contents the verifier folded.
TEST(ReadOnlyMaps, PrepareProgramNeedsFrozenMatchingMaps) {
    ebpf::Object object = ebpf::open_object(program_path("runtime_rodata_bound"));
    const ebpf::Program& program = *object.find_program("read_table");
    auto maps = ebpf::create_maps(object.maps);
    EXPECT_NO_THROW(ebpf::prepare_program(program, object.maps, maps, {}));
    const size_t rodata = *object.find_map(".rodata");

    maps[rodata] = ebpf::create_map(object.maps[rodata]);  // not frozen
    EXPECT_NE(thrown_by([&] { ebpf::prepare_program(program, object.maps, maps, {}); }).find("but not frozen"),
              std::string::npos);

    std::vector<uint8_t> changed = object.maps[rodata].initial_data;
    changed[0] = 200;  // index_limit = 200, written before freezing
    maps[rodata]->update(bytes_of(uint32_t{0}), changed);
    maps[rodata]->freeze();
    EXPECT_NE(thrown_by([&] { ebpf::prepare_program(program, object.maps, maps, {}); })
                  .find("differs from the contents the program is verified against"),
              std::string::npos);

    ebpf::MapDefinition larger = object.maps[rodata];
    larger.value_size += 8;
    larger.initial_data.resize(larger.value_size);
    maps[rodata] = ebpf::create_maps(std::vector{larger})[0];
    EXPECT_NE(thrown_by([&] { ebpf::prepare_program(program, object.maps, maps, {}); })
                  .find("is not the map of the definition '.rodata'"),
              std::string::npos);
}

// Map-in-map: an inner map must match the outer map's definition as Linux
// compares them (type, key and value size, map flags, array max_entries), and
// a frozen map only goes where programs may only read.
struct MapInMap : ::testing::Test {
    std::vector<ebpf::MapDefinition> defs = {definition(ebpf::MapType::array, 4, 8, 1, "outer.inner"),
                                             definition(ebpf::MapType::array_of_maps, 4, 4, 2, "outer")};
    MapInMap() {
        defs[0].inner_template = true;
        defs[1].inner_map = 0;
    }
    std::string insert(ebpf::Map& outer, const ebpf::Map& inner) {
        return thrown_by([&] { outer.update(bytes_of(uint32_t{0}), bytes_of(inner.id())); });
    }
};

TEST_F(MapInMap, ReadOnlyDataCannotBecomeWritableThroughAnOuterMap) {
    auto outer = ebpf::create_maps(defs)[1];
    ebpf::MapDefinition rodata = definition(ebpf::MapType::array, 4, 8, 1, ".rodata");
    rodata.is_global_data = rodata.read_only = true;
    rodata.map_flags = ebpf::kMapFlagRdonlyProg;
    rodata.initial_data.assign(8, 0);
    auto frozen = ebpf::create_maps(std::vector{rodata})[0];
    ASSERT_TRUE(frozen->frozen());
    EXPECT_NE(insert(*outer, *frozen).find("map_flags is 128, the definition says 0"), std::string::npos);

    // Same flags as the definition, but frozen by the host: still refused.
    auto plain = ebpf::create_map(definition(ebpf::MapType::array, 4, 8, 1, "plain"));
    plain->freeze();
    EXPECT_NE(insert(*outer, *plain).find("it is frozen"), std::string::npos);
    EXPECT_FALSE(outer->lookup(bytes_of(uint32_t{0})));

    // A definition programs may only read accepts read-only data.
    defs[0].map_flags = ebpf::kMapFlagRdonlyProg;
    auto read_only_outer = ebpf::create_maps(defs)[1];
    EXPECT_EQ(insert(*read_only_outer, *frozen), "(nothing thrown)");
}

TEST_F(MapInMap, ArraySizesMustMatchUnlessTheDefinitionSaysInnerMap) {
    auto outer = ebpf::create_maps(defs)[1];
    auto bigger = ebpf::create_map(definition(ebpf::MapType::array, 4, 8, 4, "bigger"));
    EXPECT_NE(insert(*outer, *bigger).find("max_entries is 4, the definition says 1"), std::string::npos);
    auto other_value = ebpf::create_map(definition(ebpf::MapType::array, 4, 16, 1, "other_value"));
    EXPECT_NE(insert(*outer, *other_value).find("value size is 16"), std::string::npos);
    auto hash = ebpf::create_map(definition(ebpf::MapType::hash, 4, 8, 1, "hash"));
    EXPECT_NE(insert(*outer, *hash).find("type is hash"), std::string::npos);

    defs[0].map_flags = ebpf::kMapFlagInnerMap;
    auto flexible = ebpf::create_maps(defs)[1];
    ebpf::MapDefinition sized = definition(ebpf::MapType::array, 4, 8, 4, "sized");
    sized.map_flags = ebpf::kMapFlagInnerMap;
    EXPECT_EQ(insert(*flexible, *ebpf::create_map(sized)), "(nothing thrown)");
}

TEST_F(MapInMap, StaticValuesAreCheckedTheSameWay) {
    ebpf::MapDefinition rodata = definition(ebpf::MapType::array, 4, 8, 1, ".rodata");
    rodata.is_global_data = rodata.read_only = true;
    rodata.map_flags = ebpf::kMapFlagRdonlyProg;
    rodata.initial_data.assign(8, 0);
    defs.push_back(rodata);
    defs[1].initial_slots.push_back({0, ".rodata"});
    std::string error = thrown_by([&] { ebpf::create_maps(defs); });
    EXPECT_NE(error.find("inner map '.rodata' does not match the inner map definition: map_flags"), std::string::npos)
        << error;
}

}  // namespace
