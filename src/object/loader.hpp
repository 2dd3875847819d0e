// The steps of open_object(), in the order it runs them:
//   ElfImage (elf_image.hpp) → BTF/.BTF.ext (btf_data.hpp) → maps and global
//   data (map_sections.cpp) → programs, relocations, subprograms, line info
//   (program_linker.cpp).
#pragma once

#include <cstdint>
#include <map>
#include <utility>

#include "btf_data.hpp"
#include "ebpf/object.hpp"
#include "elf_image.hpp"

namespace ebpf::object_detail {

// What the steps share: the parsed input, the object being built, and the
// indexes that turn relocation symbols into map indexes.
struct LoadContext {
    const ElfImage& elf;
    const struct btf* btf = nullptr;  // nullptr without -g
    const BtfExt& ext;
    Object& object;
    const ResourceLimits& limits;
    // (section index, symbol offset) → index in object.maps, for .maps and legacy maps.
    std::map<std::pair<size_t, uint64_t>, uint32_t> map_at;
    // Section index → index in object.maps, for global data sections.
    std::map<size_t, uint32_t> global_data_map;
};

void load_maps(LoadContext& context);
// True when a CO-RE relocation names a field of the program type's own
// context struct at the offset and size of the Linux uapi layout (so the
// value clang encoded is already right); otherwise false with the reason.
bool core_relocation_matches_context(const struct btf* btf, const BtfCoreRecord& relo, ProgramType type,
                                     std::string& why);
void load_programs(LoadContext& context);

}  // namespace ebpf::object_detail
