// BTF and .BTF.ext. The .BTF.ext layout (Linux Documentation/bpf/btf.rst):
//   header { u16 magic 0xeB9F; u8 version; u8 flags; u32 hdr_len;
//            u32 func_info_off, func_info_len, line_info_off, line_info_len;
//            u32 core_relo_off, core_relo_len (when hdr_len allows) }
// each info block (offsets relative to the end of the header):
//   u32 rec_size; then { u32 sec_name_off; u32 num_info; rec_size × num_info }...
// Every count and offset is checked against the section before reading.
#include "btf_data.hpp"

#include <bpf/btf.h>
#include <dlfcn.h>

#include <cerrno>
#include <cstdarg>
#include <cstring>
#include <mutex>

#include "ebpf/error.hpp"
#include "elf_image.hpp"

namespace ebpf::object_detail {
namespace {

// libbpf prints warnings to stderr by default; the library never prints.
// Our libbpf-compatible API (src/libbpf) defines libbpf_set_print too, and a
// plain call here could bind to that one (it would replace the print function
// a libbpf-style host set), so the system libbpf's own symbol is looked up in
// that library by name and version. <bpf/libbpf.h> is not included here: our
// include directory has a header of that name.
using SystemPrintFn = int (*)(int level, const char* format, va_list args);
using SystemSetPrint = SystemPrintFn (*)(SystemPrintFn);
int silent_print(int, const char*, va_list) { return 0; }

}  // namespace

void silence_libbpf() {
    static std::once_flag once;
    std::call_once(once, [] {
        void* libbpf = dlopen("libbpf.so.1", RTLD_LAZY | RTLD_NOLOAD);
        if (libbpf == nullptr) return;  // not loaded as a shared library: nothing to silence through it
        if (auto set_print = reinterpret_cast<SystemSetPrint>(dlvsym(libbpf, "libbpf_set_print", "LIBBPF_0.0.1")))
            set_print(silent_print);
        dlclose(libbpf);
    });
}

namespace {

uint32_t read_u32(std::span<const uint8_t> bytes, size_t offset) {
    uint32_t value;
    std::memcpy(&value, bytes.data() + offset, sizeof value);
    return value;
}

// Walks one info block, calling `record(section_name, bytes_of_record)`.
template <typename OnRecord>
void walk_info_block(std::span<const uint8_t> block, size_t min_rec_size, const struct btf* btf,
                     const std::string& where, const char* what, OnRecord on_record) {
    if (block.empty()) return;
    if (block.size() < 4) throw Error(where + ": " + what + ": truncated record size");
    uint32_t rec_size = read_u32(block, 0);
    if (rec_size < min_rec_size || rec_size % 4 != 0 || rec_size > 1024) {
        throw Error(where + ": " + what + ": invalid record size " + std::to_string(rec_size));
    }
    size_t pos = 4;
    while (pos < block.size()) {
        if (block.size() - pos < 8) throw Error(where + ": " + what + ": truncated section header");
        uint32_t name_off = read_u32(block, pos);
        uint32_t count = read_u32(block, pos + 4);
        pos += 8;
        std::string section;
        if (!btf_string(btf, name_off, section)) {
            throw Error(where + ": " + what + ": section name offset " + std::to_string(name_off) +
                        " is outside the BTF string table");
        }
        if (count == 0) throw Error(where + ": " + what + ": section '" + section + "' has no records");
        if (count > (block.size() - pos) / rec_size) {
            throw Error(where + ": " + what + ": section '" + section + "' claims " +
                        std::to_string(count) + " records, more than the block holds");
        }
        for (uint32_t k = 0; k < count; ++k) {
            on_record(section, block.subspan(pos, rec_size));
            pos += rec_size;
        }
    }
}

}  // namespace

void BtfDeleter::operator()(struct btf* btf) const { btf__free(btf); }

bool btf_string(const struct btf* btf, uint32_t offset, std::string& out) {
    const char* s = btf ? btf__str_by_offset(btf, offset) : nullptr;
    if (!s) return false;
    out = s;
    return true;
}

BtfPtr load_btf(const ElfImage& elf) {
    const ElfSection* section = elf.find_section(".BTF");
    if (!section) return nullptr;
    if (section->data.empty()) throw Error(elf.where(*section) + ": empty BTF");
    if (section->data.size() > UINT32_MAX) throw Error(elf.where(*section) + ": BTF too large");
    silence_libbpf();
    errno = 0;
    struct btf* btf = btf__new(section->data.data(), static_cast<uint32_t>(section->data.size()));
    int err = errno;
    if (!btf) {  // libbpf 1.x: NULL and errno on failure
        throw Error(elf.where(*section) + ": invalid BTF: " +
                    std::strerror(err ? err : EINVAL));
    }
    return BtfPtr(btf);
}

BtfExt load_btf_ext(const ElfImage& elf, const struct btf* btf) {
    BtfExt ext;
    const ElfSection* section = elf.find_section(".BTF.ext");
    if (!section || !btf) return ext;
    std::string where = elf.where(*section);
    std::span<const uint8_t> data = section->data;
    if (data.size() < 8) throw Error(where + ": truncated header");
    uint16_t magic;
    std::memcpy(&magic, data.data(), 2);
    if (magic != 0xeB9F) throw Error(where + ": bad magic (not .BTF.ext)");
    if (data[2] != 1) throw Error(where + ": unsupported version " + std::to_string(data[2]));
    uint32_t hdr_len = read_u32(data, 4);
    if (hdr_len < 24 || hdr_len > data.size() || hdr_len % 4 != 0) {
        throw Error(where + ": invalid header length " + std::to_string(hdr_len));
    }
    std::span<const uint8_t> body = data.subspan(hdr_len);
    auto block = [&](size_t field, const char* what) -> std::span<const uint8_t> {
        if (field + 8 > hdr_len) return {};
        uint32_t off = read_u32(data, field), len = read_u32(data, field + 4);
        if (off > body.size() || len > body.size() - off) {
            throw Error(where + ": " + what + " (offset " + std::to_string(off) + ", length " +
                        std::to_string(len) + ") lies outside the section");
        }
        return body.subspan(off, len);
    };

    walk_info_block(block(8, "func_info"), 8, btf, where, "func_info",
                    [&](const std::string& sec, std::span<const uint8_t> rec) {
                        ext.func_info[sec].push_back({read_u32(rec, 0), read_u32(rec, 4)});
                    });
    walk_info_block(block(16, "line_info"), 16, btf, where, "line_info",
                    [&](const std::string& sec, std::span<const uint8_t> rec) {
                        ext.line_info[sec].push_back(
                            {read_u32(rec, 0), read_u32(rec, 4), read_u32(rec, 8), read_u32(rec, 12)});
                    });
    walk_info_block(block(24, "core_relo"), 16, btf, where, "core_relo",
                    [&](const std::string& sec, std::span<const uint8_t> rec) {
                        ext.core_relos[sec].push_back(
                            {read_u32(rec, 0), read_u32(rec, 4), read_u32(rec, 8), read_u32(rec, 12)});
                    });
    return ext;
}

std::string core_relo_kind_name(uint32_t kind) {
    static const char* const kNames[] = {
        "field_byte_offset", "field_byte_size", "field_exists",  "field_signed",
        "field_lshift_u64",  "field_rshift_u64", "type_id_local", "type_id_target",
        "type_exists",       "type_size",        "enumval_exists", "enumval_value",
        "type_matches",
    };
    if (kind < std::size(kNames)) return kNames[kind];
    return "kind " + std::to_string(kind);
}

}  // namespace ebpf::object_detail
