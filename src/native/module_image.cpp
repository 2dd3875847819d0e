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

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <iterator>
#include <memory>
#include <optional>
#include <set>
#include <string_view>
#include <vector>

#include "ebpf/error.hpp"
#include "ebpf/native_module.h"

namespace ebpf::native_image {
namespace {

// The relocations a module may have. A C compiler and linker make of
// bpf2c's output only RELATIVE ones (pointers in the metadata tables); the
// symbolic kinds are allowed only against the few libc functions a compiler
// may call on its own (kCompilerRuntime), and every one of them must write
// into the module's own writable memory: the dynamic linker writes wherever
// r_offset points, and the module must not reach the host's memory.
// Modules are built for x86-64 and AArch64 (`ebpf build --target`); the
// rules are the same, the relocation numbers are each machine's. Loading
// accepts only the host's machine; reading (`ebpf show`) accepts both.
struct MachineRules {
    uint16_t machine;
    const char* name;
    uint32_t irelative, relative;
    uint32_t symbolic[3];
};
constexpr MachineRules kMachines[] = {
    {EM_X86_64, "x86-64", R_X86_64_IRELATIVE, R_X86_64_RELATIVE, {R_X86_64_64, R_X86_64_GLOB_DAT, R_X86_64_JUMP_SLOT}},
    {EM_AARCH64, "AArch64", R_AARCH64_IRELATIVE, R_AARCH64_RELATIVE,
     {R_AARCH64_ABS64, R_AARCH64_GLOB_DAT, R_AARCH64_JUMP_SLOT}},
};
#if defined(__x86_64__)
constexpr uint16_t kHostMachine = EM_X86_64;
#elif defined(__aarch64__)
constexpr uint16_t kHostMachine = EM_AARCH64;
#else
#error "native modules: unknown machine"
#endif

const MachineRules* rules_for(uint16_t machine) {
    for (const MachineRules& rules : kMachines)
        if (rules.machine == machine) return &rules;
    return nullptr;
}

struct ElfCloser {
    void operator()(Elf* elf) const { elf_end(elf); }
};

struct Segment {
    uint64_t vaddr, offset, filesz, memsz;
    bool executable, writable;
};

// What a compiler may call in C that calls no library function (memcpy for a
// large copy, memset for a large zeroing): the only names a module may bind to.
constexpr std::string_view kCompilerRuntime[] = {"memcpy", "memmove", "memset", "memcmp"};

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

// Every other tag the dynamic linker reads may do something a module needs
// not: DT_SONAME would make a later dlopen() of that library name (by the
// host, or by libc itself: libgcc_s, NSS, gconv) return the module instead;
// DT_VERNEED names a library the module has no DT_NEEDED for, and glibc then
// aborts the process on an assertion; DT_RELR writes at offsets nobody
// bounds; DT_SYMBOLIC, DT_DEBUG and the rest are unused. An allow list, so
// that a tag added to glibc later is refused until someone looked at it.
bool allowed_tag(int64_t tag) {
    switch (tag) {
        case DT_HASH:
        case DT_GNU_HASH:
        case DT_STRTAB:
        case DT_SYMTAB:
        case DT_STRSZ:
        case DT_SYMENT:
        case DT_RELA:
        case DT_RELASZ:
        case DT_RELAENT:
        case DT_RELACOUNT:
        case DT_PLTGOT:
        case DT_PLTRELSZ:
        case DT_PLTREL:
        case DT_JMPREL:
        case DT_BIND_NOW:
        case DT_FLAGS:
        case DT_FLAGS_1: return true;
        default: return false;
    }
}

std::string hex(uint64_t value) {
    char text[24];
    std::snprintf(text, sizeof text, "0x%llx", static_cast<unsigned long long>(value));
    return text;
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
    ImageChecker(const std::string& name, std::span<const uint8_t> image, size_t signed_size, bool any_machine)
        : name_(name), image_(image), signed_size_(signed_size), any_machine_(any_machine) {}

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
        rules_ = rules_for(header.e_machine);
        if (!rules_ || (!any_machine_ && header.e_machine != kHostMachine)) {
            const MachineRules* host = rules_for(kHostMachine);
            throw fail("built for " +
                       (rules_ ? std::string(rules_->name) + " (ELF machine " : std::string("ELF machine ")) +
                       std::to_string(header.e_machine) + (rules_ ? ")" : "") + ", not this one (" + host->name +
                       (rules_ ? "): build it with --target for this machine" : ")"));
        }
        image_info_.machine = header.e_machine;
        check_segments(elf.get());
        check_dynamic();
        check_sections(elf.get());
        for (const Segment& segment : segments_)
            image_info_.segments.push_back(
                {segment.vaddr, segment.memsz, segment.executable, segment.writable, segment.offset, segment.filesz});
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
        std::vector<std::pair<size_t, GElf_Phdr>> in_memory;  // read by the dynamic linker at their address
        bool stack = false;
        for (size_t i = 0; i < count; ++i) {
            GElf_Phdr ph;
            if (gelf_getphdr(elf, static_cast<int>(i), &ph) == nullptr)
                throw fail("program header " + std::to_string(i) + " is unreadable");
            const std::string where = "segment " + std::to_string(i) + ": ";
            if (ph.p_filesz != 0 && (ph.p_offset > signed_size_ || ph.p_filesz > signed_size_ - ph.p_offset))
                throw fail(where + "reaches beyond the " + std::to_string(signed_size_) +
                           " module bytes (the bytes a signature covers)");
            switch (ph.p_type) {
                case PT_NULL:
                case PT_PHDR: break;
                case PT_GNU_STACK:
                    if ((ph.p_flags & PF_X) != 0) throw fail(where + "asks for an executable stack");
                    stack = true;
                    break;
                case PT_LOAD:
                    if ((ph.p_flags & PF_W) != 0 && (ph.p_flags & PF_X) != 0)
                        throw fail(where + "is writable and executable");
                    // (Within a user address space: the arithmetic below cannot overflow.)
                    if (ph.p_memsz < ph.p_filesz || ph.p_vaddr >= (uint64_t{1} << 47) ||
                        ph.p_memsz >= (uint64_t{1} << 47))
                        throw fail(where + "has an impossible size");
                    segments_.push_back({ph.p_vaddr, ph.p_offset, ph.p_filesz, ph.p_memsz, (ph.p_flags & PF_X) != 0,
                                         (ph.p_flags & PF_W) != 0});
                    break;
                case PT_DYNAMIC:
                    if (dynamic_) throw fail(where + "a second dynamic segment");
                    dynamic_ = ph;
                    break;
                case PT_NOTE:
                case PT_GNU_PROPERTY:
                case PT_GNU_EH_FRAME:
                case PT_GNU_RELRO: in_memory.emplace_back(i, ph); break;
                default:
                    // PT_INTERP, PT_TLS (thread-local storage the dynamic
                    // linker would set up), PT_SHLIB, anything newer.
                    throw fail(where + "type " + hex(ph.p_type) +
                               " is not one a native module has (PT_LOAD, PT_DYNAMIC, PT_NOTE, PT_GNU_*)");
            }
        }
        if (!dynamic_) throw fail("no dynamic segment");
        // Without PT_GNU_STACK the dynamic linker takes the stack to need
        // execute permission and makes every thread's stack executable.
        if (!stack) throw fail("no PT_GNU_STACK segment (the dynamic linker would make the stacks executable)");
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
        // Notes and properties are parsed, and RELRO is made read-only (a
        // page-wide mprotect), at the load address plus p_vaddr: all of it
        // must be the module's own memory, RELRO its own writable memory.
        for (const auto& [i, ph] : in_memory) {
            const bool relro = ph.p_type == PT_GNU_RELRO;
            if (relro) {
                image_info_.relro_vaddr = ph.p_vaddr;
                image_info_.relro_memsz = ph.p_memsz;
            }
            if (!in_segment(ph.p_vaddr, ph.p_memsz, relro))
                throw fail("segment " + std::to_string(i) + ": " + (relro ? "GNU_RELRO" : "type " + hex(ph.p_type)) +
                           " at " + hex(ph.p_vaddr) + " (" + std::to_string(ph.p_memsz) + " bytes) is not inside " +
                           (relro ? "a writable" : "a") + " loaded segment of the module");
        }
    }

