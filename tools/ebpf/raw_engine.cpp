#include "raw_engine.hpp"

#include <string>

#include "ebpf/error.hpp"
#include "ebpf/isa.hpp"
#include "ebpf/native.hpp"
#include "ebpf/policy.hpp"
#include "ebpf/verifier.hpp"

namespace ebpf::tools {

std::unique_ptr<Engine> make_raw_engine(const ExecutableProgram& program, const RawEngineOptions& options) {
    // Code-integrity mode: raw bytecode has no signature; the interpreter and
    // the JIT are refused here, native mode by compile_native_engine.
    check_engine_policy(options.mode);
    validate(program.insns);
    if (!options.verify) {
        if (options.mode != ExecMode::interpret)
            throw Error(std::string("--no-verify: only the bounds-checked interpreter may run unverified code, "
                                    "not --mode ") +
                        exec_mode_name(options.mode));
        ExecOptions checked;
        checked.bounds_check = true;
        // An unverified program may never end; stop it instead of hanging.
        checked.instruction_budget = 1'000'000'000;
        return make_interpreter(program, checked);
    }
    VerifyOptions verify_options;
    verify_options.mem_size = options.mem_size;
    const VerifyResult result = verify_instructions(program.insns, ProgramType::raw_memory, {}, verify_options);
    if (!result.ok) {
        if (result.errors.empty()) throw Error("verifier rejected the program");
        // format_diagnostic names the program; the caller prefixes the file.
        std::string text = format_diagnostic(result.errors.front(), "");
        if (text.rfind(':', 0) == 0) text.erase(0, 1);
        throw Error(text + "(--no-verify runs it in the bounds-checked interpreter)");
    }
    switch (options.mode) {
    case ExecMode::interpret: return make_interpreter(program);
    case ExecMode::jit: return make_jit(program);
    case ExecMode::native: return compile_native_engine(program.insns, *program.helpers);
    }
    throw Error(std::string("--mode ") + exec_mode_name(options.mode) + ": not supported for raw programs");
}

}  // namespace ebpf::tools
