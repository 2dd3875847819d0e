// Compute benchmarks: each workload in C (the baseline) and in every
// execution mode this build has. Each engine row reports `vs_c`, its time per
// run divided by the C time measured in the same process. A new mode (JIT,
// native) is one more entry in engine_modes().
//
// Two kinds of workload: the compute set (kernels/kernels.h: one C source
// compiled for eBPF and, with the same clang -O2, for the host; verified as
// every program is before it runs — a rejected one is reported, not run), and
// the older hand-written assembler loops of compute_programs.hpp (run as
// written). scripts/bench.sh turns the output into one table.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <ctime>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "compute_programs.hpp"
#include "ebpf/error.hpp"
#include "ebpf/exec.hpp"
#include "ebpf/isa.hpp"
#include "ebpf/object.hpp"
#include "ebpf/verifier.hpp"
#include "native_engine.hpp"

extern "C" {
uint64_t compute_c_collatz(uint64_t seed);
uint64_t compute_c_crc32(uint64_t seed);
uint64_t compute_c_fnv1a(uint64_t seed);
uint64_t compute_c_sieve(uint64_t seed);
uint64_t compute_c_bubble_sort(uint64_t seed);
uint64_t compute_c_xorshift(uint64_t seed);
}

namespace ebpf::bench {
namespace {

// The compute set: the eBPF programs read their seed from the first 8 bytes
// of the memory (make_buffer()'s), the C functions get it as an argument.
uint64_t seed_of(const uint8_t* memory) {
    uint64_t seed;
    std::memcpy(&seed, memory, sizeof seed);
    return seed;
}
template <uint64_t (*F)(uint64_t)>
uint64_t seeded(uint8_t* memory, uint64_t) { return F(seed_of(memory)); }

struct KernelProgram {
    std::string_view name;
    uint64_t (*native)(uint8_t* memory, uint64_t length);
};
constexpr KernelProgram kKernels[] = {
    {"collatz", seeded<compute_c_collatz>},     {"crc32", seeded<compute_c_crc32>},
    {"fnv1a", seeded<compute_c_fnv1a>},         {"sieve", seeded<compute_c_sieve>},
    {"bubble_sort", seeded<compute_c_bubble_sort>}, {"xorshift", seeded<compute_c_xorshift>},
};

// One workload as the engines get it: verified instructions, or why not.
struct Workload {
    std::string name;
    uint64_t (*native)(uint8_t* memory, uint64_t length) = nullptr;
    std::vector<Instruction> insns;
    std::string rejected;  // non-empty: the verifier's (or loader's) reason
};

std::vector<Workload> load_workloads() {
    std::vector<Workload> workloads;
    Object object;
    std::string open_error;
    try {
        object = open_object(EBPF_COMPUTE_KERNELS_OBJECT);
    } catch (const Error& e) {
        open_error = e.what();
    }
    for (const KernelProgram& kernel : kKernels) {
        Workload workload{"set/" + std::string(kernel.name), kernel.native, {}, open_error};
        if (const Program* program = open_error.empty() ? object.find_program(kernel.name) : nullptr) {
            const VerifyResult verdict = verify_program(*program, object.maps);
            if (verdict.ok) workload.insns = program->insns;
            else workload.rejected = verdict.errors.empty() ? "rejected" : verdict.errors[0].message;
        } else if (workload.rejected.empty()) {
            workload.rejected = "no program " + std::string(kernel.name);
        }
        workloads.push_back(std::move(workload));
    }
    for (const ComputeProgram& program : kComputePrograms)
        workloads.push_back({std::string(program.name), program.native, assemble(program.assembly), {}});
    return workloads;
}

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
double c_nanoseconds(const Workload& program) {
    static std::map<std::string, double> cache;
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

void run_c(benchmark::State& state, const Workload& program) {
    auto buffer = make_buffer();
    for (auto _ : state) {
        uint8_t* memory = buffer.data();
        benchmark::DoNotOptimize(memory);
        benchmark::DoNotOptimize(program.native(memory, buffer.size()));
        benchmark::ClobberMemory();
    }
}

void run_engine(benchmark::State& state, const Workload& program, const EngineMode& mode) {
    if (!program.rejected.empty()) {
        state.SkipWithError(("rejected: " + program.rejected).c_str());
        return;
    }
    const HelperTable helpers;
    const std::unique_ptr<Engine> engine = mode.make({program.insns, &helpers});
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
    static const std::vector<Workload> workloads = load_workloads();
    for (const Workload& program : workloads) {
        benchmark::RegisterBenchmark(("compute/" + program.name + "/c").c_str(),
                                     [&program](benchmark::State& state) { run_c(state, program); });
        for (const EngineMode& mode : modes) {
            benchmark::RegisterBenchmark(("compute/" + program.name + "/" + mode.name).c_str(),
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
