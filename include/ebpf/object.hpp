// The object loader: a clang/libbpf-style eBPF ELF object (`clang -target bpf
// -O2 -g`) → programs, maps, global data and line info. Lifecycle names follow
// libbpf: ebpf::open_object() is bpf_object__open.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "ebpf/abi.hpp"
#include "ebpf/isa.hpp"
#include "ebpf/limits.hpp"

namespace ebpf {

// A statically initialised slot of a prog_array or map-in-map, as libbpf's
// `.values = { [key] = &target }` in a BTF-defined map.
struct MapSlotInit {
    uint32_t key = 0;
    std::string target;  // a program name (prog_array) or a map name (array/hash of maps)
};

// The C type of a map's key or value, from BTF (`__type(key, T)`), kept so
// that tools can show values with field names (map dumps, pinned maps).
// A tree: a struct/union has members at byte offsets, an array `count`
// elements of members[0]; leaves are integers (enums included) or opaque bytes
// (floats, pointers, bitfields are shown as their integer/bytes). Bounded when
// built from BTF (depth, members) so a hostile object cannot make it huge.
struct TypeInfo {
    enum class Kind : uint8_t { integer, structure, array, bytes };
    Kind kind = Kind::bytes;
    std::string name;         // member name (empty for the root and array elements)
    std::string type_name;    // C type name when it has one ("u32", "struct flow")
    uint32_t offset = 0;      // bytes from the start of the enclosing type
    uint32_t size = 0;        // bytes
    uint32_t count = 0;       // arrays: element count
    bool is_signed = false;   // integers
    std::vector<TypeInfo> members;  // structure: its members; array: one element type
};

struct MapDefinition {
    std::string name;                  // symbol name, or ".rodata"/".data"/".bss"... for global data
    MapType type = MapType::unspec;
    uint32_t key_size = 0;
    uint32_t value_size = 0;
    uint32_t max_entries = 0;
    uint32_t map_flags = 0;
    uint32_t pinning = 0;              // LIBBPF_PIN_NONE / BY_NAME
    std::optional<uint32_t> inner_map; // index in Object::maps of the inner map template (map-in-map)
    bool is_global_data = false;       // .rodata/.data/.bss: one-entry array, key 0
    bool read_only = false;            // .rodata*: frozen (BPF_F_RDONLY_PROG)
    std::vector<uint8_t> initial_data; // global data contents (.bss: zeros); value_size bytes
    bool inner_template = false;       // only a template for an outer map's values
    std::vector<MapSlotInit> initial_slots;  // `.values = {...}`; empty for most maps
    // From `__type(key, T)` / `__type(value, T)` (BTF maps; global data: the
    // section's variables as a struct); null when only sizes are known.
    std::shared_ptr<const TypeInfo> key_type, value_type;
};

// The offset of the `struct bpf_spin_lock` in the map's value type (BTF),
// searched through nested structs as Linux does; nullopt when there is none
// (or no BTF). Throws ebpf::Error when the value holds more than one (Linux:
// one lock per value).
std::optional<uint32_t> spin_lock_offset(const MapDefinition& map);

// LIBBPF_PIN_BY_NAME in `__uint(pinning, ...)` (libbpf's enum libbpf_pin_type).
inline constexpr uint32_t kPinNone = 0;
inline constexpr uint32_t kPinByName = 1;

// Programs may only read this map (.rodata, or BPF_F_RDONLY_PROG): the
// verifier rejects every program write into it, and the runtime freezes it
// when the object loads (as libbpf's bpf_map_freeze), so what the verifier
// knows of its contents stays true.
inline bool read_only_for_programs(const MapDefinition& map) {
    return map.read_only || (map.map_flags & kMapFlagRdonlyProg) != 0;
}

struct SourceLocation {
    std::string file;     // as recorded in BTF (the path clang was given)
    uint32_t line = 0;
    uint32_t column = 0;
    std::string text;     // the source line itself; may be empty
};

struct LineInfo {
    uint32_t insn = 0;    // instruction index in Program::insns
    SourceLocation where;
};

struct FunctionInfo {
    uint32_t insn = 0;    // first instruction of the function in Program::insns
    std::string name;
};

// CO-RE relocations that could not be resolved are reported as errors by
// open_object(); resolved ones are already applied.
struct Program {
    std::string name;         // function symbol name
    std::string section;      // ELF section name, e.g. "xdp" or "cgroup/bind4"
    ProgramType type = ProgramType::unspec;
    std::string attach;       // attach point from the section name, e.g. "bind4"
    // The object's "license" section ("" when absent; open_object sets it): as
    // Linux, a program whose license is not GPL-compatible may not call
    // GPL-only helpers. nullopt for a program built in memory, as for raw
    // instructions: nothing to check.
    std::optional<std::string> license;
    // Entry function first, then every subprogram it calls (bpf-to-bpf call
    // offsets relocated). Map references are LDDW src=kPseudoMapIdx (imm = map
    // index) or src=kPseudoMapIdxValue (imm = map index, next.imm = offset);
    // callback references are src=kPseudoFunc with imm relative to the next slot.
    std::vector<Instruction> insns;
    std::vector<FunctionInfo> functions;  // sorted by insn; functions[0] is the entry
    std::vector<LineInfo> lines;          // sorted by insn; empty without -g
    // The source location of instruction `insn` (nearest preceding line info), or nullptr.
    const SourceLocation* source_at(size_t insn) const;
};

struct Object {
    std::string path;                  // what the user named, for messages
    std::string license;               // "license" section; empty when absent
    std::vector<Program> programs;
    std::vector<MapDefinition> maps;   // BTF .maps, legacy maps, then global data

    const Program* find_program(std::string_view name_or_section) const;
    std::optional<uint32_t> find_map(std::string_view name) const;
};

// Opens and parses an object. Throws ebpf::Error "path: section: what is wrong"
// for any malformed input; never reads out of bounds. `limits` bound the file
// size, BTF size, counts of maps, programs and instructions and the memory the
// maps declare (per-CPU maps counted for one CPU here; create_maps() counts
// every CPU), all checked before the loader allocates for them. The path is
// opened once, and must name a regular file (a FIFO or device is refused).
Object open_object(const std::string& path, const ResourceLimits& limits = {});
Object open_object_from_memory(std::span<const uint8_t> bytes, const std::string& name,
                               const ResourceLimits& limits = {});

// As `bpftool prog load … type TYPE`: every program of the object gets this
// type (and attach point, when given, e.g. "connect4"), whatever its section
// says; how programs of a .text-only object get one.
void set_program_type(Object& object, ProgramType type, std::string_view attach = {});

}  // namespace ebpf
