#include "raw_input.hpp"

#include <algorithm>

#include "ebpf/error.hpp"

namespace ebpf::tools {

bool is_elf_file(const std::vector<uint8_t>& bytes) {
    return bytes.size() >= 4 && bytes[0] == 0x7f && bytes[1] == 'E' && bytes[2] == 'L' && bytes[3] == 'F';
}

std::vector<Instruction> raw_bytecode(const std::string& path, const std::vector<uint8_t>& bytes) {
    // "PATH: what is wrong: not an ELF object nor raw bytecode (hint)".
    const auto refuse = [&](const std::string& why, const std::string& hint) {
        return Error(path + ": " + why + ": not an ELF object nor raw bytecode" + hint);
    };
    if (bytes.empty()) throw refuse("the file is empty", "");
    if (bytes.size() % sizeof(Instruction) != 0)
        throw refuse("bytecode length " + std::to_string(bytes.size()) + " is not a multiple of 8",
                     " (assembler text needs --asm)");
    if (std::find(bytes.begin(), bytes.end(), uint8_t{0}) == bytes.end())
        throw refuse("no zero byte, so no exit instruction", " (text? assembler text needs --asm)");
    return instructions_from_bytes(bytes);
}

}  // namespace ebpf::tools
