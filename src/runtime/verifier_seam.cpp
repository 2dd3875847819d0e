// The one place the runtime calls the verifier. A tree built without the
// verifier component (EBPF_RUNTIME_HAVE_VERIFIER=0) refuses to load programs
// that need verification instead of running them unchecked.
#include "ebpf/error.hpp"
#include "load_steps.hpp"

namespace ebpf {

VerifyResult verify_for_load(const ebpf::Program& program, std::span<const MapDefinition> definitions,
                             const VerifyOptions& options) {
#if EBPF_RUNTIME_HAVE_VERIFIER
    return verify_program(program, definitions, options);
#else
    (void)definitions;
    (void)options;
    throw Error("program '" + program.name +
                "': cannot verify: this build has no verifier; only the bounds-checked interpreter "
                "(LoadOptions::verify = false, exec.bounds_check = true) may run unverified programs");
#endif
}

}  // namespace ebpf