    // True when [vaddr, vaddr + size) is memory of one loaded segment (file
    // bytes or zero fill), writable when `writable`.
    bool in_segment(uint64_t vaddr, uint64_t size, bool writable) const {
        for (const Segment& segment : segments_) {
            if (vaddr < segment.vaddr || (writable && !segment.writable)) continue;
            const uint64_t delta = vaddr - segment.vaddr;
            if (delta <= segment.memsz && size <= segment.memsz - delta) return true;
        }
        return false;
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

    // `count` elements of `size` bytes at `vaddr` in the file bytes of a loaded segment, or refused.
    uint64_t table_offset(uint64_t vaddr, uint64_t count, uint64_t size, const std::string& what) const {
        if (count > (uint64_t{1} << 40) / size) throw fail(what + " is implausibly large");
        auto offset = offset_of(vaddr, count * size);
        if (!offset) throw fail(what + " at " + hex(vaddr) + " is not inside the module's loaded file bytes");
        return *offset;
    }

    void check_dynamic() {
        uint64_t rela = 0, rela_size = 0, jmprel = 0, jmprel_size = 0;
        int64_t pltrel = DT_RELA;
        std::optional<uint64_t> hash, gnu_hash, pltgot;
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
            if (!allowed_tag(dyn.d_tag))
                throw fail("dynamic entry " + std::to_string(i) + ": tag " + hex(static_cast<uint64_t>(dyn.d_tag)) +
                           " is not one a native module needs (DT_SONAME, DT_VERNEED, DT_RELR, ... are refused: "
                           "build modules with ebpf build)");
            seen_.insert(dyn.d_tag);
            switch (dyn.d_tag) {
                case DT_FLAGS:
                    if ((dyn.d_un.d_val & DF_TEXTREL) != 0) throw fail("the module has relocations in code (DF_TEXTREL)");
                    if ((dyn.d_un.d_val & ~uint64_t{DF_BIND_NOW}) != 0)
                        throw fail("DT_FLAGS " + hex(dyn.d_un.d_val) + ": only DF_BIND_NOW is allowed");
                    break;
                case DT_FLAGS_1:
                    // (DF_1_NODELETE only keeps the module mapped after dlclose.)
                    if ((dyn.d_un.d_val & ~uint64_t{DF_1_NOW | DF_1_NODELETE}) != 0)
                        throw fail("DT_FLAGS_1 " + hex(dyn.d_un.d_val) + ": only DF_1_NOW and DF_1_NODELETE are allowed");
                    break;
                case DT_SYMTAB: symtab_ = dyn.d_un.d_ptr; break;
                case DT_STRTAB: strtab_ = dyn.d_un.d_ptr; break;
                case DT_STRSZ: strtab_size_ = dyn.d_un.d_val; break;
                case DT_SYMENT:
                    if (dyn.d_un.d_val != sizeof(Elf64_Sym)) throw fail("DT_SYMENT is not " + std::to_string(sizeof(Elf64_Sym)));
                    break;
                case DT_RELAENT:
                    if (dyn.d_un.d_val != sizeof(Elf64_Rela)) throw fail("DT_RELAENT is not " + std::to_string(sizeof(Elf64_Rela)));
                    break;
                case DT_HASH: hash = dyn.d_un.d_ptr; break;
                case DT_GNU_HASH: gnu_hash = dyn.d_un.d_ptr; break;
                case DT_PLTGOT: pltgot = dyn.d_un.d_ptr; break;
                case DT_RELA: rela = dyn.d_un.d_ptr; break;
                case DT_RELASZ: rela_size = dyn.d_un.d_val; break;
                case DT_JMPREL: jmprel = dyn.d_un.d_ptr; break;
                case DT_PLTRELSZ: jmprel_size = dyn.d_un.d_val; break;
                case DT_PLTREL: pltrel = static_cast<int64_t>(dyn.d_un.d_val); break;
                default: break;
            }
        }
        if (!terminated) throw fail("the dynamic section has no DT_NULL within its segment");
        // The dynamic linker asserts some of this (an abort of the host),
        // dereferences entries it assumes present (a crash), and processes a
        // table while `entry < start + size`: a size that is not a multiple
        // of the entry size would let it read one whole entry more than
        // checked here.
        if (seen_.count(DT_PLTREL) != 0 && pltrel != DT_RELA) throw fail("DT_PLTREL is not DT_RELA");
        if (seen_.count(DT_RELA) != 0 && (seen_.count(DT_RELASZ) == 0 || seen_.count(DT_RELAENT) == 0))
            throw fail("DT_RELA without DT_RELASZ and DT_RELAENT");
        const size_t plt_tags = seen_.count(DT_JMPREL) + seen_.count(DT_PLTRELSZ) + seen_.count(DT_PLTREL);
        if (plt_tags != 0 && plt_tags != 3) throw fail("DT_JMPREL, DT_PLTRELSZ and DT_PLTREL come together or not at all");
        if (rela_size % sizeof(Elf64_Rela) != 0 || jmprel_size % sizeof(Elf64_Rela) != 0)
            throw fail("a relocation table's size is not a multiple of " + std::to_string(sizeof(Elf64_Rela)) + " bytes");
        if (symtab_ == 0 || strtab_ == 0) throw fail("no DT_SYMTAB or DT_STRTAB");
        // The tables the dynamic linker reads while loading, before any
        // symbol is looked up: inside the module, so that it reads no
        // memory that is not (a bad pointer would crash the host).
        if (strtab_size_ != 0 || strtab_ != 0) table_offset(strtab_, strtab_size_, 1, "DT_STRTAB");
        if (hash) {
            const uint64_t at = table_offset(*hash, 2, 4, "DT_HASH");
            const uint64_t buckets = read_at<uint32_t>(at, "DT_HASH"), chains = read_at<uint32_t>(at + 4, "DT_HASH");
            table_offset(*hash, 2 + buckets + chains, 4, "DT_HASH");
        }
        if (gnu_hash) {
            const uint64_t at = table_offset(*gnu_hash, 4, 4, "DT_GNU_HASH");
            const uint64_t buckets = read_at<uint32_t>(at, "DT_GNU_HASH");
            const uint64_t bloom_words = read_at<uint32_t>(at + 8, "DT_GNU_HASH");
            table_offset(*gnu_hash, 4 + 2 * bloom_words + buckets, 4, "DT_GNU_HASH");
        }
        // Written by the dynamic linker when it binds lazily (GOT[1], GOT[2]).
        if (pltgot && !in_segment(*pltgot, 3 * sizeof(uint64_t), true))
            throw fail("DT_PLTGOT at " + hex(*pltgot) + " is not in the module's writable memory");
        check_relocations(rela, rela_size, "DT_RELA");
        check_relocations(jmprel, jmprel_size, "DT_JMPREL");
    }

