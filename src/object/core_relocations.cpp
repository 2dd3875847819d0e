// CO-RE relocation resolution with libbpf's rules (its documentation and
// relo_core semantics; our own code over libbpf's public BTF API):
//  1. the local spec: the access string ("0:2:1") walked through the
//     program's own BTF: the byte/bit offset, and the named accessors (member
//     names; array indexes) — anonymous members are not named;
//  2. candidates: target types of the same kind whose essential name (the
//     name without "___flavour") is the local type's;
//  3. each candidate is matched by the named accessors, searching members by
//     name through anonymous structs/unions; array indexes must be in bounds
//     (a flexible array member has none); field types must be compatible;
//  4. every matching candidate must give the same value (else: ambiguous);
//     none matching: the exists kinds give 0, others fail.
// The instruction is then patched: an ALU immediate, a load/store offset
// (and its size, when it is safe to change), or an LDDW constant.
// Hostile BTF: every chain of types is bounded (a loop is an error), access
// strings are at most 64 steps, and matching has a step budget.
#include "core_relocations.hpp"

#include <bpf/btf.h>
#include <unistd.h>

#include <charconv>
#include <climits>
#include <optional>

#include "ebpf/error.hpp"

namespace ebpf::object_detail {
namespace {

enum : uint32_t {
    kFieldByteOffset = 0, kFieldByteSize = 1, kFieldExists = 2, kFieldSigned = 3, kFieldLshiftU64 = 4,
    kFieldRshiftU64 = 5, kTypeIdLocal = 6, kTypeIdTarget = 7, kTypeExists = 8, kTypeSize = 9,
    kEnumvalExists = 10, kEnumvalValue = 11, kTypeMatches = 12,
};
bool is_field_kind(uint32_t k) { return k <= kFieldRshiftU64; }
bool is_type_kind(uint32_t k) { return (k >= kTypeIdLocal && k <= kTypeSize) || k == kTypeMatches; }
bool is_enumval_kind(uint32_t k) { return k == kEnumvalExists || k == kEnumvalValue; }
bool is_exists_kind(uint32_t k) {
    return k == kFieldExists || k == kTypeExists || k == kEnumvalExists || k == kTypeMatches;
}

constexpr size_t kMaxSpecLength = 64;   // steps of an access string (libbpf's BPF_CORE_SPEC_MAX_LEN)
constexpr int kMaxChain = 32;           // modifiers/typedefs followed in a row; more is a loop
constexpr int kMaxDepth = 32;           // nesting in type comparisons
constexpr uint64_t kMaxBitOffset = uint64_t{1} << 40;

// Why a relocation cannot be satisfied (caught in apply()).
struct Unsatisfied {
    std::string why;
};

const btf_type* skip_mods(const struct btf* btf, uint32_t id, uint32_t* out) {
    for (int i = 0; i < kMaxChain; ++i) {
        const btf_type* t = btf__type_by_id(btf, id);
        if (!t) return nullptr;
        if (!btf_is_mod(t) && !btf_is_typedef(t)) {
            if (out) *out = id;
            return t;
        }
        id = t->type;
    }
    return nullptr;
}

const btf_type* must_skip_mods(const struct btf* btf, uint32_t id, uint32_t* out) {
    const btf_type* t = skip_mods(btf, id, out);
    if (!t) throw Unsatisfied{"type [" + std::to_string(id) + "] is invalid or its typedef/modifier chain loops"};
    return t;
}

std::string name_at(const struct btf* btf, uint32_t offset) {
    const char* s = btf__name_by_offset(btf, offset);
    return s ? s : "";
}

uint64_t type_size(const struct btf* btf, uint32_t id) {
    long long size = btf__resolve_size(btf, id);
    if (size < 0) throw Unsatisfied{"the size of type [" + std::to_string(id) + "] cannot be resolved"};
    return static_cast<uint64_t>(size);
}

// bit_offset += index × size × 8, bounded (a hostile size or index cannot wrap).
void add_bits(uint64_t& bit_offset, uint64_t index, uint64_t size) {
    if (size != 0 && index > kMaxBitOffset / 8 / size) throw Unsatisfied{"offset too large"};
    bit_offset += index * size * 8;
    if (bit_offset > kMaxBitOffset) throw Unsatisfied{"offset too large"};
}

std::string kind_word(const btf_type* t) {
    if (btf_is_struct(t)) return "struct";
    if (btf_is_union(t)) return "union";
    if (btf_is_any_enum(t)) return "enum";
    if (btf_is_typedef(t)) return "typedef";
    if (btf_is_int(t)) return "int";
    if (btf_is_fwd(t)) return "forward-declared type";
    if (btf_is_ptr(t)) return "pointer";
    if (btf_is_array(t)) return "array";
    return "type";
}

bool kinds_compatible(const btf_type* a, const btf_type* b) {
    return btf_kind(a) == btf_kind(b) || (btf_is_any_enum(a) && btf_is_any_enum(b));
}

bool names_match(std::string_view local, std::string_view target) {
    if (target.empty()) return local.empty();
    return essential_name(local) == essential_name(target);
}

struct Accessor {
    uint32_t type_id = 0;  // the composite (named member), element type (array index), or root
    uint32_t index = 0;
    std::string name;      // member or enumerator name; empty for an array index
};

struct Spec {
    const struct btf* btf = nullptr;
    uint32_t root_id = 0;
    std::vector<Accessor> accessors;
    size_t raw_length = 0;
    uint64_t bit_offset = 0;
    std::string text;  // "iphdr.ttl", "__sk_buff.cb[0]" for messages
};

bool is_flex_array(const struct btf* btf, const Accessor& previous, const struct btf_array* array) {
    if (previous.name.empty() || array->nelems > 0) return false;
    const btf_type* t = btf__type_by_id(btf, previous.type_id);
    return t && btf_is_composite(t) && previous.index + 1 == btf_vlen(t);
}

std::vector<uint32_t> parse_access_string(const std::string& access) {
    std::vector<uint32_t> steps;
    size_t pos = 0;
    for (;;) {
        if (steps.size() == kMaxSpecLength) throw Unsatisfied{"access string has more than 64 steps"};
        size_t colon = std::min(access.find(':', pos), access.size());
        uint32_t value = 0;
        auto [end, ec] = std::from_chars(access.data() + pos, access.data() + colon, value);
        if (pos == colon || ec != std::errc() || end != access.data() + colon)
            throw Unsatisfied{"malformed access string \"" + access.substr(0, 80) + "\""};
        steps.push_back(value);
        if (colon == access.size()) return steps;
        pos = colon + 1;
    }
}

Spec parse_local_spec(const struct btf* btf, uint32_t type_id, const std::string& access, uint32_t kind) {
    Spec spec;
    spec.btf = btf;
    spec.root_id = type_id;
    const std::vector<uint32_t> steps = parse_access_string(access);
    spec.raw_length = steps.size();
    uint32_t id = type_id;
    const btf_type* t = must_skip_mods(btf, id, &id);
    spec.text = std::string(essential_name(name_at(btf, t->name_off)));
    if (is_type_kind(kind)) {
        if (steps.size() != 1 || steps[0] != 0) throw Unsatisfied{"type relocation with access string other than \"0\""};
        return spec;
    }
    if (is_enumval_kind(kind)) {
        if (!btf_is_any_enum(t) || steps.size() != 2 || steps[0] != 0 || steps[1] >= btf_vlen(t))
            throw Unsatisfied{"enum value relocation that does not name an enumerator"};
        uint32_t name_off = btf_is_enum(t) ? btf_enum(t)[steps[1]].name_off : btf_enum64(t)[steps[1]].name_off;
        spec.accessors.push_back({id, steps[1], name_at(btf, name_off)});
        spec.text += "::" + spec.accessors.back().name;
        return spec;
    }
    if (!is_field_kind(kind)) throw Unsatisfied{"unknown relocation kind"};
    spec.accessors.push_back({id, steps[0], ""});
    add_bits(spec.bit_offset, steps[0], type_size(btf, id));
    if (steps[0] != 0) spec.text += "[" + std::to_string(steps[0]) + "]";
    for (size_t i = 1; i < steps.size(); ++i) {
        t = must_skip_mods(btf, id, &id);
        if (btf_is_composite(t)) {
            if (steps[i] >= btf_vlen(t)) throw Unsatisfied{"access string names member " + std::to_string(steps[i]) +
                                                            " of a " + kind_word(t) + " with " +
                                                            std::to_string(btf_vlen(t))};
            const btf_member* m = btf_members(t) + steps[i];
            spec.bit_offset += btf_member_bit_offset(t, steps[i]);
            std::string name = name_at(btf, m->name_off);
            if (!name.empty()) {
                spec.accessors.push_back({id, steps[i], name});
                spec.text += "." + name;
            }
            id = m->type;
        } else if (btf_is_array(t)) {
            const struct btf_array* a = btf_array(t);
            bool flex = is_flex_array(btf, spec.accessors.back(), a);
            must_skip_mods(btf, a->type, &id);
            if (!flex && steps[i] >= a->nelems)
                throw Unsatisfied{"array index " + std::to_string(steps[i]) + " out of bounds"};
            spec.accessors.push_back({id, steps[i], ""});
            spec.text += "[" + std::to_string(steps[i]) + "]";
            add_bits(spec.bit_offset, steps[i], type_size(btf, id));
        } else {
            throw Unsatisfied{"access string steps into a " + kind_word(t) + ", which has no members"};
        }
    }
    return spec;
}

// Matching of one local spec against one candidate. `why` keeps the reason
// the last candidate did not match, for the message when none does.
class Matcher {
public:
    Matcher(const Spec& local, const struct btf* target) : local_(local), target_(target) {}
    std::string why;

