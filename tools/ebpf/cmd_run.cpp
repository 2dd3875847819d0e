// `ebpf run`: runs a program and reports its return value and the mean time
// per run, like `bpftool prog run`.
//
// Inputs are told apart by their content: an ELF object (magic \x7fELF)
// goes through the runtime (not part of this build of the command yet, so it
// is refused with a clear message); anything else is raw bytecode, or
// assembler text with --asm. Raw programs are not verified, so they run in
// the bounds-checked interpreter.
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "command.hpp"
#include "ebpf/error.hpp"
#include "ebpf/exec.hpp"
#include "ebpf/isa.hpp"

namespace ebpf::tools {
namespace {

struct RunArguments {
    std::string file;
    bool assembly = false;
    std::string mode = "interpret";
    std::string memory_file;
    uint64_t repeat = 1;
    bool json = false;
};

struct RunResult {
    uint64_t retval = 0;
    uint64_t duration_ns = 0;  // mean per run
};

bool is_elf(const std::vector<uint8_t>& bytes) {
    return bytes.size() >= 4 && bytes[0] == 0x7f && bytes[1] == 'E' && bytes[2] == 'L' && bytes[3] == 'F';
}

std::unique_ptr<Engine> make_raw_engine(const RunArguments& args, const ExecutableProgram& program) {
    if (args.mode == exec_mode_name(ExecMode::interpret)) {
        ExecOptions options;
        options.bounds_check = true;  // raw bytecode has not been verified
        return make_interpreter(program, options);
    }
    throw Error("--mode " + args.mode + ": raw bytecode runs only in the bounds-checked interpreter (--mode interpret); "
                "other modes need a verified ELF object");
}

// Runs `engine` args.repeat times on one copy of the memory (as bpftool's
// repeat does) and returns the last return value and the mean duration.
RunResult time_runs(Engine& engine, std::vector<uint8_t>& memory, uint64_t repeat) {
    const uint64_t r1 = reinterpret_cast<uint64_t>(memory.empty() ? nullptr : memory.data());
    RunResult result;
    const auto start = std::chrono::steady_clock::now();
    for (uint64_t i = 0; i < repeat; ++i) result.retval = engine.run(r1, memory.size());
    const auto elapsed = std::chrono::steady_clock::now() - start;
    result.duration_ns =
        static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(elapsed).count()) / repeat;
    return result;
}

RunResult run_raw_program(const RunArguments& args, const std::vector<uint8_t>& file_bytes,
                          std::vector<uint8_t>& memory) {
    const std::vector<Instruction> insns =
        args.assembly ? assemble(std::string(file_bytes.begin(), file_bytes.end())) : instructions_from_bytes(file_bytes);
    const HelperTable helpers;
    auto engine = make_raw_engine(args, {insns, &helpers});
    return time_runs(*engine, memory, args.repeat);
}

void print_result(const RunArguments& args, const RunResult& result) {
    if (args.json) {
        const nlohmann::json out = {
            {"retval", result.retval}, {"duration_ns", result.duration_ns}, {"repeat", args.repeat}};
        std::printf("%s\n", out.dump().c_str());
        return;
    }
    std::printf("Return value: %" PRIu64 " (0x%" PRIx64 ")\n", result.retval, result.retval);
    std::printf("Duration: %" PRIu64 " ns per run (%" PRIu64 " run%s)\n", result.duration_ns, args.repeat,
                args.repeat == 1 ? "" : "s");
}

int run_command(const RunArguments& args) {
    const std::vector<uint8_t> bytes = read_file(args.file);
    if (!args.assembly && is_elf(bytes)) {
        throw Error(args.file + ": ELF objects are run through the runtime, which this build of `ebpf run` "
                                "does not include yet; pass raw bytecode, or assembler text with --asm");
    }
    std::vector<uint8_t> memory;
    if (!args.memory_file.empty()) memory = read_file(args.memory_file);
    try {
        print_result(args, run_raw_program(args, bytes, memory));
    } catch (const Error& e) {
        throw Error(args.file + ": " + e.what());
    }
    return 0;
}

const CommandRegistration registration{Command{
    "run",
    "Run a program (raw bytecode, or assembler text with --asm) and print its return value and duration",
    [](CLI::App& app) -> std::function<int()> {
        auto args = std::make_shared<RunArguments>();
        app.add_option("file", args->file, "Program: raw eBPF bytecode, or assembler text with --asm")->required();
        app.add_flag("--asm", args->assembly, "FILE is assembler text (C-like or bpf_conformance syntax)");
        app.add_option("--mode", args->mode, "Execution mode")
            ->check(CLI::IsMember({"interpret", "jit", "native"}))
            ->capture_default_str();
        app.add_option("--mem", args->memory_file, "Input memory: r1 points to a copy of this file, r2 is its size");
        app.add_option("--repeat", args->repeat, "Run the program N times and report the mean duration")
            ->check(CLI::Range(uint64_t{1}, uint64_t{1'000'000'000}))
            ->capture_default_str();
        app.add_flag("--json", args->json, "Print {\"retval\", \"duration_ns\", \"repeat\"} as JSON");
        return [args] { return run_command(*args); };
    }}};

}  // namespace
}  // namespace ebpf::tools
