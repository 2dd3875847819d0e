// A sealed memfd: the loader maps the module from here, so the bytes that run
// are exactly the bytes whose signature was checked, whatever happens to the
// file on disk afterwards.
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "ebpf/error.hpp"
#include "ebpf/signing.hpp"

namespace ebpf {

SealedMemfd& SealedMemfd::operator=(SealedMemfd&& other) noexcept {
    if (this != &other) {
        if (fd_ >= 0) ::close(fd_);
        fd_ = other.release();
    }
    return *this;
}

SealedMemfd::~SealedMemfd() {
    if (fd_ >= 0) ::close(fd_);
}

std::string SealedMemfd::path() const {
    if (fd_ < 0) throw Error("sealed memfd: no file descriptor (moved from or released)");
    return "/proc/self/fd/" + std::to_string(fd_);
}

SealedMemfd make_sealed_memfd(std::span<const uint8_t> bytes, const std::string& name) {
    auto fail = [&](const char* step) -> Error {
        return Error(std::string("sealed memfd '") + name + "': " + step + ": " + std::strerror(errno));
    };
    SealedMemfd memfd(::memfd_create(name.c_str(), MFD_CLOEXEC | MFD_ALLOW_SEALING));
    if (memfd.fd() < 0) throw fail("memfd_create failed");
    size_t done = 0;
    while (done < bytes.size()) {
        ssize_t n = ::write(memfd.fd(), bytes.data() + done, bytes.size() - done);
        if (n < 0) {
            if (errno == EINTR) continue;
            throw fail("write failed");
        }
        done += static_cast<size_t>(n);
    }
    // F_SEAL_WRITE needs no writable shared mapping to exist: none was made.
    if (::fcntl(memfd.fd(), F_ADD_SEALS, F_SEAL_WRITE | F_SEAL_GROW | F_SEAL_SHRINK | F_SEAL_SEAL) != 0)
        throw fail("sealing failed");
    if (::lseek(memfd.fd(), 0, SEEK_SET) != 0) throw fail("seek failed");
    return memfd;
}

}  // namespace ebpf
