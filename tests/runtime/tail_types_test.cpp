// Prog-array owner types (issue 12, class 1): a tail call runs the target on
// the caller's context, so a prog array only ever holds programs of the type
// of the programs that tail-call through it. Every way of filling a slot —
// static `.values`, the C++ and C host APIs, map-in-map — refuses a program of
// another type, and so does loading a second caller of another type; in
// every engine. (`ebpf run --map` is in cli_test.cmake.)
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "ebpf/ebpf.h"
#include "ebpf/error.hpp"
#include "ebpf/native.hpp"
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

// Loads an Object (changed in memory by the test) in `mode`; native mode
// translates it with bpf2c and builds the module first.
std::unique_ptr<ebpf::LoadedObject> load_changed(const ebpf::Object& object, ebpf::ExecMode mode) {
    ebpf::LoadOptions options;
    options.mode = mode;
    if (mode != ebpf::ExecMode::native) return ebpf::load_object(object, options);
    const std::string dir = "/tmp/ebpf-runtime-test-native-" + std::to_string(getpid());
    std::filesystem::create_directories(dir);
    ebpf::write_file_atomically(dir + "/changed.c", ebpf::bpf2c(object).c_source);
    ebpf::compile_c_to_module(dir + "/changed.c", dir + "/changed.so");
    return ebpf::load_object(dir + "/changed.so", options);
}

uint64_t run_dispatch(const ebpf::LoadedProgram& dispatch, uint8_t index) {
    uint8_t frame[64] = {};
    frame[16] = index;
    size_t offset = 16, length = 16;
    return dispatch.run_xdp(frame, offset, length);
}

class TailTypes : public ::testing::TestWithParam<ebpf::ExecMode> {};

TEST_P(TailTypes, SlotsOfTheOwnerTypeRun) {
    auto object = load("runtime_tail_types", GetParam());
    auto& dispatch = object->program("dispatch");
    EXPECT_EQ(run_dispatch(dispatch, 0), 1u);  // static slot 0: xdp/target, XDP_DROP
    EXPECT_EQ(run_dispatch(dispatch, 1), 2u);  // empty: falls through, XDP_PASS
    object->map("jump_table").update(bytes_of(uint32_t{1}), bytes_of(object->program("target").id()));
    EXPECT_EQ(run_dispatch(dispatch, 1), 1u);
}

TEST_P(TailTypes, HostApisRefuseProgramsOfAnotherType) {
    auto object = load("runtime_tail_types", GetParam());
    auto& table = object->map("jump_table");
    for (const char* name : {"leak", "raw_leak", "connect4"}) {
        SCOPED_TRACE(name);
        const uint32_t id = object->program(name).id();
        // C++ API.
        EXPECT_NE(thrown_by([&] { table.update(bytes_of(uint32_t{1}), bytes_of(id)); })
                      .find("the prog array belongs to xdp programs"),
                  std::string::npos);
        // C API (its handles are the C++ objects).
        auto* handle = reinterpret_cast<ebpf_map*>(&table);
        const uint32_t key = 2;
        EXPECT_LT(ebpf_map_update(handle, &key, 4, &id, 4, EBPF_ANY), 0);
        EXPECT_NE(std::string(ebpf_last_error()).find("cannot be stored in slot 2"), std::string::npos)
            << ebpf_last_error();
        EXPECT_FALSE(table.lookup(bytes_of(uint32_t{1})));
        EXPECT_FALSE(table.lookup(bytes_of(uint32_t{2})));
    }
    // Nothing got in: the XDP context never reaches the hook program.
    EXPECT_EQ(run_dispatch(object->program("dispatch"), 1), 2u);
    EXPECT_EQ(run_dispatch(object->program("dispatch"), 2), 2u);
}

TEST_P(TailTypes, StaticSlotOfAnotherTypeIsRefusedAtLoad) {
    std::string error = thrown_by([&] { load("runtime_tail_wrong_static", GetParam()); });
    EXPECT_NE(error.find("program 'leak' (hook) cannot be stored in slot 0"), std::string::npos) << error;
    EXPECT_NE(error.find("belongs to xdp programs"), std::string::npos) << error;
}

TEST_P(TailTypes, SecondCallerOfAnotherTypeIsRefusedAtLoad) {
    // tail_call.o: hook programs dispatch through jump_table. A copy of the
    // dispatcher as a raw_memory program would tail-call hook programs on
    // its own context.
    ebpf::Object object = ebpf::open_object(program_path("tail_call"));
    ebpf::Program copy = *object.find_program("dispatch");
    copy.name = "raw_dispatch";
    copy.section = "raw";
    copy.type = ebpf::ProgramType::raw_memory;
    object.programs.push_back(copy);
    std::string error = thrown_by([&] { load_changed(object, GetParam()); });
    EXPECT_NE(error.find("program 'raw_dispatch' (raw_memory) cannot be loaded to tail-call through it"),
              std::string::npos)
        << error;
}

INSTANTIATE_TEST_SUITE_P(Modes, TailTypes,
                         ::testing::Values(ebpf::ExecMode::interpret, ebpf::ExecMode::jit, ebpf::ExecMode::native),
                         [](const auto& info) { return std::string(ebpf::exec_mode_name(info.param)); });

TEST(TailTypes, ProgArraysCannotBeInnerMaps) {
    // Inside a map of maps, a prog array would escape the owner check of the
    // programs that tail-call through it (as Linux, refused).
    std::vector<ebpf::MapDefinition> defs = {definition(ebpf::MapType::prog_array, 4, 4, 2, "inner"),
                                             definition(ebpf::MapType::array_of_maps, 4, 4, 1, "outer")};
    defs[0].inner_template = true;
    defs[1].inner_map = 0;
    std::string error = thrown_by([&] { ebpf::create_maps(defs); });
    EXPECT_NE(error.find("a prog_array cannot be an inner map"), std::string::npos) << error;
}

TEST(TailTypes, HostFilledSlotFixesTheOwnerType) {
    // A prog array no program names yet: the first program stored fixes the type.
    auto object = load("runtime_tail_types");
    auto table = ebpf::create_map(definition(ebpf::MapType::prog_array, 4, 4, 2, "fresh"));
    table->update(bytes_of(uint32_t{0}), bytes_of(object->program("leak").id()));
    std::string error =
        thrown_by([&] { table->update(bytes_of(uint32_t{1}), bytes_of(object->program("target").id())); });
    EXPECT_NE(error.find("program 'target' (xdp) cannot be stored in slot 1: the prog array belongs to hook programs "
                         "(since program 'leak')"),
              std::string::npos)
        << error;
}

}  // namespace
