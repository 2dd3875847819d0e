// build_module: the library form of `ebpf build` up to signing, shared by the
// CLI and the signing service so both produce the same unsigned module.
#include "ebpf/native.hpp"

namespace ebpf {

BuiltModule build_module(const Object& object, const ModuleBuildOptions& options) {
    BuiltModule built;
    built.unit = prepare_translation_unit(object, options.bpf2c);
    if (!options.source_name.empty()) built.unit.source_name = options.source_name;
    if (options.on_verified) options.on_verified(built.unit);
    built.c_source = generate_c(built.unit, options.bpf2c.codegen);
    built.bytes = build_module_bytes(built.c_source, options.compile);
    built.compiler = module_compiler(options.compile);
    return built;
}

}  // namespace ebpf
