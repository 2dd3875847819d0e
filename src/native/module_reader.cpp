// read_module_metadata(): a module's programs, maps and helper imports read
// from its file without loading it. `ebpf show prog.so` must not run code of
// a file it only shows: no dlopen (constructors, IFUNC resolvers), and not
// the module's entry function either. Instead the image is checked as the
// loader checks it (check_module_image), its loaded segments are laid out in
// private, non-executable memory with the RELATIVE relocations applied, as
// the dynamic linker would, and the address of the metadata struct is read
// from the entry function's machine code, which bpf2c makes
// `return &ebpf_module;` (one PC-relative address computation and a return).
// The metadata is then checked by the loader's own check_module().
#include <elf.h>
#include <sys/mman.h>

#include <cstring>

#include "ebpf/error.hpp"
#include "ebpf/native.hpp"
#include "ebpf/native_module.h"
#include "ebpf/signing.hpp"
#include "module_image.hpp"
#include "module_metadata.hpp"

namespace ebpf {
namespace {

// The largest address space a module laid out here may span: more than
// any bpf2c module needs. The pages are reserved, not committed (only those
// the file fills are touched).
constexpr uint64_t kMaxImageSpan = uint64_t{1} << 30;
constexpr size_t kMaxModuleBytes = size_t{256} << 20;

class PrivateImage {
public:
    PrivateImage(const std::string& name, size_t size) : size_(size) {
        memory_ = ::mmap(nullptr, size_, PROT_READ | PROT_WRITE,
                         MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (memory_ == MAP_FAILED)
            throw Error(name + ": cannot reserve " + std::to_string(size_) + " bytes to lay out the module");
    }
    ~PrivateImage() { ::munmap(memory_, size_); }
    PrivateImage(const PrivateImage&) = delete;
    PrivateImage& operator=(const PrivateImage&) = delete;
    uint8_t* base() const { return static_cast<uint8_t*>(memory_); }

private:
    void* memory_;
    size_t size_;
};

size_t covered_size(std::span<const uint8_t> bytes) {
    if (!has_module_signature(bytes)) return bytes.size();
    try {
        return split_signed_module(bytes).module.size();
    } catch (const Error&) {
        return bytes.size();  // a broken trailer: shown as such by the signature report
    }
}

// Where the entry function's `return &ebpf_module;` points, as an offset in
// the image; nullopt when its code is not that shape (then the module was not
// built by bpf2c and ebpf build, and nothing is read from it). One decoder per
// machine a module can be built for, chosen by the image's e_machine, so a
// module built with `--target` for another machine can be read here too.
std::optional<uint64_t> x86_64_metadata_address(const uint8_t* code, size_t available, uint64_t entry) {
    size_t at = 0;
    if (available >= 4 && std::memcmp(code, "\xf3\x0f\x1e\xfa", 4) == 0) at = 4;  // endbr64
    // lea rax, [rip + disp32] ; ret
    if (available < at + 8 || code[at] != 0x48 || code[at + 1] != 0x8d || code[at + 2] != 0x05 ||
        code[at + 7] != 0xc3)
        return std::nullopt;
    int32_t displacement;
    std::memcpy(&displacement, code + at + 3, 4);
    return entry + at + 7 + static_cast<int64_t>(displacement);
}

std::optional<uint64_t> aarch64_metadata_address(const uint8_t* code, size_t available, uint64_t entry) {
    auto word = [&](size_t i) {
        uint32_t w;
        std::memcpy(&w, code + 4 * i, 4);
        return w;
    };
    size_t at = 0;
    if (available >= 4 && (word(0) == 0xd503245f || word(0) == 0xd503233f))
        at = 1;  // bti c / paciasp
    if (available < 4 * (at + 3)) return std::nullopt;
    const uint32_t adrp = word(at), add = word(at + 1), ret = word(at + 2);
    // adrp x0, page ; add x0, x0, #lo12 ; ret
    if ((adrp & 0x9f00001f) != 0x90000000 || (add & 0xffc003ff) != 0x91000000 || ret != 0xd65f03c0)
        return std::nullopt;
    const uint64_t immediate =
        ((adrp >> 5) & 0x7ffff) << 2 | ((adrp >> 29) & 3);              // 21 bits, in pages
    const int64_t pages = static_cast<int64_t>(immediate << 43) >> 31;  // sign-extended, * 4096
    const uint64_t pc = entry + 4 * at;
    return (pc & ~uint64_t{0xfff}) + static_cast<uint64_t>(pages) + ((add >> 10) & 0xfff);
}

std::optional<uint64_t> metadata_address(uint16_t machine, const uint8_t* code, size_t available, uint64_t entry) {
    switch (machine) {
    case EM_X86_64: return x86_64_metadata_address(code, available, entry);
    case EM_AARCH64: return aarch64_metadata_address(code, available, entry);
    default: return std::nullopt;
    }
}

// A NUL-terminated string of the module's memory, as check_module reads them.
std::string bounded_string(const native_metadata::ModuleMemory& memory, const char* text) {
    const size_t available = text != nullptr ? memory.bytes_from(text) : 0;
    if (available == 0) return {};
    return std::string(text, ::strnlen(text, std::min(available, native_metadata::kMaxNameLength)));
}

}  // namespace

NativeModuleMetadata read_module_metadata(std::span<const uint8_t> bytes,
                                          const HelperTable& helpers, const std::string& name) {
    if (bytes.size() > kMaxModuleBytes)
        throw Error(name + ": " + std::to_string(bytes.size()) +
                    " bytes is more than a module may have");
    const native_image::ModuleImage image =
        native_image::check_module_image(name, bytes, covered_size(bytes), /*any_machine=*/true);

    uint64_t span = 0;
    for (const auto& segment : image.segments) span = std::max(span, segment.vaddr + segment.memsz);
    if (span == 0 || span > kMaxImageSpan)
        throw Error(name + ": the loaded segments span " + std::to_string(span) +
                    " bytes; a module spans at most " + std::to_string(kMaxImageSpan));
    PrivateImage laid_out(name, static_cast<size_t>(span));
    uint8_t* base = laid_out.base();
    for (const auto& segment : image.segments)  // (check_module_image: file bytes inside `bytes`)
        std::memcpy(base + segment.vaddr, bytes.data() + segment.offset, segment.filesz);
    for (const auto& relocation : image.relative_relocations) {  // (inside writable segments)
        const uint64_t value = reinterpret_cast<uintptr_t>(base) + relocation.addend;
        std::memcpy(base + relocation.offset, &value, sizeof value);
    }

    const native_metadata::ModuleMemory memory =
        native_metadata::module_memory(image, reinterpret_cast<uintptr_t>(base));
    const uint8_t* entry = base + image.entry_value;
    auto address = metadata_address(image.machine, entry, memory.bytes_from(entry), image.entry_value);
    if (!address || *address >= span || *address % alignof(ebpf_native_module) != 0)
        throw Error(name + ": " EBPF_NATIVE_MODULE_ENTRY
                           "() is not the function bpf2c generates (return &module;): "
                           "its metadata cannot be read without running it");
    const auto* module = reinterpret_cast<const ebpf_native_module*>(base + *address);
    native_metadata::check_module(name, module, helpers, memory);

    NativeModuleMetadata metadata;
    metadata.source_name = bounded_string(memory, module->source_name);
    if (module->core_btf != nullptr) metadata.core_btf = bounded_string(memory, module->core_btf);
    metadata.programs = native_metadata::program_infos(module);
    metadata.maps = native_metadata::map_definitions(module);
    for (uint32_t i = 0; i < module->helper_count; ++i)
        metadata.helpers.push_back(module->helpers[i].id);
    return metadata;
}

}  // namespace ebpf
