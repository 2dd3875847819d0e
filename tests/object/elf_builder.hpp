// A tiny writer of eBPF ELF relocatable objects, for crafted inputs the
// compiler would never produce.
#pragma once

#include <elf.h>

#include <cstring>
#include <string>
#include <vector>

#include "ebpf/isa.hpp"

namespace ebpf::test {

struct BuiltSection {
    std::string name;
    uint32_t type = SHT_PROGBITS;
    uint64_t flags = 0;
    std::vector<uint8_t> data;
    uint32_t link = 0, info = 0;
    uint64_t entsize = 0;
};

class ElfBuilder {
public:
    // Returns the section index (the null section is 0, .shstrtab is added last).
    size_t add(BuiltSection s) {
        sections_.push_back(std::move(s));
        return sections_.size();
    }
    size_t add_code(const std::string& name, const std::vector<Instruction>& insns) {
        std::vector<uint8_t> bytes(insns.size() * 8);
        if (!insns.empty()) std::memcpy(bytes.data(), insns.data(), bytes.size());
        return add({name, SHT_PROGBITS, SHF_ALLOC | SHF_EXECINSTR, bytes});
    }
    // Adds .strtab and .symtab from (name, section, value, size, type, bind).
    struct Sym {
        std::string name;
        uint16_t section;
        uint64_t value, size;
        uint8_t type, bind;
    };
    size_t add_symbols(const std::vector<Sym>& symbols) {
        std::vector<uint8_t> strings{0};
        std::vector<uint8_t> table(sizeof(Elf64_Sym), 0);  // symbol 0
        for (const auto& s : symbols) {
            Elf64_Sym raw{};
            raw.st_name = static_cast<uint32_t>(strings.size());
            strings.insert(strings.end(), s.name.begin(), s.name.end());
            strings.push_back(0);
            raw.st_shndx = s.section;
            raw.st_value = s.value;
            raw.st_size = s.size;
            raw.st_info = ELF64_ST_INFO(s.bind, s.type);
            auto* p = reinterpret_cast<const uint8_t*>(&raw);
            table.insert(table.end(), p, p + sizeof raw);
        }
        size_t strtab = add({".strtab", SHT_STRTAB, 0, strings});
        return add({".symtab", SHT_SYMTAB, 0, table, static_cast<uint32_t>(strtab), 1, sizeof(Elf64_Sym)});
    }
    size_t add_relocations(size_t target, size_t symtab,
                           const std::vector<std::pair<uint64_t, uint64_t>>& offset_and_info) {
        std::vector<uint8_t> bytes;
        for (auto [offset, info] : offset_and_info) {
            Elf64_Rel rel{offset, info};
            auto* p = reinterpret_cast<const uint8_t*>(&rel);
            bytes.insert(bytes.end(), p, p + sizeof rel);
        }
        return add({".rel" + sections_[target - 1].name, SHT_REL, 0, bytes,
                    static_cast<uint32_t>(symtab), static_cast<uint32_t>(target), sizeof(Elf64_Rel)});
    }

    // SHT_RELA entries (offset, info, addend), as old toolchains wrote them.
    struct Rela {
        uint64_t offset, info;
        int64_t addend;
    };
    size_t add_rela(size_t target, size_t symtab, const std::vector<Rela>& entries,
                    uint64_t entsize = sizeof(Elf64_Rela)) {
        std::vector<uint8_t> bytes;
        for (const auto& e : entries) {
            Elf64_Rela rela{e.offset, e.info, e.addend};
            auto* p = reinterpret_cast<const uint8_t*>(&rela);
            bytes.insert(bytes.end(), p, p + sizeof rela);
        }
        return add({".rela" + sections_[target - 1].name, SHT_RELA, 0, bytes,
                    static_cast<uint32_t>(symtab), static_cast<uint32_t>(target), entsize});
    }

    std::vector<uint8_t> build(uint16_t machine = 247) const {
        std::vector<BuiltSection> all = sections_;
        std::vector<uint8_t> names{0};
        std::vector<uint32_t> name_offsets;
        all.push_back({".shstrtab", SHT_STRTAB, 0, {}});
        for (const auto& s : all) {
            name_offsets.push_back(static_cast<uint32_t>(names.size()));
            names.insert(names.end(), s.name.begin(), s.name.end());
            names.push_back(0);
        }
        all.back().data = names;

        std::vector<uint8_t> out(sizeof(Elf64_Ehdr), 0);
        std::vector<Elf64_Shdr> headers(1 + all.size());
        for (size_t i = 0; i < all.size(); ++i) {
            while (out.size() % 8) out.push_back(0);
            Elf64_Shdr& h = headers[i + 1];
            h.sh_name = name_offsets[i];
            h.sh_type = all[i].type;
            h.sh_flags = all[i].flags;
            h.sh_offset = out.size();
            h.sh_size = all[i].data.size();
            h.sh_link = all[i].link;
            h.sh_info = all[i].info;
            h.sh_addralign = 8;
            h.sh_entsize = all[i].entsize;
            out.insert(out.end(), all[i].data.begin(), all[i].data.end());
        }
        while (out.size() % 8) out.push_back(0);
        Elf64_Ehdr eh{};
        std::memcpy(eh.e_ident, ELFMAG, SELFMAG);
        eh.e_ident[EI_CLASS] = ELFCLASS64;
        eh.e_ident[EI_DATA] = ELFDATA2LSB;
        eh.e_ident[EI_VERSION] = EV_CURRENT;
        eh.e_type = ET_REL;
        eh.e_machine = machine;
        eh.e_version = EV_CURRENT;
        eh.e_ehsize = sizeof(Elf64_Ehdr);
        eh.e_shentsize = sizeof(Elf64_Shdr);
        eh.e_shnum = static_cast<uint16_t>(headers.size());
        eh.e_shstrndx = static_cast<uint16_t>(headers.size() - 1);
        eh.e_shoff = out.size();
        std::memcpy(out.data(), &eh, sizeof eh);
        auto* p = reinterpret_cast<const uint8_t*>(headers.data());
        out.insert(out.end(), p, p + headers.size() * sizeof(Elf64_Shdr));
        return out;
    }

private:
    std::vector<BuiltSection> sections_;
};

inline Instruction mov64_imm(uint8_t dst, int32_t imm) {
    return {op::kClassAlu64 | op::kMov | op::kSrcK, dst, 0, 0, imm};
}
inline Instruction exit_insn() { return {op::kClassJmp | op::kExit, 0, 0, 0, 0}; }
inline Instruction call_local(int32_t imm) { return {op::kClassJmp | op::kCall, 0, op::kCallLocal, 0, imm}; }

}  // namespace ebpf::test
