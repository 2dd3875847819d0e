// Execution engines: the interpreter and the JIT behind one interface (the
// native mode implements the same interface over a loaded module). Engines
// run programs that the runtime has already prepared: every pseudo-LDDW that
// names a map is resolved to an address, and helpers come from one table.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "ebpf/isa.hpp"

namespace ebpf {

// A helper as every mode calls it: five 64-bit arguments in, r0 out.
using HelperFunction = uint64_t (*)(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);

// Helpers indexed by Linux helper ID; a null entry is an unknown helper.
struct HelperTable {
    std::vector<HelperFunction> by_id;
    HelperFunction find(int32_t id) const {
        return id >= 0 && static_cast<size_t>(id) < by_id.size() ? by_id[id] : nullptr;
    }
    void set(int32_t id, HelperFunction fn) {
        if (static_cast<size_t>(id) >= by_id.size()) by_id.resize(id + 1);
        by_id[id] = fn;
    }
};

// A range of memory a bounds-checked program may touch besides its context
// and stack.
struct MemoryRegion {
    uint64_t start = 0;
    uint64_t size = 0;
    bool writable = true;
};

struct ExecOptions {
    // Interpreter only: check every load/store against the context
    // [r1, r1 + r2), the stack and `regions`; for programs that were not verified.
    bool bounds_check = false;
    std::vector<MemoryRegion> regions;
    // Interpreter only: stop with an error after this many instructions (0 = none).
    uint64_t instruction_budget = 0;
    // JIT only: blind 32/64-bit immediates against JIT spraying (as Linux).
    bool constant_blinding = false;
};

// A valid, non-NULL address of zero bytes: the memory of a hook/raw_memory
// program run on an empty buffer (the verifier treats r1 as never NULL, so a
// NULL r1 would make it skip the code of an `if r1 == 0` branch).
void* empty_memory();

enum class ExecMode { interpret, jit, native };
const char* exec_mode_name(ExecMode mode);

// A program ready to run. `insns` must stay alive as long as the engine.
struct ExecutableProgram {
    std::span<const Instruction> insns;
    const HelperTable* helpers = nullptr;
};

// Thread safety: `run` and `call_function` may be called from any number of
// threads at once on the same engine, for every engine (interpreter, JIT,
// native module): per-run state lives on the calling thread's stack or in
// thread_local storage, never in the engine. A helper may call back into the
// engine (call_function) on the thread that runs it.
class Engine {
public:
    virtual ~Engine() = default;
    virtual ExecMode mode() const = 0;
    // Runs the program with r1 = arg1 and r2 = arg2 (context and its length).
    // The verifier assumes r1 of a hook/raw_memory program is a valid,
    // non-NULL pointer to arg2 bytes: pass empty_memory() for an empty buffer.
    // Throws ebpf::Error only for faults the engine checks at run time
    // (bounds checking, instruction budget, a helper that is missing).
    virtual uint64_t run(uint64_t arg1, uint64_t arg2 = 0) = 0;
    // Calls a bpf-to-bpf function of this program from a helper (bpf_loop,
    // bpf_for_each_map_elem callbacks). `function` is the value the program
    // got from an LDDW pseudo-func; its meaning is engine-specific.
    virtual uint64_t call_function(uint64_t function, uint64_t r1, uint64_t r2, uint64_t r3,
                                   uint64_t r4, uint64_t r5) = 0;
};

// Builds an interpreter. Throws ebpf::Error when the interpreter is compiled out
// (EBPF_WITH_INTERPRETER=OFF) or the program is malformed.
std::unique_ptr<Engine> make_interpreter(const ExecutableProgram& program,
                                         const ExecOptions& options = {});
// Builds the host's JIT (x86-64, AArch64). Throws ebpf::Error when the process forbids
// executable memory (PR_SET_MDWE, SELinux deny_execmem) or the program is malformed.
std::unique_ptr<Engine> make_jit(const ExecutableProgram& program, const ExecOptions& options = {});
bool interpreter_available();

// Per-thread state shared by the engines and the runtime's helpers.
//
// Tail calls: the tail_call helper, on success, stores the target in
// `tail_call_target` and returns 0. Every engine, after a call to helper 12
// (tail_call), returns from run() at once (all frames) when
// `tail_call_target` is set; the runtime then runs the target on the same
// context, at most 33 times in a chain (Linux MAX_TAIL_CALL_CNT).
//
// Callbacks: `callbacks_called` counts the callbacks (bpf_loop,
// bpf_for_each_map_elem) of the current run, over every loop, nested or not,
// and over the whole tail-call chain; the helpers stop when it reaches the
// runtime's budget. Every engine starts a run with ScopedEngine, which resets
// it when the run is the outermost one and not the next program of a tail-call
// chain, so the interpreter, the JIT and native modules count alike.
struct RunState {
    Engine* engine = nullptr;               // innermost engine running on this thread
    const void* tail_call_target = nullptr; // set by the tail_call helper
    uint32_t tail_call_count = 0;
    uint64_t callbacks_called = 0;          // callbacks called in this run (see above)
    void* runtime = nullptr;                // the runtime's per-run data
};
extern constinit thread_local RunState t_run_state;  // engine_common.cpp
inline RunState& run_state() { return t_run_state; }

// Sets run_state().engine for the scope of a run and restores it after
// (engines nest when a helper calls back into a program).
class ScopedEngine {
public:
    explicit ScopedEngine(Engine* engine) : saved_(run_state().engine) {
        RunState& state = run_state();
        if (!saved_ && state.tail_call_count == 0) state.callbacks_called = 0;  // a new run
        state.engine = engine;
    }
    ~ScopedEngine() { run_state().engine = saved_; }
    ScopedEngine(const ScopedEngine&) = delete;
    ScopedEngine& operator=(const ScopedEngine&) = delete;

private:
    Engine* saved_;
};

}  // namespace ebpf
