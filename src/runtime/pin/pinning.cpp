// Pinned and shared maps: the public API of ebpf/pinning.hpp over the map
// files of shared_maps.cpp, and the pin root's directory layout.
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <map>

#include "ebpf/error.hpp"
#include "ebpf/pinning.hpp"
#include "pin_root.hpp"
#include "shared_maps.hpp"

namespace ebpf {
namespace runtime_detail {
namespace {

constexpr int kMaxScanDepth = 4;
constexpr size_t kMaxScanEntries = 100000;

// Creates the map at <root>/maps/<id>, then (when `pin_path` is given) links
// `pin_path` to it. nullptr when `pin_path` exists already.
std::shared_ptr<SharedMap> create_shared(const MapDefinition& definition, const std::string& pin_path,
                                         const std::string& root, const ResourceLimits& limits) {
    check_map_limits(std::span<const MapDefinition>(&definition, 1), limits, possible_cpus());
    make_directories(root + "/maps");
    const uint32_t id = next_pin_id(root, PinIdKind::map);
    const std::string by_id = root + "/maps/" + std::to_string(id);
    auto map = create_map_file(definition, by_id, id);
    map->remove_on_destruction(by_id);
    if (!pin_path.empty() && link(by_id.c_str(), pin_path.c_str()) != 0) {
        int error = errno;
        if (error == EEXIST) return nullptr;
        throw Error(pin_path + ": cannot pin map '" + definition.name + "': " + std::strerror(error));
    }
    register_map(map);
    return map;
}

std::string incompatibility(const MapDefinition& want, const SharedMap& have) {
    auto differs = [](const char* what, uint64_t here, uint64_t pinned) {
        return std::string(what) + " " + std::to_string(here) + " here, " + std::to_string(pinned) + " pinned";
    };
    if (want.type != have.type())
        return std::string("type ") + std::string(map_type_name(want.type)) + " here, " +
               std::string(map_type_name(have.type())) + " pinned";
    if (want.key_size != have.key_size()) return differs("key size", want.key_size, have.key_size());
    if (want.value_size != have.value_size()) return differs("value size", want.value_size, have.value_size());
    if (want.max_entries != have.max_entries()) return differs("max_entries", want.max_entries, have.max_entries());
    if (want.map_flags != have.flags()) return differs("map_flags", want.map_flags, have.flags());
    if (have.layout().per_cpu() && have.layout().cpus != possible_cpus())
        return differs("CPU count (EBPF_NUM_CPUS)", possible_cpus(), have.layout().cpus);
    return {};
}

void check_pin_name(const std::string& name) {
    if (name.empty() || name == "." || name == ".." || name.find('/') != std::string::npos || name == "maps" ||
        name == "progs" || name == "ids" || name.size() > 255)
        throw Error("map '" + name + "': cannot be pinned by name (the name must be a file name other than maps, progs, ids)");
}

bool is_number(const std::string& text) {
    return !text.empty() && text.size() <= 10 && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

struct Scan {
    std::map<std::pair<dev_t, ino_t>, std::vector<std::string>> names;
    size_t entries = 0;
};

void scan_directory(const std::string& directory, int depth, bool top, Scan& scan) {
    DIR* dir = opendir(directory.c_str());
    if (!dir) return;
    while (dirent* entry = readdir(dir)) {
        const std::string name = entry->d_name;
        if (name == "." || name == ".." || ++scan.entries > kMaxScanEntries) continue;
        if (top && (name == "ids" || name == "progs" || name == "maps")) continue;
        const std::string path = directory + "/" + name;
        struct stat st {};
        if (lstat(path.c_str(), &st) != 0) continue;
        if (S_ISDIR(st.st_mode) && depth < kMaxScanDepth) scan_directory(path, depth + 1, false, scan);
        else if (S_ISREG(st.st_mode)) scan.names[{st.st_dev, st.st_ino}].push_back(path);
    }
    closedir(dir);
}

}  // namespace
}  // namespace runtime_detail

using namespace runtime_detail;

std::string pin_root(const std::string& requested) {
    if (!requested.empty()) return requested;
    if (const char* env = std::getenv(kPinRootEnvironment); env && *env) return env;
    return kDefaultPinRoot;
}

bool map_type_can_pin(MapType type) { return map_type_shareable(type); }

std::shared_ptr<Map> create_pinned_map(const MapDefinition& definition, const std::string& path, const std::string& root,
                                       const ResourceLimits& limits) {
    auto map = create_shared(definition, path, root, limits);
    if (!map) throw Error(path + ": cannot pin map '" + definition.name + "': the file exists");
    return map;
}

std::shared_ptr<Map> create_shared_map(const MapDefinition& definition, const std::string& root,
                                       const ResourceLimits& limits) {
    return create_shared(definition, {}, root, limits);
}

std::shared_ptr<Map> open_pinned_map(const std::string& path) { return open_shared_map(path); }

std::shared_ptr<Map> reuse_or_create_pinned_map(const MapDefinition& definition, const std::string& root,
                                                const ResourceLimits& limits) {
    check_pin_name(definition.name);
    make_directories(root);
    const std::string path = root + "/" + definition.name;
    // Twice: a process that pins the same name between our check and our
    // link wins, and we reuse its map.
    for (int attempt = 0; attempt < 2; ++attempt) {
        if (access(path.c_str(), F_OK) == 0) {
            std::shared_ptr<SharedMap> existing;
            try {
                existing = open_shared_map(path);
            } catch (const Error& e) {
                throw Error("map '" + definition.name + "': cannot reuse the pinned map: " + e.what());
            }
            if (std::string why = incompatibility(definition, *existing); !why.empty())
                throw Error("map '" + definition.name + "': pinned map " + path + " is incompatible: " + why);
            return existing;
        }
        if (auto created = create_shared(definition, path, root, limits)) return created;
    }
    throw Error("map '" + definition.name + "': " + path + " keeps changing; cannot pin");
}

void pin_map(const Map& map, const std::string& path) {
    const auto* shared = dynamic_cast<const SharedMap*>(&map);
    if (!shared)
        throw Error("map '" + map.name() + "': an in-process map cannot be pinned (its memory is private): load it with "
                    "LoadOptions::share_maps (`--share-maps`) or __uint(pinning, LIBBPF_PIN_BY_NAME)");
    const std::string source = "/proc/self/fd/" + std::to_string(shared->fd());
    if (linkat(AT_FDCWD, source.c_str(), AT_FDCWD, path.c_str(), AT_SYMLINK_FOLLOW) != 0)
        throw Error(path + ": cannot pin map '" + map.name() + "': " + std::strerror(errno) +
                    (errno == EXDEV ? " (a pin must be on the pin root's file system)" : ""));
}

void unpin(const std::string& path) {
    struct stat st {};
    if (lstat(path.c_str(), &st) != 0) throw Error(path + ": cannot unpin: " + std::strerror(errno));
    if (!S_ISREG(st.st_mode)) throw Error(path + ": not a pinned map");
    read_map_file(path);  // refuse to delete what is not a pinned map
    if (unlink(path.c_str()) != 0) throw Error(path + ": cannot unpin: " + std::strerror(errno));
}

std::string shared_map_path(const Map& map) {
    const auto* shared = dynamic_cast<const SharedMap*>(&map);
    return shared ? shared->path() : std::string();
}

uint32_t shared_map_id(const Map& map) {
    const auto* shared = dynamic_cast<const SharedMap*>(&map);
    return shared ? shared->shared_id() : 0;
}

PinnedMapInfo inspect_pinned_map(const std::string& path) {
    MapFileSummary summary = read_map_file(path);
    PinnedMapInfo info;
    info.paths = {path};
    info.id = summary.id;
    info.definition = summary.definition;
    info.cpus = summary.layout.cpus;
    info.bytes = summary.layout.file_size;
    info.creator_pid = summary.creator.pid;
    info.creator_alive = process_alive(summary.creator);
    return info;
}

std::vector<PinnedMapInfo> list_pinned_maps(const std::string& root, std::vector<std::string>* problems) {
    Scan scan;
    // maps/<id> first, so that each map's first path is its id name.
    if (DIR* dir = opendir((root + "/maps").c_str())) {
        while (dirent* entry = readdir(dir)) {
            const std::string name = entry->d_name;
            if (!is_number(name) || ++scan.entries > kMaxScanEntries) continue;
            const std::string path = root + "/maps/" + name;
            struct stat st {};
            if (lstat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode)) scan.names[{st.st_dev, st.st_ino}].push_back(path);
        }
        closedir(dir);
    }
    scan_directory(root, 0, true, scan);
    std::vector<PinnedMapInfo> maps;
    for (auto& [inode, paths] : scan.names) {
        PinnedMapInfo info;
        try {
            info = inspect_pinned_map(paths.front());
        } catch (const Error& e) {
            if (problems) problems->push_back(e.what());
            continue;
        }
        info.paths = paths;
        const std::string by_id = root + "/maps/" + std::to_string(info.id);
        if (!info.creator_alive && paths.front() == by_id) {
            // Its creator is gone: the id name goes, as a kernel map without
            // users; pinned names keep the map.
            unlink(by_id.c_str());
            info.paths.erase(info.paths.begin());
            if (info.paths.empty()) continue;
        }
        maps.push_back(std::move(info));
    }
    std::sort(maps.begin(), maps.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
    return maps;
}

}  // namespace ebpf
