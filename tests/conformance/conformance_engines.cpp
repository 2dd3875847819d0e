#include "conformance_engines.hpp"

#include "ebpf/error.hpp"
#include "ebpf/native.hpp"
#include "ebpf/verifier.hpp"

namespace ebpf::conformance {
namespace {

// Unverified programs may loop forever; that is a failure, not a hang.
constexpr uint64_t kUnverifiedBudget = 100'000'000;

void verify_or_throw(const ExecutableProgram& program, const EngineOptions& options) {
    VerifyOptions verify_options;
    verify_options.mem_size = options.mem_size;
    const VerifyResult result = verify_instructions(program.insns, ProgramType::raw_memory, {}, verify_options);
    if (result.ok) return;
    if (result.errors.empty()) throw Error(options.name + ": verifier rejected the program");
    // The first line is "NAME:insn N: error: why"; the rest (instruction,
    // state, path) helps whoever reads a failing test.
    throw Error(format_diagnostic(result.errors.front(), options.name));
}

}  // namespace

std::vector<std::string> supported_modes() {
    return {exec_mode_name(ExecMode::interpret), exec_mode_name(ExecMode::jit), exec_mode_name(ExecMode::native)};
}

ExecMode parse_mode(const std::string& name) {
    if (name == exec_mode_name(ExecMode::interpret)) return ExecMode::interpret;
    if (name == exec_mode_name(ExecMode::jit)) return ExecMode::jit;
    if (name == exec_mode_name(ExecMode::native)) return ExecMode::native;
    throw Error("--mode " + name + ": unknown mode (interpret, jit or native)");
}

std::unique_ptr<Engine> make_conformance_engine(ExecMode mode, const ExecutableProgram& program,
                                                const EngineOptions& options) {
    validate(program.insns);
    if (!options.verify) {
        if (mode != ExecMode::interpret)
            throw Error(std::string("--no-verify: only the interpreter may run unverified programs, not ") +
                        exec_mode_name(mode));
        ExecOptions checked;
        checked.bounds_check = true;
        checked.instruction_budget = kUnverifiedBudget;
        return make_interpreter(program, checked);
    }
    verify_or_throw(program, options);
    switch (mode) {
    case ExecMode::interpret: return make_interpreter(program);
    case ExecMode::jit: return make_jit(program);
    case ExecMode::native: return compile_native_engine(program.insns, *program.helpers);
    }
    throw Error(std::string("mode ") + exec_mode_name(mode) + " is not supported by the conformance runner");
}

}  // namespace ebpf::conformance
