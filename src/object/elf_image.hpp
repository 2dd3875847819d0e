// A bounds-checked, libelf-backed view of an eBPF ELF relocatable object:
// sections, symbols and relocations copied out into plain structs, every
// offset checked against the file before anything reads through it.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ebpf::object_detail {

struct ElfSection {
    size_t index = 0;
    std::string name;
    uint32_t type = 0;     // SHT_*
    uint64_t flags = 0;    // SHF_*
    uint32_t link = 0;
    uint32_t info = 0;
    uint64_t size = 0;     // sh_size (also for SHT_NOBITS)
    uint64_t entsize = 0;  // sh_entsize
    std::span<const uint8_t> data;  // file contents; empty for SHT_NOBITS
};

struct ElfSymbol {
    std::string name;
    uint64_t value = 0;
    uint64_t size = 0;
    uint16_t section = 0;  // st_shndx
    uint8_t type = 0;      // STT_*
    uint8_t bind = 0;      // STB_*
};

struct ElfRelocation {
    uint64_t offset = 0;   // byte offset within the section it applies to
    uint32_t type = 0;     // R_BPF_*
    uint32_t symbol = 0;   // index into ElfImage::symbols()
    // SHT_RELA (old toolchains): the addend is here, not in the instruction.
    bool has_addend = false;
    int64_t addend = 0;
};

class ElfImage {
public:
    // `bytes` must outlive the image. Throws ebpf::Error "path: what".
    ElfImage(std::span<const uint8_t> bytes, std::string path);

    const std::string& path() const { return path_; }
    const std::vector<ElfSection>& sections() const { return sections_; }
    const std::vector<ElfSymbol>& symbols() const { return symbols_; }
    const ElfSection* find_section(std::string_view name) const;
    const ElfSection* section(size_t index) const;
    // Relocations (SHT_REL, or SHT_RELA of old toolchains) that apply to section `index`, sorted by offset.
    const std::vector<ElfRelocation>& relocations_for(size_t index) const;
    // "path: section 'name'" — the prefix of every message about a section.
    std::string where(const ElfSection& section) const;

private:
    std::string path_;
    std::vector<ElfSection> sections_;
    std::vector<ElfSymbol> symbols_;
    std::vector<std::vector<ElfRelocation>> relocations_;  // by target section
};

}  // namespace ebpf::object_detail
