// The bpf2c pipeline over an opened object: select programs → verify →
// rewrite context accesses → hash the verified bytecode → generate C.
#include "ebpf/error.hpp"
#include "ebpf/native.hpp"
#include "ebpf/verifier.hpp"

namespace ebpf {

namespace {

bool selected(const Program& program, const Bpf2cOptions& options) {
    return options.section.empty() || program.section == options.section || program.name == options.section;
}

TranslationProgram prepare_program(const Object& object, const Program& program, const Bpf2cOptions& options) {
    TranslationProgram out;
    out.name = program.name;
    out.section = program.section;
    out.type = program.type;
    out.functions = program.functions;
    out.lines = program.lines;
    out.verified_instruction_count = static_cast<uint32_t>(program.insns.size());
    out.bytecode_sha256 = sha256_of_instructions(program.insns);
    if (!options.verify) {
        out.insns = program.insns;
        return out;
    }
    VerifyResult result = verify_program(program, object.maps);
    if (!result.ok) {
        std::string message;
        for (const auto& diagnostic : result.errors) {
            if (!message.empty()) message += "\n";
            message += format_diagnostic(diagnostic, object.path);
        }
        if (message.empty()) message = object.path + ": " + program.name + ": verification failed";
        throw Error(message);
    }
    // As the kernel does after verification: context loads read the runtime
    // layout (e.g. xdp_md.data becomes a real 64-bit pointer).
    out.insns = rewrite_context_accesses(program.insns, program.type, result.ctx_accesses);
    return out;
}

}  // namespace

TranslationUnit prepare_translation_unit(const Object& object, const Bpf2cOptions& options) {
    TranslationUnit unit;
    // Only the file's base name goes into the module: output must not depend
    // on where the object was built.
    auto slash = object.path.find_last_of('/');
    unit.source_name = slash == std::string::npos ? object.path : object.path.substr(slash + 1);
    unit.maps = object.maps;
    for (const auto& program : object.programs)
        if (selected(program, options)) unit.programs.push_back(prepare_program(object, program, options));
    if (unit.programs.empty()) {
        throw Error(object.path + ": " +
                    (options.section.empty() ? std::string("no programs in the object")
                                             : "no program named or in section '" + options.section + "'"));
    }
    return unit;
}

Bpf2cResult bpf2c(const Object& object, const Bpf2cOptions& options) {
    TranslationUnit unit = prepare_translation_unit(object, options);
    Bpf2cResult result;
    result.program_count = unit.programs.size();
    for (const auto& program : unit.programs) result.instruction_count += program.verified_instruction_count;
    result.c_source = generate_c(unit, options.codegen);
    return result;
}

}  // namespace ebpf
