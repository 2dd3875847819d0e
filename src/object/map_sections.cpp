// Maps: BTF-defined maps in ".maps", legacy struct bpf_map_def in "maps", and
// global data sections (.rodata*, .data*, .bss*) as one-entry array maps, in
// that order in Object::maps. An inner map template follows its outer map.
#include <bpf/btf.h>
#include <elf.h>

#include <algorithm>
#include <cstring>

#include "ebpf/error.hpp"
#include "loader.hpp"

namespace ebpf::object_detail {
namespace {

// A map type from an object: one the runtime provides, or another of Linux's
// (sockmap, ...), which the object may define: only the programs that use
// it fail to load (map_type_provided). Numbers Linux does not define are errors.
MapType checked_map_type(uint32_t id, const std::string& where) {
    if (map_type_from_id(id) || (id != 0 && !linux_map_type_name(id).empty())) return static_cast<MapType>(id);
    throw Error(where + ": unsupported map type " + std::to_string(id) + " (not a Linux map type)");
}

constexpr int kMaxTypeChain = 32;  // modifiers/typedefs followed before giving up (cycles)

// Follows const/volatile/restrict/typedef/type_tag; nullptr on a bad id or a cycle.
const btf_type* skip_modifiers(const struct btf* btf, uint32_t id, uint32_t* out_id = nullptr) {
    for (int i = 0; i < kMaxTypeChain; ++i) {
        const btf_type* t = btf__type_by_id(btf, id);
        if (!t) return nullptr;
        if (!btf_is_mod(t) && !btf_is_typedef(t)) {
            if (out_id) *out_id = id;
            return t;
        }
        id = t->type;
    }
    return nullptr;
}

std::string btf_name(const struct btf* btf, uint32_t offset) {
    std::string name;
    btf_string(btf, offset, name);
    return name;
}

// The C type `id` as a TypeInfo for formatting values. Bounded: at most
// kMaxTypeDepth levels and kMaxTypeNodes nodes per map (a hostile object cannot
// make it large); beyond that, or for kinds without fields (pointers, floats,
// bitfields), the bytes are shown as they are.
constexpr int kMaxTypeDepth = 8;
constexpr size_t kMaxTypeNodes = 256;

TypeInfo describe_type(const struct btf* btf, uint32_t id, int depth, size_t& nodes) {
    TypeInfo info;
    long long size = btf__resolve_size(btf, id);
    info.size = size > 0 && size <= UINT32_MAX ? static_cast<uint32_t>(size) : 0;
    const btf_type* t = skip_modifiers(btf, id);
    if (!t || ++nodes > kMaxTypeNodes || depth > kMaxTypeDepth) return info;
    info.type_name = btf_name(btf, t->name_off);
    if (btf_is_int(t)) {
        if (btf_int_offset(t) == 0 && btf_int_bits(t) == 8 * info.size && info.size <= 8) {
            info.kind = TypeInfo::Kind::integer;
            info.is_signed = (btf_int_encoding(t) & BTF_INT_SIGNED) != 0;
        }
    } else if (btf_is_enum(t) || btf_is_enum64(t)) {
        if (info.size <= 8) info.kind = TypeInfo::Kind::integer;
        if (!info.type_name.empty()) info.type_name = "enum " + info.type_name;
    } else if (btf_is_array(t)) {
        const struct btf_array* array = btf_array(t);
        TypeInfo element = describe_type(btf, array->type, depth + 1, nodes);
        if (element.size > 0 && static_cast<uint64_t>(element.size) * array->nelems == info.size) {
            info.kind = TypeInfo::Kind::array;
            info.count = array->nelems;
            info.members.push_back(std::move(element));
        }
    } else if (btf_is_composite(t)) {
        if (!info.type_name.empty()) info.type_name = (btf_is_struct(t) ? "struct " : "union ") + info.type_name;
        info.kind = TypeInfo::Kind::structure;
        const btf_member* members = btf_members(t);
        for (uint16_t i = 0; i < btf_vlen(t); ++i) {
            uint32_t bits = btf_member_bit_offset(t, i);
            TypeInfo member = describe_type(btf, members[i].type, depth + 1, nodes);
            member.name = btf_name(btf, members[i].name_off);
            member.offset = bits / 8;
            // Bitfields and members outside the struct are not shown field by field.
            if (bits % 8 || btf_member_bitfield_size(t, i) || member.size == 0 ||
                static_cast<uint64_t>(member.offset) + member.size > info.size)
                continue;
            info.members.push_back(std::move(member));
        }
        if (info.members.empty()) info.kind = TypeInfo::Kind::bytes;
    }
    return info;
}

std::shared_ptr<const TypeInfo> describe_map_type(const struct btf* btf, uint32_t id) {
    size_t nodes = 0;
    auto info = std::make_shared<TypeInfo>(describe_type(btf, id, 0, nodes));
    if (info->size == 0) return nullptr;
    return info;
}

// A BTF map definition struct decoded; `values_offset` locates `.values`.
struct BtfMapFields {
    MapDefinition map;
    bool has_type = false;
    std::optional<MapDefinition> inner;   // __array(values, struct {...}) of map-in-map
    std::optional<uint32_t> values_offset; // byte offset of the `values` member
};

BtfMapFields parse_map_struct(const struct btf* btf, const btf_type* def, const std::string& name,
                              const std::string& where, bool inner) {
    BtfMapFields out;
    out.map.name = name;
    std::string map_where = where + ": map '" + name + "'";
    if (!btf_is_struct(def)) throw Error(map_where + ": definition is not a struct");

    // __uint(name, N) is `int (*name)[N]`: N is the array's element count.
    auto int_value = [&](const btf_member& m, const std::string& field) -> uint32_t {
        const btf_type* ptr = skip_modifiers(btf, m.type);
        if (!ptr || !btf_is_ptr(ptr)) throw Error(map_where + ": '" + field + "' is not __uint(...)");
        const btf_type* array = skip_modifiers(btf, ptr->type);
        if (!array || !btf_is_array(array)) {
            throw Error(map_where + ": '" + field + "' is not __uint(...)");
        }
        return btf_array(array)->nelems;
    };
    // __type(name, T) is `T *name`: the pointee's size.
    auto type_size = [&](const btf_member& m, const std::string& field) -> uint32_t {
        const btf_type* ptr = skip_modifiers(btf, m.type);
        if (!ptr || !btf_is_ptr(ptr)) throw Error(map_where + ": '" + field + "' is not __type(...)");
        long long size = btf__resolve_size(btf, ptr->type);
        if (size <= 0 || size > UINT32_MAX) {
            throw Error(map_where + ": '" + field + "' has a type of unknown or invalid size");
        }
        return static_cast<uint32_t>(size);
    };

    const btf_member* members = btf_members(def);
    for (uint16_t i = 0; i < btf_vlen(def); ++i) {
        const btf_member& m = members[i];
        std::string field = btf_name(btf, m.name_off);
        if (field == "type") {
            uint32_t id = int_value(m, field);
            out.map.type = checked_map_type(id, map_where);
            out.has_type = true;
        } else if (field == "max_entries") {
            out.map.max_entries = int_value(m, field);
        } else if (field == "map_flags") {
            out.map.map_flags = int_value(m, field);
        } else if (field == "pinning") {
            out.map.pinning = int_value(m, field);
            if (out.map.pinning != kPinNone && out.map.pinning != kPinByName)
                throw Error(map_where + ": pinning " + std::to_string(out.map.pinning) +
                            " is not LIBBPF_PIN_NONE (0) or LIBBPF_PIN_BY_NAME (1)");
        } else if (field == "key_size") {
            out.map.key_size = int_value(m, field);
        } else if (field == "value_size") {
            out.map.value_size = int_value(m, field);
        } else if (field == "key") {
            out.map.key_size = type_size(m, field);
            out.map.key_type = describe_map_type(btf, skip_modifiers(btf, m.type)->type);
        } else if (field == "value") {
            out.map.value_size = type_size(m, field);
            out.map.value_type = describe_map_type(btf, skip_modifiers(btf, m.type)->type);
        } else if (field == "numa_node" || field == "map_extra") {
            int_value(m, field);  // accepted, meaningless in user space
        } else if (field == "values") {
            if (inner) throw Error(map_where + ": an inner map cannot have 'values' itself");
            const btf_type* array = skip_modifiers(btf, m.type);
            if (!array || !btf_is_array(array)) {
                throw Error(map_where + ": 'values' is not __array(values, ...)");
            }
            const btf_type* ptr = skip_modifiers(btf, btf_array(array)->type);
            if (!ptr || !btf_is_ptr(ptr)) throw Error(map_where + ": 'values' elements are not pointers");
            const btf_type* target = skip_modifiers(btf, ptr->type);
            if (!target) throw Error(map_where + ": 'values' points to an invalid type");
            if (btf_is_struct(target)) {
                BtfMapFields inner_fields =
                    parse_map_struct(btf, target, name + ".inner", where, true);
                if (inner_fields.map.type == MapType::prog_array)
                    throw Error(map_where + ": a prog_array cannot be an inner map (as Linux: a tail call needs "
                                            "a prog array the program names, whose owner program type is known)");
                out.inner = std::move(inner_fields.map);
                out.inner->inner_template = true;
            } else if (!btf_is_func_proto(target)) {
                throw Error(map_where + ": 'values' must hold map definitions or programs");
            }
            out.values_offset = btf_member_bit_offset(def, i) / 8;
        } else {
            throw Error(map_where + ": unknown map attribute '" + field + "'");
        }
    }
    if (!out.has_type) throw Error(map_where + ": no map type (__uint(type, ...))");
    bool map_in_map = out.map.type == MapType::array_of_maps || out.map.type == MapType::hash_of_maps;
    if (map_in_map && !out.inner) {
        throw Error(map_where + ": " + std::string(map_type_name(out.map.type)) +
                    " needs __array(values, struct {...}) describing its inner map");
    }
    if (map_in_map) out.map.value_size = 4;  // map ids, as Linux
    if (out.map.type == MapType::prog_array) out.map.value_size = 4;
    return out;
}

// The ELF symbol (a map variable) at `name` in `section`, if any.
const ElfSymbol* find_object_symbol(const ElfImage& elf, size_t section, const std::string& name) {
    for (const auto& sym : elf.symbols()) {
        if (sym.section == section && sym.name == name && sym.type != STT_SECTION) return &sym;
    }
    return nullptr;
}

void load_btf_maps(LoadContext& ctx) {
    const ElfSection* section = ctx.elf.find_section(".maps");
    if (!section) return;
    std::string where = ctx.elf.where(*section);
    if (!ctx.btf) throw Error(where + ": BTF-defined maps need BTF (compile with clang -g)");
    int32_t datasec_id = btf__find_by_name_kind(ctx.btf, ".maps", BTF_KIND_DATASEC);
    if (datasec_id <= 0) throw Error(where + ": no BTF DATASEC '.maps' describes the maps");
    const btf_type* datasec = btf__type_by_id(ctx.btf, datasec_id);
    const btf_var_secinfo* vars = btf_var_secinfos(datasec);

    struct Pending {
        uint32_t index;     // of the outer map
        uint64_t offset;    // in .maps
        BtfMapFields fields;
    };
    std::vector<Pending> pending;
    // Declaration order (section offset), which is what a reader of the source expects.
    std::vector<const btf_var_secinfo*> ordered;
    if (btf_vlen(datasec) > ctx.limits.max_maps)
        throw Error(where + ": " + std::to_string(btf_vlen(datasec)) + " maps, more than the limit of " +
                    std::to_string(ctx.limits.max_maps) + " (max_maps)");
    for (uint16_t i = 0; i < btf_vlen(datasec); ++i) ordered.push_back(&vars[i]);
    std::stable_sort(ordered.begin(), ordered.end(),
                     [](const btf_var_secinfo* a, const btf_var_secinfo* b) { return a->offset < b->offset; });
    for (size_t i = 0; i < ordered.size(); ++i) {
        const btf_var_secinfo& info = *ordered[i];
        const btf_type* var = btf__type_by_id(ctx.btf, info.type);
        if (!var || !btf_is_var(var)) throw Error(where + ": DATASEC entry " + std::to_string(i) + " is not a variable");
        std::string name = btf_name(ctx.btf, var->name_off);
        const btf_type* def = skip_modifiers(ctx.btf, var->type);
        if (!def) throw Error(where + ": map '" + name + "': invalid BTF type");
        BtfMapFields fields = parse_map_struct(ctx.btf, def, name, where, false);

        // The symbol gives the offset relocations use; DATASEC offsets agree in clang output.
        const ElfSymbol* sym = find_object_symbol(ctx.elf, section->index, name);
        uint64_t offset = sym ? sym->value : info.offset;
        if (offset >= section->size) {
            throw Error(where + ": map '" + name + "' at offset " + std::to_string(offset) +
                        " lies outside the section");
        }
        auto index = static_cast<uint32_t>(ctx.object.maps.size());
        ctx.object.maps.push_back(fields.map);
        ctx.map_at[{section->index, offset}] = index;
        if (fields.inner) {
            ctx.object.maps[index].inner_map = static_cast<uint32_t>(ctx.object.maps.size());
            ctx.object.maps.push_back(*fields.inner);
        }
        pending.push_back({index, offset, std::move(fields)});
    }

    // `.values = {[k] = &x}`: relocations in .maps against programs or maps.
    for (const auto& r : ctx.elf.relocations_for(section->index)) {
        const ElfSymbol& sym = ctx.elf.symbols()[r.symbol];
        const Pending* owner = nullptr;
        for (const auto& p : pending) {
            if (p.fields.values_offset && r.offset >= p.offset + *p.fields.values_offset &&
                (!owner || p.offset > owner->offset)) {
                owner = &p;
            }
        }
        if (!owner) {
            throw Error(where + ": relocation at offset " + std::to_string(r.offset) + " against '" +
                        sym.name + "' is not inside any map's 'values'");
        }
        uint64_t slot_bytes = r.offset - owner->offset - *owner->fields.values_offset;
        MapDefinition& map = ctx.object.maps[owner->index];
        if (slot_bytes % 8 != 0 || slot_bytes / 8 >= map.max_entries) {
            throw Error(where + ": map '" + map.name + "': initial value at offset " +
                        std::to_string(slot_bytes) + " is not a slot below max_entries");
        }
        if (sym.section == SHN_UNDEF) {
            throw Error(where + ": map '" + map.name + "': initial value refers to undefined symbol '" +
                        sym.name + "'");
        }
        map.initial_slots.push_back({static_cast<uint32_t>(slot_bytes / 8), sym.name});
    }
}

void load_legacy_maps(LoadContext& ctx) {
    const ElfSection* section = ctx.elf.find_section("maps");
    if (!section) return;
    std::string where = ctx.elf.where(*section);
    if (section->type == SHT_NOBITS) throw Error(where + ": legacy map definitions have no contents");
    std::vector<const ElfSymbol*> symbols;
    for (const auto& sym : ctx.elf.symbols()) {
        if (sym.section == section->index && sym.type != STT_SECTION && !sym.name.empty()) {
            symbols.push_back(&sym);
        }
    }
    std::sort(symbols.begin(), symbols.end(),
              [](const ElfSymbol* a, const ElfSymbol* b) { return a->value < b->value; });
    constexpr uint64_t kDefSize = 20;  // struct bpf_map_def: five u32
    // The kernel samples' bpf_load.c def is 28 bytes: ..., inner_map_idx,
    // numa_node. Its size shows in the symbols, or (clang leaves their size 0)
    // as the section divided evenly among them.
    constexpr uint64_t kSamplesDefSize = 28;
    uint64_t def_size = 0;
    if (!symbols.empty()) {
        def_size = symbols.front()->size;
        if (def_size == 0 && section->data.size() % symbols.size() == 0)
            def_size = section->data.size() / symbols.size();
    }
    if (symbols.size() > ctx.limits.max_maps)
        throw Error(where + ": " + std::to_string(symbols.size()) + " maps, more than the limit of " +
                    std::to_string(ctx.limits.max_maps) + " (max_maps)");
    std::vector<MapDefinition> defs;
    std::vector<std::optional<uint32_t>> inner_index;  // inner_map_idx of a map-in-map
    for (const ElfSymbol* sym : symbols) {
        std::string map_where = where + ": map '" + sym->name + "'";
        if (sym->value > section->data.size() || section->data.size() - sym->value < kDefSize) {
            throw Error(map_where + ": definition at offset " + std::to_string(sym->value) +
                        " does not fit in the section (struct bpf_map_def is 20 bytes)");
        }
        uint32_t fields[5];
        std::memcpy(fields, section->data.data() + sym->value, sizeof fields);
        const MapType type = checked_map_type(fields[0], map_where);
        MapDefinition map;
        map.name = sym->name;
        map.type = type;
        map.key_size = fields[1];
        map.value_size = fields[2];
        map.max_entries = fields[3];
        map.map_flags = fields[4];
        std::optional<uint32_t> inner;
        if ((type == MapType::array_of_maps || type == MapType::hash_of_maps) && def_size == kSamplesDefSize &&
            section->data.size() - sym->value >= kSamplesDefSize) {
            uint32_t index = 0;
            std::memcpy(&index, section->data.data() + sym->value + 20, 4);
            inner = index;
            map.value_size = 4;  // map ids, as Linux
        }
        defs.push_back(std::move(map));
        inner_index.push_back(inner);
    }
    for (size_t i = 0; i < defs.size(); ++i) {
        const ElfSymbol* sym = symbols[i];
        auto index = static_cast<uint32_t>(ctx.object.maps.size());
        ctx.map_at[{section->index, sym->value}] = index;
        ctx.object.maps.push_back(defs[i]);
        if (!inner_index[i]) continue;
        // bpf_load.c's inner_map_idx: the index, among this section's maps,
        // of the map whose shape the outer map's values have.
        std::string map_where = where + ": map '" + sym->name + "'";
        uint32_t k = *inner_index[i];
        if (k >= defs.size())
            throw Error(map_where + ": inner_map_idx " + std::to_string(k) + " names no map (the section has " +
                        std::to_string(defs.size()) + ")");
        const MapDefinition& shape = defs[k];
        if (shape.type == MapType::array_of_maps || shape.type == MapType::hash_of_maps)
            throw Error(map_where + ": inner_map_idx " + std::to_string(k) + " names map-in-map '" + shape.name +
                        "' (as Linux, one level of map-in-map only)");
        if (shape.type == MapType::prog_array)
            throw Error(map_where + ": inner_map_idx " + std::to_string(k) + " names prog_array '" + shape.name +
                        "', which cannot be an inner map (as Linux)");
        MapDefinition inner = shape;
        inner.name = sym->name + ".inner";
        inner.inner_template = true;
        inner.pinning = kPinNone;
        ctx.object.maps[index].inner_map = static_cast<uint32_t>(ctx.object.maps.size());
        ctx.object.maps.push_back(std::move(inner));
    }
}

// The map limits for what the object declares, per-CPU values counted once
// (the runtime counts them for every CPU again before allocating).
void check_limits(const LoadContext& ctx, std::span<const MapDefinition> maps) {
    try {
        check_map_limits(maps, ctx.limits, 1);
    } catch (const Error& e) {
        throw Error(ctx.elf.path() + ": " + e.what());
    }
}

bool is_global_data(const ElfSection& s) {
    auto kind = [&](std::string_view base) {
        return s.name == base || s.name.starts_with(std::string(base) + ".");
    };
    return (s.flags & SHF_ALLOC) && !(s.flags & SHF_EXECINSTR) &&
           (kind(".rodata") || kind(".data") || kind(".bss"));
}

void load_global_data(LoadContext& ctx) {
    for (const auto& s : ctx.elf.sections()) {
        if (s.index == 0 || !is_global_data(s) || s.size == 0) continue;
        if (s.size > UINT32_MAX / 2) throw Error(ctx.elf.where(s) + ": global data section too large");
        MapDefinition map;
        map.name = s.name;
        map.type = MapType::array;
        map.key_size = 4;
        map.value_size = static_cast<uint32_t>(s.size);
        map.max_entries = 1;
        map.is_global_data = true;
        map.read_only = s.name.starts_with(".rodata");
        if (map.read_only) map.map_flags = kMapFlagRdonlyProg;
        ctx.global_data_map[s.index] = static_cast<uint32_t>(ctx.object.maps.size());
        ctx.object.maps.push_back(std::move(map));
        // Every map so far, before the contents are copied: a 2 GiB .bss (or
        // many 500 MiB ones) cost nothing in the file.
        check_limits(ctx, ctx.object.maps);
        MapDefinition& added = ctx.object.maps.back();
        if (s.type == SHT_NOBITS) {
            added.initial_data.assign(s.size, 0);
        } else {
            added.initial_data.assign(s.data.begin(), s.data.end());
        }
    }
}

}  // namespace

void load_maps(LoadContext& context) {
    load_btf_maps(context);
    load_legacy_maps(context);
    load_global_data(context);
    check_limits(context, context.object.maps);
}

}  // namespace ebpf::object_detail
