// The module's ELF image, checked before dlopen: dlopen runs a shared
// object's constructors (DT_INIT, DT_INIT_ARRAY), IFUNC resolvers and the
// constructors of its dependencies before it returns, so a module may ask
// for none of these. bpf2c modules are built without start files and
// without libraries (compile_c_to_module) and have none.
//
// The dynamic linker reads the program headers and the dynamic section, not
// the section table, so those are what decide; the section table is checked
// as well, so that a module that would carry constructors for another loader
// is refused too. Every offset is checked before it is read.
#include "module_image.hpp"

#include <elf.h>
#include <gelf.h>
#include <libelf.h>
#include <unistd.h>

#include <cstring>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "ebpf/error.hpp"
#include "ebpf/native_module.h"

namespace ebpf::native_image {
namespace {

#if defined(__x86_64__)
constexpr uint16_t kMachine = EM_X86_64;
constexpr uint32_t kIrelative = R_X86_64_IRELATIVE;
#elif defined(__aarch64__)
constexpr uint16_t kMachine = EM_AARCH64;
constexpr uint32_t kIrelative = R_AARCH64_IRELATIVE;
#else
#error "native modules: unknown machine"
#endif

struct ElfCloser {
    void operator()(Elf* elf) const { elf_end(elf); }
};

struct Segment {
    uint64_t vaddr, offset, filesz, memsz;
    bool executable;
};

// Dynamic tags that make the dynamic linker run code of the module or of
// another file, or look for other files.
std::optional<std::string_view> refused_tag(int64_t tag) {
    switch (tag) {
        case DT_INIT: return "DT_INIT (a constructor)";
        case DT_INIT_ARRAY: return "DT_INIT_ARRAY (constructors)";
        case DT_PREINIT_ARRAY: return "DT_PREINIT_ARRAY (constructors)";
        case DT_FINI: return "DT_FINI (a destructor)";
        case DT_FINI_ARRAY: return "DT_FINI_ARRAY (destructors)";
        case DT_NEEDED: return "DT_NEEDED (a library dependency, whose constructors would run)";
        case DT_RPATH: return "DT_RPATH (a library search path)";
        case DT_RUNPATH: return "DT_RUNPATH (a library search path)";
        case DT_AUDIT: return "DT_AUDIT (an audit library)";
        case DT_DEPAUDIT: return "DT_DEPAUDIT (an audit library)";
        case DT_FILTER: return "DT_FILTER (a filter library)";
        case DT_AUXILIARY: return "DT_AUXILIARY (a filter library)";
        case DT_TEXTREL: return "DT_TEXTREL (relocations in code)";
        case DT_REL: return "DT_REL (REL relocations; modules use RELA)";
        default: return std::nullopt;
    }
}

bool refused_section_name(std::string_view name) {
    for (std::string_view refused : {".init", ".fini", ".ctors", ".dtors", ".init_array", ".fini_array",
                                     ".preinit_array"}) {
        if (name == refused) return true;
        // ".init_array.00100", ".ctors.65535": the linker's priority variants.
        if (name.size() > refused.size() && name.substr(0, refused.size()) == refused &&
            name[refused.size()] == '.')
            return true;
    }
    return false;
}

class ImageChecker {
public:
    ImageChecker(const std::string& name, std::span<const uint8_t> image, size_t signed_size)
        : name_(name), image_(image), signed_size_(signed_size) {}

