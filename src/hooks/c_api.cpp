// The C embedding API (include/ebpf/ebpf.h) over the C++ runtime. Handles are
// the C++ objects themselves behind opaque types; every exception becomes a
// negative errno (or NULL) plus a per-thread message for ebpf_last_error().
#include "ebpf/ebpf.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>

#include "ebpf/error.hpp"
#include "ebpf/policy.hpp"
#include "ebpf/runtime.hpp"
#include "opts.hpp"

struct ebpf_object {
    std::unique_ptr<ebpf::LoadedObject> object;
};
struct ebpf_hook_link {
    ebpf::HookLink link;
};

namespace {

thread_local std::string last_error;

const ebpf::LoadedProgram* program_of(const ebpf_program* program) {
    return reinterpret_cast<const ebpf::LoadedProgram*>(program);
}
ebpf::Map* map_of(const ebpf_map* map) { return reinterpret_cast<ebpf::Map*>(const_cast<ebpf_map*>(map)); }

int fail(int error, std::string message) {
    last_error = std::move(message);
    return -error;
}

// Runs `body`, turning exceptions into an errno-style result.
template <typename Body>
int guarded(Body&& body) {
    try {
        last_error.clear();
        return body();
    } catch (const std::bad_alloc&) {
        return fail(ENOMEM, "out of memory");
    } catch (const std::exception& e) {
        return fail(EINVAL, e.what());
    }
}

int require(bool ok, const char* message) { return ok ? 0 : fail(EINVAL, message); }

// Host writes into a frozen map fail with EPERM, as bpf(BPF_MAP_UPDATE_ELEM) on Linux.
int refuse_frozen(const ebpf::Map& map) {
    if (!map.frozen()) return 0;
    return fail(EPERM, "map '" + map.name() + "': the map is frozen: programs may only read it, and the host may no "
                       "longer write it (EPERM)");
}

}  // namespace

