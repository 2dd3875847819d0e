#include "cgroups.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace realworld {
namespace {

struct Place {
    std::string mount;  // the cgroup2 mount point
    std::string own;    // the directory of the process's cgroup
};

// The cgroup2 mount (its root must show the process's cgroup) and the
// process's cgroup directory; empty mount when there is none.
Place locate() {
    std::ifstream mountinfo("/proc/self/mountinfo");
    std::string line, root, point;
    while (std::getline(mountinfo, line)) {
        const size_t dash = line.find(" - ");
        if (dash == std::string::npos || line.compare(dash + 3, 8, "cgroup2 ") != 0) continue;
        std::istringstream head(line.substr(0, dash));
        std::string id, parent, device;
        head >> id >> parent >> device >> root >> point;
        break;
    }
    if (point.empty()) return {};
    std::ifstream cgroup("/proc/self/cgroup");
    std::string path;
    while (std::getline(cgroup, line))
        if (line.rfind("0::", 0) == 0) path = line.substr(3);
    if (path.empty() || path.rfind(root == "/" ? "" : root, 0) != 0) return {};
    if (root != "/") path = path.substr(root.size());
    if (path == "/") path.clear();
    return {point, point + path};
}

void write_pid(const std::string& dir) {
    std::ofstream procs(dir + "/cgroup.procs");
    procs << ::getpid() << '\n';
    procs.flush();
    if (!procs) throw std::runtime_error("cannot move the process into " + dir + ": " + std::strerror(errno));
}

}  // namespace

std::string CgroupScope::unusable_reason() {
    const Place place = locate();
    if (place.mount.empty()) return "no cgroup v2 hierarchy is mounted (or it does not show this process's cgroup)";
    const std::string probe = place.own + "/ebpf-rw-probe-" + std::to_string(::getpid());
    if (::mkdir(probe.c_str(), 0755) != 0)
        return "cannot create a cgroup under " + place.own + ": " + std::strerror(errno);
    ::rmdir(probe.c_str());
    if (::access((place.own + "/cgroup.procs").c_str(), W_OK) != 0)
        return "cannot move processes into " + place.own + ": " + std::strerror(errno);
    return "";
}

CgroupScope::CgroupScope() {
    const Place place = locate();
    mount_ = place.mount;
    start_ = place.own;
}

CgroupScope::~CgroupScope() {
    try {
        if (moved_) join(".");
    } catch (...) {
    }
    for (auto it = created_.rbegin(); it != created_.rend(); ++it) ::rmdir(it->c_str());
}

std::string CgroupScope::directory(const std::string& name) {
    if (mount_.empty()) throw std::runtime_error("no cgroup v2 hierarchy");
    if (name == "/") return mount_;
    if (name == "." || name.empty()) return start_;
    // Created under the starting cgroup, one level at a time.
    std::string dir = start_ + "/ebpf-rw-" + std::to_string(::getpid());
    std::string rest = name;
    for (bool first = true;; first = false) {
        const size_t slash = rest.find('/');
        const std::string part = rest.substr(0, slash);
        if (part.empty() || part == "." || part == "..") throw std::runtime_error("bad cgroup name \"" + name + "\"");
        dir += (first ? "-" : "/") + part;
        if (::mkdir(dir.c_str(), 0755) == 0) created_.push_back(dir);
        else if (errno != EEXIST) throw std::runtime_error("cannot create cgroup " + dir + ": " + std::strerror(errno));
        if (slash == std::string::npos) break;
        rest = rest.substr(slash + 1);
    }
    return dir;
}

int CgroupScope::open(const std::string& name) {
    const std::string dir = directory(name);
    const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) throw std::runtime_error("cannot open " + dir + ": " + std::strerror(errno));
    return fd;
}

void CgroupScope::join(const std::string& name) {
    const bool home = name.empty() || name == ".";
    write_pid(directory(home ? "." : name));
    moved_ = !home;
}

}  // namespace realworld
