// The calls of include/bpf/bpf.h on fds, and bpf_map__*_elem (which libbpf
// routes through the map's fd too): map elements through the runtime's
// errno-style host API, and test runs through the C API's
// ebpf_program_test_run, which builds every context from plain bytes.
#include <linux/bpf.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <vector>

#include <sys/stat.h>

#include <bpf/bpf.h>

#include "diagnostics.hpp"
#include "ebpf/ebpf.h"
#include "ebpf/pinning.hpp"
#include "fd_table.hpp"
#include "hooks/opts.hpp"
#include "object_types.hpp"

namespace ebpf::libbpf_detail {
namespace {

std::optional<Handle> map_handle(int fd) {
    auto handle = find(fd);
    if (!handle || !handle->map) return std::nullopt;
    return handle;
}

// Prog arrays hold programs and maps of maps hold maps; the host names them
// by fd, as on Linux, and the runtime by id.
int translate_value(const Map& map, const void* value, uint32_t& id) {
    int fd = 0;
    std::memcpy(&fd, value, sizeof fd);
    auto handle = find(fd);
    if (map.type() == MapType::prog_array) {
        if (!handle || !handle->program) return fail(EBADF, "map '" + map.name() + "': value " + std::to_string(fd) +
                                                                 " is not a program fd");
        id = handle->program->id();
        return 0;
    }
    if (!handle || !handle->map)
        return fail(EBADF, "map '" + map.name() + "': value " + std::to_string(fd) + " is not a map fd");
    id = handle->map->id();
    return 0;
}

bool holds_fds(const Map& map) {
    return map.type() == MapType::prog_array || map.type() == MapType::array_of_maps ||
           map.type() == MapType::hash_of_maps;
}

int update(Map& map, const void* key, const void* value, uint64_t flags) {
    if ((!key && map.key_size() > 0) || !value) return fail(EFAULT);
    if (flags > BPF_EXIST) return fail(EINVAL);
    if (holds_fds(map)) {
        uint32_t id = 0;
        if (int error = translate_value(map, value, id)) return error;
        return result(map.host_update(key, &id, flags));
    }
    return result(map.host_update(key, value, flags));
}

int lookup(const Map& map, const void* key, void* value) {
    if ((!key && map.key_size() > 0) || !value) return fail(EFAULT);
    return result(map.host_lookup(key, value));
}

int remove(Map& map, const void* key) {
    if (!key && map.key_size() > 0) return fail(EFAULT);
    return result(map.host_delete(key));
}

int get_next(const Map& map, const void* key, void* next) {
    if (!next) return fail(EFAULT);
    return result(map.host_get_next_key(key, next));
}

// bpf_map__*_elem: the object's map, its sizes checked as libbpf does.
int checked(const bpf_map* map, size_t key_sz, const size_t* value_sz, Map*& live) {
    if (!map) return fail(EINVAL);
    if (!map->live || map->fd < 0) return fail(EINVAL, "map '" + map->definition.name + "': not created yet");
    if (!find(map->fd)) return fail(EBADF, "map '" + map->definition.name + "': its fd was closed");
    live = map->live.get();
    if (key_sz != live->key_size())
        return fail(EINVAL, "map '" + live->name() + "': key size is " + std::to_string(live->key_size()) +
                                " bytes, got " + std::to_string(key_sz));
    if (value_sz && *value_sz != live->host_value_size())
        return fail(EINVAL, "map '" + live->name() + "': value size is " + std::to_string(live->host_value_size()) +
                                " bytes, got " + std::to_string(*value_sz));
    return 0;
}

}  // namespace
}  // namespace ebpf::libbpf_detail

using namespace ebpf::libbpf_detail;

