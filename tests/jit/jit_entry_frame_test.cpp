// The x86-64 JIT's lean entry function: only the trampoline enters it, so it
// saves no registers (the trampoline did) and reserves the 512-byte stack
// only when it uses r10, padding to keep rsp 16-byte aligned at every call.
// Each test runs the JIT against the interpreter; the helpers check the
// stack alignment the System V ABI promises them.
#include <cstdio>
#include <cstring>

#include "ebpf/abi.hpp"
#include "jit_codegen.hpp"
#include "jit_test_support.hpp"

#if defined(__x86_64__)
// rsp + 8 at a function's entry is 16-byte aligned when its caller kept the
// ABI (the call pushed 8 bytes): returns that value mod 16 (0 or 8).
extern "C" uint64_t ebpf_jit_test_call_misalignment(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);
asm(R"(
    .text
    .globl ebpf_jit_test_call_misalignment
    .hidden ebpf_jit_test_call_misalignment
    .type ebpf_jit_test_call_misalignment, @function
ebpf_jit_test_call_misalignment:
    lea 8(%rsp), %rax
    and $15, %eax
    ret
    .size ebpf_jit_test_call_misalignment, .-ebpf_jit_test_call_misalignment
)");
#else
// AArch64 faults on a misaligned sp by itself.
extern "C" uint64_t ebpf_jit_test_call_misalignment(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t) { return 0; }
#endif

