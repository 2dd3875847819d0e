// The handle table of fd_table.hpp.
#include "fd_table.hpp"

#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <mutex>
#include <shared_mutex>
#include <unordered_map>

namespace ebpf::libbpf_detail {
namespace {

struct Entry {
    Handle handle;
    dev_t device = 0;
    ino_t inode = 0;
};

struct Table {
    std::shared_mutex mutex;  // map calls from many threads only read it
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
    std::unique_lock lock(table().mutex);
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
        std::unique_lock lock(table().mutex);
        auto it = table().entries.find(fd);
        if (it == table().entries.end()) return;
        entry = std::move(it->second);
        table().entries.erase(it);
    }
    if (same_file(fd, entry)) close(fd);
}

std::optional<Handle> find(int fd) {
    if (fd < 0) return std::nullopt;
    Entry entry;
    {
        std::shared_lock lock(table().mutex);
        auto it = table().entries.find(fd);
        if (it == table().entries.end()) return std::nullopt;
        entry = it->second;
    }
    if (same_file(fd, entry)) return entry.handle;
    // Closed by the host (or the number reused): the handle is gone.
    std::unique_lock lock(table().mutex);
    auto it = table().entries.find(fd);
    if (it != table().entries.end() && it->second.inode == entry.inode && it->second.device == entry.device)
        table().entries.erase(it);
    return std::nullopt;
}

}  // namespace ebpf::libbpf_detail
