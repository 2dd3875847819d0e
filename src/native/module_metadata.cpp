#include "module_metadata.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <unistd.h>

#include "ebpf/error.hpp"
#include "ebpf/input_file.hpp"

namespace ebpf::native_metadata {

namespace {

// Throws unless `size` bytes at `address` are the module's (writable or executable when asked).
void check_pointer(const std::string& name, const ModuleMemory& memory, const void* address, size_t size,
                   const std::string& what, bool writable = false, bool executable = false) {
    if (!memory.contains(address, size, writable, executable))
        throw Error(name + ": bad metadata: " + what + " points outside the module's " +
                    (executable ? "code" : writable ? "writable memory" : "memory"));
}

// `count` entries of T at `table`: the module's memory (as check_pointer) and
// aligned for T, so that reading them is a plain load on every machine.
template <class T>
void check_table(const std::string& name, const ModuleMemory& memory, const T* table, size_t count,
                 const std::string& what, bool writable = false) {
    if (reinterpret_cast<uintptr_t>(table) % alignof(T) != 0)
        throw Error(name + ": bad metadata: " + what + " is not aligned to " + std::to_string(alignof(T)) + " bytes");
    check_pointer(name, memory, table, count * sizeof(T), what, writable);
}

// A NUL-terminated string of sane length inside the module, or an error naming `what`.
std::string checked_string(const std::string& name, const ModuleMemory& memory, const char* text,
                           const std::string& what) {
    if (text == nullptr) throw Error(name + ": missing metadata: " + what + " is NULL");
    const size_t available = memory.bytes_from(text);
    if (available == 0) throw Error(name + ": bad metadata: " + what + " points outside the module's memory");
    size_t length = ::strnlen(text, std::min(available, kMaxNameLength + 1));
    if (length == available) throw Error(name + ": bad metadata: " + what + " runs past the module's memory");
    if (length > kMaxNameLength)
        throw Error(name + ": bad metadata: " + what + " is longer than " + std::to_string(kMaxNameLength));
    return std::string(text, length);
}

bool known_program_type(uint32_t type) {
    switch (static_cast<ProgramType>(type)) {
    case ProgramType::unspec:
    case ProgramType::socket_filter:
    case ProgramType::sched_cls:
    case ProgramType::sched_act:
    case ProgramType::xdp:
    case ProgramType::cgroup_sock_addr:
    case ProgramType::hook:
    case ProgramType::raw_memory: return true;
    }
    return false;
}

void check_map(const std::string& name, const ebpf_native_module* module, uint32_t index, const ModuleMemory& memory) {
    const ebpf_native_map& map = module->maps[index];
    std::string map_name = checked_string(name, memory, map.name, "map #" + std::to_string(index) + " name");
    std::string where = name + ": map '" + map_name + "'";
    if (!map_type_from_id(map.type)) throw Error(where + ": unsupported map type " + std::to_string(map.type));
    if (map.initial_slot_count > map.max_entries || (map.initial_slot_count != 0 && map.initial_slots == nullptr))
        throw Error(where + ": bad metadata: " + std::to_string(map.initial_slot_count) + " initial slots");
    if (map.initial_slot_count != 0)
        check_table(name, memory, map.initial_slots, map.initial_slot_count,
                      "map '" + map_name + "' initial slots");
    for (uint32_t s = 0; s < map.initial_slot_count; ++s) {
        const ebpf_native_map_slot& slot = map.initial_slots[s];
        std::string target = checked_string(name, memory, slot.target, "map '" + map_name + "' slot target");
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
        if (map.initial_data_size != 0)
            check_pointer(name, memory, map.initial_data, map.initial_data_size, "map '" + map_name + "' initial data");
    } else if (map.initial_data != nullptr || map.initial_data_size != 0) {
        throw Error(where + ": initial data given for a map that is not global data");
    }
}

// Every map a program names must exist and be a map the runtime creates: an
// inner-map template gets no binding, so naming one would hand the code NULL.
void check_map_references(const std::string& name, const ebpf_native_module* module,
                          const ebpf_native_program& program, const std::string& program_name,
                          const ModuleMemory& memory) {
    const std::string where = name + ": program '" + program_name + "'";
    if (program.reserved != 0) throw Error(where + ": bad metadata: reserved field is not 0");
    if (program.map_reference_count > kMaxMaps * 2)
        throw Error(where + ": bad metadata: implausible map reference count " + std::to_string(program.map_reference_count));
    if (program.map_reference_count != 0 && program.map_references == nullptr)
        throw Error(where + ": missing metadata: map reference table is NULL");
    if (program.map_reference_count != 0)
        check_table(name, memory, program.map_references, program.map_reference_count,
                    "program '" + program_name + "' map reference table");
    for (uint32_t r = 0; r < program.map_reference_count; ++r) {
        const uint32_t index = program.map_references[r] & ~EBPF_NATIVE_MAP_REF_VALUE;
        if (index >= module->map_count)
            throw Error(where + ": refers to map #" + std::to_string(index) + ", but the module has " +
                        std::to_string(module->map_count) + " maps");
        const ebpf_native_map& map = module->maps[index];
        if (map.flags & EBPF_NATIVE_MAP_INNER_TEMPLATE)
            throw Error(where + ": refers to map #" + std::to_string(index) +
                        ", an inner map template (no map exists for it)");
    }
}

}  // namespace

bool ModuleMemory::contains(const void* address, size_t size, bool writable, bool executable) const {
    const auto at = reinterpret_cast<uintptr_t>(address);
    for (const Range& range : ranges) {
        if (at < range.start || at - range.start > range.size || size > range.size - (at - range.start)) continue;
        return (!writable || range.writable) && (!executable || range.executable);
    }
    return false;
}

size_t ModuleMemory::bytes_from(const void* address) const {
    const auto at = reinterpret_cast<uintptr_t>(address);
    for (const Range& range : ranges)
        if (at >= range.start && at - range.start < range.size) return range.size - (at - range.start);
    return 0;
}

void check_module(const std::string& name, const ebpf_native_module* module, const HelperTable& helpers,
                  const ModuleMemory& memory) {
    if (module == nullptr) throw Error(name + ": missing metadata: " EBPF_NATIVE_MODULE_ENTRY "() returned NULL");
    check_table(name, memory, module, 1, "the module struct");
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
    // The loader writes the helper, map and runtime slots: the module's own writable memory only.
    check_table(name, memory, module->programs, module->program_count,
                  "the program table");
    if (module->helper_count != 0)
        check_table(name, memory, module->helpers, module->helper_count,
                      "the helper table", true);
    if (module->map_count != 0)
        check_table(name, memory, module->maps, module->map_count, "the map table",
                      true);
    check_table(name, memory, module->runtime, 1, "the runtime slots", true);

    for (uint32_t i = 0; i < module->program_count; ++i) {
        const ebpf_native_program& program = module->programs[i];
        std::string program_name =
            checked_string(name, memory, program.name, "program #" + std::to_string(i) + " name");
        checked_string(name, memory, program.section, "program '" + program_name + "' section");
        if (program.entry == nullptr)
            throw Error(name + ": missing metadata: program '" + program_name + "' has no entry function");
        check_pointer(name, memory, reinterpret_cast<const void*>(program.entry), 1,
                      "program '" + program_name + "' entry function", false, true);
        if (!known_program_type(program.program_type))
            throw Error(name + ": program '" + program_name + "': unknown program type " +
                        std::to_string(program.program_type));
        check_map_references(name, module, program, program_name, memory);
    }
    for (uint32_t i = 0; i < module->helper_count; ++i) {
        const ebpf_native_helper& helper = module->helpers[i];
        if (helper.reserved != 0) throw Error(name + ": bad metadata: helper #" + std::to_string(i) + " reserved field");
        if (helpers.find(helper.id) == nullptr)
            throw Error(name + ": the module imports helper " + std::to_string(helper.id) +
                        ", which this runtime does not provide");
    }
    for (uint32_t i = 0; i < module->map_count; ++i) check_map(name, module, i, memory);
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
        for (uint32_t r = 0; r < in.map_reference_count; ++r)
            info.map_references.push_back({in.map_references[r] & ~EBPF_NATIVE_MAP_REF_VALUE,
                                           (in.map_references[r] & EBPF_NATIVE_MAP_REF_VALUE) != 0});
        programs.push_back(std::move(info));
    }
    return programs;
}

