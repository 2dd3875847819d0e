// libFuzzer entry point for the verifier: well-formed bytecode is verified as
// raw_memory with the input size known; a program the verifier accepts must
// then run in the bounds-checked interpreter without a bounds violation and
// within an instruction budget, and give the same result (return value and
// memory) in the JIT and in a native module (bpf2c → cc → load). Any run-time
// fault or engine disagreement of an accepted program is a verifier (or
// engine) bug, reported by abort() with the program.
//
// Native modules take a C compiler run each, so:
//  * replaying a corpus (verifier_fuzz_replay, every build) batches them: every
//    accepted program is kept and, when the replay ends, they are compiled
//    into ONE module (one cc run) and compared with the interpreter;
//  * fuzzing (libFuzzer) compiles the first kNativeFirst accepted programs and
//    then one in kNativeEvery, at most kNativeCap per process.
// The JIT runs every accepted program in both modes.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <unistd.h>
#include <vector>

#include "ebpf/error.hpp"
#include "ebpf/exec.hpp"
#include "ebpf/native.hpp"
#include "ebpf/verifier.hpp"
#include "fuzz_input.hpp"

namespace {

// Small enough that one input takes milliseconds, large enough for loops.
constexpr uint64_t kComplexityLimit = 20'000;
// A verified program terminates; with state pruning one run executes at most
// about as many instructions as the verifier processed along its path, so
// exceeding this means the verifier missed an unbounded loop.
constexpr uint64_t kInstructionBudget = 4 * kComplexityLimit + 1'000;
constexpr size_t kNativeFirst = 16, kNativeEvery = 512, kNativeCap = 64;

// What one engine made of one input.
struct Outcome {
    std::string result;  // return value, or the error
    std::vector<uint8_t> memory;
    bool operator==(const Outcome&) const = default;
};

Outcome run_engine(ebpf::Engine& engine, const std::vector<uint8_t>& input) {
    Outcome out{{}, input};
    try {
        out.result = std::to_string(engine.run(reinterpret_cast<uint64_t>(out.memory.empty() ? nullptr : out.memory.data()),
                                               out.memory.size()));
    } catch (const ebpf::Error& e) {
        out.result = std::string("error: ") + e.what();
    }
    return out;
}

[[noreturn]] void report(const std::vector<uint8_t>& memory, std::span<const ebpf::Instruction> insns,
                         const std::string& what) {
    std::fprintf(stderr, "verifier fuzz: accepted program failed at run time: %s\nmemory size %zu, program:\n%s",
                 what.c_str(), memory.size(), ebpf::disassemble_program(insns).c_str());
    std::abort();
}

void compare(const char* engine, const Outcome& expected, const Outcome& actual, const std::vector<uint8_t>& memory,
             std::span<const ebpf::Instruction> insns) {
    if (actual.result != expected.result)
        report(memory, insns, std::string(engine) + " returned " + actual.result + ", the interpreter " + expected.result);
    if (actual.memory != expected.memory)
        report(memory, insns, std::string(engine) + " left different bytes in the input memory than the interpreter");
}

// An accepted program waiting for the batched native build.
struct Pending {
    std::vector<ebpf::Instruction> insns;
    std::vector<uint8_t> memory;
    Outcome expected;
};

std::vector<Pending>& pending() {
    static std::vector<Pending> list;
    return list;
}
bool g_batch_native = false;
size_t g_accepted = 0, g_native_runs = 0;

const ebpf::HelperTable& no_helpers() {
    static const ebpf::HelperTable helpers;  // none: a helper call stops the run cleanly
    return helpers;
}

void run_native_now(const Pending& p) {
    std::unique_ptr<ebpf::Engine> engine;
    try {
        engine = ebpf::compile_native_engine(p.insns, no_helpers(), ebpf::ProgramType::raw_memory);
    } catch (const ebpf::Error& e) {
        report(p.memory, p.insns, std::string("verified, but bpf2c/cc/the module loader refuse it: ") + e.what());
    }
    compare("the native module", p.expected, run_engine(*engine, p.memory), p.memory, p.insns);
    ++g_native_runs;
}

}  // namespace

