// Helpers that change control flow: bpf_tail_call (the contract in exec.hpp:
// store the target, the engine returns, LoadedProgram::run continues with
// it), bpf_loop and bpf_for_each_map_elem (callbacks through the running
// engine's call_function, within the run's callback budget).
#include <atomic>
#include <cerrno>

#include "../maps/map_types.hpp"
#include "ebpf/runtime.hpp"
#include "helper_registry.hpp"

namespace ebpf::runtime_detail {
namespace {

constexpr uint32_t kMaxTailCalls = 33;      // Linux MAX_TAIL_CALL_CNT
constexpr uint64_t kMaxLoops = 1ull << 23;  // Linux BPF_MAX_LOOPS

uint64_t tail_call(uint64_t, uint64_t map, uint64_t index, uint64_t, uint64_t) {
    auto* programs = dynamic_cast<ProgArrayMap*>(as_pointer<Map>(map));
    if (!programs) return from_errno(-EINVAL);
    RunState& state = run_state();
    if (state.tail_call_count >= kMaxTailCalls) return from_errno(-E2BIG);
    const LoadedProgram* target = programs->program_at(static_cast<uint32_t>(index));
    if (!target || index > UINT32_MAX) return from_errno(-ENOENT);  // falls through, as Linux
    state.tail_call_target = target;
    return 0;
}


std::atomic<uint64_t> g_callback_budget{kDefaultCallbackBudget};

// One more callback in this run, if the budget allows it.
bool take_callback(RunState& state) {
    if (state.callbacks_called >= g_callback_budget.load(std::memory_order_relaxed)) return false;
    ++state.callbacks_called;
    return true;
}

uint64_t loop(uint64_t count, uint64_t callback, uint64_t context, uint64_t flags, uint64_t) {
    if (flags != 0) return from_errno(-EINVAL);
    if (count > kMaxLoops) return from_errno(-E2BIG);
    RunState& state = run_state();
    Engine* engine = state.engine;  // callbacks run in the calling program's engine
    if (!engine) return from_errno(-EINVAL);
    uint64_t i = 0;
    while (i < count) {
        if (!take_callback(state)) return from_errno(-E2BIG);  // the run's budget is used up
        uint64_t result = engine->call_function(callback, i, context, 0, 0, 0);
        ++i;
        if (result == 1) break;  // 0: continue, 1: stop
    }
    return i;
}

uint64_t for_each_map_elem(uint64_t map, uint64_t callback, uint64_t context, uint64_t flags, uint64_t) {
    if (flags != 0) return from_errno(-EINVAL);
    RunState& state = run_state();
    Engine* engine = state.engine;
    if (!engine) return from_errno(-EINVAL);
    bool over_budget = false;
    const int64_t visited = for_each_element(*as_pointer<Map>(map), [&](const void* key, void* value) {
        if (!take_callback(state)) {
            over_budget = true;
            return true;  // stop
        }
        return engine->call_function(callback, map, from_pointer(key), from_pointer(value), context, 0) == 1;
    });
    return from_errno(over_budget ? -E2BIG : visited);
}

}  // namespace

void register_control_helpers(HelperTable& table) {
    table.set(helper_id::tail_call, tail_call);
    table.set(helper_id::loop, loop);
    table.set(helper_id::for_each_map_elem, for_each_map_elem);
}

}  // namespace ebpf::runtime_detail

namespace ebpf {

void set_callback_budget(uint64_t calls) { runtime_detail::g_callback_budget.store(calls, std::memory_order_relaxed); }
uint64_t callback_budget() { return runtime_detail::g_callback_budget.load(std::memory_order_relaxed); }

}  // namespace ebpf
