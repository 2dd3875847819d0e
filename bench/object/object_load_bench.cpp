// Loading cost of real objects: ELF + BTF + .BTF.ext parsing, maps,
// relocations, subprogram linking and line info, from bytes in memory.
#include <benchmark/benchmark.h>

#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "ebpf/object.hpp"

namespace {

std::vector<uint8_t> read_object(const std::string& name) {
    std::ifstream in(std::string(EBPF_TEST_PROGRAMS_DIR) + "/" + name + ".o", std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void BM_OpenObject(benchmark::State& state, const char* name) {
    std::vector<uint8_t> bytes = read_object(name);
    if (bytes.empty()) {
        state.SkipWithError("test program not built");
        return;
    }
    size_t insns = 0;
    for (auto _ : state) {
        ebpf::Object object = ebpf::open_object_from_memory(bytes, name);
        insns = 0;
        for (const auto& p : object.programs) insns += p.insns.size();
        benchmark::DoNotOptimize(object);
    }
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes.size()));
    state.counters["insns"] = static_cast<double>(insns);
}

BENCHMARK_CAPTURE(BM_OpenObject, sock_addr, "sock_addr");
BENCHMARK_CAPTURE(BM_OpenObject, xdp_parse, "xdp_parse");
BENCHMARK_CAPTURE(BM_OpenObject, subprograms, "subprograms");
BENCHMARK_CAPTURE(BM_OpenObject, maps_all, "maps_all");

}  // namespace

BENCHMARK_MAIN();
