// read_input_file(): see include/ebpf/input_file.hpp.
#include "ebpf/input_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "ebpf/error.hpp"

namespace ebpf {
namespace {

const char* file_kind(mode_t mode) {
    if (S_ISDIR(mode)) return "a directory";
    if (S_ISFIFO(mode)) return "a FIFO";
    if (S_ISCHR(mode)) return "a character device";
    if (S_ISBLK(mode)) return "a block device";
    if (S_ISSOCK(mode)) return "a socket";
    return "not a regular file";
}

struct Fd {
    int fd;
    ~Fd() { ::close(fd); }
};

std::string too_large(const std::string& path, uint64_t size, uint64_t max_bytes, bool at_least) {
    return path + ": " + (at_least ? "more than " : "") + std::to_string(size) +
           " bytes, too large (the limit is " + std::to_string(max_bytes) + " bytes)";
}

}  // namespace

std::vector<uint8_t> read_input_file(const std::string& path, uint64_t max_bytes) {
    // O_NONBLOCK: opening a FIFO without a writer must not hang; it is refused below.
    int raw = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (raw < 0) throw Error(path + ": cannot open: " + std::strerror(errno));
    Fd fd{raw};
    struct stat st {};
    if (::fstat(fd.fd, &st) != 0) throw Error(path + ": cannot stat: " + std::strerror(errno));
    if (!S_ISREG(st.st_mode))
        throw Error(path + ": " + file_kind(st.st_mode) + ", not a regular file (inputs are read from regular files only)");
    const auto size = static_cast<uint64_t>(st.st_size);
    if (size > max_bytes) throw Error(too_large(path, size, max_bytes, false));

    std::vector<uint8_t> bytes(static_cast<size_t>(size));
    size_t done = 0;
    for (;;) {
        if (done == bytes.size()) {
            // The file may have grown since fstat: read on, but never past the bound.
            if (bytes.size() > max_bytes) throw Error(too_large(path, bytes.size(), max_bytes, true));
            bytes.resize(std::min<uint64_t>(bytes.size() + 65536, max_bytes + 1));
        }
        ssize_t n = ::read(fd.fd, bytes.data() + done, bytes.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw Error(path + ": read failed: " + std::strerror(errno));
        if (n == 0) break;
        done += static_cast<size_t>(n);
    }
    if (done > max_bytes) throw Error(too_large(path, max_bytes, max_bytes, true));
    bytes.resize(done);
    return bytes;
}

}  // namespace ebpf
