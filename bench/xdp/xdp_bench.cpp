// Per-run overhead and XDP per-packet time, each execution mode next to the
// running kernel (bench/xdp/xdp_programs.bpf.c):
//   run/engine/MODE       Engine::run of `r0 = 2; exit` (engine dispatch only)
//   run/helper/MODE       Engine::run of `call h; exit` with a helper that
//                         returns 2 (the JIT's full entry: trampoline, Invocation)
//   run/program/MODE      LoadedProgram::run_xdp of xdp_pass on a 64-byte
//                         packet (context setup, checks, epoch entry, engine)
//   xdp/PROGRAM/MODE      test_run with repeat (the batch timed once, as the
//                         kernel): counters ns_per_packet (this thread's CPU
//                         time: the kernel's timer does not run while it is
//                         preempted either, so on a loaded machine this is the
//                         comparable figure) and wall_ns_per_packet (test_run's)
//   xdp/PROGRAM/kernel    BPF_PROG_TEST_RUN of the same object and packet
//                         (libbpf; skipped where bpf() is not allowed)
#include <benchmark/benchmark.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <unistd.h>

#include <cstring>
#include <ctime>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "ebpf/exec.hpp"
#include "ebpf/native.hpp"
#include "ebpf/runtime.hpp"

namespace {

using ebpf::ExecMode;

constexpr uint64_t kBatch = 100'000;

// Ethernet + IPv4 + UDP, 64 bytes: 10.0.0.1:1234 → 10.0.0.2:5678.
std::vector<uint8_t> udp_packet() {
    std::vector<uint8_t> p = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0, 0, 0, 0, 1, 0x08, 0x00,
                              0x45, 0, 0, 50, 0, 0, 0x40, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
                              0x04, 0xd2, 0x16, 0x2e, 0, 30, 0, 0};
    p.resize(64, 0);
    return p;
}

