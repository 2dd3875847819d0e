// Bounds checks of one memory access, per region kind. Shared by the
// load/store checks and the helper argument checks.
#pragma once

#include <cstdint>

#include "verifier_env.hpp"

namespace ebpf::verifier {

struct MemoryAccess {
    int regno = 0;          // base register
    int64_t off = 0;        // instruction offset (0 for helper arguments)
    int64_t size = 0;       // bytes (upper bound for a variable helper size)
    bool write = false;
    bool read = true;       // a write that also reads (atomics), or a plain read
    bool init = true;       // reads require initialised bytes
    const char* what = nullptr;  // "helper argument" etc. for messages; null for insns
};

// Checks `access` against the region the base register points to and, for
// stack writes, does nothing to the stack (the caller stores). Returns the
// offset range [lo, hi) inside the region that may be touched.
struct TouchedRange {
    int64_t lo = 0, hi = 0;
};
TouchedRange check_region_access(VerifierEnv& env, VerifierState& state, const RegState& base,
                                 const MemoryAccess& access);

// Stack bytes [lo, hi) of `frame` hold initialised data (no pointer parts
// when `scalar_only`); fails with a message naming the first bad byte.
void check_stack_initialised(VerifierEnv& env, VerifierState& state, uint32_t frameno, int64_t lo, int64_t hi, int regno,
                             bool scalar_only);
// Bytes [lo, hi) may have been written with scalars by a helper or callback.
void mark_stack_written(VerifierState& state, uint32_t frameno, int64_t lo, int64_t hi, bool surely);

}  // namespace ebpf::verifier
