// BTF (through libbpf's btf API) and .BTF.ext (parsed here: libbpf has no
// public API for it) of one object.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

struct btf;

namespace ebpf::object_detail {

class ElfImage;

struct BtfFuncRecord {
    uint32_t insn_off = 0;   // bytes from the start of the section
    uint32_t type_id = 0;    // BTF_KIND_FUNC
};
struct BtfLineRecord {
    uint32_t insn_off = 0;   // bytes from the start of the section
    uint32_t file_name_off = 0;
    uint32_t line_off = 0;
    uint32_t line_col = 0;   // line << 10 | column
};
struct BtfCoreRecord {
    uint32_t insn_off = 0;
    uint32_t type_id = 0;
    uint32_t access_str_off = 0;
    uint32_t kind = 0;       // enum bpf_core_relo_kind
};

// Per section name, as .BTF.ext groups its records.
struct BtfExt {
    std::map<std::string, std::vector<BtfFuncRecord>> func_info;
    std::map<std::string, std::vector<BtfLineRecord>> line_info;
    std::map<std::string, std::vector<BtfCoreRecord>> core_relos;
};

struct BtfDeleter {
    void operator()(struct btf* btf) const;
};
using BtfPtr = std::unique_ptr<struct btf, BtfDeleter>;

// libbpf's own warnings off (the library never prints); once per process.
void silence_libbpf();

// Parses .BTF; nullptr when the object has none. Throws "path: section '.BTF': ...".
BtfPtr load_btf(const ElfImage& elf);
// Parses .BTF.ext; empty when absent or when there is no BTF to resolve names.
BtfExt load_btf_ext(const ElfImage& elf, const struct btf* btf);

// A string of the BTF string table, or nullopt-like empty + false when out of range.
bool btf_string(const struct btf* btf, uint32_t offset, std::string& out);

// Name of a CO-RE relocation kind ("field_byte_offset", ...).
std::string core_relo_kind_name(uint32_t kind);

}  // namespace ebpf::object_detail
