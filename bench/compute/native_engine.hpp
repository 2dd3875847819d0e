// The native row of compute_bench: bpf2c → cc -O2 → module loaded from a
// sealed memfd, exactly as `ebpf build` + the module loader do it.
#pragma once

#include <memory>

#include "ebpf/exec.hpp"
#include "ebpf/native.hpp"

namespace ebpf::bench {

inline std::unique_ptr<Engine> make_native_engine(const ExecutableProgram& program) {
    return compile_native_engine(program.insns, *program.helpers);
}

}  // namespace ebpf::bench
