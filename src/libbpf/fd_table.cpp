// The handle table of fd_table.hpp.
#include "fd_table.hpp"

#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <mutex>
#include <unordered_map>

namespace ebpf::libbpf_detail {
namespace {

struct Entry {
    Handle handle;
    dev_t device = 0;
    ino_t inode = 0;
};

struct Table {
    std::mutex mutex;
    std::unordered_map<int, Entry> entries;
};

Table& table() {
    static Table* instance = new Table;  // never destroyed: used from atexit-time closes too
    return *instance;
}

bool same_file(int fd, const Entry& entry) {
    struct stat st{};
    return fstat(fd, &st) == 0 && st.st_dev == entry.device && st.st_ino == entry.inode;
}

int add(Handle handle, const std::string& label) {
    // The name only labels the fd in /proc/PID/fd; memfd names are limited to 249 bytes.
    int fd = memfd_create(label.substr(0, 200).c_str(), MFD_CLOEXEC);
    if (fd < 0) return -errno;
    struct stat st{};
    if (fstat(fd, &st) != 0) {
        int error = errno;
        close(fd);
        return -error;
    }
    std::lock_guard lock(table().mutex);
    // A stale entry under this number (its memfd closed by the host) is replaced.
    table().entries[fd] = Entry{std::move(handle), st.st_dev, st.st_ino};
    return fd;
}

}  // namespace

int register_map(std::shared_ptr<Map> map) {
    std::string label = "ebpf-native-map:" + map->name();
    return add(Handle{.map = std::move(map)}, label);
}

int register_program(std::shared_ptr<LoadedObject> object, const LoadedProgram& program) {
    return add(Handle{.object = std::move(object), .program = &program}, "ebpf-native-prog:" + program.name());
}

void release(int fd) {
    Entry entry;
    {
        std::lock_guard lock(table().mutex);
        auto it = table().entries.find(fd);
        if (it == table().entries.end()) return;
        entry = std::move(it->second);
        table().entries.erase(it);
    }
    if (same_file(fd, entry)) close(fd);
}

std::optional<Handle> find(int fd) {
    if (fd < 0) return std::nullopt;
    std::lock_guard lock(table().mutex);
    auto it = table().entries.find(fd);
    if (it == table().entries.end()) return std::nullopt;
    if (!same_file(fd, it->second)) {
        table().entries.erase(it);  // closed by the host: the handle is gone
        return std::nullopt;
    }
    return it->second.handle;
}

}  // namespace ebpf::libbpf_detail
