// Raw bytecode given on the command line: only what can be raw bytecode is
// taken as such. A file that is not an ELF object is raw bytecode only when it
// is non-empty, a whole number of 8-byte instructions and has zero bytes
// (every program ends in `exit`, 95 00 00 00 00 00 00 00); otherwise it is an
// error naming the file and what it looks like, never a silent guess.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ebpf/isa.hpp"

namespace ebpf::tools {

bool is_elf_file(const std::vector<uint8_t>& bytes);

// The instructions of `bytes`, read from `path`; throws ebpf::Error "PATH: …"
// for an empty file, a length that is not a multiple of 8, or text.
std::vector<Instruction> raw_bytecode(const std::string& path, const std::vector<uint8_t>& bytes);

}  // namespace ebpf::tools
