// Which code generator runs on this host, and what the AArch64 CPU offers.
#include "ebpf/error.hpp"
#include "jit_codegen.hpp"

#if defined(__aarch64__)
#include <asm/hwcap.h>
#include <sys/auxv.h>
#endif

namespace ebpf::jit {

bool host_has_lse_atomics() {
#if defined(__aarch64__)
    // ARMv8.1 LSE (ldaddal, casal, ...): mandatory from v8.1, absent on
    // Cortex-A53/A72-class cores, which take the exclusive-load/store loops.
    static const bool lse = (getauxval(AT_HWCAP) & HWCAP_ATOMICS) != 0;
    return lse;
#else
    return false;
#endif
}

CompiledCode compile_for_host(const ExecutableProgram& program, const ExecOptions& options, CodeSink* sink) {
#if defined(EBPF_JIT_NO_HOST_ARCH)
    (void)program;
    (void)options;
    (void)sink;
    throw Error("JIT: no code generator for this architecture (x86-64 and AArch64 only); use --mode interpret or native");
#else
    if constexpr (kHostArch == CodeArch::aarch64) return compile_aarch64(program, options, host_has_lse_atomics(), sink);
    return compile_x86_64(program, options, sink);
#endif
}

}  // namespace ebpf::jit
