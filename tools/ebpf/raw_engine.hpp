// Engines for raw programs (bytecode or --asm text, no ELF): the program type
// is raw_memory (r1 = input memory, r2 = its length), as bpf_conformance
// programs. Every mode requires a passing verification; only the interpreter
// may run an unverified program, and only with its bounds checking on.
#pragma once

#include <cstdint>
#include <memory>

#include "ebpf/exec.hpp"

namespace ebpf::tools {

struct RawEngineOptions {
    ExecMode mode = ExecMode::interpret;
    bool verify = true;     // false: bounds-checked interpreter only
    uint64_t mem_size = 0;  // size of the input memory, known to the verifier
};

// Validates, verifies and builds the engine. Throws ebpf::Error with the
// verifier's diagnostic ("insn N: error: why" and the state) on rejection.
std::unique_ptr<Engine> make_raw_engine(const ExecutableProgram& program, const RawEngineOptions& options);

}  // namespace ebpf::tools
