// The cgroups of cgroup_array and bpf_skb_under_cgroup (maps/map_types.hpp).
// Linux keeps a cgroup pointer in the map and asks whether the socket's
// cgroup has it among its ancestors; here a cgroup is its cgroup v2
// directory's inode number (Linux's cgroup id), and the calling thread's
// cgroup is found from /proc/thread-self/cgroup (at each call: threads move
// between cgroups) under the cgroup2 mount of /proc/self/mountinfo (found
// once), then walked up to the mount's root.
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>

#include "maps/map_types.hpp"

namespace ebpf::runtime_detail {
namespace {

constexpr long kCgroup2SuperMagic = 0x63677270;  // CGROUP2_SUPER_MAGIC

// mountinfo escapes spaces and such as \ooo.
std::string unescape_mount_field(const std::string& field) {
    std::string out;
    for (size_t i = 0; i < field.size(); ++i) {
        if (field[i] == '\\' && i + 3 < field.size()) {
            const std::string octal = field.substr(i + 1, 3);
            if (octal.find_first_not_of("01234567") == std::string::npos) {
                out.push_back(static_cast<char>(std::stoi(octal, nullptr, 8)));
                i += 3;
                continue;
            }
        }
        out.push_back(field[i]);
    }
    return out;
}

struct Cgroup2Mount {
    std::string root;   // the cgroup path the mount shows (field 4)
    std::string point;  // where it is mounted (field 5)
};

// The first cgroup2 mount of this process's mount namespace.
std::optional<Cgroup2Mount> cgroup2_mount() {
    std::ifstream mountinfo("/proc/self/mountinfo");
    std::string line;
    while (std::getline(mountinfo, line)) {
        const size_t dash = line.find(" - ");
        if (dash == std::string::npos) continue;
        std::istringstream tail(line.substr(dash + 3));
        std::string fstype;
        tail >> fstype;
        if (fstype != "cgroup2") continue;
        std::istringstream head(line.substr(0, dash));
        std::string id, parent, device, root, point;
        if (!(head >> id >> parent >> device >> root >> point)) continue;
        return Cgroup2Mount{unescape_mount_field(root), unescape_mount_field(point)};
    }
    return std::nullopt;
}

// The calling thread's cgroup v2 path ("0::/a/b"), relative to its cgroup
// namespace's root.
std::optional<std::string> calling_cgroup_path() {
    // Read with plain system calls: this runs at every helper call.
    const int fd = ::open("/proc/thread-self/cgroup", O_RDONLY | O_CLOEXEC);
    if (fd < 0) return std::nullopt;
    std::string text;
    char buffer[4096];
    for (ssize_t n; (n = ::read(fd, buffer, sizeof buffer)) > 0;) text.append(buffer, static_cast<size_t>(n));
    ::close(fd);
    for (size_t start = 0; start < text.size();) {
        size_t end = text.find('\n', start);
        if (end == std::string::npos) end = text.size();
        if (text.compare(start, 3, "0::") == 0) return text.substr(start + 3, end - start - 3);
        start = end + 1;
    }
    return std::nullopt;
}

}  // namespace

std::optional<uint64_t> cgroup_id_of_fd(int fd) {
    struct statfs fs {};
    struct stat st {};
    if (fd < 0 || ::fstatfs(fd, &fs) != 0 || fs.f_type != kCgroup2SuperMagic) return std::nullopt;
    if (::fstat(fd, &st) != 0 || !S_ISDIR(st.st_mode)) return std::nullopt;
    return static_cast<uint64_t>(st.st_ino);
}

bool calling_cgroup_under(uint64_t id) {
    // Mounts hardly ever change under a running program: found once.
    static const std::optional<Cgroup2Mount> mount = cgroup2_mount();
    const std::optional<std::string> path = calling_cgroup_path();
    if (!mount || !path) return false;
    // The mount shows the hierarchy from mount->root down.
    std::string relative = *path;
    if (mount->root != "/") {
        if (relative.rfind(mount->root, 0) != 0 ||
            (relative.size() > mount->root.size() && relative[mount->root.size()] != '/'))
            return false;
        relative = relative.substr(mount->root.size());
    }
    while (!relative.empty() && relative.back() == '/') relative.pop_back();
    // The directory, then each parent up to the mount's root.
    for (;;) {
        struct stat st {};
        const std::string dir = mount->point + relative;
        if (::stat(dir.c_str(), &st) == 0 && static_cast<uint64_t>(st.st_ino) == id) return true;
        if (relative.empty()) return false;
        const size_t slash = relative.rfind('/');
        relative = slash == std::string::npos ? std::string() : relative.substr(0, slash);
    }
}

}  // namespace ebpf::runtime_detail
