// The native module loader: bytes → signature policy hook → sealed memfd →
// dlopen("/proc/self/fd/N") → ABI and metadata checks → maps created →
// helper and map tables filled → one Engine (mode native) per program.
#include <dlfcn.h>
#include <unistd.h>

#include <cstring>

#include "ebpf/error.hpp"
#include "ebpf/native.hpp"
#include "ebpf/native_module.h"
#include "ebpf/signing.hpp"
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
};

NativeModule::NativeModule(Private&& state)
    : name_(std::move(state.name)),
      handle_(state.handle),
      memfd_(state.memfd),
      module_(state.module),
      maps_(std::move(state.maps)),
      bindings_(std::move(state.bindings)),
      programs_(std::move(state.programs)) {}

NativeModule::~NativeModule() {
    if (handle_ != nullptr) ::dlclose(handle_);
    SealedMemfd closer(memfd_);  // closes it
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

std::shared_ptr<NativeModule> load_module_from_memory(std::span<const uint8_t> bytes,
                                                      const ModuleLoadOptions& options) {
    const std::string& name = options.name;
    if (options.helpers == nullptr) throw Error(name + ": no helper table given to the module loader");
    if (bytes.size() < 64) throw Error(name + ": not a shared object (" + std::to_string(bytes.size()) + " bytes)");

    // Signature policy: checked over exactly the bytes that get mapped below.
    if (options.check_signature) options.check_signature(bytes);

    SealedMemfd memfd = make_sealed_memfd(bytes, "ebpf-native-module");
    HandleGuard guard;
    // "/proc/<pid>/fd/N" rather than "/proc/self/...": the name lands in the
    // dynamic linker's list, and a debugger or profiler reading that list
    // from another process must find this process's memfd, not its own fd N.
    const std::string module_path = "/proc/" + std::to_string(::getpid()) + "/fd/" + std::to_string(memfd.fd());
    guard.handle = ::dlopen(module_path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (guard.handle == nullptr) {
        const char* why = ::dlerror();
        throw Error(name + ": cannot load the shared object: " + (why ? why : "dlopen failed"));
    }
    ::dlerror();
    void* symbol = ::dlsym(guard.handle, EBPF_NATIVE_MODULE_ENTRY);
    if (symbol == nullptr)
        throw Error(name + ": missing metadata: no exported " EBPF_NATIVE_MODULE_ENTRY
                    "() (not built by bpf2c?)");
    auto get = reinterpret_cast<ebpf_native_module_get_fn>(symbol);
    const ebpf_native_module* module = get();

    NativeModule::Private state;
    state.name = name;
    state.module = module;
    native_metadata::check_module(name, module, *options.helpers);
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
        if (state.maps[i].inner_template) {
            state.bindings.push_back(MapBinding{});
            continue;
        }
        MapBinding binding = options.create_map(state.maps, i);
        if (binding.address == 0) throw Error(name + ": map '" + state.maps[i].name + "' was not created");
        if (state.maps[i].is_global_data && binding.value_address == 0)
            throw Error(name + ": global data map '" + state.maps[i].name + "' has no value address");
        state.bindings.push_back(binding);
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
    std::vector<uint8_t> bytes = native_metadata::read_whole_file(path);
    if (options.name == ModuleLoadOptions{}.name) options.name = path;
    return load_module_from_memory(bytes, options);
}

}  // namespace ebpf
