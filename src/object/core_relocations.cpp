// CO-RE relocations against our own context types. Without kernel BTF the
// only "target" types we know exactly are the program contexts of the ABI
// table (struct xdp_md, struct __sk_buff, struct bpf_sock_addr), whose
// layouts are the Linux uapi ones. Programs built against vmlinux.h read
// their context through such relocations; when the field the access string
// names sits at an offset and size that the context table lists, the value
// clang encoded (the local one) is already the target one, and the
// relocation is satisfied as it is. Anything else is refused by the caller.
#include <bpf/btf.h>

#include <charconv>

#include "loader.hpp"

namespace ebpf::object_detail {
namespace {

constexpr uint32_t kFieldByteOffset = 0, kFieldByteSize = 1, kFieldExists = 2;

struct ContextStruct {
    std::string_view name;
    ProgramType types[2];
};
constexpr ContextStruct kContextStructs[] = {
    {"xdp_md", {ProgramType::xdp, ProgramType::xdp}},
    {"__sk_buff", {ProgramType::sched_cls, ProgramType::socket_filter}},
    {"bpf_sock_addr", {ProgramType::cgroup_sock_addr, ProgramType::cgroup_sock_addr}},
};

const btf_type* resolve(const struct btf* btf, uint32_t id, uint32_t* out_id) {
    for (int i = 0; i < 32; ++i) {
        const btf_type* t = btf__type_by_id(btf, id);
        if (!t) return nullptr;
        if (!btf_is_mod(t) && !btf_is_typedef(t)) {
            *out_id = id;
            return t;
        }
        id = t->type;
    }
    return nullptr;
}

}  // namespace

bool core_relocation_matches_context(const struct btf* btf, const BtfCoreRecord& relo, ProgramType type,
                                     std::string& why) {
    if (relo.kind != kFieldByteOffset && relo.kind != kFieldByteSize && relo.kind != kFieldExists) {
        why = "only field offset/size/existence relocations on context types can be resolved";
        return false;
    }
    uint32_t id = 0;
    const btf_type* t = resolve(btf, relo.type_id, &id);
    std::string name, access;
    if (!t || !btf_string(btf, t->name_off, name) || !btf_string(btf, relo.access_str_off, access)) {
        why = "invalid BTF type or access string";
        return false;
    }
    bool context = false;
    for (const auto& s : kContextStructs) {
        if (s.name == name && (s.types[0] == type || s.types[1] == type)) context = true;
    }
    if (!context || !btf_is_struct(t)) {
        why = "it is not the context type of a " + std::string(program_type_name(type)) +
              " program, and there is no kernel BTF to resolve other types against";
        return false;
    }
    // Access string "0:m:n...": array index 0 on the base, then member indexes.
    uint64_t offset = 0;
    uint32_t current = id;
    size_t pos = 0, step = 0;
    while (pos <= access.size()) {
        size_t colon = access.find(':', pos);
        if (colon == std::string::npos) colon = access.size();
        uint32_t index = 0;
        auto [end, ec] = std::from_chars(access.data() + pos, access.data() + colon, index);
        if (ec != std::errc() || end != access.data() + colon) {
            why = "malformed access string";
            return false;
        }
        if (step == 0) {
            if (index != 0) {
                why = "indexes an array of contexts";
                return false;
            }
        } else {
            const btf_type* s = resolve(btf, current, &current);
            if (!s || !(btf_is_struct(s) || btf_is_union(s)) || index >= btf_vlen(s)) {
                why = "access string does not follow the struct's members";
                return false;
            }
            if (btf_member_bitfield_size(s, index) != 0 || btf_member_bit_offset(s, index) % 8 != 0) {
                why = "bitfield members are not supported";
                return false;
            }
            offset += btf_member_bit_offset(s, index) / 8;
            current = btf_members(s)[index].type;
        }
        ++step;
        pos = colon + 1;
    }
    long long size = btf__resolve_size(btf, current);
    if (step < 2 || size <= 0) {
        why = "the relocation does not name a field";
        return false;
    }
    for (const auto& field : program_type_info(type).fields) {
        if (field.offset == offset && field.size == static_cast<uint64_t>(size)) return true;
    }
    why = "no " + name + " field of " + std::to_string(size) + " bytes at offset " +
          std::to_string(offset) + " in our context layout";
    return false;
}

}  // namespace ebpf::object_detail
