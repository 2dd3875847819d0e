// Helpers, bpf-to-bpf calls, the tail-call contract and call_function.
#include <gtest/gtest.h>

#include <string>

#include "ebpf/abi.hpp"
#include "ebpf/error.hpp"
#include "program_builder.hpp"

namespace ebpf::test {
namespace {

uint64_t sum_helper(uint64_t a, uint64_t b, uint64_t c, uint64_t d, uint64_t e) { return a + b + c + d + e; }

// Records which engine was current while the helper ran.
Engine* seen_engine = nullptr;
uint64_t record_engine(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t) {
    seen_engine = run_state().engine;
    return 0;
}

int tail_call_target_object = 0;
uint64_t tail_call_helper(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t) {
    run_state().tail_call_target = &tail_call_target_object;
    return 0;
}
uint64_t tail_call_fails(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t) { return static_cast<uint64_t>(-1); }

// Calls the callback in r1 with r2 as argument, like bpf_loop calls its body.
uint64_t invoke_callback(uint64_t function, uint64_t argument, uint64_t, uint64_t, uint64_t) {
    return run_state().engine->call_function(function, argument, 0, 0, 0, 0);
}

TEST(InterpreterCalls, HelperGetsFiveArgumentsAndClobbersR0) {
    HelperTable helpers;
    helpers.set(100, sum_helper);
    EXPECT_EQ(run({mov(1, 1), mov(2, 2), mov(3, 3), mov(4, 4), mov(5, 5), call_helper(100), exit_insn()}, 0, 0,
                  &helpers),
              15u);
}

TEST(InterpreterCalls, MissingHelperNamesInstructionAndId) {
    HelperTable helpers;
    try {
        run({mov(0, 0), call_helper(helper_id::get_prandom_u32), exit_insn()}, 0, 0, &helpers);
        FAIL() << "missing helper not reported";
    } catch (const Error& e) {
        const std::string message = e.what();
        EXPECT_NE(message.find("instruction 1"), std::string::npos) << message;
        EXPECT_NE(message.find("helper 7"), std::string::npos) << message;
    }
    EXPECT_THROW(run({call_helper(100), exit_insn()}), Error);  // no table at all
}

TEST(InterpreterCalls, ScopedEngineDuringRun) {
    HelperTable helpers;
    helpers.set(1, record_engine);
    std::vector<Instruction> insns{call_helper(1), exit_insn()};
    auto engine = make_interpreter({insns, &helpers});
    seen_engine = nullptr;
    engine->run(0, 0);
    EXPECT_EQ(seen_engine, engine.get());
    EXPECT_EQ(run_state().engine, nullptr);
}

TEST(InterpreterCalls, LocalCallPreservesCalleeSavedRegistersAndUsesFreshStack) {
    // main: r6 = 7; stack[-8] = 100; call f; r0 += r6; r0 += stack[-8]; exit
    // f:    r6 = 1000; stack[-8] = 5 (its own frame); r0 = stack[-8]; exit
    const std::vector<Instruction> insns{
        mov(6, 7),           st(kSizeDW, 10, -8, 100), call_local(4),           alu64_reg(kAdd, 0, 6),
        ldx(kSizeDW, 1, 10, -8), alu64_reg(kAdd, 0, 1), exit_insn(),
        mov(6, 1000),        st(kSizeDW, 10, -8, 5),   ldx(kSizeDW, 0, 10, -8), exit_insn(),
    };
    EXPECT_EQ(run(insns), 5u + 7u + 100u);
}

TEST(InterpreterCalls, CalleeMayUseCallersStackWhenBoundsChecked) {
    // main passes r1 = r10 - 8 to f, which stores 42 there.
    const std::vector<Instruction> insns{
        movr(1, 10), alu64_imm(kAdd, 1, -8), call_local(2), ldx(kSizeDW, 0, 10, -8), exit_insn(),
        st(kSizeDW, 1, 0, 42), exit_insn(),
    };
    ExecOptions checked;
    checked.bounds_check = true;
    EXPECT_EQ(run(insns, 0, 0, nullptr, checked), 42u);
}

TEST(InterpreterCalls, CallDepthIsLimited) {
    // f calls itself forever.
    const std::vector<Instruction> insns{call_local(-1), exit_insn()};
    try {
        run(insns);
        FAIL() << "unbounded recursion not stopped";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("call depth exceeds 8"), std::string::npos) << e.what();
    }
    // Exactly kMaxCallDepth frames are allowed: main + 7 nested calls.
    std::vector<Instruction> chain;
    for (int i = 0; i < kMaxCallDepth - 1; ++i) {
        chain.push_back(call_local(1));
        chain.push_back(exit_insn());
    }
    chain.push_back(mov(0, 9));
    chain.push_back(exit_insn());
    EXPECT_EQ(run(chain), 9u);
}

TEST(InterpreterCalls, TailCallLeavesEveryFrameAtOnce) {
    HelperTable helpers;
    helpers.set(helper_id::tail_call, tail_call_helper);
    // main calls f; f tail-calls; nothing after the helper may run.
    const std::vector<Instruction> insns{
        call_local(2), mov(0, 99), exit_insn(), call_helper(helper_id::tail_call), mov(0, 98), exit_insn(),
    };
    run_state().tail_call_target = nullptr;
    EXPECT_EQ(run(insns, 0, 0, &helpers), 0u);
    EXPECT_EQ(run_state().tail_call_target, &tail_call_target_object);
    run_state().tail_call_target = nullptr;
    // A failed tail call (target not set) falls through.
    helpers.set(helper_id::tail_call, tail_call_fails);
    EXPECT_EQ(run(insns, 0, 0, &helpers), 99u);
}

TEST(InterpreterCalls, CallFunctionRunsCallbackFromHelper) {
    HelperTable helpers;
    helpers.set(helper_id::loop, invoke_callback);
    // main: r1 = &callback; r2 = 21; call helper; r0 += 1; exit
    // callback: r0 = r1 * 2; exit
    Program p{};
    p.lddw(1, 0, kPseudoFunc);
    p.insns[0].imm = 5;  // relative to the next slot: 0 + 1 + 5 = 6
    p.add(mov(2, 21)).add(call_helper(helper_id::loop)).add(alu64_imm(kAdd, 0, 1)).add(exit_insn());
    p.add(movr(0, 1)).add(alu64_imm(kMul, 0, 2)).add(exit_insn());
    ASSERT_EQ(p.insns.size(), 9u);
    EXPECT_EQ(run(p.insns, 0, 0, &helpers), 43u);
}

TEST(InterpreterCalls, CallFunctionRejectsForeignValues) {
    std::vector<Instruction> insns{mov(0, 0), exit_insn()};
    auto engine = make_interpreter({insns, nullptr});
    EXPECT_THROW(engine->call_function(0x1234, 0, 0, 0, 0, 0), Error);
    EXPECT_THROW(engine->call_function(reinterpret_cast<uint64_t>(&insns[1]), 0, 0, 0, 0, 0), Error);
}

TEST(InterpreterCalls, FunctionReferenceOutsideProgramIsRejected) {
    Program p{};
    p.lddw(1, 0, kPseudoFunc);
    p.insns[0].imm = 50;
    p.add(mov(0, 0)).add(exit_insn());
    EXPECT_THROW(run(p.insns), Error);
}

}  // namespace
}  // namespace ebpf::test
