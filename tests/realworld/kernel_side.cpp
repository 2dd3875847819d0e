#include "kernel_side.hpp"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>
#include <unistd.h>

#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <stdexcept>

namespace realworld {
namespace {

std::string g_log;
int collect_log(enum libbpf_print_level level, const char* format, va_list args) {
    if (level == LIBBPF_DEBUG) return 0;
    char buffer[8192];
    const int n = std::vsnprintf(buffer, sizeof(buffer), format, args);
    g_log += buffer;
    return n;
}

bpf_map* find_map(bpf_object* object, const std::string& name) {
    bpf_map* map = bpf_object__find_map_by_name(object, name.c_str());
    if (!map) throw std::runtime_error("the kernel's object has no map " + name);
    return map;
}

bool per_cpu(bpf_map_type type) {
    return type == BPF_MAP_TYPE_PERCPU_ARRAY || type == BPF_MAP_TYPE_PERCPU_HASH ||
           type == BPF_MAP_TYPE_LRU_PERCPU_HASH || type == BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE;
}

}  // namespace

std::string kernel_unusable_reason() {
    const bpf_insn insns[] = {{0xb7, 0, 0, 0, 0}, {0x95, 0, 0, 0, 0}};
    const int fd = bpf_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, "probe", "GPL", insns, 2, nullptr);
    if (fd < 0)
        return std::string("bpf(BPF_PROG_LOAD) of a trivial program fails (") + std::strerror(errno) +
               "): the kernel cannot be the oracle here";
    ::close(fd);
    return "";
}

KernelObject::KernelObject(const std::string& path) {
    libbpf_set_print(collect_log);
    g_log.clear();
    object_ = bpf_object__open_file(path.c_str(), nullptr);
    if (!object_) {
        object_ = nullptr;
        throw std::runtime_error("libbpf cannot open " + path + ": " + g_log);
    }
    // Maps pinned by name would be shared with every other load (and need
    // a BPF file system): each load gets maps of its own, as ours do.
    bpf_map* map;
    bpf_object__for_each_map(map, object_) bpf_map__set_pin_path(map, nullptr);
}

KernelObject::~KernelObject() { bpf_object__close(object_); }

std::vector<std::string> KernelObject::programs() const {
    std::vector<std::string> out;
    bpf_program* program;
    bpf_object__for_each_program(program, object_) out.push_back(bpf_program__name(program));
    return out;
}

bool KernelObject::select(const std::string& name, const std::string& type) {
    program_ = nullptr;
    bpf_program* program;
    bpf_object__for_each_program(program, object_) {
        const bool match = name.empty() ? program_ == nullptr
                                        : name == bpf_program__name(program) || name == bpf_program__section_name(program);
        if (match && !program_) {
            program_ = program;
            bpf_program__set_autoload(program, true);
        } else {
            bpf_program__set_autoload(program, false);
        }
    }
    if (!program_ || type.empty()) return program_ != nullptr;
    for (int t = 1; t < 64; ++t) {
        const char* known = libbpf_bpf_prog_type_str(static_cast<bpf_prog_type>(t));
        if (known && type == known) {
            bpf_program__set_type(program_, static_cast<bpf_prog_type>(t));
            return true;
        }
    }
    return false;
}

std::string KernelObject::load() {
    g_log.clear();
    if (bpf_object__load(object_) == 0) return "";
    return g_log.empty() ? std::string("bpf_object__load failed: ") + std::strerror(errno) : g_log;
}

std::string KernelObject::type_name() const {
    const char* name = program_ ? libbpf_bpf_prog_type_str(bpf_program__type(program_)) : nullptr;
    return name ? name : "unknown";
}

std::string KernelObject::section() const { return program_ ? bpf_program__section_name(program_) : ""; }

void KernelObject::update(const std::string& map, const Bytes& key, const Bytes& value) {
    bpf_map* m = find_map(object_, map);
    if (bpf_map__update_elem(m, key.data(), key.size(), value.data(), value.size(), BPF_ANY) != 0)
        throw std::runtime_error("setting " + map + " in the kernel: " + std::strerror(errno));
}

std::optional<Bytes> KernelObject::lookup(const std::string& map, const Bytes& key) const {
    bpf_map* m = find_map(object_, map);
    Bytes value(bpf_map__value_size(m));
    if (bpf_map__lookup_elem(m, key.data(), key.size(), value.data(), value.size(), 0) == 0) return value;
    if (errno == ENOENT) return std::nullopt;
    throw std::runtime_error("lookup in the kernel's " + map + ": " + std::strerror(errno));
}

std::vector<std::string> KernelObject::comparable_maps() const {
    std::vector<std::string> out;
    bpf_map* map;
    bpf_object__for_each_map(map, object_) {
        const bpf_map_type type = bpf_map__type(map);
        const bool keyed = type == BPF_MAP_TYPE_HASH || type == BPF_MAP_TYPE_ARRAY || type == BPF_MAP_TYPE_LRU_HASH ||
                           type == BPF_MAP_TYPE_LPM_TRIE;
        if (keyed && !per_cpu(type) && bpf_map__fd(map) >= 0) out.push_back(bpf_map__name(map));
    }
    return out;
}

std::vector<Bytes> KernelObject::keys(const std::string& map) const {
    bpf_map* m = find_map(object_, map);
    std::vector<Bytes> out;
    Bytes key(bpf_map__key_size(m)), next(key.size());
    const void* previous = nullptr;
    while (out.size() <= bpf_map__max_entries(m) &&
           bpf_map__get_next_key(m, previous, next.data(), next.size()) == 0) {
        out.push_back(next);
        key = next;
        previous = key.data();
    }
    return out;
}

RunResult KernelObject::test_run(const Bytes& data, const std::optional<Bytes>& ctx, uint64_t repeat) const {
    Bytes out(data.size() + 4096);
    LIBBPF_OPTS(bpf_test_run_opts, opts);
    opts.data_in = data.empty() ? nullptr : data.data();
    opts.data_size_in = static_cast<uint32_t>(data.size());
    opts.data_out = data.empty() ? nullptr : out.data();
    opts.data_size_out = data.empty() ? 0 : static_cast<uint32_t>(out.size());
    Bytes ctx_out(ctx ? 4096 : 0);  // the kernel refuses (ENOSPC) a buffer shorter than its struct
    if (ctx) {
        opts.ctx_in = ctx->data();
        opts.ctx_size_in = static_cast<uint32_t>(ctx->size());
        opts.ctx_out = ctx_out.data();
        opts.ctx_size_out = static_cast<uint32_t>(ctx_out.size());
    }
    opts.repeat = static_cast<int>(repeat);
    if (bpf_prog_test_run_opts(bpf_program__fd(program_), &opts) != 0)
        throw std::runtime_error(std::string("the kernel's test run fails: ") + std::strerror(errno));
    out.resize(data.empty() ? 0 : opts.data_size_out);
    ctx_out.resize(ctx ? opts.ctx_size_out : 0);
    return {opts.retval, out, ctx_out};
}

}  // namespace realworld
