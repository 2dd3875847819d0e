// Precision and cost: programs Linux accepts must verify here too, with a
// small number of stored states and little memory per state. The bounds in
// these tests are the budget we promise (counts and bytes, not time).
#include <gtest/gtest.h>

#include <string>

#include "ebpf/object.hpp"
#include "ebpf/verifier.hpp"

namespace ebpf::testing {
namespace {

// 24 if-diamonds in a row, each on its own random value (kept on the stack)
// and each writing one of eight registers differently on its two sides.
// Without `keep` nothing reads those registers again: 2^8 combinations at
// every join (and 65,536 states before giving up) unless dead registers are
// ignored when states are compared. With `keep`, every join folds the
// register into R6 (R6 = R6 * 2 + bit), the program returns R6, and the
// 2^24 paths really differ.
std::string diamonds(bool keep) {
    const int regs[] = {1, 2, 3, 4, 5, 7, 8, 9};
    std::string text = "r6 = 0\n";
    for (int i = 0; i < 24; ++i) text += "call 7\n*(u64 *)(r10 - " + std::to_string(8 * (i + 1)) + ") = r0\n";
    for (int i = 0; i < 24; ++i) {
        const std::string n = std::to_string(i), r = "r" + std::to_string(regs[i % 8]);
        text += "r0 = *(u64 *)(r10 - " + std::to_string(8 * (i + 1)) + ")\nif r0 > 1000 goto left" + n + "\n" + r +
                " = 0\ngoto join" + n + "\nleft" + n + ":\n" + r + " = 1\njoin" + n + ":\n";
        if (keep) text += "r6 <<= 1\nr6 |= " + r + "\n";
    }
    text += keep ? "r0 = r6\nexit\n" : "r0 = 0\nexit\n";
    return text;
}

TEST(VerifierPrecision, DeadRegistersDoNotMultiplyStates) {
    const VerifyResult r = verify_instructions(assemble(diamonds(false)), ProgramType::hook);
    ASSERT_TRUE(r.ok) << r.errors.at(0).message;
    // A few states per diamond: linear in their number.
    EXPECT_LE(r.stats.states_visited, 24u * 4);
    EXPECT_LE(r.stats.insns_processed, 24u * 10);
}

// The same diamonds with the registers kept: the budget ends it, with a
// message that names where the paths pile up.
TEST(VerifierPrecision, LiveRegistersStillSeparatePaths) {
    const VerifyResult r = verify_instructions(assemble(diamonds(true)), ProgramType::hook);
    ASSERT_FALSE(r.ok);
    EXPECT_NE(r.errors[0].message.find("program too complex"), std::string::npos) << r.errors[0].message;
    EXPECT_NE(r.errors[0].message.find("the branches that join at"), std::string::npos) << r.errors[0].message;
}

// 24 if-diamonds, each storing 0 or 1 into its own byte of a 24-byte record
// on the stack (a packet's description, katran-style); the record is read
// back and summed, so every byte is live, but no safety check depends on it. Compared by value, the 2^24 records would be told apart at every join;
// with stack precision (precision.cpp) they are not.
TEST(VerifierPrecision, StackValuesNothingDependsOnDoNotMultiplyStates) {
    std::string text;
    for (int i = 0; i < 24; ++i) text += "call 7\n*(u64 *)(r10 - " + std::to_string(8 * (i + 1)) + ") = r0\n";
    for (int i = 0; i < 24; ++i) {
        const std::string n = std::to_string(i), at = "*(u8 *)(r10 - " + std::to_string(216 - i) + ")";
        text += "r0 = *(u64 *)(r10 - " + std::to_string(8 * (i + 1)) + ")\nif r0 > 1000 goto left" + n + "\n" +
                at + " = 0\ngoto join" + n + "\nleft" + n + ":\n" + at + " = 1\njoin" + n + ":\n";
    }
    text += "r2 = *(u64 *)(r10 - 216)\nr1 = *(u64 *)(r10 - 208)\nr2 += r1\nr1 = *(u64 *)(r10 - 200)\nr2 += r1\n"
            "*(u64 *)(r10 - 8) = r2\nr0 = 0\nexit\n";
    const VerifyResult r = verify_instructions(assemble(text), ProgramType::hook);
    ASSERT_TRUE(r.ok) << r.errors.at(0).message;
    EXPECT_LE(r.stats.states_visited, 24u * 4);
    EXPECT_LE(r.stats.insns_processed, 24u * 12);
}

// A stored state costs what its path changed: the registers and the table of
// its stack slots, not a copy of every slot. A 400-byte stack array written
// one byte per loop iteration.
TEST(VerifierPrecision, StoredStatesShareUnchangedStackSlots) {
    std::string text;
    for (int off = 8; off <= 400; off += 8) text += "*(u64 *)(r10 - " + std::to_string(off) + ") = 0\n";
    text += "r1 = 0\nr2 = 1\nloop:\nr3 = r10\nr3 += -400\nr3 += r1\n*(u8 *)(r3 + 0) = r2\nr1 += 1\n";
    text += "if r1 < 400 goto loop\nr0 = 0\nexit\n";
    const VerifyResult r = verify_instructions(assemble(text), ProgramType::hook);
    ASSERT_TRUE(r.ok) << r.errors.at(0).message;
    ASSERT_GE(r.stats.states_visited, 390u);
    const uint64_t per_state = r.stats.peak_memory_bytes / r.stats.states_visited;
    // Without sharing, each state held 50 slots (about 8 KiB and more with
    // narrow spills); now the registers, the slot table and one changed slot.
    EXPECT_LE(per_state, 4096u) << r.stats.peak_memory_bytes << " bytes for " << r.stats.states_visited << " states";
}

// The sieve of programs/verifier_sieve.c (clang -O2): before, 15,640 states
// and 512 MiB, then "too complex"; Linux accepts it.
TEST(VerifierPrecision, SieveOf400BytesVerifiesInFewStates) {
    const Object object = open_object(std::string(EBPF_TEST_PROGRAMS_DIR) + "/verifier_sieve.o");
    const Program* program = object.find_program("sieve");
    ASSERT_NE(program, nullptr);
    const VerifyResult r = verify_program(*program, object.maps);
    ASSERT_TRUE(r.ok) << format_diagnostic(r.errors.at(0), "verifier_sieve.o");
    EXPECT_LE(r.stats.states_visited, 3000u);
    EXPECT_LE(r.stats.insns_processed, 20000u);
    EXPECT_LE(r.stats.peak_memory_bytes, uint64_t{16} << 20);
    EXPECT_LE(r.stats.peak_memory_bytes / r.stats.states_visited, 4096u);
}

// A katran-shaped load balancer (programs/verifier_balancer.c). Before:
// 581 states, about 2 MiB; then 318 states; with stack precision and slot
// liveness learnt as paths run, 76. The bounds leave room, not much.
TEST(VerifierPrecision, BalancerVerifiesInFewStates) {
    const Object object = open_object(std::string(EBPF_TEST_PROGRAMS_DIR) + "/verifier_balancer.o");
    const Program* program = object.find_program("balancer");
    ASSERT_NE(program, nullptr);
    const VerifyResult r = verify_program(*program, object.maps);
    ASSERT_TRUE(r.ok) << format_diagnostic(r.errors.at(0), "verifier_balancer.o");
    EXPECT_LE(r.stats.states_visited, 120u);
    EXPECT_LE(r.stats.peak_memory_bytes, uint64_t{1} << 20);
}

}  // namespace
}  // namespace ebpf::testing
