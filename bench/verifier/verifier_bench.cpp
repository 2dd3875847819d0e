// One benchmark per program: how long verification takes (the CPU column is
// the one to read on a busy machine), with the verifier's own counters
// (instructions processed, states stored, peak states, peak memory of the
// stored and pending states) and, where the running kernel can load the
// program, the Linux verifier's "processed N insns" for the same program
// (kernel_insns; absent when bpf() is not usable or the kernel refuses it).
//
// Programs: every object of tests/programs (the test and verifier programs),
// the real-world corpus (tests/realworld), the compute programs of
// bench/compute, and any object given with --object=PATH (e.g. katran's
// balancer or xdp-filter built from their sources; see docs/limits.md).
// --no-kernel skips the kernel.
#include <bpf/libbpf.h>
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "../compute/compute_programs.hpp"
#include "ebpf/error.hpp"
#include "ebpf/isa.hpp"
#include "ebpf/object.hpp"
#include "ebpf/verifier.hpp"

namespace {

void report(benchmark::State& state, const ebpf::VerifyResult& result, size_t insns, std::optional<long> kernel) {
    state.counters["verified"] = result.ok ? 1 : 0;
    state.counters["insns"] = static_cast<double>(insns);
    state.counters["processed"] = static_cast<double>(result.stats.insns_processed);
    state.counters["states"] = static_cast<double>(result.stats.states_visited);
    state.counters["peak_states"] = static_cast<double>(result.stats.peak_states);
    state.counters["peak_mem_KiB"] = static_cast<double>(result.stats.peak_memory_bytes) / 1024.0;
    if (kernel) state.counters["kernel_insns"] = static_cast<double>(*kernel);
}

void verify_one(benchmark::State& state, std::shared_ptr<const ebpf::Object> object, size_t index,
                std::optional<long> kernel) {
    const ebpf::Program& program = object->programs[index];
    ebpf::VerifyResult result;
    for (auto _ : state) {
        result = ebpf::verify_program(program, object->maps);
        benchmark::DoNotOptimize(result.ok);
    }
    report(state, result, program.insns.size(), kernel);
}

void verify_raw(benchmark::State& state, std::vector<ebpf::Instruction> insns) {
    ebpf::VerifyOptions options;
    options.mem_size = ebpf::bench::kBufferSize;  // what the compute benchmark passes
    ebpf::VerifyResult result;
    for (auto _ : state) {
        result = ebpf::verify_instructions(insns, ebpf::ProgramType::raw_memory, {}, options);
        benchmark::DoNotOptimize(result.ok);
    }
    report(state, result, insns.size(), std::nullopt);
}

int quiet(enum libbpf_print_level, const char*, va_list) { return 0; }

// The kernel's processed-instruction count for one program of an object,
// loaded alone (the others not loaded, maps unpinned); nullopt when the
// kernel cannot load it.
std::optional<long> kernel_processed(const std::string& path, const std::string& name) {
    static std::vector<char> log(size_t{16} << 20);
    bpf_object* object = bpf_object__open(path.c_str());
    if (!object) return std::nullopt;
    bpf_program* chosen = nullptr;
    bpf_program* program = nullptr;
    bpf_object__for_each_program(program, object) {
        const bool me = name == bpf_program__name(program);
        bpf_program__set_autoload(program, me);
        if (me) chosen = program;
    }
    bpf_map* map = nullptr;
    bpf_object__for_each_map(map, object) bpf_map__set_pin_path(map, nullptr);
    std::optional<long> processed;
    if (chosen) {
        log[0] = 0;
        bpf_program__set_log_level(chosen, 1 | 4);  // BPF_LOG_LEVEL1 | BPF_LOG_STATS
        bpf_program__set_log_buf(chosen, log.data(), log.size());
        if (bpf_object__load(object) == 0) {
            if (const char* at = std::strstr(log.data(), "processed "); at) processed = std::strtol(at + 10, nullptr, 10);
        }
    }
    bpf_object__close(object);
    return processed;
}

void add_objects(const std::string& dir, std::vector<std::filesystem::path>& objects) {
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(dir, ec))
        if (entry.path().extension() == ".o") objects.push_back(entry.path());
}

}  // namespace

int main(int argc, char** argv) {
    std::vector<std::filesystem::path> objects;
    add_objects(EBPF_TEST_PROGRAMS_DIR, objects);
    add_objects(EBPF_REALWORLD_OBJECTS, objects);
    std::sort(objects.begin(), objects.end());
    bool kernel = true;
    std::vector<char*> args;
    for (int i = 0; i < argc; ++i) {
        if (std::strncmp(argv[i], "--object=", 9) == 0) objects.emplace_back(argv[i] + 9);
        else if (std::strcmp(argv[i], "--no-kernel") == 0) kernel = false;
        else args.push_back(argv[i]);
    }
    libbpf_set_print(quiet);
    bool kernel_seen = false;
    for (const auto& path : objects) {
        std::shared_ptr<const ebpf::Object> object;
        try {
            object = std::make_shared<const ebpf::Object>(ebpf::open_object(path.string()));
        } catch (const ebpf::Error&) {
            continue;  // objects the loader refuses on purpose
        }
        for (size_t i = 0; i < object->programs.size(); ++i) {
            if (object->programs[i].type == ebpf::ProgramType::unspec) continue;
            std::optional<long> processed;
            if (kernel) processed = kernel_processed(path.string(), object->programs[i].name);
            kernel_seen = kernel_seen || processed.has_value();
            std::string name = "verify/" + path.stem().string() + "/" + object->programs[i].name;
            benchmark::RegisterBenchmark(name.c_str(), verify_one, object, i, processed)->Unit(benchmark::kMicrosecond);
        }
    }
    for (const auto& program : ebpf::bench::kComputePrograms) {
        std::string name = "verify/compute/" + std::string(program.name);
        benchmark::RegisterBenchmark(name.c_str(), verify_raw, ebpf::assemble(program.assembly))
            ->Unit(benchmark::kMicrosecond);
    }
    if (kernel && !kernel_seen)
        std::fprintf(stderr, "kernel_insns: the running kernel loaded none of the programs (no bpf() here?)\n");
    int count = static_cast<int>(args.size());
    benchmark::Initialize(&count, args.data());
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
