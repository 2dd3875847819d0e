#include <cstring>

#include "ebpf/error.hpp"
#include "ebpf/isa.hpp"

namespace ebpf {

std::vector<Instruction> instructions_from_bytes(std::span<const uint8_t> bytes) {
    if (bytes.size() % sizeof(Instruction) != 0) {
        throw Error("bytecode length " + std::to_string(bytes.size()) +
                    " is not a multiple of 8 (instruction " +
                    std::to_string(bytes.size() / sizeof(Instruction)) + " is truncated)");
    }
    std::vector<Instruction> insns(bytes.size() / sizeof(Instruction));
    if (!bytes.empty()) std::memcpy(insns.data(), bytes.data(), bytes.size());
    return insns;
}

std::vector<uint8_t> instructions_to_bytes(std::span<const Instruction> insns) {
    std::vector<uint8_t> bytes(insns.size() * sizeof(Instruction));
    if (!insns.empty()) std::memcpy(bytes.data(), insns.data(), bytes.size());
    return bytes;
}

}  // namespace ebpf
