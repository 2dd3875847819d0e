#include "safe_read.hpp"

#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

namespace ebpf::runtime_detail {

size_t safe_read_string(uint64_t address, char* out, size_t capacity) {
    if (capacity == 0) return 0;
    const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
    size_t length = 0;
    // Read page by page so that a string ending just before an unmapped page
    // is still read whole.
    while (length < capacity - 1) {
        uint64_t at = address + length;
        size_t chunk = std::min(capacity - 1 - length, page - static_cast<size_t>(at % page));
        iovec local{out + length, chunk};
        iovec remote{reinterpret_cast<void*>(static_cast<uintptr_t>(at)), chunk};
        ssize_t got = address ? process_vm_readv(getpid(), &local, 1, &remote, 1, 0) : -1;
        if (got <= 0) break;
        auto* nul = static_cast<char*>(std::memchr(out + length, '\0', static_cast<size_t>(got)));
        if (nul) return static_cast<size_t>(nul - out);
        length += static_cast<size_t>(got);
    }
    out[length] = '\0';
    return length == capacity - 1 ? capacity : length;
}

}  // namespace ebpf::runtime_detail
