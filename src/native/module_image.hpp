// What a module's ELF image may ask of the dynamic linker, checked on the
// bytes of the sealed memfd before dlopen sees them (internal).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace ebpf::native_image {

struct ModuleImage {
    // st_value of the exported entry function (EBPF_NATIVE_MODULE_ENTRY): the
    // loader adds the load bias instead of asking dlsym, which would run an
    // IFUNC resolver.
    uint64_t entry_value = 0;
    // The loaded segments (PT_LOAD), at their virtual addresses: with the
    // load bias, the only memory the module's metadata may point into.
    struct Segment {
        uint64_t vaddr, memsz;
        bool executable, writable;
        uint64_t offset, filesz;  // the file bytes it maps (the rest is zero fill)
    };
    std::vector<Segment> segments;
    // PT_GNU_RELRO (size 0 when none): read-only once loaded, whole pages.
    uint64_t relro_vaddr = 0, relro_memsz = 0;
    // The RELATIVE relocations (each writes load bias + addend at r_offset,
    // inside a writable segment): what read_module_metadata() applies to lay
    // the metadata out as the dynamic linker would, without loading anything.
    struct Relative {
        uint64_t offset, addend;
    };
    std::vector<Relative> relative_relocations;
    uint16_t machine = 0;  // e_machine: EM_X86_64 or EM_AARCH64
};

// Throws ebpf::Error "NAME: why" unless `image` is a 64-bit little-endian
// shared object for this machine (`any_machine`: for x86-64 or AArch64, to
// read a module built for another host; never to load one) that runs no code of its own while it is
// loaded and unloaded, and whose every segment lies within its first
// `signed_size` bytes (the bytes a signature covers; the whole image when
// unsigned). Refused: DT_INIT, DT_INIT_ARRAY, DT_PREINIT_ARRAY, DT_FINI,
// DT_FINI_ARRAY and the sections behind them (.init, .init_array,
// .preinit_array, .ctors, .dtors, .fini, .fini_array); dependencies and search
// paths (DT_NEEDED, DT_RPATH, DT_RUNPATH, DT_AUDIT, DT_DEPAUDIT, DT_FILTER,
// DT_AUXILIARY); IFUNC resolvers (R_X86_64_IRELATIVE, STT_GNU_IFUNC);
// text relocations and an executable stack. And an allow list of what the
// dynamic linker may do to memory while loading: RELATIVE relocations (and
// GLOB_DAT/JUMP_SLOT/64 against memcpy, memmove, memset, memcmp) that write
// into the module's own writable segments; only the dynamic tags and
// program header types bpf2c modules have (no DT_SONAME, DT_VERNEED,
// DT_RELR, PT_TLS, PT_INTERP); PT_GNU_STACK present; RELRO, notes, string
// and hash tables inside the module. Malformed or truncated images are
// refused with an error, never read out of bounds.
ModuleImage check_module_image(const std::string& name, std::span<const uint8_t> image, size_t signed_size,
                               bool any_machine = false);

}  // namespace ebpf::native_image
