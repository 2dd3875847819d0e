// `ebpf build` time for a ~1,000-instruction program, step by step (open +
// verify + bpf2c, then cc -O2 -fPIC -g -shared) and in total. Target: ≤ 1 s.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <filesystem>

#include "ebpf/native.hpp"
#include "ebpf/object.hpp"

namespace {

const std::string kObject = EBPF_BENCH_OBJECT;

std::filesystem::path scratch() {
    auto dir = std::filesystem::temp_directory_path() / ("ebpf-build-bench-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    return dir;
}

void BM_VerifyAndBpf2c(benchmark::State& state) {
    size_t instructions = 0;
    for (auto _ : state) {
        ebpf::Bpf2cResult result = ebpf::bpf2c(ebpf::open_object(kObject));
        instructions = result.instruction_count;
        benchmark::DoNotOptimize(result.c_source.data());
    }
    state.counters["instructions"] = static_cast<double>(instructions);
}

void BM_CompileModule(benchmark::State& state) {
    auto dir = scratch();
    ebpf::write_file_atomically((dir / "m.c").string(), ebpf::bpf2c(ebpf::open_object(kObject)).c_source);
    for (auto _ : state) ebpf::compile_c_to_module((dir / "m.c").string(), (dir / "m.so").string());
    std::filesystem::remove_all(dir);
}

void BM_EbpfBuildTotal(benchmark::State& state) {
    auto dir = scratch();
    size_t instructions = 0;
    for (auto _ : state) {
        ebpf::Bpf2cResult result = ebpf::bpf2c(ebpf::open_object(kObject));
        instructions = result.instruction_count;
        ebpf::write_file_atomically((dir / "m.c").string(), result.c_source);
        ebpf::compile_c_to_module((dir / "m.c").string(), (dir / "m.so").string());
    }
    state.counters["instructions"] = static_cast<double>(instructions);
    std::filesystem::remove_all(dir);
}

BENCHMARK(BM_VerifyAndBpf2c)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_CompileModule)->Unit(benchmark::kMillisecond)->Iterations(5);
BENCHMARK(BM_EbpfBuildTotal)->Unit(benchmark::kMillisecond)->Iterations(5);

}  // namespace

BENCHMARK_MAIN();
