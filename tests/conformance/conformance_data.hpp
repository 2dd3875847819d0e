// A bpf_conformance test file (*.data): "-- asm" program text, optional
// "-- mem" input bytes, and either "-- result" (r0) or "-- error" (text the
// failure must contain). Lines starting with '#' are comments.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ebpf::conformance {

struct TestCase {
    std::string path;
    std::string assembly;
    std::vector<uint8_t> memory;
    std::optional<uint64_t> result;
    std::optional<std::string> error;
};

// Throws ebpf::Error "path:line: why" for a malformed file.
TestCase parse_test_case(const std::string& text, const std::string& path);
TestCase read_test_case(const std::string& path);

// "00 0a ff" (any whitespace, also none between bytes) → bytes.
std::vector<uint8_t> parse_hex_bytes(const std::string& text, const std::string& where);

}  // namespace ebpf::conformance
