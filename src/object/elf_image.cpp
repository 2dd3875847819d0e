// ELF container parsing. libelf reads the headers and the section table;
// symbol and relocation entries are decoded here from byte spans that were
// checked against the file size first, so a crafted offset can only ever
// produce an error.
#include "elf_image.hpp"

#include <gelf.h>
#include <libelf.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <mutex>

#include "ebpf/error.hpp"

namespace ebpf::object_detail {
namespace {

constexpr uint16_t kMachineBpf = 247;  // EM_BPF
constexpr uint16_t kMachineNone = 0;   // EM_NONE
constexpr size_t kMaxSections = 65535;

struct ElfCloser {
    void operator()(Elf* elf) const { elf_end(elf); }
};

void init_libelf() {
    static std::once_flag once;
    std::call_once(once, [] { elf_version(EV_CURRENT); });
}

// Reads a NUL-terminated string at `offset` of a string table, or throws.
std::string string_at(std::span<const uint8_t> table, uint64_t offset, const std::string& where,
                      const char* what) {
    if (offset >= table.size()) {
        throw Error(where + ": " + what + " offset " + std::to_string(offset) +
                    " is outside the string table (" + std::to_string(table.size()) + " bytes)");
    }
    auto begin = table.begin() + static_cast<std::ptrdiff_t>(offset);
    auto end = std::find(begin, table.end(), uint8_t{0});
    if (end == table.end()) {
        throw Error(where + ": " + what + " at offset " + std::to_string(offset) +
                    " is not NUL-terminated");
    }
    return std::string(begin, end);
}

template <typename T>
T read_struct(std::span<const uint8_t> bytes, size_t offset) {
    T value;
    std::memcpy(&value, bytes.data() + offset, sizeof(T));
    return value;
}

}  // namespace

ElfImage::ElfImage(std::span<const uint8_t> bytes, std::string path) : path_(std::move(path)) {
    // Identity checks first, with messages that say which property is wrong.
    if (bytes.size() < EI_NIDENT || std::memcmp(bytes.data(), ELFMAG, SELFMAG) != 0) {
        throw Error(path_ + ": not an ELF file (no ELF magic)");
    }
    if (bytes[EI_CLASS] != ELFCLASS64) {
        throw Error(path_ + ": not a 64-bit ELF file (eBPF objects are ELFCLASS64)");
    }
    if (bytes[EI_DATA] != ELFDATA2LSB) {
        throw Error(path_ + ": not a little-endian ELF file (big-endian eBPF is not supported)");
    }
    if (bytes.size() < sizeof(Elf64_Ehdr)) {
        throw Error(path_ + ": truncated ELF header (" + std::to_string(bytes.size()) + " bytes)");
    }
    auto header = read_struct<Elf64_Ehdr>(bytes, 0);
    // Old toolchains (LLVM before 3.9? and some hand-made objects) wrote
    // EM_NONE: such an object is taken as eBPF when its code says so (below).
    const auto not_bpf = [&] {
        return Error(path_ + ": ELF machine is " + std::to_string(header.e_machine) +
                     ", not EM_BPF (247): not an eBPF object");
    };
    if (header.e_machine != kMachineBpf && header.e_machine != kMachineNone) throw not_bpf();
    if (header.e_type != ET_REL) {
        throw Error(path_ + ": not a relocatable object (ELF type " +
                    std::to_string(header.e_type) + "); compile with clang -target bpf -c");
    }

    init_libelf();
    // libelf may convert data in place, so it gets its own copy of the image.
    std::vector<char> copy(bytes.begin(), bytes.end());
    std::unique_ptr<Elf, ElfCloser> elf(elf_memory(copy.data(), copy.size()));
    if (!elf || elf_kind(elf.get()) != ELF_K_ELF) {
        throw Error(path_ + ": malformed ELF: " + elf_errmsg(-1));
    }
    size_t section_count = 0, names_index = 0;
    if (elf_getshdrnum(elf.get(), &section_count) != 0) {
        throw Error(path_ + ": malformed section table: " + elf_errmsg(-1));
    }
    if (section_count > kMaxSections) {
        throw Error(path_ + ": too many sections (" + std::to_string(section_count) + ")");
    }
    if (elf_getshdrstrndx(elf.get(), &names_index) != 0 || names_index >= section_count) {
        throw Error(path_ + ": malformed section name table index");
    }

    // Raw section headers, each checked against the file before use.
    std::vector<GElf_Shdr> headers(section_count);
    for (size_t i = 0; i < section_count; ++i) {
        Elf_Scn* scn = elf_getscn(elf.get(), i);
        if (!scn || !gelf_getshdr(scn, &headers[i])) {
            throw Error(path_ + ": section " + std::to_string(i) + ": malformed header: " +
                        elf_errmsg(-1));
        }
        const auto& h = headers[i];
        if (h.sh_type != SHT_NOBITS && h.sh_type != SHT_NULL &&
            (h.sh_offset > bytes.size() || h.sh_size > bytes.size() - h.sh_offset)) {
            throw Error(path_ + ": section " + std::to_string(i) + ": contents (offset " +
                        std::to_string(h.sh_offset) + ", size " + std::to_string(h.sh_size) +
                        ") lie outside the file (" + std::to_string(bytes.size()) + " bytes)");
        }
    }
    auto contents = [&](size_t i) -> std::span<const uint8_t> {
        const auto& h = headers[i];
        if (h.sh_type == SHT_NOBITS || h.sh_type == SHT_NULL) return {};
        return bytes.subspan(h.sh_offset, h.sh_size);
    };

    std::span<const uint8_t> names = contents(names_index);
    sections_.resize(section_count);
    for (size_t i = 0; i < section_count; ++i) {
        const auto& h = headers[i];
        ElfSection& s = sections_[i];
        s.index = i;
        s.type = h.sh_type;
        s.flags = h.sh_flags;
        s.link = h.sh_link;
        s.info = h.sh_info;
        s.size = h.sh_size;
        s.entsize = h.sh_entsize;
        s.data = contents(i);
        if (i != 0) {
            s.name = string_at(names, h.sh_name, path_ + ": section " + std::to_string(i),
                               "name");
        }
    }

    // EM_NONE: eBPF when there is code and every code section holds whole
    // 8-byte instructions (the instructions themselves are validated later).
    if (header.e_machine == kMachineNone) {
        bool code = false;
        for (const auto& s : sections_) {
            if (!(s.flags & SHF_EXECINSTR) || s.size == 0) continue;
            if (s.size % 8 != 0) throw not_bpf();
            code = true;
        }
        if (!code) throw not_bpf();
    }

    // The symbol table (clang writes exactly one).
    for (const auto& s : sections_) {
        if (s.type != SHT_SYMTAB) continue;
        if (!symbols_.empty()) throw Error(where(s) + ": more than one symbol table");
        if (s.data.size() % sizeof(Elf64_Sym) != 0) {
            throw Error(where(s) + ": size " + std::to_string(s.data.size()) +
                        " is not a multiple of the symbol size");
        }
        if (s.link == 0 || s.link >= sections_.size() || sections_[s.link].type != SHT_STRTAB) {
            throw Error(where(s) + ": string table link " + std::to_string(s.link) +
                        " is not a string table");
        }
        std::span<const uint8_t> strings = sections_[s.link].data;
        size_t count = s.data.size() / sizeof(Elf64_Sym);
        symbols_.reserve(count);
        for (size_t k = 0; k < count; ++k) {
            auto raw = read_struct<Elf64_Sym>(s.data, k * sizeof(Elf64_Sym));
            ElfSymbol sym;
            sym.value = raw.st_value;
            sym.size = raw.st_size;
            sym.section = raw.st_shndx;
            sym.type = static_cast<uint8_t>(ELF64_ST_TYPE(raw.st_info));
            sym.bind = static_cast<uint8_t>(ELF64_ST_BIND(raw.st_info));
            sym.name = string_at(strings, raw.st_name, where(s) + ": symbol " + std::to_string(k),
                                 "name");
            if (sym.type == STT_SECTION && sym.name.empty() && sym.section < sections_.size()) {
                sym.name = sections_[sym.section].name;
            }
            symbols_.push_back(std::move(sym));
        }
    }

    // Relocations of the sections the loader reads (code and .maps); those of
    // debug sections are not needed and not decoded.
    relocations_.resize(section_count);
    for (const auto& s : sections_) {
        if (s.type != SHT_REL && s.type != SHT_RELA) continue;
        if (s.info == 0 || s.info >= sections_.size()) {
            throw Error(where(s) + ": relocations for section index " + std::to_string(s.info) +
                        ", which does not exist");
        }
        const ElfSection& target = sections_[s.info];
        bool needed = (target.flags & SHF_EXECINSTR) != 0 || target.name == ".maps";
        if (!needed) continue;
        // SHT_RELA: old LLVM (OVS's datapath.o) wrote Elf64_Rela entries,
        // the addend in the entry; applied like SHT_REL with that addend.
        const bool rela = s.type == SHT_RELA;
        const size_t entry = rela ? sizeof(Elf64_Rela) : sizeof(Elf64_Rel);
        const char* kind = rela ? "RELA" : "REL";
        if (s.entsize != 0 && s.entsize != entry) {
            throw Error(where(s) + ": entry size " + std::to_string(s.entsize) + " is not that of " + kind +
                        " relocations (" + std::to_string(entry) + " bytes)");
        }
        if (s.data.size() % entry != 0) {
            throw Error(where(s) + ": size " + std::to_string(s.data.size()) +
                        " is not a multiple of the relocation size (" + std::to_string(entry) + " bytes, " +
                        kind + ")");
        }
        const size_t count = s.data.size() / entry;
        // At most one relocation per 8-byte slot of the target (the linker
        // refuses two at one instruction anyway): more is a crafted count.
        if (count > std::max<uint64_t>(target.size / 8, 1)) {
            throw Error(where(s) + ": " + std::to_string(count) + " relocations for section '" + target.name +
                        "' of " + std::to_string(target.size) + " bytes (at most one per 8 bytes)");
        }
        auto& out = relocations_[s.info];
        if (!out.empty()) {
            throw Error(where(s) + ": section '" + target.name + "' has a second relocation section");
        }
        out.reserve(count);
        for (size_t k = 0; k < count; ++k) {
            ElfRelocation r;
            uint64_t info = 0;
            if (rela) {
                auto raw = read_struct<Elf64_Rela>(s.data, k * entry);
                r.offset = raw.r_offset;
                info = raw.r_info;
                r.has_addend = true;
                r.addend = raw.r_addend;
            } else {
                auto raw = read_struct<Elf64_Rel>(s.data, k * entry);
                r.offset = raw.r_offset;
                info = raw.r_info;
            }
            r.type = static_cast<uint32_t>(ELF64_R_TYPE(info));
            r.symbol = static_cast<uint32_t>(ELF64_R_SYM(info));
            if (r.symbol >= symbols_.size()) {
                throw Error(where(s) + ": relocation " + std::to_string(k) + " names symbol " +
                            std::to_string(r.symbol) + ", but the symbol table has " +
                            std::to_string(symbols_.size()));
            }
            if (r.offset >= target.size) {
                throw Error(where(s) + ": relocation " + std::to_string(k) + " at offset " +
                            std::to_string(r.offset) + " lies outside section '" + target.name +
                            "' (" + std::to_string(target.size) + " bytes)");
            }
            if (rela && (r.addend < INT32_MIN || r.addend > INT32_MAX)) {
                throw Error(where(s) + ": relocation " + std::to_string(k) + " has addend " +
                            std::to_string(r.addend) + ", outside the 32 bits an instruction can hold");
            }
            out.push_back(r);
        }
        std::stable_sort(out.begin(), out.end(),
                         [](const ElfRelocation& a, const ElfRelocation& b) { return a.offset < b.offset; });
    }
}

const ElfSection* ElfImage::find_section(std::string_view name) const {
    for (const auto& s : sections_) {
        if (s.index != 0 && s.name == name) return &s;
    }
    return nullptr;
}

const ElfSection* ElfImage::section(size_t index) const {
    return index < sections_.size() ? &sections_[index] : nullptr;
}

const std::vector<ElfRelocation>& ElfImage::relocations_for(size_t index) const {
    static const std::vector<ElfRelocation> none;
    return index < relocations_.size() ? relocations_[index] : none;
}

std::string ElfImage::where(const ElfSection& section) const {
    return path_ + ": section '" + section.name + "'";
}

}  // namespace ebpf::object_detail
