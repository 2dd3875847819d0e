// <root>/ids: see pin_root.hpp.
#include "pin_root.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>

#include "ebpf/error.hpp"
#include "shared_file.hpp"

namespace ebpf::runtime_detail {
namespace {

constexpr size_t kIdsFileSize = 64;  // two u32 counters; the rest reserved

}  // namespace

uint32_t next_pin_id(const std::string& root, PinIdKind kind) {
    make_directories(root);
    const std::string path = root + "/ids";
    // Several processes may create it at once: O_CREAT without O_EXCL, and
    // growing a file to the size it already has changes nothing.
    int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) throw Error(path + ": cannot open: " + std::strerror(errno));
    struct stat st {};
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
        (st.st_size != 0 && st.st_size != static_cast<off_t>(kIdsFileSize))) {
        close(fd);
        throw Error(path + ": not an ids file of " + std::to_string(kIdsFileSize) + " bytes");
    }
    if (st.st_size == 0 && ftruncate(fd, kIdsFileSize) != 0) {
        int error = errno;
        close(fd);
        throw Error(path + ": cannot size: " + std::strerror(error));
    }
    close(fd);
    SharedMapping mapping = open_shared_file(path, kIdsFileSize, kIdsFileSize);
    auto* counter = mapping.at<std::atomic<uint32_t>>(kind == PinIdKind::map ? 0 : 4);
    uint32_t id = counter->fetch_add(1, std::memory_order_relaxed) + 1;
    if (id == 0) id = counter->fetch_add(1, std::memory_order_relaxed) + 1;  // wrapped: skip 0
    return id;
}

}  // namespace ebpf::runtime_detail
