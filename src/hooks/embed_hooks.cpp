// Named hooks for embedding: a host declares hook points by name and runs
// them on byte buffers; "hook/<name>" programs attach to them. The registry
// is copy-on-write: run_hook() takes a snapshot under a short lock and runs
// the programs without it, so attaching never waits for running programs.
#include <algorithm>
#include <map>
#include <mutex>

#include "ebpf/error.hpp"
#include "ebpf/runtime.hpp"

namespace ebpf {
namespace {

using ProgramList = std::vector<const LoadedProgram*>;

struct HookRegistry {
    std::mutex mutex;
    std::map<std::string, std::shared_ptr<const ProgramList>, std::less<>> hooks;

    HookRegistry() {
        add_program_unload_observer([](const LoadedProgram* program) {
            HookRegistry& self = registry();
            std::lock_guard lock(self.mutex);
            for (auto& [name, list] : self.hooks) {
                if (std::find(list->begin(), list->end(), program) == list->end()) continue;
                auto copy = std::make_shared<ProgramList>(*list);
                std::erase(*copy, program);
                list = std::move(copy);
            }
        });
    }
    static HookRegistry& registry();
};

HookRegistry& HookRegistry::registry() {
    static HookRegistry instance;
    return instance;
}

void add(const std::string& hook, const LoadedProgram* program) {
    HookRegistry& self = HookRegistry::registry();
    std::lock_guard lock(self.mutex);
    auto& list = self.hooks[hook];
    auto copy = list ? std::make_shared<ProgramList>(*list) : std::make_shared<ProgramList>();
    copy->push_back(program);
    list = std::move(copy);
}

void remove(const std::string& hook, const LoadedProgram* program) {
    HookRegistry& self = HookRegistry::registry();
    std::lock_guard lock(self.mutex);
    auto it = self.hooks.find(hook);
    if (it == self.hooks.end() || !it->second) return;
    auto copy = std::make_shared<ProgramList>(*it->second);
    auto at = std::find(copy->begin(), copy->end(), program);
    if (at != copy->end()) copy->erase(at);
    it->second = std::move(copy);
}

}  // namespace

HookLink::HookLink(std::string hook, const LoadedProgram* program) : hook_(std::move(hook)), program_(program) {}

HookLink::HookLink(HookLink&& other) noexcept : hook_(std::move(other.hook_)), program_(other.program_) {
    other.program_ = nullptr;
}

HookLink& HookLink::operator=(HookLink&& other) noexcept {
    if (this != &other) {
        detach();
        hook_ = std::move(other.hook_);
        program_ = other.program_;
        other.program_ = nullptr;
    }
    return *this;
}

HookLink::~HookLink() { detach(); }

void HookLink::detach() {
    if (!program_) return;
    remove(hook_, program_);
    program_ = nullptr;
}

HookLink attach_hook(const LoadedProgram& program, std::string_view hook_name) {
    if (program.type() != ProgramType::hook)
        throw Error("program '" + program.name() + "': only hook programs (section hook/<name>) attach to named hooks, not " +
                    std::string(program_type_name(program.type())) + " programs");
    std::string name(hook_name.empty() ? std::string_view(program.attach()) : hook_name);
    if (name.empty())
        throw Error("program '" + program.name() + "': section '" + program.section() +
                    "' names no hook: give the hook name when attaching");
    HookRegistry::registry();  // the unload observer must exist before any link
    add(name, &program);
    return HookLink(name, &program);
}

std::optional<uint64_t> run_hook(std::string_view hook_name, void* buffer, size_t length) {
    std::shared_ptr<const ProgramList> programs;
    {
        HookRegistry& self = HookRegistry::registry();
        std::lock_guard lock(self.mutex);
        auto it = self.hooks.find(hook_name);
        if (it != self.hooks.end()) programs = it->second;
    }
    if (!programs || programs->empty()) return std::nullopt;
    uint64_t result = 0;
    for (const LoadedProgram* program : *programs) result = program->run(buffer, length);
    return result;
}

}  // namespace ebpf