    std::optional<Spec> match(uint32_t target_id, uint32_t kind) {
        Spec spec;
        spec.btf = target_;
        spec.root_id = target_id;
        if (is_type_kind(kind)) {
            bool ok = kind == kTypeMatches ? types_match(local_.root_id, target_id, false, kMaxDepth)
                                           : types_compatible(local_.root_id, target_id, kMaxDepth);
            if (!ok) why = "the target's " + local_.text + " has another shape";
            return ok ? std::optional<Spec>(spec) : std::nullopt;
        }
        if (is_enumval_kind(kind)) {
            uint32_t id = target_id;
            const btf_type* t = must_skip_mods(target_, id, &id);
            if (!btf_is_any_enum(t)) return std::nullopt;
            const std::string& wanted = local_.accessors[0].name;
            for (uint32_t i = 0; i < btf_vlen(t); ++i) {
                uint32_t name_off = btf_is_enum(t) ? btf_enum(t)[i].name_off : btf_enum64(t)[i].name_off;
                std::string name = name_at(target_, name_off);
                if (essential_name(name) == essential_name(wanted)) {
                    spec.accessors.push_back({id, i, name});
                    return spec;
                }
            }
            why = "enum " + std::string(essential_name(name_at(target_, t->name_off))) + " has no value " + wanted;
            return std::nullopt;
        }
        uint32_t id = target_id;
        for (size_t i = 0; i < local_.accessors.size(); ++i) {
            const Accessor& local = local_.accessors[i];
            if (!local.name.empty()) {
                if (!match_member(local, id, spec, id)) return std::nullopt;
                continue;
            }
            if (i > 0) {  // the root (i == 0) is indexed as it is
                const btf_type* t = must_skip_mods(target_, id, &id);
                if (!btf_is_array(t)) {
                    why = "in the target, " + spec_text(spec) + " is not an array";
                    return std::nullopt;
                }
                const struct btf_array* a = btf_array(t);
                if (!is_flex_array(target_, spec.accessors.back(), a) && local.index >= a->nelems) {
                    why = "in the target, array " + spec_text(spec) + " has " + std::to_string(a->nelems) +
                          " elements, index " + std::to_string(local.index) + " is out of bounds";
                    return std::nullopt;
                }
                must_skip_mods(target_, a->type, &id);
            }
            if (++spec.raw_length > kMaxSpecLength) throw Unsatisfied{"target type nesting deeper than 64"};
            spec.accessors.push_back({id, local.index, ""});
            add_bits(spec.bit_offset, local.index, type_size(target_, id));
        }
        return spec;
    }

private:
    void step() {
        if (++steps_ > (1u << 20)) throw Unsatisfied{"type comparison too complex (hostile BTF?)"};
    }