namespace ebpf::jit_test {
namespace {

constexpr int32_t kMisalignment = 100;  // helper: 0 when called with an aligned stack, else 8
constexpr int32_t kFormat = 101;        // helper: strlen of "%.3f" of r1 / 8 (glibc's printf uses aligned SSE)

uint64_t format_double(uint64_t value, uint64_t, uint64_t, uint64_t, uint64_t) {
    char text[64];
    std::snprintf(text, sizeof text, "%.3f|%Lf", static_cast<double>(value) / 8, static_cast<long double>(value));
    return std::strlen(text);
}

uint64_t loop_helper(uint64_t count, uint64_t callback, uint64_t context, uint64_t, uint64_t) {
    uint64_t i = 0;
    for (; i < count; ++i) {
        if (run_state().engine->call_function(callback, i, context, 0, 0, 0) == 1) return i + 1;
    }
    return i;
}

int tail_target = 0;
uint64_t tail_call_succeeds(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t) {
    run_state().tail_call_target = &tail_target;
    return 0;
}

HelperTable alignment_helpers() {
    HelperTable helpers;
    helpers.set(kMisalignment, ebpf_jit_test_call_misalignment);
    helpers.set(kFormat, format_double);
    helpers.set(helper_id::loop, loop_helper);
    helpers.set(helper_id::tail_call, tail_call_succeeds);
    return helpers;
}

uint64_t run_jit(const Program& p, const HelperTable& helpers, uint64_t arg1 = 0, uint64_t arg2 = 0) {
    return make_jit({p, &helpers})->run(arg1, arg2);
}

// r0 = misalignment * 1000 + format(r1) with the first call, then again
// after `between` (which may use r10).
Program two_helper_calls(const Program& between) {
    Program p{mov_reg(6, 1), call_helper(kMisalignment), mov_reg(7, 0), alu_imm(op::kMul, true, 7, 1000),
              mov_reg(1, 6), call_helper(kFormat), alu_reg(op::kAdd, true, 7, 0)};
    p.insert(p.end(), between.begin(), between.end());
    for (const Instruction& in : Program{call_helper(kMisalignment), alu_imm(op::kMul, true, 0, 1000),
                                         alu_reg(op::kAdd, true, 0, 7), exit_insn()}) {
        p.push_back(in);
    }
    return p;
}

TEST(JitEntryFrame, AnEntryWithoutAStackCallsHelpersWithAnAlignedStack) {
    const HelperTable helpers = alignment_helpers();
    const Program p = two_helper_calls({});
    const uint64_t expected = std::strlen("12.500|100.000000");
    EXPECT_EQ(run_jit(p, helpers, 100), expected);
    expect_same(p, {}, "frameless entry, helper calls", &helpers);
}

TEST(JitEntryFrame, AnEntryWithAStackCallsHelpersWithAnAlignedStack) {
    const HelperTable helpers = alignment_helpers();
    // [r10-8] = 40; [r10-512] = r7; r7 = [r10-8] + [r10-512] - 40
    const Program p = two_helper_calls({st(op::kSizeDW, 10, -8, 40), stx(op::kSizeDW, 10, 7, -512),
                                        ldx(op::kSizeDW, 7, 10, -8), ldx(op::kSizeDW, 1, 10, -512),
                                        alu_reg(op::kAdd, true, 7, 1), alu_imm(op::kSub, true, 7, 40)});
    EXPECT_EQ(run_jit(p, helpers, 100), std::strlen("12.500|100.000000"));
    expect_same(p, {}, "entry with a stack, helper calls", &helpers);
}

TEST(JitEntryFrame, AFramelessEntryCallsSubprogramsThatCallHelpers) {
    const HelperTable helpers = alignment_helpers();
    // main (no r10): r6 = 5; call f; r0 = r0 * 10 + r6; exit
    // f (r10): [r10-8] = misalignment(); r0 = [r10-8] * 1000 + format(7); exit
    const Program p{mov_imm(6, 5),
                    call_local(3),
                    alu_imm(op::kMul, true, 0, 10),
                    alu_reg(op::kAdd, true, 0, 6),
                    exit_insn(),
                    call_helper(kMisalignment),
                    stx(op::kSizeDW, 10, 0, -8),
                    mov_imm(1, 7),
                    call_helper(kFormat),
                    ldx(op::kSizeDW, 1, 10, -8),
                    alu_imm(op::kMul, true, 1, 1000),
                    alu_reg(op::kAdd, true, 0, 1),
                    exit_insn()};
    EXPECT_EQ(run_jit(p, helpers), std::strlen("0.875|7.000000") * 10 + 5);
    expect_same(p, {}, "frameless entry, subprogram with helper calls", &helpers);
}

TEST(JitEntryFrame, AnEntryCalledByItselfKeepsItsSavedRegistersAndFrame) {
    const HelperTable helpers = alignment_helpers();
    // f(r1 = depth): if depth >= 2 return 100; [r10-8] = depth; r6 = depth;
    // r7 = misalignment(); r0 = f(depth + 1) + r7 * 1000 + r6 + [r10-8]
    const Program p{jmp_imm(op::kJge, true, 1, 2, 13),
                    stx(op::kSizeDW, 10, 1, -8),
                    mov_reg(6, 1),
                    call_helper(kMisalignment),
                    mov_reg(7, 0),
                    mov_reg(1, 6),
                    alu_imm(op::kAdd, true, 1, 1),
                    call_local(-8),  // instruction 0
                    alu_imm(op::kMul, true, 7, 1000),
                    alu_reg(op::kAdd, true, 0, 7),
                    alu_reg(op::kAdd, true, 0, 6),
                    ldx(op::kSizeDW, 1, 10, -8),
                    alu_reg(op::kAdd, true, 0, 1),
                    exit_insn(),
                    mov_imm(0, 100),
                    exit_insn()};
    ASSERT_EQ(p[0].offset + 1, 14) << "jumps to the last two instructions";
    EXPECT_EQ(run_jit(p, helpers), 100u + 2 * (0 + 1));
    expect_same(p, {}, "recursive entry", &helpers);
}

TEST(JitEntryFrame, AnEntryThatIsAlsoABpfLoopCallback) {
    const HelperTable helpers = alignment_helpers();
    // As callback (r2 = context 1): return misalignment() ? 1 : 0 (1 stops the loop).
    // As the program (r2 = 0): return bpf_loop(3, instruction 0, 1) * 10 + misalignment().
    Program p{jmp_imm(op::kJne, true, 2, 0, 10), mov_imm(1, 3)};
    p.push_back(insn(op::kLddw, 2, op::kPseudoFunc, 0, -3));  // instruction 0
    p.push_back(insn(0, 0, 0, 0, 0));
    for (const Instruction& in :
         Program{mov_imm(3, 1), call_helper(helper_id::loop), alu_imm(op::kMul, true, 0, 10), mov_reg(6, 0),
                 call_helper(kMisalignment), alu_reg(op::kAdd, true, 0, 6), exit_insn(),
                 // instruction 11: the callback's path
                 call_helper(kMisalignment), alu_imm(op::kRsh, true, 0, 3), exit_insn()}) {
        p.push_back(in);
    }
    EXPECT_EQ(run_jit(p, helpers), 30u);
    expect_same(p, {}, "entry as a callback", &helpers);
}

TEST(JitEntryFrame, RunTimeFaultsUnwindFramelessEntries) {
    const HelperTable helpers = alignment_helpers();
    // A missing helper, with and without a stack frame and helper calls before it.
    for (const Program& p : {Program{mov_imm(0, 1), call_helper(77), exit_insn()},
                             Program{call_helper(kMisalignment), call_helper(77), exit_insn()},
                             Program{st(op::kSizeDW, 10, -8, 1), call_helper(77), exit_insn()},
                             Program{st(op::kSizeDW, 10, -8, 1), call_helper(kFormat), call_helper(77),
                                     exit_insn()}}) {
        const Outcome jitted = run_with(ExecMode::jit, p, {}, &helpers);
        EXPECT_NE(jitted.error.find("helper 77"), std::string::npos) << jitted.error;
        expect_same(p, {}, "missing helper", &helpers);
    }
    // A failing callback (helper 77 missing) unwinds the frameless outer run.
    for (bool stack : {false, true}) {
        Program p;
        if (stack) p.push_back(st(op::kSizeDW, 10, -8, 1));
        p.push_back(mov_imm(1, 3));
        p.push_back(insn(op::kLddw, 2, op::kPseudoFunc, 0, 4));
        p.push_back(insn(0, 0, 0, 0, 0));
        p.push_back(call_helper(helper_id::loop));
        p.push_back(mov_imm(0, 99));
        p.push_back(exit_insn());
        p.push_back(call_helper(77));
        p.push_back(exit_insn());
        const Outcome jitted = run_with(ExecMode::jit, p, {}, &helpers);
        EXPECT_NE(jitted.error.find("helper 77"), std::string::npos) << jitted.error;
        expect_same(p, {}, "failing callback", &helpers);
        EXPECT_EQ(run_state().engine, nullptr);
    }
    // A tail call from a frameless entry ends the run at once.
    for (bool stack : {false, true}) {
        Program p;
        if (stack) p.push_back(st(op::kSizeDW, 10, -8, 1));
        p.push_back(mov_imm(0, 5));
        p.push_back(call_helper(helper_id::tail_call));
        p.push_back(mov_imm(0, 222));
        p.push_back(exit_insn());
        run_state().tail_call_target = nullptr;
        EXPECT_EQ(run_jit(p, helpers), 0u);
        EXPECT_EQ(run_state().tail_call_target, &tail_target);
        run_state().tail_call_target = nullptr;
    }
    // and the engines still run afterwards
    const Program ok = two_helper_calls({});
    EXPECT_EQ(run_jit(ok, helpers, 8), std::strlen("1.000|8.000000"));
}

TEST(JitEntryFrame, AnEntryThatReturnsAtOnceIsOneInstructionAndARet) {
    const Program p{mov_imm(0, 2), exit_insn()};
    const ExecutableProgram program{p, nullptr};
    const jit::CompiledCode code = jit::compile_x86_64(program, {});
    ASSERT_FALSE(code.function_offsets.empty());
    const std::vector<uint8_t> entry(code.code.begin() + static_cast<std::ptrdiff_t>(code.function_offsets[0]),
                                     code.code.begin() + static_cast<std::ptrdiff_t>(code.function_offsets[0]) + 6);
    EXPECT_EQ(entry, (std::vector<uint8_t>{0xb8, 0x02, 0x00, 0x00, 0x00, 0xc3}));  // mov eax, 2; ret
    // A function that may be called keeps the prologue.
    const Program called{mov_imm(0, 2), jmp_imm(op::kJeq, true, 1, 0, 1), call_local(-3), exit_insn()};
    const jit::CompiledCode full = jit::compile_x86_64({called, nullptr}, {});
    EXPECT_EQ(full.code[full.function_offsets[0]], 0x53);  // push rbx
}

}  // namespace
}  // namespace ebpf::jit_test

