// Tail calls through prog arrays: static `.values`, fall-through on an empty
// slot, the Linux chain limit of 33, host updates by program id.
#include <gtest/gtest.h>

#include "ebpf/error.hpp"
#include "test_support.hpp"

using namespace runtime_test;

namespace {

TEST(TailCall, DispatchThroughStaticallyFilledSlots) {
    auto object = load("tail_call");
    auto& dispatch = object->program("hook/dispatch");
    EXPECT_EQ(run_with_key(dispatch, 0), 100);
    EXPECT_EQ(run_with_key(dispatch, 1), 101);
    EXPECT_EQ(run_with_key(dispatch, 2), -1);   // empty slot: falls through
    EXPECT_EQ(run_with_key(dispatch, 99), -1);  // out of range: falls through
    uint8_t tiny[2] = {};
    EXPECT_EQ(static_cast<int64_t>(dispatch.run(tiny, 2)), -2);

    // The host fills slot 2 by program id and reads it back.
    auto& table = object->map("jump_table");
    uint32_t tail_one = object->program("hook/tail_one").id();
    table.update(bytes_of(uint32_t{2}), bytes_of(tail_one));
    EXPECT_EQ(value_of<uint32_t>(*table.lookup(bytes_of(uint32_t{2}))), tail_one);
    EXPECT_EQ(run_with_key(dispatch, 2), 101);
    EXPECT_TRUE(table.remove(bytes_of(uint32_t{2})));
    EXPECT_EQ(run_with_key(dispatch, 2), -1);
    EXPECT_THROW(table.update(bytes_of(uint32_t{3}), bytes_of(uint32_t{0xfffffff0})), ebpf::Error);  // no such program
}

class TailCallModes : public ::testing::TestWithParam<ebpf::ExecMode> {};

TEST_P(TailCallModes, ChainStopsAtTheLinuxLimit) {
    auto object = load("runtime_tail_chain", GetParam());
    uint8_t buffer[4] = {};
    EXPECT_EQ(object->program("hook/chain").run(buffer, 4), 34u);  // 1 + 33 tail calls
    EXPECT_EQ(value_of<uint64_t>(*object->map("counter").lookup(bytes_of(uint32_t{0}))), 34u);
    // The count starts over with every run.
    EXPECT_EQ(object->program("hook/chain").run(buffer, 4), 68u);
}

TEST_P(TailCallModes, DispatchFallsThroughOnEmptySlots) {
    auto object = load("tail_call", GetParam());
    auto& dispatch = object->program("hook/dispatch");
    EXPECT_EQ(run_with_key(dispatch, 0), 100);
    EXPECT_EQ(run_with_key(dispatch, 1), 101);
    EXPECT_EQ(run_with_key(dispatch, 3), -1);
}

INSTANTIATE_TEST_SUITE_P(Modes, TailCallModes,
                         ::testing::Values(ebpf::ExecMode::interpret, ebpf::ExecMode::jit, ebpf::ExecMode::native),
                         [](const auto& info) { return std::string(ebpf::exec_mode_name(info.param)); });

TEST(TailCall, UnloadedProgramsLeaveProgArrays) {
    auto dispatcher = load("tail_call");
    auto other = load("tail_call");
    auto& table = dispatcher->map("jump_table");
    table.update(bytes_of(uint32_t{3}), bytes_of(other->program("hook/tail_zero").id()));
    EXPECT_EQ(run_with_key(dispatcher->program("hook/dispatch"), 3), 100);
    other.reset();
    EXPECT_FALSE(table.lookup(bytes_of(uint32_t{3})));
    EXPECT_EQ(run_with_key(dispatcher->program("hook/dispatch"), 3), -1);
}

}  // namespace
