// The JIT engine's contract from exec.hpp: helpers, bpf-to-bpf calls, tail
// calls, call_function, errors, constant blinding, W^X memory and MDWE.
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "ebpf/abi.hpp"
#include "ebpf/jit.hpp"
#include "jit_test_support.hpp"

namespace ebpf::jit_test {
namespace {

uint64_t run_jit(const Program& p, uint64_t arg1 = 0, uint64_t arg2 = 0, const HelperTable* helpers = nullptr,
                 const ExecOptions& options = {}) {
    auto engine = make_jit({p, helpers}, options);
    EXPECT_EQ(engine->mode(), ExecMode::jit);
    return engine->run(arg1, arg2);
}

std::string error_of(const std::function<void()>& action) {
    try {
        action();
    } catch (const Error& e) {
        return e.what();
    }
    return "";
}

uint64_t weighted_sum(uint64_t a, uint64_t b, uint64_t c, uint64_t d, uint64_t e) {
    return a + 10 * b + 100 * c + 1000 * d + 10000 * e;
}

Engine* seen_engine = nullptr;
uint64_t record_engine(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t) {
    seen_engine = run_state().engine;
    return 7;
}

int tail_target = 0;
uint64_t tail_call_succeeds(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t) {
    run_state().tail_call_target = &tail_target;
    return 0;
}
uint64_t tail_call_fails(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t) { return uint64_t(-2); }

// Like bpf_loop: calls the callback (r1) `count` (r2) times with the index and
// a context pointer, stops when it returns 1.
uint64_t loop_helper(uint64_t count, uint64_t callback, uint64_t context, uint64_t, uint64_t) {
    uint64_t i = 0;
    for (; i < count; ++i) {
        if (run_state().engine->call_function(callback, i, context, 0, 0, 0) == 1) return i + 1;
    }
    return i;
}

TEST(JitEngine, HelperGetsFiveArgumentsAndCalleeSavedRegistersSurvive) {
    HelperTable helpers;
    helpers.set(100, weighted_sum);
    Program p{mov_imm(6, 60), mov_imm(7, 70), mov_imm(8, 80), mov_imm(9, 90),
              mov_imm(1, 1),  mov_imm(2, 2),  mov_imm(3, 3),  mov_imm(4, 4),
              mov_imm(5, 5),  call_helper(100)};
    for (int r = 6; r <= 9; ++r) p.push_back(alu_reg(op::kAdd, true, 0, r));
    p.push_back(exit_insn());
    EXPECT_EQ(run_jit(p, 0, 0, &helpers), 54321u + 60 + 70 + 80 + 90);
    expect_same(p, {}, "helper call", &helpers);
}

TEST(JitEngine, RunPassesContextAndLengthAndSetsScopedEngine) {
    HelperTable helpers;
    helpers.set(1, record_engine);
    const Program p{mov_reg(6, 1), alu_reg(op::kAdd, true, 6, 2), call_helper(1), alu_reg(op::kAdd, true, 0, 6),
                    exit_insn()};
    auto engine = make_jit({p, &helpers});
    seen_engine = nullptr;
    EXPECT_EQ(engine->run(1000, 23), 1030u);
    EXPECT_EQ(seen_engine, engine.get());
    EXPECT_EQ(run_state().engine, nullptr);
}

TEST(JitEngine, MissingHelperIsARunTimeErrorNamingInstructionAndHelper) {
    HelperTable helpers;
    const Program p{mov_imm(0, 0), call_helper(helper_id::get_prandom_u32), exit_insn()};
    auto engine = make_jit({p, &helpers});  // compiles: the helper might never be reached
    const std::string message = error_of([&] { engine->run(0, 0); });
    EXPECT_NE(message.find("instruction 1"), std::string::npos) << message;
    EXPECT_NE(message.find("helper 7"), std::string::npos) << message;
    EXPECT_EQ(message, run_with(ExecMode::interpret, p, {}, &helpers).error);
    EXPECT_THROW(run_jit({call_helper(100), exit_insn()}), Error);  // no table at all
    // the engine is still usable after an aborted run
    EXPECT_THROW(engine->run(0, 0), Error);
}

TEST(JitEngine, LocalCallsKeepR6ToR9AndGetTheirOwnStack) {
    // main: r6..r9 = 6..9; [r10-8] = 100; call f; r0 += r6+r7+r8+r9 + [r10-8]
    // f: clobbers r6..r9 and its own [r10-8]; returns r1 * 3
    Program p{mov_imm(6, 6), mov_imm(7, 7), mov_imm(8, 8), mov_imm(9, 9), st(op::kSizeDW, 10, -8, 100),
              mov_imm(1, 5), call_local(7)};
    for (int r = 6; r <= 9; ++r) p.push_back(alu_reg(op::kAdd, true, 0, r));
    p.push_back(ldx(op::kSizeDW, 1, 10, -8));
    p.push_back(alu_reg(op::kAdd, true, 0, 1));
    p.push_back(exit_insn());
    // f at index 14
    ASSERT_EQ(p.size(), 14u);
    for (int r = 6; r <= 9; ++r) p.push_back(mov_imm(r, 1000));
    p.push_back(st(op::kSizeDW, 10, -8, 1));
    p.push_back(mov_reg(0, 1));
    p.push_back(alu_imm(op::kMul, true, 0, 3));
    p.push_back(exit_insn());
    EXPECT_EQ(run_jit(p), 15u + 30 + 100);
    expect_same(p, {}, "local call");
}

TEST(JitEngine, NestedCallsUpToTheDepthLimitAndAClearErrorBeyondIt) {
    // f(n): if n == 0 return 0; return f(n - 1) + 1 — recursion depth n + 1 frames
    auto recursion = [](int32_t n) {
        return Program{mov_imm(1, n), call_local(1), exit_insn(),
                       jmp_imm(op::kJeq, true, 1, 0, 4), alu_imm(op::kSub, true, 1, 1), call_local(-3),
                       alu_imm(op::kAdd, true, 0, 1), exit_insn(), mov_imm(0, 0), exit_insn()};
    };
    EXPECT_EQ(run_jit(recursion(6)), 6u);  // 8 frames: main + 7 calls
    expect_same(recursion(6), {}, "depth 8");
    const std::string message = error_of([&] { run_jit(recursion(7)); });
    EXPECT_NE(message.find("call depth exceeds 8"), std::string::npos) << message;
    expect_same(recursion(7), {}, "depth 9");
}

TEST(JitEngine, TailCallLeavesEveryFrameAtOnce) {
    HelperTable helpers;
    helpers.set(helper_id::tail_call, tail_call_succeeds);
    // main calls f, f tail-calls; nothing after the helper may run
    const Program p{call_local(2), mov_imm(0, 111), exit_insn(),
                    call_helper(helper_id::tail_call), mov_imm(0, 222), exit_insn()};
    run_state().tail_call_target = nullptr;
    EXPECT_EQ(run_jit(p, 0, 0, &helpers), 0u);
    EXPECT_EQ(run_state().tail_call_target, &tail_target);
    run_state().tail_call_target = nullptr;

    HelperTable failing;
    failing.set(helper_id::tail_call, tail_call_fails);
    EXPECT_EQ(run_jit(p, 0, 0, &failing), 111u);  // falls through, as in Linux
    EXPECT_EQ(run_state().tail_call_target, nullptr);
}

Program loop_program() {
    // r6 = ctx; bpf_loop(5, callback, r10 - 8); r0 = [r10-8] + returned count
    // callback(i, ctx): *(u64 *)ctx += i * 10; stop at i == 3
    Program p{st(op::kSizeDW, 10, -8, 1), mov_imm(1, 5)};
    p.push_back(insn(op::kLddw, 2, op::kPseudoFunc, 0, 0));
    p.push_back(insn(0, 0, 0, 0, 0));
    p.push_back(mov_reg(3, 10));
    p.push_back(alu_imm(op::kAdd, true, 3, -8));
    p.push_back(call_helper(helper_id::loop));
    p.push_back(ldx(op::kSizeDW, 1, 10, -8));
    p.push_back(alu_reg(op::kAdd, true, 0, 1));
    p.push_back(exit_insn());
    const int32_t callback = static_cast<int32_t>(p.size());
    p[2].imm = callback - 3;  // relative to the slot after the LDDW
    p.push_back(mov_reg(4, 1));
    p.push_back(alu_imm(op::kMul, true, 4, 10));
    p.push_back(ldx(op::kSizeDW, 5, 2, 0));
    p.push_back(alu_reg(op::kAdd, true, 5, 4));
    p.push_back(stx(op::kSizeDW, 2, 5, 0));
    p.push_back(mov_imm(0, 0));
    p.push_back(jmp_imm(op::kJne, true, 1, 3, 1));
    p.push_back(mov_imm(0, 1));
    p.push_back(exit_insn());
    return p;
}

TEST(JitEngine, CallFunctionRunsBpfLoopCallbacks) {
    HelperTable helpers;
    helpers.set(helper_id::loop, loop_helper);
    const Program p = loop_program();
    EXPECT_EQ(run_jit(p, 0, 0, &helpers), 1u + 0 + 10 + 20 + 30 + 4);
    expect_same(p, {}, "bpf_loop", &helpers);
}

TEST(JitEngine, AFailingCallbackUnwindsTheOuterRunWithTheCallbacksError) {
    HelperTable helpers;
    helpers.set(helper_id::loop, loop_helper);
    // main: bpf_loop(3, callback); r0 = 99 — the callback calls helper 77, which is missing
    Program p{mov_imm(1, 3)};
    p.push_back(insn(op::kLddw, 2, op::kPseudoFunc, 0, 4));
    p.push_back(insn(0, 0, 0, 0, 0));
    p.push_back(call_helper(helper_id::loop));
    p.push_back(mov_imm(0, 99));
    p.push_back(exit_insn());
    p.push_back(call_helper(77));  // the callback: 6 = 1 + 1 + 4
    p.push_back(exit_insn());
    const std::string jit_error = run_with(ExecMode::jit, p, {}, &helpers).error;
    EXPECT_NE(jit_error.find("instruction 6: helper 77"), std::string::npos) << jit_error;
    EXPECT_EQ(jit_error, run_with(ExecMode::interpret, p, {}, &helpers).error);
    EXPECT_EQ(run_state().engine, nullptr);
    // and the engine still runs afterwards
    helpers.set(77, weighted_sum);
    EXPECT_EQ(run_with(ExecMode::jit, p, {}, &helpers).r0, 99u);
}

TEST(JitEngine, RunningIntoAFunctionFromTheInstructionBeforeStaysInTheFrame) {
    // insn 3 is a bpf-to-bpf callee and also the fall-through of insn 2
    const Program p{mov_imm(0, 1), call_local(1), alu_imm(op::kAdd, true, 0, 10), alu_imm(op::kAdd, true, 0, 100),
                    exit_insn()};
    EXPECT_EQ(run_jit(p), 211u);
    expect_same(p, {}, "fall into a function");
}

TEST(JitEngine, CallFunctionRejectsAddressesThatAreNotFunctions) {
    const Program p{mov_imm(0, 1), exit_insn()};
    auto engine = make_jit({p, nullptr});
    const std::string message = error_of([&] { engine->call_function(0x1234, 0, 0, 0, 0, 0); });
    EXPECT_NE(message.find("not the address of a function"), std::string::npos) << message;
}

TEST(JitEngine, MalformedAndUnsupportedProgramsAreRefusedWithReasons) {
    EXPECT_NE(error_of([] { run_jit({}); }), "");
    // a jump out of the program
    EXPECT_NE(error_of([] { run_jit({ja(5), exit_insn()}); }), "");
    // an unresolved map reference
    const Program map_ref{insn(op::kLddw, 1, op::kPseudoMapIdx, 0, 0), insn(0, 0, 0, 0, 0), mov_imm(0, 0),
                          exit_insn()};
    EXPECT_NE(error_of([&] { run_jit(map_ref); }).find("resolved by the runtime"), std::string::npos)
        << error_of([&] { run_jit(map_ref); });
    // a kfunc call
    const Program kfunc{insn(op::kClassJmp | op::kCall, 0, op::kCallBtf, 0, 1), exit_insn()};
    EXPECT_NE(error_of([&] { run_jit(kfunc); }), "");
    // a truncated LDDW
    EXPECT_NE(error_of([] { run_jit({insn(op::kLddw, 0, 0, 0, 0)}); }), "");
}

TEST(JitEngine, ConstantBlindingKeepsImmediatesOutOfTheCode) {
    // A JIT-spraying pattern: the same 4-byte immediate in many instructions.
    const int32_t spray = 0x3c90c031;
    Program p{mov_imm(0, 0)};
    for (int k = 0; k < 16; ++k) p.push_back(alu_imm(op::kXor, true, 0, spray));
    p.push_back(alu_imm(op::kAdd, false, 0, spray));
    p.push_back(st(op::kSizeW, 10, -4, spray));
    p.push_back(ldx(op::kSizeW, 1, 10, -4));
    p.push_back(alu_reg(op::kAdd, true, 0, 1));
    lddw(p, 2, 0x3c90c0313c90c031ull);
    p.push_back(alu_reg(op::kXor, true, 0, 2));
    p.push_back(exit_insn());
    auto contains_spray = [&](const std::vector<uint8_t>& code) {
        const uint8_t bytes[4] = {0x31, 0xc0, 0x90, 0x3c};
        return std::search(code.begin(), code.end(), bytes, bytes + 4) != code.end();
    };
    ExecOptions blinded;
    blinded.constant_blinding = true;
    EXPECT_TRUE(contains_spray(jit_compile_listing({p, nullptr}, {}, JitArch::x86_64).code));
    EXPECT_FALSE(contains_spray(jit_compile_listing({p, nullptr}, blinded, JitArch::x86_64).code));
    // AArch64 builds constants 16 bits at a time (movz/movn/movk): no such
    // instruction of the blinded code may carry a half of the immediate.
    auto moves_spray_half = [](const std::vector<uint8_t>& code) {
        for (size_t at = 0; at + 4 <= code.size(); at += 4) {
            uint32_t word;
            std::memcpy(&word, code.data() + at, 4);
            const uint32_t imm16 = (word >> 5) & 0xffff;
            const bool move_wide = ((word >> 23) & 0x3f) == 0x25;
            if (move_wide && (imm16 == 0xc031 || imm16 == 0x3c90 || imm16 == 0x3f6f || imm16 == 0xc36f)) return true;
        }
        return false;
    };
    EXPECT_TRUE(moves_spray_half(jit_compile_listing({p, nullptr}, {}, JitArch::aarch64).code));
    EXPECT_FALSE(moves_spray_half(jit_compile_listing({p, nullptr}, blinded, JitArch::aarch64).code));
    EXPECT_EQ(run_jit(p, 0, 0, nullptr, blinded), run_jit(p));
    expect_same(p, {}, "blinded", nullptr, blinded);
}

TEST(JitEngine, ListingMapsEveryInstructionToItsMachineCode) {
    Program p{mov_imm(0, 1)};
    lddw(p, 1, 0x1122334455667788ull);
    p.push_back(alu_reg(op::kAdd, true, 0, 1));
    p.push_back(exit_insn());
    for (JitArch arch : {JitArch::host, JitArch::x86_64, JitArch::aarch64}) {
        const JitListing listing = jit_compile_listing({p, nullptr}, {}, arch);
        ASSERT_EQ(listing.insn_offsets.size(), p.size() + 1);
        EXPECT_TRUE(std::is_sorted(listing.insn_offsets.begin(), listing.insn_offsets.end()));
        EXPECT_EQ(listing.insn_offsets[2], listing.insn_offsets[3]);  // LDDW second slot: empty
        EXPECT_LT(listing.insn_offsets.back(), listing.entry_offset);
        EXPECT_LT(listing.entry_offset, listing.code.size());
    }
#if defined(__aarch64__)
    EXPECT_EQ(jit_compile_listing({p, nullptr}).arch, JitArch::aarch64);
#else
    EXPECT_EQ(jit_compile_listing({p, nullptr}).arch, JitArch::x86_64);
#endif
    const std::string text = jit_disassemble({p, nullptr}, {}, JitArch::x86_64);
    EXPECT_NE(text.find("1: r1 = 0x1122334455667788 ll"), std::string::npos) << text;
    EXPECT_NE(text.find("movabs rdi, 0x1122334455667788"), std::string::npos) << text;
    EXPECT_NE(text.find("add rax, rdi"), std::string::npos) << text;
    EXPECT_NE(text.find("entry trampoline"), std::string::npos) << text;
    // AArch64: r0 = x7, r1 = x0; the constant in four 16-bit moves.
    const std::string arm = jit_disassemble({p, nullptr}, {}, JitArch::aarch64);
    EXPECT_NE(arm.find("1: r1 = 0x1122334455667788 ll"), std::string::npos) << arm;
    EXPECT_NE(arm.find("movz x0, #0x7788"), std::string::npos) << arm;
    EXPECT_NE(arm.find("movk x0, #0x1122, lsl #48"), std::string::npos) << arm;
    EXPECT_NE(arm.find("add x7, x7, x0"), std::string::npos) << arm;
    EXPECT_NE(arm.find("entry trampoline"), std::string::npos) << arm;
}

TEST(JitEngine, CodePagesAreNeverWritableAndExecutable) {
    const Program p{mov_imm(0, 42), exit_insn()};
    auto engine = make_jit({p, nullptr});
    EXPECT_EQ(engine->run(0, 0), 42u);
    FILE* maps = std::fopen("/proc/self/maps", "r");
    ASSERT_NE(maps, nullptr);
    char line[512];
    int wx = 0;
    while (std::fgets(line, sizeof line, maps)) {
        char perms[8] = {};
        if (std::sscanf(line, "%*x-%*x %4s", perms) == 1 && perms[1] == 'w' && perms[2] == 'x') ++wx;
    }
    std::fclose(maps);
    EXPECT_EQ(wx, 0) << "a writable and executable mapping exists";
}

// PR_SET_MDWE (Linux 6.3): a process that may not gain executable memory.
constexpr int kPrSetMdwe = 65;
constexpr unsigned long kMdweRefuseExecGain = 1;

TEST(JitEngine, MemoryDenyWriteExecuteFailsCleanlyAndPointsToNativeMode) {
    int pipe_fds[2];
    ASSERT_EQ(pipe(pipe_fds), 0);
    const pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        close(pipe_fds[0]);
        // 'S' = kernel without MDWE, 'C' = clean error with the right message, 'X' = no error
        char verdict = 'X';
        std::string message;
        // Under MDWE a page that was not executable may not become so.
        auto exec_gain_refused = [] {
            void* page = mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
            if (page == MAP_FAILED) return true;
            const bool refused = mprotect(page, 4096, PROT_READ | PROT_EXEC) != 0;
            munmap(page, 4096);
            return refused;
        };
        if (prctl(kPrSetMdwe, kMdweRefuseExecGain, 0L, 0L, 0L) != 0) {
            verdict = 'S';
            message = std::strerror(errno);
        } else if (!exec_gain_refused()) {
            // The prctl succeeded but is not enforced: an emulator (qemu-user
            // passes it to the host but maps guest code without PROT_EXEC).
            verdict = 'S';
            message = "PR_SET_MDWE is accepted but not enforced here (an emulator?)";
        } else {
            try {
                make_jit({Program{mov_imm(0, 1), exit_insn()}, nullptr});
            } catch (const Error& e) {
                message = e.what();
                verdict = 'C';
            }
        }
        const std::string report = std::string(1, verdict) + message;
        (void)!write(pipe_fds[1], report.data(), report.size());
        _exit(0);
    }
    close(pipe_fds[1]);
    std::string report;
    char buffer[512];
    ssize_t n;
    while ((n = read(pipe_fds[0], buffer, sizeof buffer)) > 0) report.append(buffer, static_cast<size_t>(n));
    close(pipe_fds[0]);
    int status = 0;
    ASSERT_EQ(waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFEXITED(status)) << "the child crashed under MDWE";
    ASSERT_FALSE(report.empty());
    if (report[0] == 'S') GTEST_SKIP() << "this kernel has no PR_SET_MDWE: " << report.substr(1);
    ASSERT_EQ(report[0], 'C') << "make_jit succeeded under MDWE";
    EXPECT_NE(report.find("cannot create executable memory"), std::string::npos) << report;
    EXPECT_NE(report.find("--mode native"), std::string::npos) << report;
}

}  // namespace
}  // namespace ebpf::jit_test