    // An IFUNC resolver runs while relocations are processed: refused. Each
    // relocation must be of an allowed kind and write into the module's own
    // writable memory.
    void check_relocations(uint64_t vaddr, uint64_t size, const std::string& table) {
        if (size == 0) return;
        auto offset = offset_of(vaddr, size);
        if (!offset) throw fail(table + ": relocations outside the loaded segments");
        for (uint64_t at = 0; at + sizeof(Elf64_Rela) <= size; at += sizeof(Elf64_Rela)) {
            auto rel = read_at<Elf64_Rela>(*offset + at, table + " entry");
            const uint32_t type = static_cast<uint32_t>(ELF64_R_TYPE(rel.r_info));
            const std::string where = table + " entry " + std::to_string(at / sizeof(Elf64_Rela)) + ": ";
            if (type == rules_->irelative)
                throw fail(where + "an IRELATIVE relocation (an IFUNC resolver would run while loading)");
            const uint64_t symbol = ELF64_R_SYM(rel.r_info);
            if (symbol != 0) check_relocation_symbol(symbol, where);
            const bool symbolic =
                std::find(std::begin(rules_->symbolic), std::end(rules_->symbolic), type) != std::end(rules_->symbolic);
            if (type != rules_->relative && !symbolic)
                throw fail(where + "relocation type " + std::to_string(type) +
                           " is not one a native module needs (RELATIVE, and GLOB_DAT/JUMP_SLOT/64 against "
                           "memcpy, memmove, memset, memcmp)");
            if (symbolic != (symbol != 0))
                throw fail(where + (symbolic ? "a symbolic relocation without a symbol" : "a RELATIVE relocation with a symbol"));
            if (!in_segment(rel.r_offset, sizeof(uint64_t), true))
                throw fail(where + "writes at " + hex(rel.r_offset) +
                           ", outside the module's writable memory (a relocation may not reach the host's memory "
                           "or the module's code)");
            // The dynamic linker keeps reading the dynamic table after
            // loading (symbol and string tables for dladdr, backtraces):
            // rewritten, it would point the host's lookups anywhere.
            if (rel.r_offset + sizeof(uint64_t) > dynamic_->p_vaddr &&
                rel.r_offset < dynamic_->p_vaddr + dynamic_->p_memsz)
                throw fail(where + "writes at " + hex(rel.r_offset) + ", into the dynamic table");
            if (type == rules_->relative)
                image_info_.relative_relocations.push_back({rel.r_offset, static_cast<uint64_t>(rel.r_addend)});
        }
    }

