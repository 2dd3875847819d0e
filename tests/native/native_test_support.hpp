// Shared by the native tests: building instructions by hand, and turning a
// TranslationUnit into a loaded module (generate C → cc → load from memory).
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "ebpf/exec.hpp"
#include "ebpf/isa.hpp"
#include "ebpf/native.hpp"

namespace native_test {

inline ebpf::Instruction insn(uint8_t opcode, uint8_t dst, uint8_t src, int16_t offset, int32_t imm) {
    return ebpf::make_instruction(opcode, dst, src, offset, imm);
}

// A fresh directory under the test's temp dir, removed by the destructor.
class TempDir {
public:
    TempDir();
    ~TempDir();
    const std::filesystem::path& path() const { return path_; }
    std::string file(const std::string& name) const { return (path_ / name).string(); }

private:
    std::filesystem::path path_;
};

// Compiles C text into a shared object's bytes (via compile_c_to_module).
std::vector<uint8_t> compile_module_bytes(const std::string& c_source, const TempDir& dir,
                                          const std::string& stem = "module");

// Loads a module with no maps allowed unless create_map is given.
std::shared_ptr<ebpf::NativeModule> load(const std::vector<uint8_t>& bytes, const ebpf::HelperTable& helpers,
                                         const std::string& name = "test module");

}  // namespace native_test