namespace ebpf::jit_test {
namespace {

// Runs `p` in `mode`: run(arg1, arg2), then call_function(what run returned, arg3, arg4).
std::pair<uint64_t, uint64_t> run_then_call(ExecMode mode, const Program& p, uint64_t arg1, uint64_t arg2,
                                            uint64_t arg3, uint64_t arg4) {
    auto engine = mode == ExecMode::jit ? make_jit({p, nullptr}) : make_interpreter({p, nullptr});
    const uint64_t first = engine->run(arg1, arg2);
    return {first, engine->call_function(first, arg3, arg4, 0, 0, 0)};
}

TEST(JitEntryFrame, LeafEntriesSaveWhatTheyUseAndStartFromZero) {
    // Calls nothing, cannot fault: run() calls it without the trampoline.
    const Program leaf{mov_imm(0, 2), exit_insn()};
    EXPECT_TRUE(jit::compile_x86_64({leaf, nullptr}, {}).entry_is_leaf);
    HelperTable helpers;
    helpers.set(kMisalignment, ebpf_jit_test_call_misalignment);
    const Program calls{call_helper(kMisalignment), exit_insn()};
    EXPECT_FALSE(jit::compile_x86_64({calls, &helpers}, {}).entry_is_leaf);
    const Program runs_off{mov_imm(0, 1), jmp_imm(op::kJeq, true, 1, 0, 0), mov_imm(0, 2)};
    EXPECT_FALSE(jit::compile_x86_64({runs_off, nullptr}, {}).entry_is_leaf);

    // r0 and r6-r9 read before written start at zero; every callee-saved
    // register and the stack are used; the C++ caller's registers survive.
    Program all{alu_imm(op::kAdd, true, 0, 5), alu_imm(op::kAdd, true, 6, 1), alu_imm(op::kAdd, true, 7, 2),
                alu_imm(op::kAdd, true, 8, 3), alu_imm(op::kAdd, true, 9, 4), stx(op::kSizeDW, 10, 1, -8),
                stx(op::kSizeDW, 10, 2, -512)};
    for (int r = 6; r <= 9; ++r) all.push_back(alu_reg(op::kAdd, true, 0, r));
    all.push_back(ldx(op::kSizeDW, 1, 10, -8));
    all.push_back(ldx(op::kSizeDW, 2, 10, -512));
    all.push_back(alu_reg(op::kAdd, true, 0, 1));
    all.push_back(alu_reg(op::kAdd, true, 0, 2));
    all.push_back(exit_insn());
    EXPECT_TRUE(jit::compile_x86_64({all, nullptr}, {}).entry_is_leaf);
    auto engine = make_jit({all, nullptr});
    volatile uint64_t seed = 3;
    uint64_t a = seed, b = seed * 7, c = seed * 11, d = seed * 13, e = seed * 17, total = 0;
    for (uint64_t k = 0; k < 100; ++k) {
        total += engine->run(k, a) ^ (b + c * d + e);
        a += 1, b += a, c += b, d += c, e += d;
    }
    uint64_t expected_total = 0;
    a = seed, b = seed * 7, c = seed * 11, d = seed * 13, e = seed * 17;
    for (uint64_t k = 0; k < 100; ++k) {
        expected_total += (15 + k + a) ^ (b + c * d + e);
        a += 1, b += a, c += b, d += c, e += d;
    }
    EXPECT_EQ(total, expected_total);
    expect_same(all, {}, "leaf entry using every register");

    // A leaf entry reached through call_function() (a callback to
    // instruction 0) runs through the trampoline.
    const Program callback{jmp_imm(op::kJne, true, 1, 0, 3),
                           insn(op::kLddw, 0, op::kPseudoFunc, 0, -2),  // instruction 0
                           insn(0, 0, 0, 0, 0),
                           exit_insn(),
                           mov_reg(6, 1),
                           alu_reg(op::kAdd, true, 6, 2),
                           stx(op::kSizeDW, 10, 6, -8),
                           ldx(op::kSizeDW, 0, 10, -8),
                           exit_insn()};
    EXPECT_TRUE(jit::compile_x86_64({callback, nullptr}, {}).entry_is_leaf);
    EXPECT_EQ(run_then_call(ExecMode::jit, callback, 0, 0, 5, 6).second, 11u);
    EXPECT_EQ(run_then_call(ExecMode::interpret, callback, 0, 0, 5, 6).second, 11u);
}

}  // namespace
}  // namespace ebpf::jit_test