    std::string spec_text(const Spec& spec) const {
        std::string text = local_.text.substr(0, local_.text.find_first_of(".[:"));
        for (size_t i = 1; i < spec.accessors.size(); ++i)
            text += spec.accessors[i].name.empty() ? "[" + std::to_string(spec.accessors[i].index) + "]"
                                                   : "." + spec.accessors[i].name;
        return text;
    }

    // The member of the composite `target_id` named as `local`'s, searched
    // through anonymous members; on success it is pushed to `spec` and
    // `next_id` is its type.
    bool match_member(const Accessor& local, uint32_t target_id, Spec& spec, uint32_t& next_id) {
        step();
        const btf_type* local_t = btf__type_by_id(local_.btf, local.type_id);
        const btf_member* local_m = btf_members(local_t) + local.index;
        const btf_type* t = must_skip_mods(target_, target_id, &target_id);
        if (!btf_is_composite(t)) {
            why = "in the target, " + spec_text(spec) + " is a " + kind_word(t) + ", not a struct or union";
            return false;
        }
        const btf_member* m = btf_members(t);
        for (uint32_t i = 0; i < btf_vlen(t); ++i, ++m) {
            uint32_t bits = btf_member_bit_offset(t, i);
            if (++spec.raw_length > kMaxSpecLength) throw Unsatisfied{"target type nesting deeper than 64"};
            spec.bit_offset += bits;
            std::string name = name_at(target_, m->name_off);
            if (name.empty()) {
                if (match_member(local, m->type, spec, next_id)) return true;
            } else if (name == local.name) {
                if (!fields_compatible(local_m->type, m->type)) {
                    why = "field " + spec_text(spec) + "." + name + " has an incompatible type in the target";
                    return false;
                }
                spec.accessors.push_back({target_id, i, name});
                next_id = m->type;
                return true;
            }
            spec.bit_offset -= bits;
            --spec.raw_length;
        }
        why = std::string(kind_word(t)) + " " + spec_text(spec) + " has no field '" + local.name + "' in the target";
        return false;
    }

