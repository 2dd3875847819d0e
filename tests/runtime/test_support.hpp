// Shared by the runtime tests: paths of the test programs and byte helpers.
#pragma once

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "ebpf/runtime.hpp"

namespace runtime_test {

inline std::string program_path(const std::string& name) { return std::string(EBPF_TEST_PROGRAMS_DIR) + "/" + name + ".o"; }

template <typename T>
std::vector<uint8_t> bytes_of(const T& value) {
    std::vector<uint8_t> out(sizeof(T));
    std::memcpy(out.data(), &value, sizeof(T));
    return out;
}

template <typename T>
T value_of(const std::vector<uint8_t>& bytes) {
    T value{};
    std::memcpy(&value, bytes.data(), std::min(bytes.size(), sizeof(T)));
    return value;
}

std::unique_ptr<ebpf::LoadedObject> load(const std::string& name, ebpf::ExecMode mode = ebpf::ExecMode::interpret);

// Runs a hook program on a buffer holding `key` (u32).
int64_t run_with_key(const ebpf::LoadedProgram& program, uint32_t key);

ebpf::MapDefinition definition(ebpf::MapType type, uint32_t key_size, uint32_t value_size, uint32_t max_entries,
                               const std::string& name = "test_map");

}  // namespace runtime_test