// The pages the dynamic linker made read-only after relocating (RELRO,
// rounded down to pages as it does) are not writable, whatever their
// segment's flags say.
ModuleMemory module_memory(const native_image::ModuleImage& image, uintptr_t bias) {
    const uintptr_t page = static_cast<uintptr_t>(::sysconf(_SC_PAGESIZE));
    const uintptr_t relro_start = (bias + image.relro_vaddr) & ~(page - 1);
    const uintptr_t relro_end = (bias + image.relro_vaddr + image.relro_memsz) & ~(page - 1);
    ModuleMemory memory;
    for (const auto& segment : image.segments) {
        const uintptr_t start = bias + segment.vaddr, end = start + segment.memsz;
        if (!segment.writable || relro_end <= start || relro_start >= end || relro_start == relro_end) {
            memory.ranges.push_back({start, end - start, segment.executable, segment.writable});
            continue;
        }
        const uintptr_t ro_start = std::max(start, relro_start), ro_end = std::min(end, relro_end);
        if (start < ro_start) memory.ranges.push_back({start, ro_start - start, false, true});
        memory.ranges.push_back({ro_start, ro_end - ro_start, false, false});
        if (ro_end < end) memory.ranges.push_back({ro_end, end - ro_end, false, true});
    }
    return memory;
}

std::vector<uint8_t> read_whole_file(const std::string& path, size_t max_bytes) {
    // Once, bounded, regular files only (ebpf/input_file.hpp): a FIFO or
    // /dev/zero named as a module is an error, not a hang or an unbounded read.
    return read_input_file(path, max_bytes);
}

}  // namespace ebpf::native_metadata
