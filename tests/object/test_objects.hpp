// Helpers shared by the object loader tests: reading the built test programs
// and finding instructions in them.
#pragma once

#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "ebpf/object.hpp"

namespace ebpf::test {

inline std::string program_path(const std::string& name) {
    return std::string(EBPF_TEST_PROGRAMS_DIR) + "/" + name + ".o";
}

inline std::vector<uint8_t> read_bytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Every LDDW of `program` with the given pseudo source.
inline std::vector<size_t> lddw_with_src(const Program& program, uint8_t src) {
    std::vector<size_t> found;
    for (size_t i = 0; i + 1 < program.insns.size(); ++i) {
        if (program.insns[i].opcode == op::kLddw) {
            if (program.insns[i].src == src) found.push_back(i);
            ++i;
        }
    }
    return found;
}

}  // namespace ebpf::test
