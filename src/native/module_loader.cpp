// The native module loader: bytes → sealed memfd → (on the memfd's
// contents) the code-integrity policy, the caller's signature hook and the
// ELF image check → dlopen of that memfd under a name no other module has →
// the handle proven to map that memfd → ABI and metadata checks → maps
// created → helper and map tables filled → one Engine (mode native) per program.
#include <dlfcn.h>
#include <fcntl.h>
#include <link.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <fstream>

#include "ebpf/error.hpp"
#include "ebpf/native.hpp"
#include "ebpf/native_module.h"
#include "ebpf/policy.hpp"
#include "ebpf/signing.hpp"
#include "module_image.hpp"
#include "module_metadata.hpp"

namespace ebpf {

struct NativeModule::Private {
    std::string name;
    void* handle = nullptr;
    int memfd = -1;
    const ebpf_native_module* module = nullptr;
    std::vector<MapDefinition> maps;
    std::vector<MapBinding> bindings;
    std::vector<NativeProgramInfo> programs;
    bool admitted_under_policy = false;
};

NativeModule::NativeModule(Private&& state)
    : name_(std::move(state.name)),
      handle_(state.handle),
      memfd_(state.memfd),
      module_(state.module),
      maps_(std::move(state.maps)),
      bindings_(std::move(state.bindings)),
      programs_(std::move(state.programs)),
      admitted_under_policy_(state.admitted_under_policy) {}

NativeModule::~NativeModule() {
    if (handle_ != nullptr) ::dlclose(handle_);
    SealedMemfd closer(memfd_);  // closes it
}

std::string NativeModule::core_btf() const {
    return module_ != nullptr && module_->core_btf != nullptr ? std::string(module_->core_btf) : std::string();
}

std::optional<size_t> NativeModule::find_program(std::string_view name_or_section) const {
    for (size_t i = 0; i < programs_.size(); ++i)
        if (programs_[i].name == name_or_section) return i;
    for (size_t i = 0; i < programs_.size(); ++i)
        if (programs_[i].section == name_or_section) return i;
    return std::nullopt;
}

std::vector<int32_t> NativeModule::imported_helpers() const {
    std::vector<int32_t> ids;
    for (uint32_t i = 0; i < module_->helper_count; ++i) ids.push_back(module_->helpers[i].id);
    return ids;
}

namespace {

// What the generated code asks after helper 12 (exec.hpp tail-call contract).
int tail_call_pending() { return run_state().tail_call_target != nullptr ? 1 : 0; }

class NativeEngine final : public Engine {
public:
    NativeEngine(std::shared_ptr<NativeModule> module, ebpf_native_function_fn entry)
        : module_(std::move(module)), entry_(entry) {}

    ExecMode mode() const override { return ExecMode::native; }

    uint64_t run(uint64_t arg1, uint64_t arg2) override {
        // A module loaded before code-integrity mode was on was never checked
        // against the process trust store: it does not run in the mode.
        if (!module_->admitted_under_policy() && code_integrity_enabled()) {
            check_code_integrity_setup();
            throw Error(module_->name() + ": code-integrity policy: the module was loaded before the mode was on; "
                                          "it may not run");
        }
        ScopedEngine scope(this);
        return entry_(arg1, arg2, 0, 0, 0, 0);
    }