    ModuleImage check() {
        check_identity();
        // libelf gets its own copy: it may convert in place what it reads.
        std::vector<char> copy(image_.begin(), image_.begin() + static_cast<std::ptrdiff_t>(signed_size_));
        elf_version(EV_CURRENT);
        std::unique_ptr<Elf, ElfCloser> elf(elf_memory(copy.data(), copy.size()));
        if (!elf || elf_kind(elf.get()) != ELF_K_ELF) throw fail(std::string("unreadable ELF: ") + elf_errmsg(-1));
        GElf_Ehdr header;
        if (gelf_getehdr(elf.get(), &header) == nullptr) throw fail(std::string("unreadable ELF header: ") + elf_errmsg(-1));
        if (header.e_type != ET_DYN) throw fail("not a shared object (ELF type " + std::to_string(header.e_type) + ")");
        if (header.e_machine != kMachine)
            throw fail("built for ELF machine " + std::to_string(header.e_machine) + ", not this one");
        check_segments(elf.get());
        check_dynamic();
        check_sections(elf.get());
        return image_info_;
    }

private:
    Error fail(const std::string& why) const { return Error(name_ + ": " + why); }

    void check_identity() const {
        if (image_.size() < sizeof(Elf64_Ehdr) || signed_size_ < sizeof(Elf64_Ehdr) || signed_size_ > image_.size())
            throw fail("not a shared object (" + std::to_string(signed_size_) + " bytes, too short for an ELF header)");
        if (std::memcmp(image_.data(), ELFMAG, SELFMAG) != 0) throw fail("not a shared object (no ELF magic)");
        if (image_[EI_CLASS] != ELFCLASS64 || image_[EI_DATA] != ELFDATA2LSB)
            throw fail("not a 64-bit little-endian ELF file");
    }

    void check_segments(Elf* elf) {
        size_t count = 0;
        if (elf_getphdrnum(elf, &count) != 0 || count == 0) throw fail("no program headers");
        for (size_t i = 0; i < count; ++i) {
            GElf_Phdr ph;
            if (gelf_getphdr(elf, static_cast<int>(i), &ph) == nullptr)
                throw fail("program header " + std::to_string(i) + " is unreadable");
            const std::string where = "segment " + std::to_string(i) + ": ";
            if (ph.p_filesz != 0 && (ph.p_offset > signed_size_ || ph.p_filesz > signed_size_ - ph.p_offset))
                throw fail(where + "reaches beyond the " + std::to_string(signed_size_) +
                           " module bytes (the bytes a signature covers)");
            if (ph.p_type == PT_GNU_STACK && (ph.p_flags & PF_X) != 0) throw fail(where + "asks for an executable stack");
            if (ph.p_type == PT_LOAD) {
                if ((ph.p_flags & PF_W) != 0 && (ph.p_flags & PF_X) != 0)
                    throw fail(where + "is writable and executable");
                // (Within a user address space: the arithmetic below cannot overflow.)
                if (ph.p_memsz < ph.p_filesz || ph.p_vaddr >= (uint64_t{1} << 47) || ph.p_memsz >= (uint64_t{1} << 47))
                    throw fail(where + "has an impossible size");
                segments_.push_back({ph.p_vaddr, ph.p_offset, ph.p_filesz, ph.p_memsz, (ph.p_flags & PF_X) != 0});
            }
            if (ph.p_type == PT_DYNAMIC) {
                if (dynamic_) throw fail(where + "a second dynamic segment");
                dynamic_ = ph;
            }
        }
        if (!dynamic_) throw fail("no dynamic segment");
        // The dynamic linker maps the loaded segments in order, a page at a
        // time: where two share a page, the later one's bytes win, and the
        // checks below (which look up an address in one segment) would read
        // other bytes than those that end up mapped. Refused.
        const uint64_t page = static_cast<uint64_t>(::sysconf(_SC_PAGESIZE));
        for (size_t i = 1; i < segments_.size(); ++i) {
            const Segment& before = segments_[i - 1];
            const Segment& after = segments_[i];
            const uint64_t end = before.vaddr + before.memsz;
            if (after.vaddr < before.vaddr || (after.vaddr & ~(page - 1)) < ((end + page - 1) & ~(page - 1)))
                throw fail("loaded segments " + std::to_string(i - 1) + " and " + std::to_string(i) +
                           " overlap or are out of order");
        }
    }

