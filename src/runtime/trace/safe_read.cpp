#include "safe_read.hpp"

#include <fcntl.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>

#include <algorithm>
#include <cstring>

namespace ebpf::runtime_detail {
namespace {

// Copies n readable bytes at `from` (n within one page) without faulting.
// process_vm_readv on ourselves, or, where it is missing (qemu-user has no
// process_vm_readv) or refused (seccomp profiles that keep it for
// CAP_SYS_PTRACE), through a pipe: write(2) fails with EFAULT instead of
// faulting, and a page fits in a pipe's buffer.
ssize_t read_own_memory(void* to, uint64_t from, size_t n) {
    iovec local{to, n};
    iovec remote{reinterpret_cast<void*>(static_cast<uintptr_t>(from)), n};
    ssize_t got = process_vm_readv(getpid(), &local, 1, &remote, 1, 0);
    if (got >= 0 || (errno != ENOSYS && errno != EPERM)) return got;
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) return -1;
    got = write(fds[1], reinterpret_cast<const void*>(static_cast<uintptr_t>(from)), n);
    if (got > 0) got = read(fds[0], to, static_cast<size_t>(got));
    close(fds[0]);
    close(fds[1]);
    return got;
}

}  // namespace

size_t safe_read_string(uint64_t address, char* out, size_t capacity) {
    if (capacity == 0) return 0;
    const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
    size_t length = 0;
    // Read page by page so that a string ending just before an unmapped page
    // is still read whole.
    while (length < capacity - 1) {
        uint64_t at = address + length;
        size_t chunk = std::min(capacity - 1 - length, page - static_cast<size_t>(at % page));
        ssize_t got = address ? read_own_memory(out + length, at, chunk) : -1;
        if (got <= 0) break;
        auto* nul = static_cast<char*>(std::memchr(out + length, '\0', static_cast<size_t>(got)));
        if (nul) return static_cast<size_t>(nul - out);
        length += static_cast<size_t>(got);
    }
    out[length] = '\0';
    return length == capacity - 1 ? capacity : length;
}

}  // namespace ebpf::runtime_detail
