#include "jit_memory.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "ebpf/error.hpp"

namespace ebpf::jit {
namespace {

[[noreturn]] void refuse_exec(int error) {
    throw Error(std::string("the JIT cannot create executable memory: this process forbids it "
                            "(memory-deny-write-execute: PR_SET_MDWE or SELinux deny_execmem; ") +
                std::strerror(error) + "); use --mode native with a signed module");
}

}  // namespace

void ExecutableMemory::map(std::span<const uint8_t> code) {
    if (base_) throw Error("JIT: executable memory is mapped already");
    const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
    size_ = (code.size() + page - 1) / page * page;
    if (size_ == 0) size_ = page;
    // MAP_POPULATE: the pages are written at once, so they are allocated in
    // this one call instead of one page fault each.
    void* base = mmap(nullptr, size_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
    if (base == MAP_FAILED) {
        const int error = errno;
        throw Error(std::string("JIT: cannot map ") + std::to_string(size_) +
                    " bytes for machine code: " + std::strerror(error));
    }
    std::memcpy(base, code.data(), code.size());
    // AArch64's instruction cache does not see data writes by itself: clean
    // the data cache and invalidate the instruction cache over the code
    // (a no-op on x86-64, whose caches are coherent).
    __builtin___clear_cache(static_cast<char*>(base), static_cast<char*>(base) + code.size());
    if (mprotect(base, size_, PROT_READ | PROT_EXEC) != 0) {
        const int error = errno;
        munmap(base, size_);
        if (error == EACCES || error == EPERM) refuse_exec(error);
        throw Error(std::string("JIT: cannot make machine code executable: ") + std::strerror(error));
    }
    base_ = base;
}

ExecutableMemory::~ExecutableMemory() {
    if (base_) munmap(base_, size_);
}

}  // namespace ebpf::jit