    // `function` is what the program's LDDW pseudo-func produced: the address
    // of a generated C function with the ebpf_native_function_fn signature.
    uint64_t call_function(uint64_t function, uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4,
                           uint64_t r5) override {
        if (function == 0) throw Error(module_->name() + ": callback is NULL");
        auto callback = reinterpret_cast<ebpf_native_function_fn>(static_cast<uintptr_t>(function));
        ScopedEngine scope(this);
        return callback(r1, r2, r3, r4, r5, 0);
    }

private:
    std::shared_ptr<NativeModule> module_;
    ebpf_native_function_fn entry_;
};

// Closes the dlopen handle unless ownership moved to a NativeModule.
struct HandleGuard {
    void* handle = nullptr;
    ~HandleGuard() {
        if (handle != nullptr) ::dlclose(handle);
    }
};

}  // namespace

std::unique_ptr<Engine> NativeModule::make_engine(size_t index) {
    if (index >= programs_.size())
        throw Error(name_ + ": no program #" + std::to_string(index) + " (the module has " +
                    std::to_string(programs_.size()) + ")");
    return std::make_unique<NativeEngine>(shared_from_this(), module_->programs[index].entry);
}

namespace {

// More than any bpf2c module needs; bounds what a caller's bytes may cost.
constexpr size_t kMaxModuleBytes = size_t{256} << 20;

std::atomic<uint64_t> g_load_sequence{0};

// The memfd's contents, as dlopen will map them (the memfd is sealed).
std::vector<uint8_t> read_memfd(const SealedMemfd& memfd, const std::string& name) {
    struct stat st {};
    if (::fstat(memfd.fd(), &st) != 0) throw Error(name + ": cannot stat the sealed module: " + std::strerror(errno));
    std::vector<uint8_t> contents(static_cast<size_t>(st.st_size));
    size_t done = 0;
    while (done < contents.size()) {
        ssize_t n = ::pread(memfd.fd(), contents.data() + done, contents.size() - done, static_cast<off_t>(done));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) throw Error(name + ": cannot read the sealed module back");
        done += static_cast<size_t>(n);
    }
    return contents;
}

// The bytes a signature covers (the whole file when unsigned or when the
// trailer is broken: then the policy has refused it or it loads unsigned).
size_t signed_size(std::span<const uint8_t> contents) {
    if (!has_module_signature(contents)) return contents.size();
    try {
        return split_signed_module(contents).module.size();
    } catch (const Error&) {
        return contents.size();
    }
}

std::string fd_path(int fd) {
    // "/proc/<pid>/fd/N" rather than "/proc/self/...": the name lands in the
    // dynamic linker's list, and a debugger or profiler reading that list
    // from another process must find this process's memfd, not its own fd N.
    return "/proc/" + std::to_string(::getpid()) + "/fd/" + std::to_string(fd);
}

// dlopen returns the object already loaded under the same name (or from the
// same file) instead of loading ours: "/proc/<pid>/fd/N" names whatever fd N
// held when some other object was loaded through it. Before loading, make
// sure no object answers to our memfd's path; if one does, move the memfd to
// another fd number (another name) and look again.
void give_unused_name(SealedMemfd& memfd, const std::string& name) {
    for (int attempt = 0; attempt < 16; ++attempt) {
        void* existing = ::dlopen(fd_path(memfd.fd()).c_str(), RTLD_LAZY | RTLD_LOCAL | RTLD_NOLOAD);
        if (existing == nullptr) return;
        ::dlclose(existing);
        int moved = ::fcntl(memfd.fd(), F_DUPFD_CLOEXEC, memfd.fd() + 1);
        if (moved < 0) throw Error(name + ": cannot move the sealed module to a free fd: " + std::strerror(errno));
        memfd = SealedMemfd(moved);
    }
    throw Error(name + ": every fd name tried is taken by an already loaded object; refusing to load");
}

// Proves that `handle` is our module: its link-map name is the path we gave,
// and the code at `address` (its entry function) is mapped from the memfd
// itself (same device and inode, in /proc/self/maps). Anything else (an
// object loaded earlier under the same name, a different file) is refused.
void check_handle_maps_memfd(void* handle, const SealedMemfd& memfd, const std::string& path, uintptr_t address,
                             const std::string& name) {
    link_map* map = nullptr;
    if (::dlinfo(handle, RTLD_DI_LINKMAP, &map) != 0 || map == nullptr || map->l_name == nullptr ||
        path != map->l_name)
        throw Error(name + ": dlopen returned an object loaded under another name; refusing it");
    struct stat st {};
    if (::fstat(memfd.fd(), &st) != 0) throw Error(name + ": cannot stat the sealed module: " + std::strerror(errno));
    std::ifstream maps("/proc/self/maps");
    std::string line;
    while (std::getline(maps, line)) {
        uintptr_t start = 0, end = 0;
        unsigned long long offset = 0, inode = 0;
        unsigned dev_major = 0, dev_minor = 0;
        char perms[5] = {};
        if (std::sscanf(line.c_str(), "%" SCNxPTR "-%" SCNxPTR " %4s %llx %x:%x %llu", &start, &end, perms, &offset,
                        &dev_major, &dev_minor, &inode) != 7)
            continue;
        if (address < start || address >= end) continue;
        if (perms[2] == 'x' && inode == static_cast<unsigned long long>(st.st_ino) &&
            dev_major == ::major(st.st_dev) && dev_minor == ::minor(st.st_dev))
            return;
        throw Error(name + ": the loaded object's code is not mapped from the checked module (" + line +
                    "); refusing it");
    }
    throw Error(name + ": the loaded object's entry point is not mapped at all; refusing it");
}

}  // namespace

