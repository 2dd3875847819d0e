// bpf_object__*, bpf_program__* and bpf_map__* (include/bpf/libbpf.h).
//
// How the execution mode is chosen (docs/libbpf.md): a path ending in .so is
// a native module, loaded (signature checked) at open; otherwise
// opts->ebpf_mode, else $EBPF_MODE, else native in code-integrity mode, else
// jit. Native mode on an ELF object loads the module built from it
// (opts->ebpf_native_module, else the path with .o replaced by .so) and
// checks that each program's bytecode hash recorded in the module matches the
// object's, so that a loader written for prog.o runs the signed prog.so
// unchanged. In code-integrity mode the runtime itself refuses everything but
// signed native modules, whatever is asked here.
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstdio>
#include <cstring>
#include <functional>

#include "diagnostics.hpp"
#include "ebpf/error.hpp"
#include "ebpf/policy.hpp"
#include "fd_table.hpp"
#include "hooks/opts.hpp"
#include "object_types.hpp"

namespace ebpf::libbpf_detail {
namespace {

constexpr const char* kModeEnvironment = "EBPF_MODE";

std::optional<ExecMode> mode_from_name(std::string_view name) {
    if (name == "interpret") return ExecMode::interpret;
    if (name == "jit") return ExecMode::jit;
    if (name == "native") return ExecMode::native;
    return std::nullopt;
}

std::string base_name(const std::string& path) {
    auto slash = path.find_last_of('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

// The module `ebpf build prog.o -o prog.so` (or ebpf_add_program) makes.
std::string sibling_module(const std::string& path) {
    if (path.ends_with(".o")) return path.substr(0, path.size() - 2) + ".so";
    return path + ".so";
}

void add_program(bpf_object& object, std::string name, std::string section, ProgramType type,
                 const LoadedProgram* live = nullptr) {
    auto program = std::make_unique<bpf_program>();
    program->owner = &object;
    program->name = std::move(name);
    program->section = std::move(section);
    program->type = type;
    program->live = live;
    object.programs.push_back(std::move(program));
}

void add_map(bpf_object& object, const MapDefinition& definition, std::shared_ptr<Map> live = nullptr) {
    auto map = std::make_unique<bpf_map>();
    map->owner = &object;
    map->definition = definition;
    map->live = std::move(live);
    object.maps.push_back(std::move(map));
}

// Reads the open options; fills `object`'s mode and native settings.
int apply_open_opts(bpf_object& object, const bpf_object_open_opts* user_opts) {
    bpf_object_open_opts opts{};
    if (user_opts) {
        if (int error = c_api::read_opts(user_opts, &opts, "struct bpf_object_open_opts",
                                         [](int e, const std::string& m) { return fail(e, m); }))
            return error;
    }
    if (opts.relaxed_maps || opts.kconfig)
        return fail(EOPNOTSUPP, "bpf_object_open_opts: relaxed_maps and kconfig "
                                "are not supported by ebpf-native (docs/libbpf.md)");
    // CO-RE relocations on kernel types resolve against this BTF (docs/object-loader.md).
    if (opts.btf_custom_path) object.btf_custom_path = opts.btf_custom_path;
    // LIBBPF_PIN_BY_NAME maps go under this root (docs/pinning.md), as
    // libbpf's under /sys/fs/bpf.
    if (opts.pin_root_path) object.pin_root = opts.pin_root_path;
    if (opts.kernel_log_buf && opts.kernel_log_size == 0)
        return fail(EINVAL, "bpf_object_open_opts: kernel_log_buf without kernel_log_size");
    if (opts.object_name) object.name = opts.object_name;
    object.log_buf = opts.kernel_log_buf;
    object.log_size = opts.kernel_log_size;
    object.require_signature = opts.ebpf_require_signature;
    const char* mode = opts.ebpf_mode ? opts.ebpf_mode : std::getenv(kModeEnvironment);
    if (object.path.ends_with(".so") && !(mode && *mode)) {
        object.mode = ExecMode::native;  // a native module asks for nothing else
    } else if (mode && *mode) {
        auto parsed = mode_from_name(mode);
        if (!parsed)
            return fail(EINVAL, std::string(opts.ebpf_mode ? "bpf_object_open_opts.ebpf_mode" : kModeEnvironment) +
                                    ": unknown mode '" + mode + "' (interpret, jit or native)");
        object.mode = *parsed;
    } else {
        object.mode = code_integrity_enabled() ? ExecMode::native : ExecMode::jit;
    }
    if (opts.ebpf_native_module) object.module_path = opts.ebpf_native_module;
    return 0;
}

LoadOptions native_load_options(const bpf_object& object, std::vector<std::string>* warnings) {
    LoadOptions options;
    options.mode = ExecMode::native;
    options.pin_root = object.pin_root;
    PolicyOptions policy;
    policy.code_integrity = object.require_signature;
    options.check_signature = module_policy_hook(policy, warnings);
    return options;
}

void report_warnings(const std::string& module, const std::vector<std::string>& warnings) {
    for (const auto& warning : warnings) print(LIBBPF_WARN, module + ": " + warning);
}

// A .so: loaded now, so its programs and maps can be listed before load.
void open_module(bpf_object& object) {
    std::vector<std::string> warnings;
    LoadOptions options = native_load_options(object, &warnings);
    object.loaded = std::shared_ptr<LoadedObject>(load_native_object(object.path, options));
    report_warnings(object.path, warnings);
    for (const auto& program : object.loaded->programs())
        add_program(object, program->name(), program->section(), program->type(), program.get());
    for (const auto& map : object.loaded->maps()) add_map(object, map->definition(), map);
}

void open_elf(bpf_object& object, Object elf) {
    for (const auto& program : elf.programs) add_program(object, program.name, program.section, program.type);
    for (const auto& map : elf.maps) {
        if (!map.inner_template) add_map(object, map);
    }
    object.elf = std::move(elf);
}

bpf_object* open_common(const std::string& path, const bpf_object_open_opts* opts,
                        const std::function<Object(const std::string& btf_path)>& parse_elf) {
    auto object = std::make_unique<bpf_object>();
    object->path = path;
    object->name = base_name(path);
    if (object->name.ends_with(".o")) object->name.resize(object->name.size() - 2);
    if (apply_open_opts(*object, opts) != 0) return nullptr;
    int error = guarded([&] {
        if (!parse_elf) {
            if (object->mode != ExecMode::native)
                return fail(EINVAL, path + ": a native module (.so) runs only in native mode, not " +
                                        std::string(exec_mode_name(object->mode)));
            open_module(*object);
        } else {
            open_elf(*object, parse_elf(object->btf_custom_path));
            if (object->mode == ExecMode::native && object->module_path.empty())
                object->module_path = sibling_module(path);
        }
        return 0;
    });
    if (error != 0) return nullptr;
    return object.release();
}

void write_log(const bpf_object& object, const std::string& message) {
    if (!object.log_buf || object.log_size == 0) return;
    size_t n = std::min(message.size(), object.log_size - 1);
    std::memcpy(object.log_buf, message.data(), n);
    object.log_buf[n] = '\0';
}

void release_fds(bpf_object& object) {
    for (auto& program : object.programs) {
        if (program->fd >= 0) release(program->fd);
        program->fd = -1;
    }
    for (auto& map : object.maps) {
        if (map->fd >= 0) release(map->fd);
        map->fd = -1;
    }
}

// Binds the opened programs and maps to the loaded ones, by name.
void bind(bpf_object& object) {
    // Programs the loader left out (a CO-RE relocation or extern they cannot
    // satisfy, a type the runtime cannot run) keep no fd; the loader's
    // warnings say why. libbpf would fail the whole load; we load the rest.
    for (const auto& warning : object.loaded->warnings()) print(LIBBPF_WARN, warning);
    for (auto& program : object.programs) {
        program->live = object.loaded->find_program(program->name);
        if (!program->live) continue;
        if (program->retyped && program->live->type() != program->type)
            throw Error("program '" + program->name + "': a native module's program type is fixed when it is built (" +
                        std::string(program_type_name(program->live->type())) + ")");
        program->type = program->live->type();
    }
    for (auto& map : object.maps) {
        auto it = std::find_if(object.loaded->maps().begin(), object.loaded->maps().end(),
                               [&](const auto& live) { return live->name() == map->definition.name; });
        if (it == object.loaded->maps().end()) throw Error("map '" + map->definition.name + "' was not created");
        map->live = *it;
    }
}

int load(bpf_object& object) {
    if (object.load_attempted) return fail(EINVAL, object.path + ": the object was loaded already");
    object.load_attempted = true;
    std::string failure;
    int error = guarded([&] {
        try {
            if (object.elf && object.mode != ExecMode::native) {
                Object elf = *object.elf;
                for (size_t i = 0; i < elf.programs.size(); ++i) elf.programs[i].type = object.programs[i]->type;
                LoadOptions options;
                options.mode = object.mode;
                options.pin_root = object.pin_root;
                object.loaded = std::shared_ptr<LoadedObject>(load_object(elf, options));
            } else if (object.elf) {
                if (object.path.empty() || object.module_path.empty())
                    return fail(EINVAL, object.name + ": native mode needs the module: set "
                                                      "bpf_object_open_opts.ebpf_native_module");
                std::vector<std::string> warnings;
                LoadOptions options = native_load_options(object, &warnings);
                // Only a file on disk can be compared: bpf_object__open_mem has none.
                if (object.path.ends_with(".o")) options.bytecode_object = object.path;
                object.loaded = std::shared_ptr<LoadedObject>(load_native_object(object.module_path, options));
                report_warnings(object.module_path, warnings);
            }
            bind(object);
        } catch (const Error& e) {
            failure = e.what();
            object.loaded.reset();
            throw;
        }
        for (auto& program : object.programs) {
            if (!program->live) continue;
            program->fd = register_program(object.loaded, *program->live);
            if (program->fd < 0) {
                int e = -program->fd;
                program->fd = -1;
                release_fds(object);
                return fail(e, "program '" + program->name + "': no fd: " + std::strerror(e));
            }
        }
        for (auto& map : object.maps) {
            map->fd = register_map(map->live);
            if (map->fd < 0) {
                int e = -map->fd;
                map->fd = -1;
                release_fds(object);
                return fail(e, "map '" + map->definition.name + "': no fd: " + std::strerror(e));
            }
        }
        print(LIBBPF_DEBUG, object.path + ": loaded (" + std::string(exec_mode_name(object.mode)) + ")");
        return 0;
    });
    if (!failure.empty()) write_log(object, failure);
    return error;
}

}  // namespace
}  // namespace ebpf::libbpf_detail

using namespace ebpf::libbpf_detail;

extern "C" {

bpf_object* bpf_object__open_file(const char* path, const bpf_object_open_opts* opts) {
    if (!path || !*path) return fail_null<bpf_object>(EINVAL, "bpf_object__open_file: no path");
    std::string file = path;
    if (access(path, R_OK) != 0) return fail_null<bpf_object>(errno, file + ": " + std::strerror(errno));
    if (file.ends_with(".so")) return open_common(file, opts, nullptr);
    return open_common(file, opts, [&](const std::string& btf) { return ebpf::open_object(file, {}, btf); });
}

bpf_object* bpf_object__open(const char* path) { return bpf_object__open_file(path, nullptr); }

bpf_object* bpf_object__open_mem(const void* obj_buf, size_t obj_buf_sz, const bpf_object_open_opts* opts) {
    if (!obj_buf || obj_buf_sz == 0) return fail_null<bpf_object>(EINVAL, "bpf_object__open_mem: no buffer");
    // libbpf names such an object after the buffer's address.
    char name[64];
    std::snprintf(name, sizeof name, "%lx-%zx", static_cast<unsigned long>(reinterpret_cast<uintptr_t>(obj_buf)),
                  obj_buf_sz);
    std::span<const uint8_t> bytes{static_cast<const uint8_t*>(obj_buf), obj_buf_sz};
    bpf_object* object = open_common(name, opts, [&](const std::string& btf) {
        return ebpf::open_object_from_memory(bytes, name, {}, btf);
    });
    // In memory there is no object file to find a module next to, nor to compare it with.
    if (object && object->mode == ebpf::ExecMode::native && object->module_path == std::string(name) + ".so")
        object->module_path.clear();
    return object;
}

int bpf_object__load(bpf_object* obj) {
    if (!obj) return fail(EINVAL, "bpf_object__load: NULL object");
    return load(*obj);
}

void bpf_object__close(bpf_object* obj) {
    if (!obj) return;
    release_fds(*obj);
    delete obj;  // the LoadedObject goes when no fd in use holds it any more
}

const char* bpf_object__name(const bpf_object* obj) {
    if (!obj) return fail_null<const char>(EINVAL);
    return obj->name.c_str();
}

bpf_program* bpf_object__find_program_by_name(const bpf_object* obj, const char* name) {
    if (!obj || !name) return fail_null<bpf_program>(EINVAL);
    for (const auto& program : obj->programs) {
        if (program->name == name) return program.get();
    }
    return fail_null<bpf_program>(ENOENT);
}

bpf_map* bpf_object__find_map_by_name(const bpf_object* obj, const char* name) {
    if (!obj || !name) return fail_null<bpf_map>(EINVAL);
    for (const auto& map : obj->maps) {
        if (map->definition.name == name) return map.get();
    }
    return fail_null<bpf_map>(ENOENT);
}

int bpf_object__find_map_fd_by_name(const bpf_object* obj, const char* name) {
    bpf_map* map = bpf_object__find_map_by_name(obj, name);
    return map ? bpf_map__fd(map) : -errno;
}

bpf_program* bpf_object__next_program(const bpf_object* obj, bpf_program* prog) {
    if (!obj) return fail_null<bpf_program>(EINVAL);
    if (!prog) return obj->programs.empty() ? nullptr : obj->programs.front().get();
    if (prog->owner != obj) return fail_null<bpf_program>(EINVAL);
    auto it = std::find_if(obj->programs.begin(), obj->programs.end(), [&](const auto& p) { return p.get() == prog; });
    return it == obj->programs.end() || ++it == obj->programs.end() ? nullptr : it->get();
}

bpf_map* bpf_object__next_map(const bpf_object* obj, const bpf_map* map) {
    if (!obj) return fail_null<bpf_map>(EINVAL);
    if (!map) return obj->maps.empty() ? nullptr : obj->maps.front().get();
    if (map->owner != obj) return fail_null<bpf_map>(EINVAL);
    auto it = std::find_if(obj->maps.begin(), obj->maps.end(), [&](const auto& m) { return m.get() == map; });
    return it == obj->maps.end() || ++it == obj->maps.end() ? nullptr : it->get();
}

const char* bpf_program__name(const bpf_program* prog) {
    if (!prog) return fail_null<const char>(EINVAL);
    return prog->name.c_str();
}

const char* bpf_program__section_name(const bpf_program* prog) {
    if (!prog) return fail_null<const char>(EINVAL);
    return prog->section.c_str();
}

int bpf_program__fd(const bpf_program* prog) {
    if (!prog) return fail(EINVAL);
    if (prog->fd < 0) return fail(EINVAL, "program '" + prog->name + "': not loaded (no fd before bpf_object__load)");
    return prog->fd;
}

enum bpf_prog_type bpf_program__type(const bpf_program* prog) {
    if (!prog) return BPF_PROG_TYPE_UNSPEC;
    return static_cast<enum bpf_prog_type>(prog->type);
}

int bpf_program__set_type(bpf_program* prog, enum bpf_prog_type type) {
    if (!prog) return fail(EINVAL);
    if (prog->owner->load_attempted) return fail(EBUSY, "program '" + prog->name + "': already loaded");
    const auto wanted = static_cast<ebpf::ProgramType>(type);
    if (type == BPF_PROG_TYPE_UNSPEC || ebpf::program_type_info(wanted).type != wanted)
        return fail(EOPNOTSUPP, "program '" + prog->name + "': program type " + std::to_string(static_cast<int>(type)) +
                                    " is not one the runtime knows");
    prog->type = wanted;
    prog->retyped = true;
    return 0;
}

const char* bpf_map__name(const bpf_map* map) {
    if (!map) return fail_null<const char>(EINVAL);
    return map->definition.name.c_str();
}

int bpf_map__fd(const bpf_map* map) {
    if (!map) return fail(EINVAL);
    if (map->fd < 0)
        return fail(EINVAL, "map '" + map->definition.name + "': not created (no fd before bpf_object__load)");
    return map->fd;
}

enum bpf_map_type bpf_map__type(const bpf_map* map) {
    if (!map) return BPF_MAP_TYPE_UNSPEC;
    return static_cast<enum bpf_map_type>(map->definition.type);
}

__u32 bpf_map__key_size(const bpf_map* map) { return map ? map->definition.key_size : 0; }
__u32 bpf_map__value_size(const bpf_map* map) { return map ? map->definition.value_size : 0; }
__u32 bpf_map__max_entries(const bpf_map* map) { return map ? map->definition.max_entries : 0; }

int bpf_map__set_max_entries(bpf_map* map, __u32 max_entries) {
    if (!map) return fail(EINVAL);
    bpf_object& object = *map->owner;
    if (object.load_attempted) return fail(EBUSY, "map '" + map->definition.name + "': already created");
    if (!object.elf)
        return fail(EOPNOTSUPP, "map '" + map->definition.name + "': a native module's maps are fixed when it is built");
    for (auto& definition : object.elf->maps) {
        if (definition.name == map->definition.name && !definition.inner_template) definition.max_entries = max_entries;
    }
    map->definition.max_entries = max_entries;
    return 0;
}

}  // extern "C"
