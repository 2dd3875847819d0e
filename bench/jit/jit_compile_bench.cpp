// JIT compile time per 1,000 eBPF instructions: make_jit() end to end (code
// generation, mapping, W^X protection) and the code generation alone
// (jit_compile_listing), with and without constant blinding. The program is
// a deterministic mix of ALU, memory, branch and LDDW instructions.
#include <benchmark/benchmark.h>

#include <random>
#include <vector>

#include "ebpf/exec.hpp"
#include "ebpf/isa.hpp"
#include "ebpf/jit.hpp"

namespace ebpf::bench {
namespace {

Instruction make(uint8_t opcode, int dst, int src, int16_t offset, int32_t imm) {
    return make_instruction(opcode, dst, src, offset, imm);
}

// About `count` instructions: r0..r9 initialised, then a seeded mix.
std::vector<Instruction> mixed_program(size_t count, uint32_t seed = 42) {
    std::mt19937 random(seed);
    std::vector<Instruction> p;
    for (int r = 0; r < 10; ++r) p.push_back(make(op::kClassAlu64 | op::kMov, r, 0, 0, r + 1));
    const uint8_t alu[] = {op::kAdd, op::kSub, op::kMul, op::kDiv, op::kOr, op::kAnd, op::kLsh,
                           op::kRsh, op::kMod, op::kXor, op::kMov, op::kArsh};
    while (p.size() + 2 < count) {
        const int dst = static_cast<int>(random() % 10), src = static_cast<int>(random() % 10);
        switch (random() % 8) {
        case 0: p.push_back(make(op::kClassStx | op::kModeMem | op::kSizeDW, 10, src, -8, 0)); break;
        case 1: p.push_back(make(op::kClassLdx | op::kModeMem | op::kSizeW, dst, 10, -8, 0)); break;
        case 2: p.push_back(make(op::kClassJmp | op::kJgt | op::kSrcX, dst, src, 0, 0)); break;
        case 3:
            p.push_back(make(op::kLddw, dst, 0, 0, static_cast<int32_t>(random())));
            p.push_back(make(0, 0, 0, 0, static_cast<int32_t>(random())));
            break;
        default: {
            const uint8_t aop = alu[random() % std::size(alu)];
            const uint8_t cls = (random() & 1) ? op::kClassAlu64 : op::kClassAlu;
            if (random() & 1) p.push_back(make(cls | op::kSrcX | aop, dst, src, 0, 0));
            else p.push_back(make(cls | aop, dst, 0, 0, static_cast<int32_t>(random() % 64) + 1));
        }
        }
    }
    p.push_back(make(op::kClassJmp | op::kExit, 0, 0, 0, 0));
    return p;
}

void report_per_thousand(benchmark::State& state, size_t insns) {
    state.counters["insns"] = static_cast<double>(insns);
    // Seconds per iteration scaled to 1,000 instructions (shown as a rate of
    // "thousands of instructions per second"; its inverse is the time per 1k).
    state.counters["kinsns_per_s"] =
        benchmark::Counter(static_cast<double>(insns) / 1000.0, benchmark::Counter::kIsIterationInvariantRate);
}

void make_jit_end_to_end(benchmark::State& state, bool blinding) {
    const auto insns = mixed_program(static_cast<size_t>(state.range(0)));
    ExecOptions options;
    options.constant_blinding = blinding;
    const HelperTable helpers;
    for (auto _ : state) benchmark::DoNotOptimize(make_jit({insns, &helpers}, options));
    report_per_thousand(state, insns.size());
}

// As make_jit_end_to_end, but each iteration compiles the next of 16
// programs of the same mix (different seeds), so that the CPU's branch
// predictor cannot learn one program's instruction sequence over the
// iterations: a 1,000-instruction program compiled again and again measures
// faster than one compiled once, which is what a loader does.
void make_jit_rotating(benchmark::State& state, bool blinding) {
    std::vector<std::vector<Instruction>> programs;
    for (uint32_t seed = 1; seed <= 16; ++seed) programs.push_back(mixed_program(static_cast<size_t>(state.range(0)), seed));
    ExecOptions options;
    options.constant_blinding = blinding;
    const HelperTable helpers;
    size_t next = 0;
    for (auto _ : state) {
        benchmark::DoNotOptimize(make_jit({programs[next], &helpers}, options));
        next = (next + 1) % programs.size();
    }
    report_per_thousand(state, programs[0].size());
}

void code_generation_only(benchmark::State& state) {
    const auto insns = mixed_program(static_cast<size_t>(state.range(0)));
    for (auto _ : state) benchmark::DoNotOptimize(jit_compile_listing({insns, nullptr}));
    report_per_thousand(state, insns.size());
}

void interpreter_setup(benchmark::State& state) {
    const auto insns = mixed_program(static_cast<size_t>(state.range(0)));
    for (auto _ : state) benchmark::DoNotOptimize(make_interpreter({insns, nullptr}));
    report_per_thousand(state, insns.size());
}

BENCHMARK_CAPTURE(make_jit_end_to_end, plain, false)->Arg(1000)->Arg(10000)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(make_jit_end_to_end, blinded, true)->Arg(1000)->Arg(10000)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(make_jit_rotating, plain, false)->Arg(1000)->Arg(10000)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(make_jit_rotating, blinded, true)->Arg(1000)->Arg(10000)->Unit(benchmark::kMicrosecond);
BENCHMARK(code_generation_only)->Arg(1000)->Arg(10000)->Unit(benchmark::kMicrosecond);
BENCHMARK(interpreter_setup)->Arg(1000)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace ebpf::bench

BENCHMARK_MAIN();