    // File offset of `size` bytes at virtual address `vaddr`, inside a loaded segment's file bytes.
    std::optional<uint64_t> offset_of(uint64_t vaddr, uint64_t size) const {
        for (const Segment& segment : segments_) {
            if (vaddr < segment.vaddr) continue;
            const uint64_t delta = vaddr - segment.vaddr;
            if (delta > segment.filesz || size > segment.filesz - delta) continue;
            return segment.offset + delta;
        }
        return std::nullopt;
    }

    template <typename T>
    T read_at(uint64_t offset, const std::string& what) const {
        if (offset > signed_size_ || sizeof(T) > signed_size_ - offset) throw fail(what + " is outside the file");
        T value;
        std::memcpy(&value, image_.data() + offset, sizeof(T));
        return value;
    }

    void check_dynamic() {
        uint64_t symtab = 0, rela = 0, rela_size = 0, jmprel = 0, jmprel_size = 0;
        int64_t pltrel = DT_RELA;
        // The dynamic linker reads the table at its virtual address (not at
        // p_offset, which could point at a decoy), up to DT_NULL.
        auto table = offset_of(dynamic_->p_vaddr, dynamic_->p_filesz);
        if (!table) throw fail("the dynamic segment is not inside a loaded segment's file bytes");
        const uint64_t entries = dynamic_->p_filesz / sizeof(Elf64_Dyn);
        bool terminated = false;
        for (uint64_t i = 0; i < entries; ++i) {
            auto dyn = read_at<Elf64_Dyn>(*table + i * sizeof(Elf64_Dyn), "dynamic entry");
            terminated = dyn.d_tag == DT_NULL;
            if (terminated) break;
            if (auto refused = refused_tag(dyn.d_tag))
                throw fail("the module asks the dynamic linker for " + std::string(*refused) +
                           "; native modules may run no code of their own or of other files while loading "
                           "(build them with ebpf build)");
            switch (dyn.d_tag) {
                case DT_FLAGS:
                    if ((dyn.d_un.d_val & DF_TEXTREL) != 0) throw fail("the module has relocations in code (DF_TEXTREL)");
                    break;
                case DT_SYMTAB: symtab = dyn.d_un.d_ptr; break;
                case DT_RELA: rela = dyn.d_un.d_ptr; break;
                case DT_RELASZ: rela_size = dyn.d_un.d_val; break;
                case DT_JMPREL: jmprel = dyn.d_un.d_ptr; break;
                case DT_PLTRELSZ: jmprel_size = dyn.d_un.d_val; break;
                case DT_PLTREL: pltrel = static_cast<int64_t>(dyn.d_un.d_val); break;
                default: break;
            }
        }
        if (!terminated) throw fail("the dynamic section has no DT_NULL within its segment");
        if (jmprel_size != 0 && pltrel != DT_RELA) throw fail("PLT relocations are not RELA");
        check_relocations(rela, rela_size, symtab, "DT_RELA");
        check_relocations(jmprel, jmprel_size, symtab, "DT_JMPREL");
    }

    // An IFUNC resolver runs while relocations are processed: refused.
    void check_relocations(uint64_t vaddr, uint64_t size, uint64_t symtab, const std::string& table) {
        if (size == 0) return;
        auto offset = offset_of(vaddr, size);
        if (!offset) throw fail(table + ": relocations outside the loaded segments");
        for (uint64_t at = 0; at + sizeof(Elf64_Rela) <= size; at += sizeof(Elf64_Rela)) {
            auto rel = read_at<Elf64_Rela>(*offset + at, table + " entry");
            if (ELF64_R_TYPE(rel.r_info) == kIrelative)
                throw fail(table + ": an IRELATIVE relocation (an IFUNC resolver would run while loading)");
            const uint64_t symbol = ELF64_R_SYM(rel.r_info);
            if (symbol == 0) continue;
            if (symtab == 0) throw fail(table + ": a relocation names a symbol but there is no DT_SYMTAB");
            if (symbol > (UINT64_MAX - symtab) / sizeof(Elf64_Sym)) throw fail(table + ": symbol index out of range");
            auto sym_offset = offset_of(symtab + symbol * sizeof(Elf64_Sym), sizeof(Elf64_Sym));
            if (!sym_offset) throw fail(table + ": symbol " + std::to_string(symbol) + " is outside the loaded segments");
            auto sym = read_at<Elf64_Sym>(*sym_offset, "symbol");
            if (ELF64_ST_TYPE(sym.st_info) == STT_GNU_IFUNC)
                throw fail(table + ": a relocation against an IFUNC symbol (its resolver would run while loading)");
        }
    }

