// The input format shared by the bytecode fuzz targets (verifier/ and
// interpreter/): byte 0 is the length N of the input memory (taken modulo
// kMaxMemory + 1), the next N bytes are that memory (r1 = it, r2 = N), the
// rest is the program (truncated to whole instructions and to kMaxInsns).
// make_seeds writes the tests/conformance programs in this format.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "ebpf/isa.hpp"

namespace ebpf::fuzz {

constexpr size_t kMaxMemory = 64;
// Longer programs only slow the fuzzer down without reaching new code.
constexpr size_t kMaxInsns = 512;

struct FuzzInput {
    std::vector<uint8_t> memory;
    std::vector<Instruction> insns;
};

inline FuzzInput split_fuzz_input(std::span<const uint8_t> data) {
    FuzzInput input;
    if (data.empty()) return input;
    const size_t mem_size = std::min<size_t>(data[0] % (kMaxMemory + 1), data.size() - 1);
    input.memory.assign(data.begin() + 1, data.begin() + 1 + static_cast<std::ptrdiff_t>(mem_size));
    std::span<const uint8_t> code = data.subspan(1 + mem_size);
    const size_t insn_count = std::min(code.size() / sizeof(Instruction), kMaxInsns);
    input.insns = instructions_from_bytes(code.first(insn_count * sizeof(Instruction)));
    return input;
}

// Sized once, then filled: GCC 12 at -O3 reports a false -Warray-bounds when a
// vector grown from one byte by insert() is inlined.
inline std::vector<uint8_t> join_fuzz_input(std::span<const uint8_t> memory, std::span<const Instruction> insns) {
    const std::vector<uint8_t> code = instructions_to_bytes(insns);
    std::vector<uint8_t> out(1 + memory.size() + code.size());
    out[0] = static_cast<uint8_t>(memory.size());
    const auto after_memory = std::copy(memory.begin(), memory.end(), out.begin() + 1);
    std::copy(code.begin(), code.end(), after_memory);
    return out;
}

}  // namespace ebpf::fuzz
