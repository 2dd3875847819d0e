// libFuzzer entry point for the verifier: well-formed bytecode is verified as
// raw_memory with the input size known; a program the verifier accepts must
// then run in the bounds-checked interpreter without a bounds violation and
// within an instruction budget. Any run-time fault of an accepted program is
// a verifier soundness bug, reported by abort() with the program.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <span>
#include <string>

#include "ebpf/error.hpp"
#include "ebpf/exec.hpp"
#include "ebpf/verifier.hpp"
#include "fuzz_input.hpp"

namespace {

// Small enough that one input takes milliseconds, large enough for loops.
constexpr uint64_t kComplexityLimit = 20'000;
// A verified program terminates; with state pruning one run executes at most
// about as many instructions as the verifier processed along its path, so
// exceeding this means the verifier missed an unbounded loop.
constexpr uint64_t kInstructionBudget = 4 * kComplexityLimit + 1'000;

[[noreturn]] void report(const ebpf::fuzz::FuzzInput& input, const std::string& what) {
    std::fprintf(stderr, "verifier fuzz: accepted program failed at run time: %s\nmemory size %zu, program:\n%s",
                 what.c_str(), input.memory.size(), ebpf::disassemble_program(input.insns).c_str());
    std::abort();
}

}  // namespace

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

    const HelperTable helpers;  // none: a helper call stops the run cleanly
    ExecOptions checked;
    checked.bounds_check = true;
    checked.instruction_budget = kInstructionBudget;
    // The interpreter may refuse at build time what it never runs, such as an
    // unresolved map LDDW in dead code (raw_memory allows dead code): a clean
    // refusal, not a soundness question. Faults of the run are.
    std::unique_ptr<Engine> engine;
    try {
        engine = make_interpreter({input.insns, &helpers}, checked);
    } catch (const Error&) {
        return 0;
    }
    try {
        engine->run(reinterpret_cast<uint64_t>(input.memory.empty() ? nullptr : input.memory.data()),
                    input.memory.size());
    } catch (const Error& e) {
        const std::string what = e.what();
        // Helpers this harness does not provide are not the verifier's business.
        if (what.find("is not available") != std::string::npos) return 0;
        report(input, what);
    }
    return 0;
}
