// Native mode: a module built by bpf2c (ebpf build) plugs into the runtime
// like any engine. The module loader asks us to create its maps (the same Map
// objects as every mode) and takes our helper table; each program becomes a
// LoadedProgram over the module's engine.
#include <algorithm>

#include "ebpf/error.hpp"
#include "ebpf/pinning.hpp"
#include "ebpf/runtime.hpp"
#include "load_steps.hpp"
#include "maps/map_types.hpp"

#if EBPF_RUNTIME_HAVE_NATIVE
#include "ebpf/native.hpp"
#include "ebpf/policy.hpp"
#endif

namespace ebpf {

using namespace runtime_detail;

#if EBPF_RUNTIME_HAVE_NATIVE
namespace {

// Each program's bytecode hash recorded in the module against the object it
// says it was built from (LoadOptions::bytecode_object).
void check_bytecode_hashes(const NativeModule& module, const std::string& object_path) {
    const Object object = open_object(object_path);
    for (const NativeProgramInfo& info : module.programs()) {
        auto it = std::find_if(object.programs.begin(), object.programs.end(),
                               [&](const ebpf::Program& p) { return p.name == info.name; });
        const ebpf::Program* program = it == object.programs.end() ? nullptr : &*it;
        if (program == nullptr)
            throw Error("program '" + info.name + "' of the module is not in " + object_path +
                        ": the module was not built from this object");
        uint8_t recorded[32];
        std::copy(info.bytecode_sha256.begin(), info.bytecode_sha256.end(), recorded);
        check_bytecode_hash(info.name, recorded, std::span<const Instruction>(program->insns));
    }
    // The programs were verified against the object's maps: sizes, types,
    // read-only global data (the verifier folds .rodata constants) and
    // prog-array slots. A module with the same bytecode but other maps would
    // run code verified for different ones (a smaller value: out of bounds).
    const auto& maps = module.maps();
    if (maps.size() != object.maps.size())
        throw Error("the module has " + std::to_string(maps.size()) + " maps, " + object_path + " has " +
                    std::to_string(object.maps.size()) + ": the module was not built from this object");
    for (size_t i = 0; i < maps.size(); ++i) {
        const MapDefinition& a = maps[i];
        const MapDefinition& b = object.maps[i];
        const char* differs = a.name != b.name                 ? "name"
                              : a.type != b.type               ? "type"
                              : a.key_size != b.key_size       ? "key size"
                              : a.value_size != b.value_size   ? "value size"
                              : a.max_entries != b.max_entries ? "max_entries"
                              : a.map_flags != b.map_flags     ? "flags"
                              : a.inner_map != b.inner_map || a.inner_template != b.inner_template ? "inner map"
                              : a.is_global_data != b.is_global_data || a.read_only != b.read_only ? "kind"
                              : a.initial_data != b.initial_data ? "initial data"
                              : !std::equal(a.initial_slots.begin(), a.initial_slots.end(), b.initial_slots.begin(),
                                            b.initial_slots.end(),
                                            [](const MapSlotInit& x, const MapSlotInit& y) {
                                                return x.key == y.key && x.target == y.target;
                                            })
                                  ? "initial slots"
                                  : nullptr;
        if (differs != nullptr)
            throw Error("map #" + std::to_string(i) + " '" + b.name + "': its " + differs + " differs from " +
                        object_path + "'s: the module was not built from this object");
    }
}

// A module whose CO-RE relocations on kernel types were resolved at build
// time runs only against the same BTF (by SHA-256): the running kernel's,
// or LoadOptions::btf_path. Offsets into kernel structs resolved for another
// kernel would read the wrong fields, so this is refused, not warned about.
void check_core_btf(const std::string& path, const std::string& built, const LoadOptions& options) {
    std::string here;
    try {
        here = core_btf_identity(options.btf_path, options.limits);
    } catch (const Error& e) {
        throw Error(path + ": its CO-RE relocations were resolved against " + built +
                    " when it was built, and the target BTF here cannot be read: " + e.what());
    }
    auto digest = [](const std::string& identity) { return identity.substr(0, identity.find(' ')); };
    if (digest(here) != digest(built))
        throw Error(path + ": its CO-RE relocations were resolved against " + built +
                    " when it was built; the target BTF here is " + here +
                    ": rebuild the module on this kernel, or give the BTF it was built against (--btf)");
}

}  // namespace
#endif

std::unique_ptr<LoadedObject> load_native_object(const std::string& path, const LoadOptions& options) {
#if EBPF_RUNTIME_HAVE_NATIVE
    std::vector<std::shared_ptr<Map>> maps;
    ModuleLoadOptions module_options;
    module_options.name = path;
    module_options.helpers = &helper_table();
    module_options.check_signature = options.check_signature;
    module_options.create_map = [&maps, &options](std::span<const MapDefinition> definitions, uint32_t index) {
        if (maps.empty()) maps = create_maps(definitions, options.limits, MapSharing{options.pin_root, options.share_maps});
        if (index >= maps.size() || !maps[index])
            throw Error("map index " + std::to_string(index) + " is not a map programs can use");
        MapBinding binding;
        binding.address = reinterpret_cast<uintptr_t>(maps[index].get());
        binding.value_address = reinterpret_cast<uintptr_t>(maps[index]->direct_value(0));
        return binding;
    };
    std::shared_ptr<NativeModule> module = load_module_from_file(path, module_options);
    if (const std::string built = module->core_btf(); !built.empty()) check_core_btf(path, built, options);
    if (!options.bytecode_object.empty()) {
        try {
            check_bytecode_hashes(*module, options.bytecode_object);
        } catch (const Error& e) {
            throw Error(path + ": " + e.what());
        }
    }
    if (maps.empty() && !module->maps().empty()) maps = create_maps(module->maps(), options.limits, MapSharing{options.pin_root, options.share_maps});

    std::vector<std::unique_ptr<LoadedProgram>> loaded;
    const auto& infos = module->programs();
    for (const std::string& name : options.programs) {
        if (!module->find_program(name)) throw Error(path + ": no program '" + name + "' in the module");
    }
    // The requested programs and every tail-call target they reach (program_selection.cpp).
    std::vector<SelectableProgram> selectable;
    for (const NativeProgramInfo& info : infos) {
        SelectableProgram p{info.name, info.section, info.type, {}, {}};
        for (const NativeMapReference& ref : info.map_references) {
            if (!ref.value) p.maps.push_back(ref.map);
        }
        selectable.push_back(std::move(p));
    }
    const ProgramSelection selection = select_programs(path, selectable, module->maps(), options.programs, false);
    for (size_t i = 0; i < infos.size(); ++i) {
        const NativeProgramInfo& info = infos[i];
        if (!selection.load[i]) continue;
        auto section = program_type_from_section(info.section);
        std::string attach = section ? std::string(section->attach) : std::string();
        // As load_object: a program naming a prog array fixes (or must match) its owner type.
        for (const NativeMapReference& ref : info.map_references) {
            auto* prog_array = ref.map < maps.size() ? dynamic_cast<ProgArrayMap*>(maps[ref.map].get()) : nullptr;
            if (prog_array && !ref.value)
                prog_array->claim_owner(info.type, "program '" + info.name + "'", "loaded to tail-call through it");
        }
        loaded.push_back(std::make_unique<LoadedProgram>(info.name, info.section, info.type, attach,
                                                         std::vector<Instruction>{}, module->make_engine(i),
                                                         module->admitted_under_policy()));
        loaded.back()->set_bytecode_sha256(info.bytecode_sha256);
    }
    std::vector<std::string> warnings = selection.warnings;
    for (size_t i = 0; i < module->maps().size() && i < maps.size(); ++i) {
        auto* prog_array = dynamic_cast<ProgArrayMap*>(maps[i].get());
        if (!prog_array) continue;
        for (const MapSlotInit& slot : module->maps()[i].initial_slots) {
            // A module built for one program (ebpf build --section) holds the
            // programs it can reach; a slot no loaded program can reach may
            // name one left out.
            if (!module->find_program(slot.target)) {
                warnings.push_back("map '" + module->maps()[i].name + "': slot " + std::to_string(slot.key) +
                                   " stays empty: program '" + slot.target + "' is not in the module");
                continue;
            }
            for (const auto& program : loaded) {
                if (program->name() == slot.target) prog_array->set_program(slot.key, program.get());
            }
        }
    }
    auto result = std::make_unique<LoadedObject>(path, std::move(maps), std::move(loaded));
    for (const auto& warning : warnings) result->add_warning(path + ": " + warning);
    if (options.share_maps) publish_programs(*result, pin_root(options.pin_root));
    return result;
#else
    (void)options;
    throw Error(path + ": native modules are not supported by this build (no native module loader)");
#endif
}

}  // namespace ebpf
