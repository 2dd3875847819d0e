// The bpf2c pipeline over an opened object: select programs → verify →
// rewrite context accesses → hash the verified bytecode → generate C.
#include "ebpf/error.hpp"
#include "ebpf/native.hpp"
#include "ebpf/verifier.hpp"
#include "module_metadata.hpp"

namespace ebpf {

namespace {

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
        // Unverified is not unchecked: the code generator relies on well-formed
        // instructions (known opcodes, registers 0-10, jumps and calls inside
        // the program, LDDW complete), so malformed bytecode is an error here.
        try {
            validate(program.insns);
        } catch (const Error& e) {
            throw Error(object.path + ": program '" + program.name + "': " + e.what());
        }
        out.insns = program.insns;
        return out;
    }
    VerifyResult result = verify_program(program, object.maps);
    out.verifier_stats = result.stats;
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

// The module format's limits (module_metadata.hpp), the same the loader
// checks: refused here with the name that breaks them.
void check_module_limits(const Object& object, const std::vector<const Program*>& programs) {
    using namespace native_metadata;
    auto check_name = [&](const std::string& name, const std::string& what) {
        if (name.size() > kMaxNameLength)
            throw Error(object.path + ": " + what + " '" + name.substr(0, 64) + "...' is " +
                        std::to_string(name.size()) + " bytes long; native modules allow at most " +
                        std::to_string(kMaxNameLength));
    };
    if (programs.size() > kMaxPrograms)
        throw Error(object.path + ": " + std::to_string(programs.size()) + " programs; native modules allow at most " +
                    std::to_string(kMaxPrograms));
    if (object.maps.size() > kMaxMaps)
        throw Error(object.path + ": " + std::to_string(object.maps.size()) + " maps; native modules allow at most " +
                    std::to_string(kMaxMaps));
    for (const Program* program : programs) {
        check_name(program->name, "program name");
        check_name(program->section, "section name of program '" + program->name.substr(0, 64) + "'");
    }
    for (const MapDefinition& map : object.maps) {
        check_name(map.name, "map name");
        for (const MapSlotInit& slot : map.initial_slots) check_name(slot.target, "initial value of map '" + map.name + "'");
        if (map.key_size > kMaxValueSize || map.value_size > kMaxValueSize)
            throw Error(object.path + ": map '" + map.name + "': key or value size above " +
                        std::to_string(kMaxValueSize) + ", more than native modules allow");
    }
}

}  // namespace

TranslationUnit prepare_translation_unit(const Object& object, const Bpf2cOptions& options) {
    TranslationUnit unit;
    // Only the file's base name goes into the module: output must not depend
    // on where the object was built.
    auto slash = object.path.find_last_of('/');
    unit.source_name = slash == std::string::npos ? object.path : object.path.substr(slash + 1);
    unit.maps = object.maps;
    unit.core_btf = core_btf_identity(object);
    // One program: it and every program it reaches by tail calls (their
    // slots must be filled in the module too). The whole object: every
    // program that can load; the others are left out with a warning.
    std::vector<std::string> requested;
    if (!options.section.empty()) {
        if (!object.find_program(options.section))
            throw Error(object.path + ": no program named or in section '" + options.section + "'");
        requested.push_back(options.section);
    }
    const ProgramSelection selection =
        select_programs(object.path, selectable_programs(object), object.maps, requested, false);
    unit.warnings = selection.warnings;
    std::vector<const Program*> chosen;
    for (size_t i = 0; i < object.programs.size(); ++i)
        if (selection.load[i]) chosen.push_back(&object.programs[i]);
    check_module_limits(object, chosen);
    for (const Program* program : chosen) unit.programs.push_back(prepare_program(object, *program, options));
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
    result.warnings = unit.warnings;
    for (const auto& program : unit.programs) result.instruction_count += program.verified_instruction_count;
    result.c_source = generate_c(unit, options.codegen);
    return result;
}

}  // namespace ebpf
