// The one place where the conformance runner learns about execution modes and
// the verification every mode requires (RFC 9669 as the contract, issue 6):
// programs are verified as raw_memory with the input size known; jit and
// native run only verified programs; the interpreter alone may run an
// unverified program, and then only bounds-checked.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "ebpf/exec.hpp"
#include "ebpf/isa.hpp"

namespace ebpf::conformance {

// Modes this build of the runner can execute, by name ("interpret", ...).
std::vector<std::string> supported_modes();
// Throws ebpf::Error for an unknown or unsupported mode.
ExecMode parse_mode(const std::string& name);

struct EngineOptions {
    // Size of the memory r1 points to (r2), known to the verifier.
    uint64_t mem_size = 0;
    // false: interpret mode only, the bounds-checked interpreter runs the
    // program unverified (conformance testing of the interpreter itself).
    bool verify = true;
    // Names the program in verifier messages ("FILE:insn N: error: ...").
    std::string name = "program";
};

// Validates, verifies (unless options.verify is false) and builds an engine.
// Throws ebpf::Error with the validator's or verifier's message when the
// program is rejected, and when an unverified run is asked of jit or native.
std::unique_ptr<Engine> make_conformance_engine(ExecMode mode, const ExecutableProgram& program,
                                                const EngineOptions& options);

}  // namespace ebpf::conformance