// Called by replay_main when the replay is done: one native module for all.
extern "C" void ebpf_fuzz_replay_begin() { g_batch_native = true; }
extern "C" void ebpf_fuzz_replay_end() {
    using namespace ebpf;
    if (pending().empty()) return;
    TranslationUnit unit;
    unit.source_name = "verifier_fuzz_replay";
    for (size_t i = 0; i < pending().size(); ++i) {
        TranslationProgram program;
        program.name = "p" + std::to_string(i);
        program.section = "raw";
        program.type = ProgramType::raw_memory;
        program.insns = pending()[i].insns;
        program.verified_instruction_count = static_cast<uint32_t>(program.insns.size());
        program.bytecode_sha256 = sha256_of_instructions(program.insns);
        unit.programs.push_back(std::move(program));
    }
    const auto dir = std::filesystem::temp_directory_path() / ("ebpf-verifier-fuzz-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    std::shared_ptr<NativeModule> module;
    try {
        write_file_atomically((dir / "batch.c").string(), generate_c(unit));
        compile_c_to_module((dir / "batch.c").string(), (dir / "batch.so").string());
        ModuleLoadOptions options;
        options.helpers = &no_helpers();
        options.name = "verifier fuzz batch";
        module = load_module_from_file((dir / "batch.so").string(), options);
    } catch (const Error& e) {
        std::fprintf(stderr, "verifier fuzz: the batch of %zu verified programs does not build natively: %s\n",
                     pending().size(), e.what());
        std::abort();
    }
    for (size_t i = 0; i < pending().size(); ++i) {
        const Pending& p = pending()[i];
        auto engine = module->make_engine(i);
        compare("the native module", p.expected, run_engine(*engine, p.memory), p.memory, p.insns);
        ++g_native_runs;
    }
    std::error_code ignored;
    std::filesystem::remove_all(dir, ignored);
    std::printf("verifier fuzz: %zu accepted programs agreed in the interpreter, the JIT and %zu native runs (one module)\n",
                g_accepted, g_native_runs);
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace ebpf;
    fuzz::FuzzInput input = fuzz::split_fuzz_input(std::span<const uint8_t>(data, size));
    if (input.insns.empty()) return 0;
    try {
        // raw_memory has no socket buffer: LD ABS/IND, which no engine runs,
        // is malformed here (the verifier accepts it in dead code).
        ValidateOptions validate_options;
        validate_options.allow_legacy_packet = false;
        validate(input.insns, validate_options);
    } catch (const Error&) {
        return 0;  // malformed: the verifier never sees it
    }
    VerifyOptions options;
    options.mem_size = input.memory.size();
    options.complexity_limit = kComplexityLimit;
    VerifyResult result;
    try {
        result = verify_instructions(input.insns, ProgramType::raw_memory, {}, options);
    } catch (const Error&) {
        return 0;  // a clean refusal is fine; anything else escapes and is a crash
    }
    if (!result.ok) return 0;

    ExecOptions checked;
    checked.bounds_check = true;
    checked.instruction_budget = kInstructionBudget;
    // The interpreter may refuse at build time what it never runs, such as an
    // unresolved map LDDW in dead code (raw_memory allows dead code): a clean
    // refusal, not a soundness question. Faults of the run are.
    std::unique_ptr<Engine> engine;
    try {
        engine = make_interpreter({input.insns, &no_helpers()}, checked);
    } catch (const Error&) {
        return 0;
    }
    const Outcome expected = run_engine(*engine, input.memory);
    if (expected.result.rfind("error: ", 0) == 0) {
        // Helpers this harness does not provide are not the verifier's business.
        if (expected.result.find("is not available") != std::string::npos) return 0;
        report(input.memory, input.insns, expected.result.substr(7));
    }
    ++g_accepted;

    // The same program, unchecked, in the JIT and natively (it ended within
    // the budget, so they end too). mem_size was known to the verifier: the
    // other engines get exactly that memory.
    std::unique_ptr<Engine> jit;
    try {
        jit = make_jit({input.insns, &no_helpers()});
    } catch (const Error& e) {
        report(input.memory, input.insns, std::string("verified, but the JIT refuses it: ") + e.what());
    }
    compare("the JIT", expected, run_engine(*jit, input.memory), input.memory, input.insns);

    Pending p{input.insns, input.memory, expected};
    if (g_batch_native) {
        pending().push_back(std::move(p));
    } else if (g_native_runs < kNativeCap && (g_accepted <= kNativeFirst || g_accepted % kNativeEvery == 0)) {
        run_native_now(p);
    }
    return 0;
}