    bool fields_compatible(uint32_t local_id, uint32_t target_id) {
        for (int depth = 0; depth < kMaxDepth; ++depth) {
            step();
            const btf_type* l = must_skip_mods(local_.btf, local_id, &local_id);
            const btf_type* t = must_skip_mods(target_, target_id, &target_id);
            if (btf_is_composite(l) && btf_is_composite(t)) return true;
            if (!kinds_compatible(l, t)) return false;
            switch (btf_kind(l)) {
            case BTF_KIND_PTR:
            case BTF_KIND_FLOAT: return true;
            case BTF_KIND_FWD:
            case BTF_KIND_ENUM:
            case BTF_KIND_ENUM64: {
                std::string a = name_at(local_.btf, l->name_off), b = name_at(target_, t->name_off);
                return a.empty() || b.empty() || essential_name(a) == essential_name(b);
            }
            case BTF_KIND_INT: return btf_int_offset(l) == 0 && btf_int_offset(t) == 0;
            case BTF_KIND_ARRAY:
                local_id = btf_array(l)->type;
                target_id = btf_array(t)->type;
                continue;
            default: return false;
            }
        }
        throw Unsatisfied{"type nesting deeper than 32"};
    }

    bool types_compatible(uint32_t local_id, uint32_t target_id, int depth) {
        for (; depth > 0; --depth) {
            step();
            const btf_type* l = must_skip_mods(local_.btf, local_id, &local_id);
            const btf_type* t = must_skip_mods(target_, target_id, &target_id);
            if (!kinds_compatible(l, t)) return false;
            switch (btf_kind(l)) {
            case BTF_KIND_UNKN:
            case BTF_KIND_STRUCT:
            case BTF_KIND_UNION:
            case BTF_KIND_ENUM:
            case BTF_KIND_ENUM64:
            case BTF_KIND_FWD: return true;
            case BTF_KIND_INT: return btf_int_offset(l) == 0 && btf_int_offset(t) == 0;
            case BTF_KIND_PTR:
                local_id = l->type;
                target_id = t->type;
                continue;
            case BTF_KIND_ARRAY:
                local_id = btf_array(l)->type;
                target_id = btf_array(t)->type;
                continue;
            case BTF_KIND_FUNC_PROTO: {
                if (btf_vlen(l) != btf_vlen(t)) return false;
                for (uint32_t i = 0; i < btf_vlen(l); ++i) {
                    if (!types_compatible(btf_params(l)[i].type, btf_params(t)[i].type, depth - 1)) return false;
                }
                local_id = l->type;
                target_id = t->type;
                continue;
            }
            default: return false;
            }
        }
        throw Unsatisfied{"type nesting deeper than 32"};
    }

