// Bad input: huge programs, deep branch nests and pathological loops end
// with a clear "too complex" (or loop) error within bounded time and memory.
#include <gtest/gtest.h>

#include <chrono>

#include "ebpf/verifier.hpp"

namespace ebpf::testing {
namespace {

Instruction make(uint8_t opcode, int dst, int src, int16_t off, int32_t imm) { return make_instruction(opcode, dst, src, off, imm); }

const Instruction kExit = make(op::kClassJmp | op::kExit, 0, 0, 0, 0);

VerifyResult verify_timed(const std::vector<Instruction>& insns, double max_seconds) {
    const auto start = std::chrono::steady_clock::now();
    VerifyResult r = verify_instructions(insns, ProgramType::hook);
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    EXPECT_LT(seconds, max_seconds);
    return r;
}

TEST(VerifierLimits, MillionInstructionProgramIsTooComplex) {
    std::vector<Instruction> insns(1'000'001, make(op::kClassAlu64 | op::kAdd, 0, 0, 0, 1));
    insns.front() = make(op::kClassAlu64 | op::kMov, 0, 0, 0, 0);
    insns.push_back(kExit);
    VerifyResult r = verify_timed(insns, 60);
    ASSERT_FALSE(r.ok);
    EXPECT_NE(r.errors[0].message.find("program too complex: more than 1000000 instructions processed"), std::string::npos)
        << r.errors[0].message;
}

TEST(VerifierLimits, LargeStraightLineProgramVerifies) {
    std::vector<Instruction> insns(200'000, make(op::kClassAlu64 | op::kAdd, 0, 0, 0, 1));
    insns.front() = make(op::kClassAlu64 | op::kMov, 0, 0, 0, 0);
    insns.push_back(kExit);
    VerifyResult r = verify_timed(insns, 30);
    EXPECT_TRUE(r.ok);
    EXPECT_EQ(r.stats.insns_processed, insns.size());
}

// 40 unknown branches on bits of one value, each changing a counter. The
// last 9 test bits already tested, so the value decides branches: it is
// precise, and its 2^31 different known-bit patterns cannot be merged (as
// in Linux). tests/verifier/cases/precision.txt has the 31-bit version,
// which verifies because the counter decides nothing.
TEST(VerifierLimits, DeepBranchNestIsTooComplex) {
    std::vector<Instruction> insns;
    insns.push_back(make(op::kClassJmp | op::kCall, 0, 0, 0, helper_id::get_prandom_u32));
    insns.push_back(make(op::kClassAlu64 | op::kMov | op::kSrcX, 6, 0, 0, 0));
    insns.push_back(make(op::kClassAlu64 | op::kMov, 7, 0, 0, 0));
    for (int i = 0; i < 40; ++i) {
        insns.push_back(make(op::kClassJmp | op::kJset, 6, 0, 1, 1 << (i % 31)));
        insns.push_back(make(op::kClassAlu64 | op::kAdd, 7, 0, 0, 1 << (i % 31)));
        insns.push_back(make(op::kClassAlu64 | op::kMul, 7, 0, 0, 3));
    }
    insns.push_back(make(op::kClassAlu64 | op::kMov, 0, 0, 0, 0));
    insns.push_back(kExit);
    VerifyResult r = verify_timed(insns, 60);
    ASSERT_FALSE(r.ok);
    EXPECT_NE(r.errors[0].message.find("too complex"), std::string::npos) << r.errors[0].message;
    EXPECT_LE(r.stats.peak_memory_bytes, size_t{600} << 20);
}

TEST(VerifierLimits, NestedLoopsBeyondTheLimitAreTooComplex) {
    // for i < 2000: for j < 2000: r0 += 1 — 4M iterations.
    std::vector<Instruction> insns = {
        make(op::kClassAlu64 | op::kMov, 0, 0, 0, 0),
        make(op::kClassAlu64 | op::kMov, 1, 0, 0, 0),
        make(op::kClassAlu64 | op::kMov, 2, 0, 0, 0),          // 2: outer
        make(op::kClassAlu64 | op::kAdd, 0, 0, 0, 1),          // 3: inner
        make(op::kClassAlu64 | op::kAdd, 2, 0, 0, 1),
        make(op::kClassJmp | op::kJlt, 2, 0, -3, 2000),
        make(op::kClassAlu64 | op::kAdd, 1, 0, 0, 1),
        make(op::kClassJmp | op::kJlt, 1, 0, -6, 2000),
        kExit,
    };
    VerifyResult r = verify_timed(insns, 60);
    ASSERT_FALSE(r.ok);
    EXPECT_NE(r.errors[0].message.find("too complex"), std::string::npos) << r.errors[0].message;
}

TEST(VerifierLimits, ComplexityLimitIsAnOption) {
    std::vector<Instruction> insns(100, make(op::kClassAlu64 | op::kMov, 0, 0, 0, 0));
    insns.push_back(kExit);
    VerifyOptions options;
    options.complexity_limit = 50;
    VerifyResult r = verify_instructions(insns, ProgramType::hook, {}, options);
    ASSERT_FALSE(r.ok);
    EXPECT_NE(r.errors[0].message.find("more than 50 instructions"), std::string::npos);
}

// A loop that counts forever: every budget below ends it with its own message.
std::vector<Instruction> counting_forever() {
    return {make(op::kClassAlu64 | op::kMov, 0, 0, 0, 0), make(op::kClassAlu64 | op::kAdd, 0, 0, 0, 1),
            make(op::kClassJmp | op::kJa, 0, 0, -2, 0)};
}

TEST(VerifierLimits, StoredStatesAreAnOption) {
    VerifyOptions options;
    options.max_states = 100;
    VerifyResult r = verify_instructions(counting_forever(), ProgramType::hook, {}, options);
    ASSERT_FALSE(r.ok);
    EXPECT_NE(r.errors[0].message.find("program too complex: more than 100 states stored"), std::string::npos)
        << r.errors[0].message;
    EXPECT_NE(r.errors[0].message.find("the loop at insn 1"), std::string::npos) << r.errors[0].message;
    EXPECT_LE(r.stats.states_visited, 100u);
}

TEST(VerifierLimits, MemoryIsAnOption) {
    VerifyOptions options;
    options.max_memory_bytes = uint64_t{1} << 20;
    VerifyResult r = verify_instructions(counting_forever(), ProgramType::hook, {}, options);
    ASSERT_FALSE(r.ok);
    EXPECT_NE(r.errors[0].message.find("program too complex: states use more than 1 MiB"), std::string::npos)
        << r.errors[0].message;
    EXPECT_LE(r.stats.peak_memory_bytes, uint64_t{2} << 20);
}

TEST(VerifierLimits, WallTimeIsAnOption) {
    VerifyOptions options;
    options.max_seconds = 0.001;
    options.complexity_limit = UINT64_MAX;
    options.max_states = UINT64_MAX;
    options.max_memory_bytes = UINT64_MAX;
    // Straight-line code: no states, only time can end it early.
    std::vector<Instruction> insns(2'000'000, make(op::kClassAlu64 | op::kAdd, 0, 0, 0, 1));
    insns.front() = make(op::kClassAlu64 | op::kMov, 0, 0, 0, 0);
    insns.push_back(kExit);
    VerifyResult r = verify_instructions(insns, ProgramType::hook, {}, options);
    ASSERT_FALSE(r.ok);
    EXPECT_NE(r.errors[0].message.find("verification took more than"), std::string::npos) << r.errors[0].message;
    EXPECT_LT(r.stats.insns_processed, insns.size());
}

TEST(VerifierLimits, PendingBranchesAreAnOption) {
    // 20 unknown branches in a row, each pushing the other side.
    std::vector<Instruction> insns;
    insns.push_back(make(op::kClassJmp | op::kCall, 0, 0, 0, helper_id::get_prandom_u32));
    for (int i = 0; i < 20; ++i) insns.push_back(make(op::kClassJmp | op::kJset, 0, 0, 0, 1 << i));
    insns.push_back(make(op::kClassAlu64 | op::kMov, 0, 0, 0, 0));
    insns.push_back(kExit);
    VerifyOptions options;
    options.max_pending = 4;
    VerifyResult r = verify_instructions(insns, ProgramType::hook, {}, options);
    ASSERT_FALSE(r.ok);
    EXPECT_NE(r.errors[0].message.find("more than 4 branches pending"), std::string::npos) << r.errors[0].message;
}

}  // namespace
}  // namespace ebpf::testing
