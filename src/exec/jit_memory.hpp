// Executable memory for JIT code, W^X: the code is written while the pages
// are read-write, then the pages become read-execute; never both at once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace ebpf::jit {

class ExecutableMemory {
public:
    ExecutableMemory() = default;
    explicit ExecutableMemory(std::span<const uint8_t> code) { map(code); }
    // Maps fresh pages, copies `code` in and makes them read-execute (once per
    // object). Throws ebpf::Error when the process may not create executable
    // memory (MDWE, SELinux deny_execmem) or is out of memory.
    void map(std::span<const uint8_t> code);
    ~ExecutableMemory();
    ExecutableMemory(const ExecutableMemory&) = delete;
    ExecutableMemory& operator=(const ExecutableMemory&) = delete;

    uint64_t address() const { return reinterpret_cast<uint64_t>(base_); }
    size_t size() const { return size_; }

private:
    void* base_ = nullptr;
    size_t size_ = 0;
};

}  // namespace ebpf::jit