    // bpf_core_type_matches(): the stricter shape comparison.
    bool types_match(uint32_t local_id, uint32_t target_id, bool behind_pointer, int depth) {
        if (depth <= 0) throw Unsatisfied{"type nesting deeper than 32"};
        step();
        const btf_type* l = btf__type_by_id(local_.btf, local_id);
        const btf_type* t = btf__type_by_id(target_, target_id);
        if (!l || !t) throw Unsatisfied{"invalid type id"};
        // Root-level typedefs are compared by name too.
        if (!names_match(name_at(local_.btf, l->name_off), name_at(target_, t->name_off))) return false;
        l = must_skip_mods(local_.btf, local_id, &local_id);
        t = must_skip_mods(target_, target_id, &target_id);
        if (!names_match(name_at(local_.btf, l->name_off), name_at(target_, t->name_off))) return false;
        switch (btf_kind(l)) {
        case BTF_KIND_UNKN: return btf_kind(t) == BTF_KIND_UNKN;
        case BTF_KIND_FWD:
            if (btf_kind(t) == BTF_KIND_FWD) return btf_kflag(l) == btf_kflag(t);
            if (!behind_pointer) return false;
            return (btf_is_struct(t) && !btf_kflag(l)) || (btf_is_union(t) && btf_kflag(l));
        case BTF_KIND_ENUM:
        case BTF_KIND_ENUM64: {
            if (!btf_is_any_enum(t) || l->size != t->size || btf_vlen(l) > btf_vlen(t)) return false;
            for (uint32_t i = 0; i < btf_vlen(l); ++i) {
                std::string name = name_at(local_.btf, btf_is_enum(l) ? btf_enum(l)[i].name_off : btf_enum64(l)[i].name_off);
                bool found = false;
                for (uint32_t j = 0; j < btf_vlen(t) && !found; ++j) {
                    step();
                    found = names_match(name, name_at(target_, btf_is_enum(t) ? btf_enum(t)[j].name_off
                                                                              : btf_enum64(t)[j].name_off));
                }
                if (!found) return false;
            }
            return true;
        }
        case BTF_KIND_STRUCT:
        case BTF_KIND_UNION: {
            if (behind_pointer) {
                if (btf_kind(l) == btf_kind(t)) return true;
                return btf_is_fwd(t) && btf_is_union(l) == btf_kflag(t);
            }
            if (btf_kind(l) != btf_kind(t) || btf_vlen(l) > btf_vlen(t)) return false;
            for (uint32_t i = 0; i < btf_vlen(l); ++i) {
                const btf_member& lm = btf_members(l)[i];
                std::string name = name_at(local_.btf, lm.name_off);
                bool found = false;
                for (uint32_t j = 0; j < btf_vlen(t) && !found; ++j) {
                    step();
                    const btf_member& tm = btf_members(t)[j];
                    if (names_match(name, name_at(target_, tm.name_off)))
                        found = types_match(lm.type, tm.type, behind_pointer, depth - 1);
                }
                if (!found) return false;
            }
            return true;
        }
        case BTF_KIND_INT:
            return btf_is_int(t) && l->size == t->size &&
                   (btf_int_encoding(l) & BTF_INT_SIGNED) == (btf_int_encoding(t) & BTF_INT_SIGNED);
        case BTF_KIND_PTR:
            return btf_is_ptr(t) && types_match(l->type, t->type, true, depth - 1);
        case BTF_KIND_ARRAY:
            return btf_is_array(t) && btf_array(l)->nelems == btf_array(t)->nelems &&
                   types_match(btf_array(l)->type, btf_array(t)->type, behind_pointer, depth - 1);
        case BTF_KIND_FUNC_PROTO:
            if (!btf_is_func_proto(t) || btf_vlen(l) != btf_vlen(t)) return false;
            for (uint32_t i = 0; i < btf_vlen(l); ++i) {
                if (!types_match(btf_params(l)[i].type, btf_params(t)[i].type, behind_pointer, depth - 1))
                    return false;
            }
            return types_match(l->type, t->type, behind_pointer, depth - 1);
        default: return false;
        }
    }