extern "C" {

int bpf_map_update_elem(int fd, const void* key, const void* value, __u64 flags) {
    return guarded([&] {
        auto handle = map_handle(fd);
        return handle ? update(*handle->map, key, value, flags) : fail(EBADF);
    });
}

int bpf_map_lookup_elem(int fd, const void* key, void* value) {
    return guarded([&] {
        auto handle = map_handle(fd);
        return handle ? lookup(*handle->map, key, value) : fail(EBADF);
    });
}

int bpf_map_delete_elem(int fd, const void* key) {
    return guarded([&] {
        auto handle = map_handle(fd);
        return handle ? remove(*handle->map, key) : fail(EBADF);
    });
}

int bpf_map_get_next_key(int fd, const void* key, void* next_key) {
    return guarded([&] {
        auto handle = map_handle(fd);
        return handle ? get_next(*handle->map, key, next_key) : fail(EBADF);
    });
}

int bpf_map__lookup_elem(const bpf_map* map, const void* key, size_t key_sz, void* value, size_t value_sz,
                         __u64 flags) {
    return guarded([&] {
        ebpf::Map* live = nullptr;
        if (int error = checked(map, key_sz, &value_sz, live)) return error;
        if (flags != 0) return fail(EINVAL, "bpf_map__lookup_elem: flags must be 0 (BPF_F_LOCK is not supported)");
        return lookup(*live, key, value);
    });
}

int bpf_map__update_elem(const bpf_map* map, const void* key, size_t key_sz, const void* value, size_t value_sz,
                         __u64 flags) {
    return guarded([&] {
        ebpf::Map* live = nullptr;
        if (int error = checked(map, key_sz, &value_sz, live)) return error;
        return update(*live, key, value, flags);
    });
}

int bpf_map__delete_elem(const bpf_map* map, const void* key, size_t key_sz, __u64 flags) {
    return guarded([&] {
        ebpf::Map* live = nullptr;
        if (int error = checked(map, key_sz, nullptr, live)) return error;
        if (flags != 0) return fail(EINVAL, "bpf_map__delete_elem: flags must be 0");
        return remove(*live, key);
    });
}

int bpf_map__get_next_key(const bpf_map* map, const void* cur_key, void* next, size_t key_sz) {
    return guarded([&] {
        ebpf::Map* live = nullptr;
        if (int error = checked(map, key_sz, nullptr, live)) return error;
        return get_next(*live, cur_key, next);
    });
}

// Pinning (docs/pinning.md): a shared map gets one more name; a map in
// process memory cannot be seen by another process, so it cannot be pinned
// after the fact (load it with pinning or share_maps instead).
int bpf_obj_pin(int fd, const char* pathname) {
    return guarded([&] {
        if (!pathname || !*pathname) return fail(EINVAL, "bpf_obj_pin: no path");
        auto handle = find(fd);
        if (!handle) return fail(EBADF);
        if (!handle->map)
            return fail(EOPNOTSUPP, "bpf_obj_pin: programs are not pinned in ebpf-native; a host publishes its "
                                    "programs under the pin root (docs/pinning.md)");
        if (ebpf::shared_map_path(*handle->map).empty())
            return fail(EOPNOTSUPP, "bpf_obj_pin: map '" + handle->map->name() +
                                        "' lives in process memory; declare it with LIBBPF_PIN_BY_NAME to share it");
        struct stat st {};
        if (lstat(pathname, &st) == 0) return fail(EEXIST, std::string("bpf_obj_pin: ") + pathname + " exists");
        ebpf::pin_map(*handle->map, pathname);
        return 0;
    });
}

int bpf_obj_get(const char* pathname) {
    return guarded([&] {
        if (!pathname || !*pathname) return fail(EINVAL, "bpf_obj_get: no path");
        struct stat st {};
        if (stat(pathname, &st) != 0) return fail(errno, std::string("bpf_obj_get: ") + pathname + ": " + std::strerror(errno));
        int fd = register_map(ebpf::open_pinned_map(pathname));
        return fd < 0 ? fail(-fd) : fd;
    });
}

int bpf_prog_test_run_opts(int prog_fd, struct bpf_test_run_opts* user_opts) {
    return guarded([&] {
        auto handle = find(prog_fd);
        if (!handle || !handle->program) return fail(EBADF);
        if (!user_opts) return fail(EINVAL, "bpf_prog_test_run_opts: NULL opts");
        bpf_test_run_opts opts{};
        if (int error = ebpf::c_api::read_opts(user_opts, &opts, "struct bpf_test_run_opts",
                                               [](int e, const std::string& m) { return fail(e, m); }))
            return error;
        if (opts.flags != 0 || opts.cpu != 0 || opts.batch_size != 0)
            return fail(EINVAL, "bpf_test_run_opts: flags, cpu and batch_size must be 0 (docs/libbpf.md)");
        if (opts.repeat < 0) return fail(EINVAL, "bpf_test_run_opts: negative repeat");
        ebpf_test_run_opts run{};
        run.sz = sizeof run;
        run.data_in = opts.data_in;
        run.data_size_in = opts.data_size_in;
        run.data_out = opts.data_out;
        run.data_size_out = opts.data_size_out;
        run.ctx_in = opts.ctx_in;
        run.ctx_size_in = opts.ctx_size_in;
        run.ctx_out = opts.ctx_out;
        run.ctx_size_out = opts.ctx_size_out;
        run.repeat = static_cast<uint32_t>(opts.repeat);
        const auto* program = reinterpret_cast<const ebpf_program*>(handle->program);
        int error = ebpf_program_test_run(program, &run);
        // -ENOSPC still reports the run, as Linux.
        if (error != 0 && error != -ENOSPC) return fail(-error, ebpf_last_error());
        opts.retval = static_cast<__u32>(run.retval);
        opts.duration = static_cast<__u32>(std::min<uint64_t>(run.duration_ns, UINT32_MAX));
        opts.data_size_out = static_cast<__u32>(run.data_size_out);
        opts.ctx_size_out = static_cast<__u32>(run.ctx_size_out);
        ebpf::c_api::write_opts(opts, user_opts);
        return error == 0 ? 0 : fail(ENOSPC, ebpf_last_error());
    });
}

}  // extern "C"
