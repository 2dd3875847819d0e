// What every engine shares: the per-thread run state and mode names.
#include "ebpf/exec.hpp"

namespace ebpf {

// Constant-initialised, so run_state() is one TLS address computation, with
// no per-access initialisation check (it is on every run's path).
constinit thread_local RunState t_run_state;

void* empty_memory() {
    alignas(8) static uint8_t nothing[8];  // never read or written: its length is 0
    return nothing;
}

const char* exec_mode_name(ExecMode mode) {
    switch (mode) {
    case ExecMode::interpret: return "interpret";
    case ExecMode::jit: return "jit";
    case ExecMode::native: return "native";
    }
    return "unknown";
}

bool interpreter_available() { return EBPF_WITH_INTERPRETER != 0; }

}  // namespace ebpf