    const Spec& local_;
    const struct btf* target_;
    uint64_t steps_ = 0;
};

// The value a relocation takes for a spec (local or target), as libbpf
// computes it, and what the patching needs to know.
struct Value {
    uint64_t value = 0;
    bool validate = true;     // the instruction must hold the local value
    uint32_t field_size = 0;  // field_byte_offset on a whole field: its size
    uint32_t type_id = 0;     //   and its type (after modifiers)
};

Value calculate(const Spec& spec, uint32_t kind, bool target) {
    Value v;
    const struct btf* btf = spec.btf;
    if (is_type_kind(kind)) {
        switch (kind) {
        case kTypeIdLocal:
        case kTypeIdTarget: v.value = spec.root_id; break;
        case kTypeExists:
        case kTypeMatches: v.value = 1; break;
        case kTypeSize: v.value = type_size(btf, spec.root_id); break;
        }
        (void)target;
        return v;
    }
    if (is_enumval_kind(kind)) {
        const Accessor& a = spec.accessors[0];
        const btf_type* t = btf__type_by_id(btf, a.type_id);
        if (kind == kEnumvalExists) {
            v.value = 1;
        } else if (btf_is_enum(t)) {
            int32_t value = btf_enum(t)[a.index].val;
            v.value = btf_kflag(t) ? static_cast<uint64_t>(int64_t{value}) : static_cast<uint32_t>(value);
        } else {
            v.value = btf_enum64_value(btf_enum64(t) + a.index);
        }
        return v;
    }
    if (kind == kFieldExists) {
        v.value = 1;
        return v;
    }
    const Accessor& a = spec.accessors.back();
    if (a.name.empty()) {  // the root or an array element: a whole object
        uint64_t size = type_size(btf, a.type_id);
        if (kind == kFieldByteOffset) {
            v.value = spec.bit_offset / 8;
            v.field_size = static_cast<uint32_t>(size);
            v.type_id = a.type_id;
        } else if (kind == kFieldByteSize) {
            v.value = size;
        } else {
            throw Unsatisfied{"a " + core_relo_kind_name(kind) + " relocation cannot apply to an array element"};
        }
        return v;
    }
    const btf_type* composite = btf__type_by_id(btf, a.type_id);
    uint32_t field_id = btf_members(composite)[a.index].type;
    const btf_type* mt = must_skip_mods(btf, field_id, &field_id);
    const uint64_t bit_offset = spec.bit_offset;
    uint64_t bit_size = btf_member_bitfield_size(composite, a.index);
    const bool bitfield = bit_size > 0;
    uint64_t byte_size, byte_offset;
    if (bitfield) {
        if (!(btf_is_int(mt) || btf_is_any_enum(mt)) || mt->size == 0 || mt->size > 8)
            throw Unsatisfied{"bitfield of a type that is not an integer"};
        byte_size = mt->size;
        byte_offset = bit_offset / 8 / byte_size * byte_size;
        while (bit_offset + bit_size - byte_offset * 8 > byte_size * 8) {
            if (byte_size >= 8) throw Unsatisfied{"bitfield wider than 64 bits"};
            byte_size *= 2;
            byte_offset = bit_offset / 8 / byte_size * byte_size;
        }
    } else {
        byte_size = type_size(btf, field_id);
        byte_offset = bit_offset / 8;
        bit_size = byte_size * 8;
    }
    v.validate = !bitfield;
    switch (kind) {
    case kFieldByteOffset:
        v.value = byte_offset;
        if (!bitfield) {
            v.field_size = static_cast<uint32_t>(byte_size);
            v.type_id = field_id;
        }
        break;
    case kFieldByteSize: v.value = byte_size; break;
    case kFieldSigned:
        v.value = (btf_is_any_enum(mt) && btf_kflag(mt)) || (btf_is_int(mt) && (btf_int_encoding(mt) & BTF_INT_SIGNED));
        v.validate = true;
        break;
    case kFieldLshiftU64:
        if (bit_offset + bit_size - byte_offset * 8 > 64) throw Unsatisfied{"field wider than 64 bits"};
        v.value = 64 - (bit_offset + bit_size - byte_offset * 8);
        break;
    case kFieldRshiftU64:
        if (bit_size > 64) throw Unsatisfied{"field wider than 64 bits"};
        v.value = 64 - bit_size;
        v.validate = true;
        break;
    }
    return v;
}

uint8_t size_code(uint32_t bytes) {
    switch (bytes) {
    case 1: return op::kSizeB;
    case 2: return op::kSizeH;
    case 4: return op::kSizeW;
    case 8: return op::kSizeDW;
    }
    return 0xff;
}

// Patches the instruction as libbpf does; throws Unsatisfied when the
// instruction is not one a relocation of this value can apply to.
void patch(std::span<Instruction> insns, size_t at, const Value& local, const Value& target, bool memsz_adjust_ok) {
    Instruction& insn = insns[at];
    const uint8_t cls = insn.opcode & 0x07;
    const std::string here = "instruction " + std::to_string(at);
    switch (cls) {
    case op::kClassAlu:
    case op::kClassAlu64: {
        if (insn.opcode & op::kSrcX) throw Unsatisfied{here + " takes a register, not a constant to relocate"};
        if (local.validate && static_cast<uint32_t>(insn.imm) != static_cast<uint32_t>(local.value))
            throw Unsatisfied{here + " holds " + std::to_string(insn.imm) + ", not the local value " +
                              std::to_string(local.value)};
        const auto value = static_cast<int64_t>(target.value);
        if (value > UINT32_MAX || value < INT32_MIN) throw Unsatisfied{"value " + std::to_string(value) + " does not fit " + here};
        insn.imm = static_cast<int32_t>(static_cast<uint32_t>(target.value));
        return;
    }
    case op::kClassLdx:
    case op::kClassSt:
    case op::kClassStx: {
        if (local.validate && insn.offset != static_cast<int64_t>(local.value))
            throw Unsatisfied{here + " has offset " + std::to_string(insn.offset) + ", not the local value " +
                              std::to_string(local.value)};
        if (target.value > SHRT_MAX) throw Unsatisfied{"offset " + std::to_string(target.value) + " does not fit " + here};
        if (target.field_size != local.field_size) {
            if (!memsz_adjust_ok)
                throw Unsatisfied{"the field is " + std::to_string(target.field_size) + " bytes in the target, " +
                                  std::to_string(local.field_size) + " here, and cannot be read with another size"};
            if (static_cast<uint32_t>(op::size_bytes(insn.opcode)) != local.field_size || size_code(target.field_size) == 0xff)
                throw Unsatisfied{here + ": unexpected access size"};
            insn.opcode = static_cast<uint8_t>((insn.opcode & ~0x18) | size_code(target.field_size));
        }
        insn.offset = static_cast<int16_t>(target.value);
        return;
    }
    case op::kClassLd: {
        if (insn.opcode != op::kLddw || at + 1 >= insns.size() || insn.src != 0)
            throw Unsatisfied{here + " is not a 64-bit constant load"};
        Instruction& next = insns[at + 1];
        uint64_t value = static_cast<uint32_t>(insn.imm) | (uint64_t{static_cast<uint32_t>(next.imm)} << 32);
        if (local.validate && value != local.value)
            throw Unsatisfied{here + " holds " + std::to_string(value) + ", not the local value " +
                              std::to_string(local.value)};
        insn.imm = static_cast<int32_t>(static_cast<uint32_t>(target.value));
        next.imm = static_cast<int32_t>(static_cast<uint32_t>(target.value >> 32));
        return;
    }
    }
    throw Unsatisfied{here + " is a jump; relocations apply to constants, offsets and 64-bit loads"};
}

// libbpf adjusts the size of a load only where the value stays right:
// pointers (a 32-bit kernel pointer) and unsigned integers (zero-extended).
bool memsz_adjust_ok(const Spec& local, const Value& lv, const Spec& target, const Value& tv) {
    if (lv.field_size == tv.field_size) return true;
    const btf_type* a = btf__type_by_id(local.btf, lv.type_id);
    const btf_type* b = btf__type_by_id(target.btf, tv.type_id);
    if (!a || !b) return false;
    if (btf_is_ptr(a) && btf_is_ptr(b)) return true;
    return btf_is_int(a) && btf_is_int(b) && !(btf_int_encoding(a) & BTF_INT_SIGNED) &&
           !(btf_int_encoding(b) & BTF_INT_SIGNED);
}

}  // namespace

CoreRelocator::CoreRelocator(const struct btf* local, std::string btf_path, const ResourceLimits& limits)
    : local_(local), btf_path_(std::move(btf_path)), limits_(limits) {}

const CoreTarget* CoreRelocator::kernel(std::string& why) {
    if (!kernel_tried_) {
        kernel_tried_ = true;
        std::string path = btf_path_.empty() ? kKernelBtfPath : btf_path_;
        if (btf_path_.empty() && access(kKernelBtfPath, R_OK) != 0) {
            kernel_error_ = std::string("there is no kernel BTF (") + kKernelBtfPath + " is absent); give one with --btf FILE";
        } else {
            try {
                kernel_ = load_core_target(path, limits_);
            } catch (const Error& e) {
                kernel_error_ = std::string("the target BTF cannot be loaded: ") + e.what();
            }
        }
    }
    why = kernel_error_;
    return kernel_.get();
}

std::string CoreRelocator::apply(const BtfCoreRecord& relo, std::span<Instruction> insns, size_t at) {
    const std::string kind = core_relo_kind_name(relo.kind);
    std::string access = "?", what = "type [" + std::to_string(relo.type_id) + "]";
    try {
        if (!local_) throw Unsatisfied{"the object has no BTF"};
        const btf_type* local_t = btf__type_by_id(local_, relo.type_id);
        if (!local_t || relo.type_id == 0) throw Unsatisfied{"invalid local type id"};
        const std::string local_name = name_at(local_, local_t->name_off);
        const char* access_text = btf__str_by_offset(local_, relo.access_str_off);
        if (!access_text) throw Unsatisfied{"access string offset outside the BTF string table"};
        access = std::string(access_text).substr(0, 200);
        what = kind_word(local_t) + " " + (local_name.empty() ? "(anonymous)" : local_name);
        Spec local = parse_local_spec(local_, relo.type_id, access_text, relo.kind);
        if (is_field_kind(relo.kind) || is_enumval_kind(relo.kind)) what += " (" + local.text + ")";
        const Value local_value = calculate(local, relo.kind, false);
        if (relo.kind == kTypeIdLocal) {
            patch(insns, at, local_value, local_value, true);
            return "";
        }
        if (local_name.empty()) throw Unsatisfied{"relocations against anonymous types cannot be resolved"};
        const std::string_view name = essential_name(local_name);
        const CoreTarget* target = nullptr;
        std::string why;
        if (is_context_type(name)) {
            target = &context_target();
        } else if (!(target = kernel(why))) {
            throw Unsatisfied{why};
        }
        Matcher matcher(local, target->btf());
        std::optional<Spec> matched;
        Value value;
        uint32_t matched_id = 0;
        for (uint32_t candidate : target->named(name)) {
            const btf_type* t = btf__type_by_id(target->btf(), candidate);
            if (!t || !kinds_compatible(local_t, t)) continue;
            std::optional<Spec> spec = matcher.match(candidate, relo.kind);
            if (!spec) continue;
            Value v = calculate(*spec, relo.kind, true);
            if (matched && v.value != value.value)
                throw Unsatisfied{"ambiguous: target types [" + std::to_string(matched_id) + "] and [" +
                                  std::to_string(candidate) + "] both match and give " + std::to_string(value.value) +
                                  " and " + std::to_string(v.value)};
            if (!matched) {
                matched = std::move(spec);
                value = v;
                matched_id = candidate;
            }
        }
        if (!matched) {
            if (!is_exists_kind(relo.kind)) {
                std::string reason = matcher.why.empty()
                                         ? target->source() + " has no " + kind_word(local_t) + " " + std::string(name)
                                         : matcher.why + " (" + target->source() + ")";
                throw Unsatisfied{reason};
            }
            Value zero;
            zero.validate = false;
            patch(insns, at, local_value, zero, true);
            return "";
        }
        patch(insns, at, local_value, value, memsz_adjust_ok(local, local_value, *matched, value));
        if (target != &context_target()) kernel_used_ = true;
        return "";
    } catch (const Unsatisfied& failure) {
        return "CO-RE relocation " + kind + " on " + what + " (access \"" + access + "\") at instruction " +
               std::to_string(at) + " cannot be satisfied: " + failure.why;
    }
}

}  // namespace ebpf::object_detail
