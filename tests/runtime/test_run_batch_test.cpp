// test_run's repeat, as Linux's BPF_PROG_TEST_RUN: the runs of a batch share
// one buffer (each sees what the previous left; checked against the kernel
// with bpftool: an XDP program that swaps two addresses, run twice, returns
// the packet unchanged) and the batch is timed once.
#include <gtest/gtest.h>

#include "ebpf/runtime.hpp"

namespace {

using namespace ebpf;

TEST(TestRunBatch, RunsShareTheBufferAsInLinux) {
    // r2 = *(u8 *)(r1 + 0); r2 += 1; *(u8 *)(r1 + 0) = r2; r0 = r2; exit
    std::vector<Instruction> insns = {
        make_instruction(0x71, 2, 1, 0, 0), make_instruction(0x07, 2, 0, 0, 1), make_instruction(0x73, 1, 2, 0, 0),
        make_instruction(0xbf, 0, 2, 0, 0), make_instruction(0x95)};
    for (ExecMode mode : {ExecMode::interpret, ExecMode::jit}) {
        if (mode == ExecMode::interpret && !interpreter_available()) continue;
        auto engine = make_engine(mode, insns, {});
        LoadedProgram program("increment", "hook/test", ProgramType::hook, "test", insns, std::move(engine));
        const std::vector<uint8_t> data = {10, 0, 0, 0};
        const TestRunOutput once = test_run(program, {.data = data, .repeat = 1});
        EXPECT_EQ(once.retval, 11u);
        EXPECT_EQ(once.data[0], 11);
        const TestRunOutput batch = test_run(program, {.data = data, .repeat = 5});
        EXPECT_EQ(batch.retval, 15u) << exec_mode_name(mode);
        EXPECT_EQ(batch.data[0], 15) << exec_mode_name(mode);
        EXPECT_EQ(data[0], 10);  // the caller's input is not written
    }
}

}  // namespace
