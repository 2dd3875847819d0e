// The one place where the conformance runner learns about execution modes:
// a new mode (jit, native) is one more case in make_conformance_engine().
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "ebpf/exec.hpp"

namespace ebpf::conformance {

// Modes this build of the runner can execute, by name ("interpret", ...).
std::vector<std::string> supported_modes();
// Throws ebpf::Error for an unknown or unsupported mode.
ExecMode parse_mode(const std::string& name);

// An engine for a conformance program: bounds-checked where the mode can
// check, so that a wrong program fails with an error instead of a crash.
std::unique_ptr<Engine> make_conformance_engine(ExecMode mode, const ExecutableProgram& program);

}  // namespace ebpf::conformance
