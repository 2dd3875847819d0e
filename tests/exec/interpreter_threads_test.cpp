// One interpreter engine run from several threads at once, each on its own
// memory: every run must see its own context (also in callbacks reached
// through call_function) and return its own result.
#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "ebpf/abi.hpp"
#include "ebpf/error.hpp"
#include "program_builder.hpp"

namespace ebpf::test {
namespace {

constexpr int kWords = 64;

// bpf_loop-like: calls the callback in r1 with r2 as its argument.
uint64_t invoke_callback(uint64_t function, uint64_t argument, uint64_t, uint64_t, uint64_t) {
    return run_state().engine->call_function(function, argument, 0, 0, 0, 0);
}

// main: r6 = ctx; r0 = callback(ctx) (sum of the 64 words); r0 += ctx[0]
// callback: sum of the 64 words at r1, read through bounds-checked loads.
std::vector<Instruction> sum_through_callback() {
    Program p{};
    p.add(movr(6, 1));
    p.lddw(1, 0, kPseudoFunc);
    p.insns[1].imm = 6;  // 1 + 1 + 6 = 8: the callback
    p.add(movr(2, 6))
        .add(call_helper(helper_id::loop))
        .add(ldx(kSizeDW, 7, 6, 0))
        .add(alu64_reg(kAdd, 0, 7))
        .add(exit_insn());
    p.add(mov(0, 0))                               // 8
        .add(mov(2, 0))                            // 9
        .add(movr(3, 1))                           // 10: loop
        .add(alu64_reg(kAdd, 3, 2))                // 11
        .add(ldx(kSizeDW, 4, 3, 0))                // 12
        .add(alu64_reg(kAdd, 0, 4))                // 13
        .add(alu64_imm(kAdd, 2, 8))                // 14
        .add(jmp_imm(kJlt, 2, kWords * 8, -6))     // 15: to 10
        .add(exit_insn());                         // 16
    return p.insns;
}

void run_from_threads(Engine& engine, int runs_per_thread) {
    constexpr int kThreads = 4;
    std::atomic<int> wrong{0};
    std::atomic<int> failed{0};
    std::vector<std::string> first_error(kThreads);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            std::vector<uint64_t> memory(kWords);
            uint64_t expected = 0;
            for (int i = 0; i < kWords; ++i) {
                memory[static_cast<size_t>(i)] = static_cast<uint64_t>(t + 1) * 1000003u + static_cast<uint64_t>(i) * (t + 7);
                expected += memory[static_cast<size_t>(i)];
            }
            expected += memory[0];
            const auto address = reinterpret_cast<uint64_t>(memory.data());
            for (int r = 0; r < runs_per_thread; ++r) {
                try {
                    if (engine.run(address, kWords * 8) != expected) ++wrong;
                } catch (const Error& e) {
                    if (failed++ == 0 || first_error[static_cast<size_t>(t)].empty())
                        first_error[static_cast<size_t>(t)] = e.what();
                }
            }
        });
    }
    for (auto& thread : threads) thread.join();
    std::string errors;
    for (const auto& e : first_error)
        if (!e.empty()) errors += e + "\n";
    EXPECT_EQ(wrong.load(), 0);
    EXPECT_EQ(failed.load(), 0) << errors;
}

TEST(InterpreterThreads, OneEngineFromFourThreadsBoundsChecked) {
    HelperTable helpers;
    helpers.set(helper_id::loop, invoke_callback);
    const std::vector<Instruction> insns = sum_through_callback();
    ExecOptions options;
    options.bounds_check = true;  // every access is checked against the run's own context
    auto engine = make_interpreter({insns, &helpers}, options);
    run_from_threads(*engine, 20000);
}

TEST(InterpreterThreads, OneEngineFromFourThreadsUnchecked) {
    HelperTable helpers;
    helpers.set(helper_id::loop, invoke_callback);
    const std::vector<Instruction> insns = sum_through_callback();
    auto engine = make_interpreter({insns, &helpers});
    run_from_threads(*engine, 3000);
}

// Nesting is counted per run chain on each thread: unbounded recursion
// through callbacks fails, and leaves no count behind for the next run.
uint64_t recurse(uint64_t function, uint64_t depth, uint64_t, uint64_t, uint64_t) {
    return run_state().engine->call_function(function, depth + 1, 0, 0, 0, 0);
}
uint64_t recurse_to_3(uint64_t function, uint64_t depth, uint64_t, uint64_t, uint64_t) {
    if (depth >= 3) return depth;
    return run_state().engine->call_function(function, depth + 1, 0, 0, 0, 0);
}

TEST(InterpreterThreads, CallbackNestingIsLimitedAndRestored) {
    HelperTable helpers;
    helpers.set(helper_id::loop, recurse);
    // main and callback are the same shape: r2 = r1; r1 = &callback; call helper; exit
    Program p{};
    p.add(movr(2, 1));
    p.lddw(1, 0, kPseudoFunc);
    p.insns[1].imm = 3;  // 1 + 1 + 3 = 5: the callback
    p.add(call_helper(helper_id::loop)).add(exit_insn());
    p.add(movr(2, 1));
    p.lddw(1, 0, kPseudoFunc);
    p.insns[6].imm = -2;  // 6 + 1 - 2 = 5: itself
    p.add(call_helper(helper_id::loop)).add(exit_insn());
    auto engine = make_interpreter({p.insns, &helpers});
    for (int attempt = 0; attempt < 3; ++attempt) {
        try {
            engine->run(0, 0);
            FAIL() << "unbounded callback recursion was not stopped";
        } catch (const Error& e) {
            EXPECT_NE(std::string(e.what()).find("nested deeper than"), std::string::npos) << e.what();
        }
    }
    helpers.set(helper_id::loop, recurse_to_3);
    EXPECT_EQ(engine->run(0, 0), 3u);
}

}  // namespace
}  // namespace ebpf::test
