#include "module_metadata.hpp"

#include <cerrno>
#include <cstring>

#include "ebpf/error.hpp"
#include "ebpf/input_file.hpp"

namespace ebpf::native_metadata {

namespace {

// A NUL-terminated string of sane length, or an error naming `what`.
std::string checked_string(const std::string& name, const char* text, const std::string& what) {
    if (text == nullptr) throw Error(name + ": missing metadata: " + what + " is NULL");
    size_t length = ::strnlen(text, kMaxNameLength + 1);
    if (length > kMaxNameLength)
        throw Error(name + ": bad metadata: " + what + " is longer than " + std::to_string(kMaxNameLength));
    return std::string(text, length);
}

bool known_program_type(uint32_t type) {
    switch (static_cast<ProgramType>(type)) {
    case ProgramType::unspec:
    case ProgramType::socket_filter:
    case ProgramType::sched_cls:
    case ProgramType::xdp:
    case ProgramType::cgroup_sock_addr:
    case ProgramType::hook:
    case ProgramType::raw_memory: return true;
    }
    return false;
}

void check_map(const std::string& name, const ebpf_native_module* module, uint32_t index) {
    const ebpf_native_map& map = module->maps[index];
    std::string map_name = checked_string(name, map.name, "map #" + std::to_string(index) + " name");
    std::string where = name + ": map '" + map_name + "'";
    if (!map_type_from_id(map.type)) throw Error(where + ": unsupported map type " + std::to_string(map.type));
    if (map.initial_slot_count > map.max_entries || (map.initial_slot_count != 0 && map.initial_slots == nullptr))
        throw Error(where + ": bad metadata: " + std::to_string(map.initial_slot_count) + " initial slots");
    for (uint32_t s = 0; s < map.initial_slot_count; ++s) {
        const ebpf_native_map_slot& slot = map.initial_slots[s];
        std::string target = checked_string(name, slot.target, "map '" + map_name + "' slot target");
        if (slot.reserved != 0 || slot.key >= map.max_entries)
            throw Error(where + ": initial slot " + std::to_string(slot.key) + " -> '" + target + "' is out of range");
    }
    if (map.value_size > kMaxValueSize || map.key_size > kMaxValueSize)
        throw Error(where + ": key or value size too large");
    if (map.flags & ~(EBPF_NATIVE_MAP_GLOBAL_DATA | EBPF_NATIVE_MAP_READ_ONLY | EBPF_NATIVE_MAP_INNER_TEMPLATE))
        throw Error(where + ": unknown flags 0x" + std::to_string(map.flags));
    if (map.inner_map != EBPF_NATIVE_NO_INNER_MAP &&
        (map.inner_map >= module->map_count || map.inner_map == index))
        throw Error(where + ": inner map index " + std::to_string(map.inner_map) + " out of range");
    bool global = (map.flags & EBPF_NATIVE_MAP_GLOBAL_DATA) != 0;
    if (global) {
        if (static_cast<MapType>(map.type) != MapType::array || map.key_size != 4 || map.max_entries != 1)
            throw Error(where + ": global data must be a one-entry array with 4-byte keys");
        if (map.initial_data_size != 0 && map.initial_data_size != map.value_size)
            throw Error(where + ": initial data has " + std::to_string(map.initial_data_size) +
                        " bytes but the value size is " + std::to_string(map.value_size));
        if (map.initial_data_size != 0 && map.initial_data == nullptr)
            throw Error(where + ": missing metadata: initial data is NULL");
    } else if (map.initial_data != nullptr || map.initial_data_size != 0) {
        throw Error(where + ": initial data given for a map that is not global data");
    }
}

}  // namespace

void check_module(const std::string& name, const ebpf_native_module* module, const HelperTable& helpers) {
    if (module == nullptr) throw Error(name + ": missing metadata: " EBPF_NATIVE_MODULE_ENTRY "() returned NULL");
    if (module->magic != EBPF_NATIVE_MAGIC) throw Error(name + ": bad metadata: wrong magic (not a bpf2c module)");
    if (module->abi_version != EBPF_NATIVE_ABI_VERSION)
        throw Error(name + ": module ABI version " + std::to_string(module->abi_version) +
                    ", this runtime supports version " + std::to_string(EBPF_NATIVE_ABI_VERSION) +
                    ": rebuild the module with this version's `ebpf build`");
    if (module->struct_size != sizeof(ebpf_native_module))
        throw Error(name + ": bad metadata: module struct is " + std::to_string(module->struct_size) +
                    " bytes, expected " + std::to_string(sizeof(ebpf_native_module)));
    if (module->reserved != 0) throw Error(name + ": bad metadata: reserved field is not 0");
    if (module->program_count == 0 || module->programs == nullptr)
        throw Error(name + ": missing metadata: the module has no programs");
    if (module->program_count > kMaxPrograms || module->helper_count > kMaxHelpers || module->map_count > kMaxMaps)
        throw Error(name + ": bad metadata: implausible counts (" + std::to_string(module->program_count) +
                    " programs, " + std::to_string(module->helper_count) + " helpers, " +
                    std::to_string(module->map_count) + " maps)");
    if (module->helper_count != 0 && module->helpers == nullptr)
        throw Error(name + ": missing metadata: helper table is NULL");
    if (module->map_count != 0 && module->maps == nullptr) throw Error(name + ": missing metadata: map table is NULL");
    if (module->runtime == nullptr) throw Error(name + ": missing metadata: runtime slots are NULL");

    for (uint32_t i = 0; i < module->program_count; ++i) {
        const ebpf_native_program& program = module->programs[i];
        std::string program_name = checked_string(name, program.name, "program #" + std::to_string(i) + " name");
        checked_string(name, program.section, "program '" + program_name + "' section");
        if (program.entry == nullptr)
            throw Error(name + ": missing metadata: program '" + program_name + "' has no entry function");
        if (!known_program_type(program.program_type))
            throw Error(name + ": program '" + program_name + "': unknown program type " +
                        std::to_string(program.program_type));
    }
    for (uint32_t i = 0; i < module->helper_count; ++i) {
        const ebpf_native_helper& helper = module->helpers[i];
        if (helper.reserved != 0) throw Error(name + ": bad metadata: helper #" + std::to_string(i) + " reserved field");
        if (helpers.find(helper.id) == nullptr)
            throw Error(name + ": the module imports helper " + std::to_string(helper.id) +
                        ", which this runtime does not provide");
    }
    for (uint32_t i = 0; i < module->map_count; ++i) check_map(name, module, i);
}

std::vector<MapDefinition> map_definitions(const ebpf_native_module* module) {
    std::vector<MapDefinition> maps;
    for (uint32_t i = 0; i < module->map_count; ++i) {
        const ebpf_native_map& in = module->maps[i];
        MapDefinition map;
        map.name = in.name;
        map.type = static_cast<MapType>(in.type);
        map.key_size = in.key_size;
        map.value_size = in.value_size;
        map.max_entries = in.max_entries;
        map.map_flags = in.map_flags;
        map.pinning = in.pinning;
        if (in.inner_map != EBPF_NATIVE_NO_INNER_MAP) map.inner_map = in.inner_map;
        map.is_global_data = (in.flags & EBPF_NATIVE_MAP_GLOBAL_DATA) != 0;
        map.read_only = (in.flags & EBPF_NATIVE_MAP_READ_ONLY) != 0;
        map.inner_template = (in.flags & EBPF_NATIVE_MAP_INNER_TEMPLATE) != 0;
        for (uint32_t s = 0; s < in.initial_slot_count; ++s)
            map.initial_slots.push_back(MapSlotInit{in.initial_slots[s].key, in.initial_slots[s].target});
        if (map.is_global_data) {
            map.initial_data.assign(map.value_size, 0);
            if (in.initial_data_size != 0) std::memcpy(map.initial_data.data(), in.initial_data, in.initial_data_size);
        }
        maps.push_back(std::move(map));
    }
    return maps;
}

std::vector<NativeProgramInfo> program_infos(const ebpf_native_module* module) {
    std::vector<NativeProgramInfo> programs;
    for (uint32_t i = 0; i < module->program_count; ++i) {
        const ebpf_native_program& in = module->programs[i];
        NativeProgramInfo info;
        info.name = in.name;
        info.section = in.section;
        info.type = static_cast<ProgramType>(in.program_type);
        info.instruction_count = in.instruction_count;
        std::memcpy(info.bytecode_sha256.data(), in.bytecode_sha256, 32);
        programs.push_back(std::move(info));
    }
    return programs;
}

std::vector<uint8_t> read_whole_file(const std::string& path, size_t max_bytes) {
    // Once, bounded, regular files only (ebpf/input_file.hpp): a FIFO or
    // /dev/zero named as a module is an error, not a hang or an unbounded read.
    return read_input_file(path, max_bytes);
}

}  // namespace ebpf::native_metadata
