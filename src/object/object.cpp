// open_object(): runs the loader's steps (see loader.hpp) and the small
// queries of Program and Object.
#include <algorithm>
#include <iterator>

#include "ebpf/error.hpp"
#include "ebpf/input_file.hpp"
#include "ebpf/object.hpp"
#include "loader.hpp"

namespace ebpf {

using namespace object_detail;

const SourceLocation* Program::source_at(size_t insn) const {
    auto after = std::upper_bound(lines.begin(), lines.end(), insn,
                                  [](size_t value, const LineInfo& line) { return value < line.insn; });
    if (after == lines.begin()) return nullptr;
    return &std::prev(after)->where;
}

const Program* Object::find_program(std::string_view name_or_section) const {
    for (const auto& p : programs) {
        if (p.name == name_or_section) return &p;
    }
    for (const auto& p : programs) {
        if (p.section == name_or_section) return &p;
    }
    return nullptr;
}

std::optional<uint32_t> Object::find_map(std::string_view name) const {
    for (size_t i = 0; i < maps.size(); ++i) {
        if (maps[i].name == name) return static_cast<uint32_t>(i);
    }
    return std::nullopt;
}

Object open_object_from_memory(std::span<const uint8_t> bytes, const std::string& name,
                               const ResourceLimits& limits) {
    if (bytes.size() > limits.max_object_bytes)
        throw Error(name + ": " + std::to_string(bytes.size()) + " bytes, more than the limit of " +
                    std::to_string(limits.max_object_bytes) + " (max_object_bytes)");
    ElfImage elf(bytes, name);
    Object object;
    object.path = name;

    if (const ElfSection* license = elf.find_section("license")) {
        auto end = std::find(license->data.begin(), license->data.end(), uint8_t{0});
        object.license.assign(license->data.begin(), end);
    }

    for (const char* btf_section : {".BTF", ".BTF.ext"}) {
        const ElfSection* section = elf.find_section(btf_section);
        if (section && section->size > limits.max_btf_bytes)
            throw Error(elf.where(*section) + ": " + std::to_string(section->size) + " bytes, more than the limit of " +
                        std::to_string(limits.max_btf_bytes) + " (max_btf_bytes)");
    }
    BtfPtr btf = load_btf(elf);
    BtfExt ext = load_btf_ext(elf, btf.get());
    LoadContext context{elf, btf.get(), ext, object, limits, {}, {}};
    load_maps(context);
    load_programs(context);
    for (Program& program : object.programs) program.license = object.license;
    if (object.programs.empty()) {
        throw Error(name + ": no programs (no executable section with code)");
    }
    return object;
}

namespace {

void find_spin_locks(const TypeInfo& type, uint32_t base, std::vector<uint32_t>& found) {
    if (type.kind != TypeInfo::Kind::structure) return;
    for (const TypeInfo& member : type.members) {
        if (member.type_name == "struct bpf_spin_lock") found.push_back(base + member.offset);
        else find_spin_locks(member, base + member.offset, found);
    }
}

}  // namespace

std::optional<uint32_t> spin_lock_offset(const MapDefinition& map) {
    if (!map.value_type) return std::nullopt;
    std::vector<uint32_t> found;
    if (map.value_type->type_name == "struct bpf_spin_lock") found.push_back(0);
    find_spin_locks(*map.value_type, 0, found);
    if (found.empty()) return std::nullopt;
    if (found.size() > 1)
        throw Error("map '" + map.name + "': its value holds " + std::to_string(found.size()) +
                    " struct bpf_spin_lock; one is allowed (as Linux)");
    return found.front();
}

void set_program_type(Object& object, ProgramType type, std::string_view attach) {
    for (Program& program : object.programs) {
        program.type = type;
        if (!attach.empty()) program.attach = std::string(attach);
    }
}

Object open_object(const std::string& path, const ResourceLimits& limits) {
    return open_object_from_memory(read_input_file(path, limits.max_object_bytes), path, limits);
}

}  // namespace ebpf
