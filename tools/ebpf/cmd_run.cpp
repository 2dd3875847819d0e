// `ebpf run`: runs a program and reports its return value and the mean time
// per run, like `bpftool prog run`.
//
// Inputs are told apart by their content: an ELF object (magic \x7fELF)
// goes through the runtime (run_object.cpp: verified, contexts per program
// type, --data-in/--ctx-in/--map/--dump-maps); a shared object is a native
// module; anything else is raw bytecode, or assembler text with --asm. Raw
// programs are verified as raw_memory (r1 = the --mem bytes, r2 = their size,
// known to the verifier) and then run in any mode (raw_engine.cpp);
// --no-verify runs them unverified in the bounds-checked interpreter only.
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "command.hpp"
#include "run_object.hpp"
#include "raw_engine.hpp"
#include "raw_input.hpp"
#include "ebpf/error.hpp"
#include "ebpf/exec.hpp"
#include "ebpf/isa.hpp"
#include "ebpf/policy.hpp"
#include "ebpf/runtime.hpp"

namespace ebpf::tools {
namespace {

struct RunArguments {
    std::string file;
    bool assembly = false;
    std::string mode = "interpret";
    std::string memory_file;
    uint64_t repeat = 1;
    bool json = false;
    bool no_verify = false;       // raw programs: the bounds-checked interpreter, unverified
    std::string policy = "none";  // "integrity": code-integrity mode (docs/signing.md)
    std::string trust;            // trusted roots for native modules; default $EBPF_TRUST_STORE
    std::string bytecode_object;  // native modules: the object to check each program's bytecode hash against
    uint64_t callback_budget = kDefaultCallbackBudget;  // callbacks per run (bpf_loop, for_each), all engines
    ObjectRunOptions object;      // ELF objects (run_object.hpp)
};

struct RunResult {
    uint64_t retval = 0;
    uint64_t duration_ns = 0;  // mean per run
};

ExecMode requested_mode(const RunArguments& args);

bool is_elf(const std::vector<uint8_t>& bytes) { return is_elf_file(bytes); }

// Runs `engine` args.repeat times on one copy of the memory (as bpftool's
// repeat does) and returns the last return value and the mean duration.
RunResult time_runs(Engine& engine, std::vector<uint8_t>& memory, uint64_t repeat) {
    const uint64_t r1 = reinterpret_cast<uint64_t>(memory.empty() ? empty_memory() : memory.data());
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
        args.assembly ? assemble(std::string(file_bytes.begin(), file_bytes.end())) : raw_bytecode(args.file, file_bytes);
    const HelperTable helpers;
    RawEngineOptions options;
    options.mode = requested_mode(args);
    options.verify = !args.no_verify;
    options.mem_size = memory.size();
    auto engine = make_raw_engine({insns, &helpers}, options);
    return time_runs(*engine, memory, args.repeat);
}

void print_result(const RunArguments& args, const RunResult& result) {
    if (args.json) {
        const nlohmann::json out = {
            {"retval", result.retval}, {"duration_ns", result.duration_ns}, {"repeat", args.repeat}};
        std::printf("%s\n", json_text(out).c_str());
        return;
    }
    std::printf("Return value: %" PRIu64 " (0x%" PRIx64 ")\n", result.retval, result.retval);
    std::printf("Duration: %" PRIu64 " ns per run (%" PRIu64 " run%s)\n", result.duration_ns, args.repeat,
                args.repeat == 1 ? "" : "s");
}

bool is_shared_object(const std::vector<uint8_t>& bytes) {
    return is_elf(bytes) && bytes.size() >= 18 && bytes[16] == 3 && bytes[17] == 0;  // e_type ET_DYN (LE)
}

ExecMode requested_mode(const RunArguments& args) {
    if (args.mode == "jit") return ExecMode::jit;
    if (args.mode == "native") return ExecMode::native;
    return ExecMode::interpret;
}

// --policy integrity: the process enters code-integrity mode before anything
// is loaded, so the refusal of the interpreter and the JIT names the policy.
// (EBPF_CODE_INTEGRITY=1 does the same without the option.) --trust becomes
// the process trust store, the one the module loader checks in the mode.
void apply_policy(const RunArguments& args) {
    if (!args.trust.empty()) set_process_trust_store(args.trust);
    if (args.policy == "integrity") enable_code_integrity();
    check_engine_policy(requested_mode(args));
}

// A native module (.so from `ebpf build`): its signature is checked against
// the trust store by the loader before anything is mapped; required under
// --policy integrity, otherwise a missing or bad signature is a warning. It
// then runs exactly like an ELF object (same contexts, maps and output).
int run_native_module(const RunArguments& args) {
    if (requested_mode(args) != ExecMode::native)
        throw Error("a native module (shared object) runs only with --mode native");
    PolicyOptions policy;  // the process trust store (--trust, else $EBPF_TRUST_STORE)
    policy.code_integrity = args.policy == "integrity";
    std::vector<std::string> warnings;
    LoadOptions options;
    options.mode = ExecMode::native;
    options.limits = tool_limits();
    options.check_signature = module_policy_hook(policy, &warnings);
    options.bytecode_object = args.bytecode_object;
    options.pin_root = args.object.pin_root;
    if (!args.object.program.empty()) options.programs = {args.object.program};
    auto object = load_native_object(args.file, options);
    for (const auto& warning : warnings) std::fprintf(stderr, "ebpf: warning: %s: %s\n", args.file.c_str(), warning.c_str());
    if (object->programs().empty()) throw Error("the module holds no program");
    const LoadedProgram& program =
        args.object.program.empty() ? *object->programs().front() : object->program(args.object.program);
    return run_loaded_program(*object, program, args.repeat, args.json, args.object, args.memory_file);
}

int run_command(const RunArguments& args) {
    apply_policy(args);
    set_callback_budget(args.callback_budget);
    const std::vector<uint8_t> bytes = read_file(args.file);
    // Only raw programs may skip verification (the bounds-checked interpreter).
    if (args.no_verify && !args.assembly && is_elf(bytes))
        throw Error(args.file + ": --no-verify applies to raw bytecode and --asm text only; "
                    "ELF objects and native modules are always verified");
    if (!args.object.type.empty() && (args.assembly || !is_elf(bytes) || is_shared_object(bytes)))
        throw Error(args.file + ": --type applies to eBPF ELF objects (a native module's types are fixed when it is "
                                "built: ebpf build --type)");
    if (!args.assembly && is_shared_object(bytes)) {
        try {
            return run_native_module(args);
        } catch (const Error& e) {
            throw Error(args.file + ": " + e.what());
        }
    }
    if (!args.bytecode_object.empty())
        throw Error(args.file + ": --object applies to native modules (it names the object a module was built from)");
    if (!args.assembly && is_elf(bytes)) {
        return run_object_file(args.file, requested_mode(args), args.repeat, args.json, args.object, args.memory_file);
    }
    std::vector<uint8_t> memory;
    if (!args.memory_file.empty()) memory = read_file(args.memory_file);
    try {
        print_result(args, run_raw_program(args, bytes, memory));
    } catch (const Error& e) {
        const std::string message = e.what();  // raw_bytecode() already names the file
        throw Error(message.rfind(args.file + ":", 0) == 0 ? message : args.file + ": " + message);
    }
    return 0;
}

const CommandRegistration registration{Command{
    "run",
    "Run a program (an eBPF ELF object, raw bytecode, assembler text with --asm, or a native module with "
    "--mode native) and print its return value and duration",
    [](CLI::App& app) -> std::function<int()> {
        auto args = std::make_shared<RunArguments>();
        app.add_option("file", args->file, "Program: an eBPF ELF object, a native module, raw bytecode, or assembler text with --asm")->required();
        app.add_flag("--asm", args->assembly, "FILE is assembler text (C-like or bpf_conformance syntax)");
        add_limit_options(app);
        app.add_option("--mode", args->mode, "Execution mode")
            ->check(CLI::IsMember({"interpret", "jit", "native"}))
            ->capture_default_str();
        app.add_flag("--no-verify", args->no_verify,
                     "Raw bytecode/--asm only: run unverified in the bounds-checked interpreter (--mode interpret)");
        app.add_option("--mem", args->memory_file, "Input memory: r1 points to a copy of this file, r2 is its size");
        app.add_option("--repeat", args->repeat, "Run the program N times and report the mean duration")
            ->check(CLI::Range(uint64_t{1}, uint64_t{1'000'000'000}))
            ->capture_default_str();
        app.add_flag("--json", args->json, "Print {\"retval\", \"duration_ns\", \"repeat\"} as JSON");
        app.add_option("--policy", args->policy,
                       "integrity: code-integrity mode (PR_SET_MDWE; only signed native modules may run)")
            ->check(CLI::IsMember({"none", "integrity"}))
            ->capture_default_str();
        app.add_option("--trust", args->trust,
                       std::string("Native modules: trusted roots for the signature, a directory or PEM file "
                                   "(default: $") + kTrustStoreEnvironment + ")");
        app.add_option("--object", args->bytecode_object,
                       "Native modules: the eBPF object the module was built from; each program's bytecode "
                       "SHA-256 recorded in the module must match it");
        app.add_option("--callback-budget", args->callback_budget,
                       "Callbacks one run may call in all (bpf_loop, bpf_for_each_map_elem, nested or not); "
                       "past it those helpers return -E2BIG (src/verifier/README.md)")
            ->capture_default_str();
        add_object_run_options(app, args->object);
        return [args] { return run_command(*args); };
    }}};

}  // namespace
}  // namespace ebpf::tools
