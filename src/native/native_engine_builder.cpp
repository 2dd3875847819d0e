// compile_native_engine: instructions → C → .so → Engine in one call.
#include "ebpf/error.hpp"
#include "ebpf/native.hpp"
#include "ebpf/policy.hpp"

namespace ebpf {

std::unique_ptr<Engine> compile_native_engine(std::span<const Instruction> insns, const HelperTable& helpers,
                                              ProgramType type) {
    // Code-integrity mode: no machine code is produced in the process.
    check_host_compilation_policy("compiling bytecode to a native engine");
    TranslationUnit unit;
    unit.source_name = "instructions";
    TranslationProgram program;
    program.name = "program";
    program.section = std::string(program_type_name(type));
    program.type = type;
    program.insns.assign(insns.begin(), insns.end());
    program.verified_instruction_count = static_cast<uint32_t>(insns.size());
    program.bytecode_sha256 = sha256_of_instructions(insns);
    unit.programs.push_back(std::move(program));

    ModuleLoadOptions options;
    options.helpers = &helpers;
    options.name = "native engine";
    return load_module_from_memory(build_module_bytes(generate_c(unit)), options)->make_engine(0);
}

}  // namespace ebpf