double thread_cpu_ns() {
    timespec now{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
    return static_cast<double>(now.tv_sec) * 1e9 + static_cast<double>(now.tv_nsec);
}

const char* mode_name(ExecMode mode) { return ebpf::exec_mode_name(mode); }

// Native mode: bpf2c the object and build the module once per process.
std::string native_module() {
    static const std::string path = [] {
        const std::string dir = "/tmp/ebpf-xdp-bench-" + std::to_string(getpid());
        std::filesystem::create_directories(dir);
        const auto result = ebpf::bpf2c(ebpf::open_object(EBPF_XDP_BENCH_OBJECT));
        ebpf::write_file_atomically(dir + "/xdp.c", result.c_source);
        ebpf::compile_c_to_module(dir + "/xdp.c", dir + "/xdp.so");
        return dir + "/xdp.so";
    }();
    return path;
}
struct RemoveModuleDir {
    ~RemoveModuleDir() { std::filesystem::remove_all("/tmp/ebpf-xdp-bench-" + std::to_string(getpid())); }
} remove_module_dir;

// Unloaded at the end of main(): the runtime's own statics (the program
// registry) must still exist when a LoadedObject goes.
std::map<ExecMode, std::unique_ptr<ebpf::LoadedObject>>& loaded_objects() {
    static std::map<ExecMode, std::unique_ptr<ebpf::LoadedObject>> objects;
    return objects;
}

ebpf::LoadedObject& loaded(ExecMode mode) {
    auto& object = loaded_objects()[mode];
    if (!object) {
        ebpf::LoadOptions options;
        options.mode = mode;
        object = ebpf::load_object(mode == ExecMode::native ? native_module() : EBPF_XDP_BENCH_OBJECT, options);
    }
    return *object;
}

void engine_run(benchmark::State& state, ExecMode mode) {
    static const std::vector<ebpf::Instruction> insns = {ebpf::make_instruction(0xb7, 0, 0, 0, 2),
                                                         ebpf::make_instruction(0x95)};
    static const ebpf::HelperTable helpers;
    std::unique_ptr<ebpf::Engine> engine;
    switch (mode) {
    case ExecMode::interpret: engine = ebpf::make_interpreter({insns, &helpers}); break;
    case ExecMode::jit: engine = ebpf::make_jit({insns, &helpers}); break;
    case ExecMode::native: engine = ebpf::compile_native_engine(insns, helpers); break;
    }
    uint8_t memory[8] = {};
    const auto r1 = reinterpret_cast<uint64_t>(memory);
    for (auto _ : state) benchmark::DoNotOptimize(engine->run(r1, sizeof memory));
}

uint64_t return_two(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t) { return 2; }

void engine_helper_run(benchmark::State& state, ExecMode mode) {
    static const std::vector<ebpf::Instruction> insns = {ebpf::make_instruction(0x85, 0, 0, 0, 1000),
                                                         ebpf::make_instruction(0x95)};
    static const ebpf::HelperTable helpers = [] {
        ebpf::HelperTable table;
        table.set(1000, return_two);
        return table;
    }();
    std::unique_ptr<ebpf::Engine> engine =
        mode == ExecMode::jit ? ebpf::make_jit({insns, &helpers}) : ebpf::make_interpreter({insns, &helpers});
    uint8_t memory[8] = {};
    const auto r1 = reinterpret_cast<uint64_t>(memory);
    for (auto _ : state) benchmark::DoNotOptimize(engine->run(r1, sizeof memory));
}

void program_run(benchmark::State& state, ExecMode mode) {
    const ebpf::LoadedProgram& program = loaded(mode).program("xdp_pass");
    std::vector<uint8_t> frame(256 + 64 + 256);
    for (auto _ : state) {
        size_t offset = 256, length = 64;
        benchmark::DoNotOptimize(program.run_xdp(frame, offset, length, 1, 0));
    }
}

void xdp_test_run(benchmark::State& state, const char* name, ExecMode mode) {
    const ebpf::LoadedProgram& program = loaded(mode).program(name);
    const std::vector<uint8_t> packet = udp_packet();
    uint64_t wall_ns = 0, packets = 0;
    double cpu_ns = 0;
    for (auto _ : state) {
        const double start = thread_cpu_ns();
        const ebpf::TestRunOutput out = ebpf::test_run(program, {.data = packet, .repeat = kBatch});
        cpu_ns += thread_cpu_ns() - start;
        wall_ns += out.duration_ns * kBatch;
        packets += kBatch;
    }
    state.counters["ns_per_packet"] = cpu_ns / static_cast<double>(packets);
    state.counters["wall_ns_per_packet"] = static_cast<double>(wall_ns) / static_cast<double>(packets);
}

void xdp_kernel(benchmark::State& state, const char* name) {
    static bpf_object* object = [] {
        libbpf_set_print([](libbpf_print_level, const char*, va_list) { return 0; });
        bpf_object* o = bpf_object__open_file(EBPF_XDP_BENCH_OBJECT, nullptr);
        if (!o) return static_cast<bpf_object*>(nullptr);
        if (bpf_object__load(o) != 0) {
            bpf_object__close(o);
            return static_cast<bpf_object*>(nullptr);
        }
        return o;
    }();
    if (!object) {
        state.SkipWithError("the kernel refused the object (bpf() not allowed here?)");
        return;
    }
    const int fd = bpf_program__fd(bpf_object__find_program_by_name(object, name));
    std::vector<uint8_t> packet = udp_packet(), out(packet.size() + 256);
    uint64_t total_ns = 0, packets = 0;
    for (auto _ : state) {
        LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = packet.data(), .data_out = out.data(),
                    .data_size_in = static_cast<uint32_t>(packet.size()),
                    .data_size_out = static_cast<uint32_t>(out.size()), .repeat = static_cast<int>(kBatch));
        if (bpf_prog_test_run_opts(fd, &opts) != 0) {
            state.SkipWithError("BPF_PROG_TEST_RUN failed");
            return;
        }
        total_ns += uint64_t{opts.duration} * kBatch;
        packets += kBatch;
    }
    state.counters["ns_per_packet"] = static_cast<double>(total_ns) / static_cast<double>(packets);
}

void register_all() {
    const ExecMode modes[] = {ExecMode::interpret, ExecMode::jit, ExecMode::native};
    for (ExecMode mode : modes) {
        if (mode == ExecMode::interpret && !ebpf::interpreter_available()) continue;
        benchmark::RegisterBenchmark((std::string("run/engine/") + mode_name(mode)).c_str(), engine_run, mode);
        if (mode != ExecMode::native) {  // helpers outside the ABI's table: JIT and interpreter only
            benchmark::RegisterBenchmark((std::string("run/helper/") + mode_name(mode)).c_str(), engine_helper_run,
                                         mode);
        }
        benchmark::RegisterBenchmark((std::string("run/program/") + mode_name(mode)).c_str(), program_run, mode);
    }
    for (const char* name : {"xdp_pass", "xdp_count", "xdp_filter", "xdp_rewrite"}) {
        for (ExecMode mode : modes) {
            if (mode == ExecMode::interpret && !ebpf::interpreter_available()) continue;
            benchmark::RegisterBenchmark((std::string("xdp/") + name + "/" + mode_name(mode)).c_str(), xdp_test_run,
                                         name, mode)
                ->Iterations(5);
        }
        benchmark::RegisterBenchmark((std::string("xdp/") + name + "/kernel").c_str(), xdp_kernel, name)->Iterations(5);
    }
}

}  // namespace

int main(int argc, char** argv) {
    register_all();
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    loaded_objects().clear();
    return 0;
}