    void check_relocation_symbol(uint64_t symbol, const std::string& where) {
        if (symtab_ == 0) throw fail(where + "a relocation names a symbol but there is no DT_SYMTAB");
        if (symbol > (UINT64_MAX - symtab_) / sizeof(Elf64_Sym)) throw fail(where + "symbol index out of range");
        auto sym_offset = offset_of(symtab_ + symbol * sizeof(Elf64_Sym), sizeof(Elf64_Sym));
        if (!sym_offset) throw fail(where + "symbol " + std::to_string(symbol) + " is outside the loaded segments");
        auto sym = read_at<Elf64_Sym>(*sym_offset, "symbol");
        if (ELF64_ST_TYPE(sym.st_info) == STT_GNU_IFUNC)
            throw fail(where + "a relocation against an IFUNC symbol (its resolver would run while loading)");
        // The name, within DT_STRTAB's DT_STRSZ bytes.
        std::string symbol_name;
        if (strtab_ != 0 && sym.st_name < strtab_size_) {
            const uint64_t at = *offset_of(strtab_, strtab_size_) + sym.st_name;
            const uint64_t limit = *offset_of(strtab_, strtab_size_) + strtab_size_;
            for (uint64_t c = at; c < limit && image_[c] != 0 && symbol_name.size() < 64; ++c)
                symbol_name += image_[c] >= 0x20 && image_[c] < 0x7f ? static_cast<char>(image_[c]) : '?';
        }
        // A defined symbol may be looked up in the global scope first and
        // bind elsewhere, or be STB_GNU_UNIQUE and interpose on libraries
        // loaded later; modules reference none of their own symbols by name.
        const bool allowed = sym.st_shndx == SHN_UNDEF &&
                             (ELF64_ST_TYPE(sym.st_info) == STT_FUNC || ELF64_ST_TYPE(sym.st_info) == STT_NOTYPE) &&
                             (ELF64_ST_BIND(sym.st_info) == STB_GLOBAL || ELF64_ST_BIND(sym.st_info) == STB_WEAK) &&
                             std::find(std::begin(kCompilerRuntime), std::end(kCompilerRuntime), symbol_name) !=
                                 std::end(kCompilerRuntime);
        if (!allowed)
            throw fail(where + "a relocation against symbol '" + symbol_name +
                       "'; modules may bind only to memcpy, memmove, memset and memcmp");
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
    bool any_machine_;
    const MachineRules* rules_ = nullptr;  // the image's machine, once the header is read
    std::vector<Segment> segments_;
    std::optional<GElf_Phdr> dynamic_;
    uint64_t symtab_ = 0, strtab_ = 0, strtab_size_ = 0;
    std::set<int64_t> seen_;  // the dynamic tags present
    ModuleImage image_info_;
};

}  // namespace

ModuleImage check_module_image(const std::string& name, std::span<const uint8_t> image, size_t signed_size,
                               bool any_machine) {
    return ImageChecker(name, image, signed_size, any_machine).check();
}

}  // namespace ebpf::native_image
