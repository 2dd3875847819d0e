// One benchmark per program of every test object: how long verification
// takes, with the verifier's own counters (instructions processed, states
// stored, peak states, peak memory) reported alongside.
#include <benchmark/benchmark.h>

#include <filesystem>
#include <memory>
#include <string>

#include "ebpf/error.hpp"
#include "ebpf/object.hpp"
#include "ebpf/verifier.hpp"

namespace {

void verify_one(benchmark::State& state, std::shared_ptr<const ebpf::Object> object, size_t index) {
    const ebpf::Program& program = object->programs[index];
    ebpf::VerifyResult result;
    for (auto _ : state) {
        result = ebpf::verify_program(program, object->maps);
        benchmark::DoNotOptimize(result.ok);
    }
    state.counters["verified"] = result.ok ? 1 : 0;
    state.counters["insns"] = static_cast<double>(program.insns.size());
    state.counters["processed"] = static_cast<double>(result.stats.insns_processed);
    state.counters["states"] = static_cast<double>(result.stats.states_visited);
    state.counters["peak_states"] = static_cast<double>(result.stats.peak_states);
    state.counters["peak_mem_KiB"] = static_cast<double>(result.stats.peak_memory_bytes) / 1024.0;
}

}  // namespace

int main(int argc, char** argv) {
    std::string dir = EBPF_TEST_PROGRAMS_DIR;
    std::vector<std::filesystem::path> objects;
    for (const auto& entry : std::filesystem::directory_iterator(dir))
        if (entry.path().extension() == ".o") objects.push_back(entry.path());
    std::sort(objects.begin(), objects.end());
    for (const auto& path : objects) {
        std::shared_ptr<const ebpf::Object> object;
        try {
            object = std::make_shared<const ebpf::Object>(ebpf::open_object(path.string()));
        } catch (const ebpf::Error&) {
            continue;  // objects the loader refuses on purpose
        }
        for (size_t i = 0; i < object->programs.size(); ++i) {
            if (object->programs[i].type == ebpf::ProgramType::unspec) continue;
            std::string name = "verify/" + path.stem().string() + "/" + object->programs[i].name;
            benchmark::RegisterBenchmark(name.c_str(), verify_one, object, i)->Unit(benchmark::kMicrosecond);
        }
    }
    benchmark::Initialize(&argc, argv);
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
