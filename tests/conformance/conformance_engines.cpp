#include "conformance_engines.hpp"

#include "ebpf/error.hpp"

namespace ebpf::conformance {

std::vector<std::string> supported_modes() { return {exec_mode_name(ExecMode::interpret)}; }

ExecMode parse_mode(const std::string& name) {
    if (name == exec_mode_name(ExecMode::interpret)) return ExecMode::interpret;
    if (name == exec_mode_name(ExecMode::jit) || name == exec_mode_name(ExecMode::native)) {
        throw Error("--mode " + name + ": not yet wired into the conformance runner (supported: interpret)");
    }
    throw Error("--mode " + name + ": unknown mode (interpret, jit or native)");
}

std::unique_ptr<Engine> make_conformance_engine(ExecMode mode, const ExecutableProgram& program) {
    switch (mode) {
    case ExecMode::interpret: {
        ExecOptions options;
        options.bounds_check = true;
        // A conformance program that loops forever is a failure, not a hang.
        options.instruction_budget = 100'000'000;
        return make_interpreter(program, options);
    }
    case ExecMode::jit:
    case ExecMode::native: break;
    }
    throw Error(std::string("mode ") + exec_mode_name(mode) + " is not supported by the conformance runner");
}

}  // namespace ebpf::conformance