std::shared_ptr<NativeModule> load_module_from_memory(std::span<const uint8_t> bytes,
                                                      const ModuleLoadOptions& options) {
    const std::string& name = options.name;
    if (options.helpers == nullptr) throw Error(name + ": no helper table given to the module loader");
    if (bytes.size() < 64) throw Error(name + ": not a shared object (" + std::to_string(bytes.size()) + " bytes)");
    if (bytes.size() > kMaxModuleBytes)
        throw Error(name + ": " + std::to_string(bytes.size()) + " bytes is more than a module may have (" +
                    std::to_string(kMaxModuleBytes) + ")");

    // One copy, sealed: every check below reads the memfd, and the memfd is
    // what gets mapped. A unique memfd name keeps /proc/self/maps readable.
    SealedMemfd memfd = make_sealed_memfd(
        bytes, "ebpf-native-module-" + std::to_string(::getpid()) + "-" + std::to_string(g_load_sequence.fetch_add(1)));
    const std::vector<uint8_t> contents = read_memfd(memfd, name);

    // Code-integrity mode: the loader's own check, which no option turns off.
    // Then the caller's hook, which may only add to it.
    // (The mode is read first: if it comes on meanwhile, the check runs anyway.)
    const bool admitted_under_policy = code_integrity_enabled();
    try {
        check_module_under_mode(contents);
    } catch (const Error& e) {
        throw Error(name + ": " + e.what());
    }
    if (options.check_signature) options.check_signature(contents);
    // Nothing of the module may run inside dlopen (constructors, IFUNC
    // resolvers, dependencies): refused here, before anything is mapped.
    const native_image::ModuleImage image = native_image::check_module_image(name, contents, signed_size(contents));

    give_unused_name(memfd, name);
    const std::string module_path = fd_path(memfd.fd());
    HandleGuard guard;
    guard.handle = ::dlopen(module_path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (guard.handle == nullptr) {
        const char* why = ::dlerror();
        throw Error(name + ": cannot load the shared object: " + (why ? why : "dlopen failed"));
    }
    link_map* map = nullptr;
    if (::dlinfo(guard.handle, RTLD_DI_LINKMAP, &map) != 0 || map == nullptr)
        throw Error(name + ": no link map for the loaded object");
    // The entry function by its symbol value: dlsym could run an IFUNC resolver.
    const uintptr_t entry = static_cast<uintptr_t>(map->l_addr + image.entry_value);
    check_handle_maps_memfd(guard.handle, memfd, module_path, entry, name);
    auto get = reinterpret_cast<ebpf_native_module_get_fn>(entry);
    const ebpf_native_module* module = get();

    NativeModule::Private state;
    state.name = name;
    state.module = module;
    state.admitted_under_policy = admitted_under_policy;
    const native_metadata::ModuleMemory memory = native_metadata::module_memory(image, map->l_addr);
    native_metadata::check_module(name, module, *options.helpers, memory);
    state.maps = native_metadata::map_definitions(module);
    state.programs = native_metadata::program_infos(module);

    // Maps: created by the runtime (through the callback), then the module's
    // map table points at them. A throw here frees what was created.
    if (!state.maps.empty() && !options.create_map)
        throw Error(name + ": the module needs " + std::to_string(state.maps.size()) +
                    " maps but the loader was given no way to create them");
    for (uint32_t i = 0; i < state.maps.size(); ++i) {
        // Inner-map templates only describe the values of an outer map;
        // programs never reference them, so they get no slot.
        // So do maps of Linux types the runtime cannot provide: no program
        // of the module may name them (module_metadata checks).
        if (state.maps[i].inner_template || !map_type_provided(state.maps[i].type)) {
            state.bindings.push_back(MapBinding{});
            continue;
        }
        MapBinding binding = options.create_map(state.maps, i);
        if (binding.address == 0) throw Error(name + ": map '" + state.maps[i].name + "' was not created");
        if (state.maps[i].is_global_data && binding.value_address == 0)
            throw Error(name + ": global data map '" + state.maps[i].name + "' has no value address");
        state.bindings.push_back(binding);
    }
    // Unbound references: the generated code would use NULL (or NULL plus an
    // offset) as a map or a value address. Refused, whatever produced them.
    for (const NativeProgramInfo& program : state.programs) {
        for (const NativeMapReference& ref : program.map_references) {
            const MapBinding& binding = state.bindings[ref.map];
            const std::string map_name = state.maps[ref.map].name;
            if (binding.address == 0)
                throw Error(name + ": program '" + program.name + "' refers to map '" + map_name +
                            "', which has no binding");
            if (ref.value && binding.value_address == 0)
                throw Error(name + ": program '" + program.name + "' uses the direct value of map '" + map_name +
                            "', which has none (only one-entry array maps, such as global data, have one)");
        }
    }
    for (uint32_t i = 0; i < module->map_count; ++i) {
        module->maps[i].address = state.bindings[i].address;
        module->maps[i].value_address = state.bindings[i].value_address;
    }
    for (uint32_t i = 0; i < module->helper_count; ++i)
        module->helpers[i].function = options.helpers->find(module->helpers[i].id);
    module->runtime->tail_call_pending = &tail_call_pending;

    state.handle = guard.handle;
    guard.handle = nullptr;
    state.memfd = memfd.release();
    return std::make_shared<NativeModule>(std::move(state));
}

std::shared_ptr<NativeModule> load_module_from_file(const std::string& path, ModuleLoadOptions options) {
    std::vector<uint8_t> bytes = native_metadata::read_whole_file(path, kMaxModuleBytes);
    if (options.name == ModuleLoadOptions{}.name) options.name = path;
    return load_module_from_memory(bytes, options);
}

}  // namespace ebpf