extern "C" {

const char* ebpf_last_error(void) { return last_error.c_str(); }

int ebpf_enable_code_integrity(unsigned flags) {
    return guarded([&] {
        if ((flags & ~EBPF_CODE_INTEGRITY_ALLOW_WITHOUT_MDWE) != 0)
            return fail(EINVAL, "ebpf_enable_code_integrity: unknown flags " + std::to_string(flags));
        try {
            ebpf::enable_code_integrity({.allow_without_mdwe = (flags & EBPF_CODE_INTEGRITY_ALLOW_WITHOUT_MDWE) != 0});
        } catch (const ebpf::Error& e) {
            return fail(ENOTSUP, e.what());
        }
        return 0;
    });
}

int ebpf_code_integrity_enabled(void) { return ebpf::code_integrity_enabled() ? 1 : 0; }

int ebpf_set_trust_store(const char* path) {
    return guarded([&] {
        if (int error = require(path != nullptr && *path != '\0', "ebpf_set_trust_store: no path")) return error;
        std::shared_ptr<const ebpf::TrustStore> store;
        try {
            store = std::make_shared<const ebpf::TrustStore>(ebpf::TrustStore::from_path(path));
        } catch (const ebpf::Error& e) {
            return fail(EINVAL, e.what());
        }
        try {
            ebpf::set_process_trust_store(std::move(store));
        } catch (const ebpf::Error& e) {
            return fail(EEXIST, e.what());
        }
        return 0;
    });
}

ebpf_object* ebpf_object_load_opts(const char* path, const struct ebpf_load_opts* user_opts) {
    ebpf_object* result = nullptr;
    guarded([&] {
        if (!path) return fail(EINVAL, "ebpf_object_load: path is NULL");
        ebpf_load_opts opts{};
        if (user_opts) {
            if (int error = ebpf::c_api::read_opts(user_opts, &opts, "struct ebpf_load_opts", fail)) return error;
        }
        ebpf::LoadOptions options;
        std::string m = opts.mode ? opts.mode : "interpret";
        if (m == "interpret") options.mode = ebpf::ExecMode::interpret;
        else if (m == "jit") options.mode = ebpf::ExecMode::jit;
        else if (m == "native") options.mode = ebpf::ExecMode::native;
        else return fail(EINVAL, "ebpf_object_load: unknown mode '" + m + "' (interpret, jit or native)");
        ebpf::ResourceLimits& limits = options.limits;
        if (opts.max_object_bytes) limits.max_object_bytes = opts.max_object_bytes;
        if (opts.max_map_bytes) limits.max_map_bytes = opts.max_map_bytes;
        if (opts.max_total_map_bytes) limits.max_total_map_bytes = opts.max_total_map_bytes;
        if (opts.max_maps) limits.max_maps = opts.max_maps;
        if (opts.max_programs) limits.max_programs = opts.max_programs;
        if (opts.max_program_instructions) limits.max_program_instructions = opts.max_program_instructions;
        if (opts.require_signature) {
            ebpf::PolicyOptions policy;
            policy.code_integrity = true;
            options.check_signature = ebpf::module_policy_hook(policy);
        }
        if (opts.bytecode_object) options.bytecode_object = opts.bytecode_object;
        if (opts.program_type) {
            auto type = ebpf::program_type_from_name(opts.program_type);
            if (!type) return fail(EINVAL, std::string("ebpf_object_load: unknown program type '") + opts.program_type + "'");
            options.program_type = *type;
        }
        result = new ebpf_object{ebpf::load_object(path, options)};
        return 0;
    });
    return result;
}

ebpf_object* ebpf_object_load(const char* path, const char* mode) {
    ebpf_load_opts opts{};
    opts.sz = sizeof opts;
    opts.mode = mode;
    return ebpf_object_load_opts(path, &opts);
}

void ebpf_object_close(ebpf_object* object) { delete object; }

ebpf_program* ebpf_object_find_program(ebpf_object* object, const char* name) {
    if (!object || !name) {
        fail(EINVAL, "ebpf_object_find_program: NULL argument");
        return nullptr;
    }
    auto* program = object->object->find_program(name);
    if (!program) fail(ENOENT, object->object->path() + ": no program '" + name + "'");
    return reinterpret_cast<ebpf_program*>(program);
}

ebpf_map* ebpf_object_find_map(ebpf_object* object, const char* name) {
    if (!object || !name) {
        fail(EINVAL, "ebpf_object_find_map: NULL argument");
        return nullptr;
    }
    auto* map = object->object->find_map(name);
    if (!map) fail(ENOENT, object->object->path() + ": no map '" + name + "'");
    return reinterpret_cast<ebpf_map*>(map);
}

ebpf_program* ebpf_object_program(ebpf_object* object, size_t index) {
    if (!object || index >= object->object->programs().size()) return nullptr;
    return reinterpret_cast<ebpf_program*>(object->object->programs()[index].get());
}

const char* ebpf_program_name(const ebpf_program* program) {
    return program ? program_of(program)->name().c_str() : "";
}
const char* ebpf_program_section(const ebpf_program* program) {
    return program ? program_of(program)->section().c_str() : "";
}

int ebpf_program_run(const ebpf_program* program, void* ctx, size_t ctx_size, uint64_t* result) {
    return guarded([&] {
        if (int error = require(program && result, "ebpf_program_run: NULL program or result")) return error;
        const ebpf::LoadedProgram& loaded = *program_of(program);
        // The runtime's XDP context holds pointers the engine dereferences; the
        // caller's bytes must never become one (that crashed the process).
        const ebpf::ProgramType type = loaded.type();
        if (type == ebpf::ProgramType::xdp || type == ebpf::ProgramType::sched_cls ||
            type == ebpf::ProgramType::sched_act || type == ebpf::ProgramType::socket_filter)
            return fail(EINVAL, "program '" + loaded.name() + "': " + std::string(ebpf::program_type_name(type)) +
                                    " programs take a packet, not a context struct: run them with "
                                    "ebpf_program_test_run (data_in = the packet)");
        *result = loaded.run(ctx, ctx_size);
        return 0;
    });
}

int ebpf_program_test_run(const ebpf_program* program, struct ebpf_test_run_opts* user_opts) {
    return guarded([&] {
        if (int error = require(program && user_opts, "ebpf_program_test_run: NULL program or opts")) return error;
        ebpf_test_run_opts opts{};
        if (int error = ebpf::c_api::read_opts(user_opts, &opts, "struct ebpf_test_run_opts", fail)) return error;
        if (opts.flags != 0) return fail(EINVAL, "ebpf_test_run_opts: flags must be 0");
        // A NULL output buffer means "not wanted", whatever its size says (the
        // size of a previous run's output, when the caller reuses the struct).
        if ((!opts.data_in && opts.data_size_in) || (!opts.ctx_in && opts.ctx_size_in))
            return fail(EINVAL, "ebpf_test_run_opts: a NULL input buffer with a non-zero size");
        ebpf::TestRunOutput out;
        try {
            out = ebpf::test_run(*program_of(program),
                                 {.data = {static_cast<const uint8_t*>(opts.data_in), opts.data_size_in},
                                  .ctx = {static_cast<const uint8_t*>(opts.ctx_in), opts.ctx_size_in},
                                  .repeat = opts.repeat});
        } catch (const ebpf::TestRunRefused& e) {
            return fail(e.code(), e.what());
        }
        int result = 0;
        // As Linux: the first bytes that fit, the full size, and -ENOSPC.
        auto copy_out = [&](const std::vector<uint8_t>& bytes, void* buffer, size_t& size, const char* what) {
            if (buffer) {
                if (size_t n = std::min(size, bytes.size()); n > 0) std::memcpy(buffer, bytes.data(), n);
                if (bytes.size() > size)
                    result = fail(ENOSPC, std::string(what) + ": the run produced " + std::to_string(bytes.size()) +
                                              " bytes, the buffer holds " + std::to_string(size));
            }
            size = bytes.size();
        };
        copy_out(out.data, opts.data_out, opts.data_size_out, "data_out");
        copy_out(out.ctx, opts.ctx_out, opts.ctx_size_out, "ctx_out");
        opts.retval = out.retval;
        opts.duration_ns = out.duration_ns;
        ebpf::c_api::write_opts(opts, user_opts);
        return result;
    });
}

uint32_t ebpf_map_key_size(const ebpf_map* map) { return map ? map_of(map)->key_size() : 0; }
uint32_t ebpf_map_value_size(const ebpf_map* map) { return map ? map_of(map)->host_value_size() : 0; }
uint32_t ebpf_possible_cpus(void) { return ebpf::possible_cpus(); }
void ebpf_set_callback_budget(uint64_t calls) { ebpf::set_callback_budget(calls); }
uint64_t ebpf_callback_budget(void) { return ebpf::callback_budget(); }

int ebpf_map_lookup(const ebpf_map* map, const void* key, size_t key_size, void* value, size_t value_size) {
    return guarded([&] {
        if (int error = require(map && value, "ebpf_map_lookup: NULL map or value")) return error;
        ebpf::Map& m = *map_of(map);
        if (value_size != m.host_value_size())
            return fail(EINVAL, "map '" + m.name() + "': value size is " + std::to_string(m.host_value_size()) +
                                    " bytes, got " + std::to_string(value_size));
        auto found = m.lookup({static_cast<const uint8_t*>(key), key ? key_size : 0});
        if (!found) return fail(ENOENT, "map '" + m.name() + "': no such key");
        std::memcpy(value, found->data(), found->size());
        return 0;
    });
}

int ebpf_map_update(ebpf_map* map, const void* key, size_t key_size, const void* value, size_t value_size,
                    uint64_t flags) {
    return guarded([&] {
        if (int error = require(map && value, "ebpf_map_update: NULL map or value")) return error;
        ebpf::Map& m = *map_of(map);
        if (int error = refuse_frozen(m)) return error;
        std::span<const uint8_t> k{static_cast<const uint8_t*>(key), key ? key_size : 0};
        std::span<const uint8_t> v{static_cast<const uint8_t*>(value), value_size};
        if (m.type() == ebpf::MapType::queue || m.type() == ebpf::MapType::stack) {
            m.push(v, flags);
        } else {
            m.update(k, v, flags);
        }
        return 0;
    });
}

int ebpf_map_delete(ebpf_map* map, const void* key, size_t key_size) {
    return guarded([&] {
        if (int error = require(map, "ebpf_map_delete: NULL map")) return error;
        ebpf::Map& m = *map_of(map);
        if (int error = refuse_frozen(m)) return error;
        if (!m.remove({static_cast<const uint8_t*>(key), key ? key_size : 0}))
            return fail(ENOENT, "map '" + m.name() + "': no such key");
        return 0;
    });
}

int ebpf_map_next_key(const ebpf_map* map, const void* key, void* next_key, size_t key_size) {
    return guarded([&] {
        if (int error = require(map && next_key, "ebpf_map_next_key: NULL map or next_key")) return error;
        ebpf::Map& m = *map_of(map);
        if (key_size != m.key_size())
            return fail(EINVAL, "map '" + m.name() + "': key size is " + std::to_string(m.key_size()) + " bytes, got " +
                                    std::to_string(key_size));
        auto next = m.next_key(key ? std::span<const uint8_t>(static_cast<const uint8_t*>(key), key_size)
                                   : std::span<const uint8_t>());
        if (!next) return -ENOENT;
        std::memcpy(next_key, next->data(), next->size());
        return 0;
    });
}

int ebpf_ringbuf_consume(ebpf_map* map, ebpf_ringbuf_callback on_record, void* user) {
    return guarded([&] {
        if (int error = require(map && on_record, "ebpf_ringbuf_consume: NULL map or callback")) return error;
        size_t count = ebpf::ringbuf_consume(*map_of(map), [&](std::span<const uint8_t> record) {
            on_record(user, record.data(), record.size());
        });
        return static_cast<int>(std::min<size_t>(count, INT32_MAX));
    });
}

ebpf_hook_link* ebpf_hook_attach(const ebpf_program* program, const char* hook_name) {
    ebpf_hook_link* link = nullptr;
    guarded([&] {
        if (int error = require(program, "ebpf_hook_attach: NULL program")) return error;
        link = new ebpf_hook_link{ebpf::attach_hook(*program_of(program), hook_name ? hook_name : "")};
        return 0;
    });
    return link;
}

void ebpf_hook_detach(ebpf_hook_link* link) { delete link; }

int ebpf_hook_run(const char* hook_name, void* buffer, size_t length, uint64_t* result) {
    return guarded([&] {
        if (int error = require(hook_name && result, "ebpf_hook_run: NULL hook name or result")) return error;
        auto value = ebpf::run_hook(hook_name, buffer, length);
        if (!value) return fail(ENOENT, std::string("hook '") + hook_name + "': no program is attached");
        *result = *value;
        return 0;
    });
}

}  // extern "C"
