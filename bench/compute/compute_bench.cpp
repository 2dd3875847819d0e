// Compute benchmarks: each workload in C (the baseline) and in every
// execution mode this build has. Each engine row reports `vs_c`, its time per
// run divided by the C time measured in the same process. A new mode (JIT,
// native) is one more entry in engine_modes().
#include <benchmark/benchmark.h>

#include <ctime>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "compute_programs.hpp"
#include "ebpf/exec.hpp"
#include "ebpf/isa.hpp"
#include "native_engine.hpp"

namespace ebpf::bench {
namespace {

struct EngineMode {
    std::string name;
    std::function<std::unique_ptr<Engine>(const ExecutableProgram&)> make;
};

std::vector<EngineMode> engine_modes() {
    std::vector<EngineMode> modes;
    if (interpreter_available()) {
        modes.push_back({"interpret", [](const ExecutableProgram& p) { return make_interpreter(p); }});
        modes.push_back({"interpret_checked", [](const ExecutableProgram& p) {
                             ExecOptions options;
                             options.bounds_check = true;
                             return make_interpreter(p, options);
                         }});
    }
    modes.push_back({"jit", [](const ExecutableProgram& p) { return make_jit(p); }});
    modes.push_back({"jit_blinded", [](const ExecutableProgram& p) {
                         ExecOptions options;
                         options.constant_blinding = true;
                         return make_jit(p, options);
                     }});
    modes.push_back({"native", [](const ExecutableProgram& p) { return make_native_engine(p); }});
    return modes;
}

// Thread CPU time: the ratio to C stays meaningful on a loaded machine.
double cpu_nanoseconds() {
    timespec now{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
    return static_cast<double>(now.tv_sec) * 1e9 + static_cast<double>(now.tv_nsec);
}

std::vector<uint8_t> make_buffer() {
    std::vector<uint8_t> buffer(kBufferSize);
    for (size_t i = 0; i < buffer.size(); ++i) buffer[i] = static_cast<uint8_t>(i * 7 + 3);
    return buffer;
}

// Mean ns per call of the C version, measured once per workload.
double c_nanoseconds(const ComputeProgram& program) {
    static std::map<std::string_view, double> cache;
    if (auto found = cache.find(program.name); found != cache.end()) return found->second;
    auto buffer = make_buffer();
    uint64_t calls = 0;
    const double start = cpu_nanoseconds();
    double elapsed = 0;
    do {
        for (int i = 0; i < 1000; ++i) {
            uint8_t* memory = buffer.data();
            benchmark::DoNotOptimize(memory);
            benchmark::DoNotOptimize(program.native(memory, buffer.size()));
            benchmark::ClobberMemory();
        }
        calls += 1000;
        elapsed = cpu_nanoseconds() - start;
    } while (elapsed < 200e6);
    const double ns = elapsed / static_cast<double>(calls);
    cache[program.name] = ns;
    return ns;
}

void run_c(benchmark::State& state, const ComputeProgram& program) {
    auto buffer = make_buffer();
    for (auto _ : state) {
        uint8_t* memory = buffer.data();
        benchmark::DoNotOptimize(memory);
        benchmark::DoNotOptimize(program.native(memory, buffer.size()));
        benchmark::ClobberMemory();
    }
}

void run_engine(benchmark::State& state, const ComputeProgram& program, const EngineMode& mode) {
    const std::vector<Instruction> insns = assemble(program.assembly);
    const HelperTable helpers;
    const std::unique_ptr<Engine> engine = mode.make({insns, &helpers});
    auto buffer = make_buffer();
    auto reference = make_buffer();
    const uint64_t expected = program.native(reference.data(), reference.size());
    const uint64_t r1 = reinterpret_cast<uint64_t>(buffer.data());
    if (engine->run(r1, buffer.size()) != expected) {
        state.SkipWithError("engine result differs from the C version");
        return;
    }
    const double start = cpu_nanoseconds();
    for (auto _ : state) benchmark::DoNotOptimize(engine->run(r1, buffer.size()));
    const double ns = (cpu_nanoseconds() - start) / static_cast<double>(state.iterations());
    state.counters["vs_c"] = ns / c_nanoseconds(program);
}

void register_benchmarks() {
    static const std::vector<EngineMode> modes = engine_modes();
    for (const ComputeProgram& program : kComputePrograms) {
        benchmark::RegisterBenchmark(("compute/" + std::string(program.name) + "/c").c_str(),
                                     [&program](benchmark::State& state) { run_c(state, program); });
        for (const EngineMode& mode : modes) {
            benchmark::RegisterBenchmark(("compute/" + std::string(program.name) + "/" + mode.name).c_str(),
                                         [&program, &mode](benchmark::State& state) { run_engine(state, program, mode); });
        }
    }
}

}  // namespace
}  // namespace ebpf::bench

int main(int argc, char** argv) {
    ebpf::bench::register_benchmarks();
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