    void check_sections(Elf* elf) {
        size_t strings = 0;
        if (elf_getshdrstrndx(elf, &strings) != 0) throw fail(std::string("unreadable section table: ") + elf_errmsg(-1));
        bool found_entry = false;
        for (Elf_Scn* scn = elf_nextscn(elf, nullptr); scn != nullptr; scn = elf_nextscn(elf, scn)) {
            GElf_Shdr sh;
            if (gelf_getshdr(scn, &sh) == nullptr) throw fail(std::string("unreadable section header: ") + elf_errmsg(-1));
            const char* raw_name = elf_strptr(elf, strings, sh.sh_name);
            const std::string name = raw_name ? raw_name : "";
            if (sh.sh_type == SHT_INIT_ARRAY || sh.sh_type == SHT_PREINIT_ARRAY || sh.sh_type == SHT_FINI_ARRAY ||
                refused_section_name(name))
                throw fail("section '" + name + "' holds constructors or destructors; native modules may run no "
                           "code of their own while loading (build them with ebpf build)");
            if (sh.sh_type != SHT_DYNSYM) continue;
            Elf_Data* data = elf_getdata(scn, nullptr);
            if (data == nullptr) throw fail(std::string("unreadable dynamic symbols: ") + elf_errmsg(-1));
            const size_t count = sh.sh_entsize == 0 ? 0 : data->d_size / sh.sh_entsize;
            for (size_t i = 0; i < count; ++i) {
                GElf_Sym sym;
                if (gelf_getsym(data, static_cast<int>(i), &sym) == nullptr) throw fail("unreadable dynamic symbol");
                if (GELF_ST_TYPE(sym.st_info) == STT_GNU_IFUNC)
                    throw fail("dynamic symbol " + std::to_string(i) + " is an IFUNC (its resolver would run)");
                const char* symbol_name = elf_strptr(elf, sh.sh_link, sym.st_name);
                if (symbol_name == nullptr || std::string_view(symbol_name) != EBPF_NATIVE_MODULE_ENTRY) continue;
                if (GELF_ST_TYPE(sym.st_info) != STT_FUNC || sym.st_shndx == SHN_UNDEF)
                    throw fail(std::string(EBPF_NATIVE_MODULE_ENTRY) + " is not a function the module defines");
                image_info_.entry_value = sym.st_value;
                found_entry = true;
            }
        }
        if (!found_entry)
            throw fail("missing metadata: no exported " EBPF_NATIVE_MODULE_ENTRY "() (not built by bpf2c?)");
        bool in_code = false;
        for (const Segment& segment : segments_)
            in_code |= segment.executable && image_info_.entry_value >= segment.vaddr &&
                       image_info_.entry_value - segment.vaddr < segment.filesz;
        if (!in_code) throw fail(std::string(EBPF_NATIVE_MODULE_ENTRY) + " is not in an executable segment");
    }

    const std::string& name_;
    std::span<const uint8_t> image_;
    size_t signed_size_;
    std::vector<Segment> segments_;
    std::optional<GElf_Phdr> dynamic_;
    ModuleImage image_info_;
};

}  // namespace

ModuleImage check_module_image(const std::string& name, std::span<const uint8_t> image, size_t signed_size) {
    return ImageChecker(name, image, signed_size).check();
}

}  // namespace ebpf::native_image
