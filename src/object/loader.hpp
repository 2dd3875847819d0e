// The steps of open_object(), in the order it runs them:
//   ElfImage (elf_image.hpp) → BTF/.BTF.ext (btf_data.hpp) → maps and global
//   data (map_sections.cpp) → programs, relocations, subprograms, line info
//   (program_linker.cpp).
#pragma once

#include <cstdint>
#include <map>
#include <utility>

#include "btf_data.hpp"
#include "core_relocations.hpp"
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
    CoreRelocator* core = nullptr;  // resolves CO-RE relocations (core_relocations.hpp)
};

void load_maps(LoadContext& context);
void load_programs(LoadContext& context);

}  // namespace ebpf::object_detail
