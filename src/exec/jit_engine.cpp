// make_jit(): the JIT engine. Compiles once for the host (jit_x86_64.cpp or
// jit_aarch64.cpp), places the code in W^X memory (jit_memory.cpp) and
// enters it through the trampoline for every run() and call_function().
#include <algorithm>
#include <exception>
#include <string>

#include "ebpf/abi.hpp"
#include "ebpf/error.hpp"
#include "ebpf/exec.hpp"
#include "jit_memory.hpp"
#include "jit_codegen.hpp"

namespace ebpf {
namespace {

// The innermost JIT run on this thread, so that a program entered again from a
// helper (bpf_loop callbacks) counts its frames on top of the outer run's.
thread_local jit::Invocation* current_invocation = nullptr;

class JitEngine final : public Engine, private jit::CodeSink {
public:
    JitEngine(const ExecutableProgram& program, const ExecOptions& options) {
        // The code goes from the assembler's buffer straight into executable
        // memory (place() below); the offsets are relative to its start.
        const jit::CompiledCode compiled = jit::compile_for_host(program, options, this);
        trampoline_ = reinterpret_cast<jit::Trampoline>(memory_.address() + compiled.trampoline_offset);
        functions_.reserve(compiled.function_offsets.size());
        for (uint64_t offset : compiled.function_offsets) functions_.push_back(memory_.address() + offset);
    }

    ExecMode mode() const override { return ExecMode::jit; }

    uint64_t run(uint64_t arg1, uint64_t arg2) override {
        const uint64_t args[5] = {arg1, arg2, 0, 0, 0};
        return enter<false>(functions_.front(), args);
    }

    uint64_t call_function(uint64_t function, uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4,
                           uint64_t r5) override {
        const uint64_t args[5] = {r1, r2, r3, r4, r5};
        return enter<true>(function, args);
    }

private:
    void place(std::span<const uint8_t> code) override { memory_.map(code); }

    // Every way into the code. Called from a helper inside JIT code (a
    // callback), an exception must not unwind through those frames: it is
    // parked in the outer run, which checks after every helper call, unwinds
    // its own frames and rethrows it.
    // kCheckTarget: the target came from the program (call_function), not
    // from us (run: the entry function).
    template <bool kCheckTarget>
    uint64_t enter(uint64_t target, const uint64_t* args) {
        jit::Invocation* outer = current_invocation;
        if (!outer) return enter_unguarded<kCheckTarget>(target, args);
        try {
            return enter_unguarded<kCheckTarget>(target, args);
        } catch (...) {
            current_invocation = outer;
            outer->pending = std::current_exception();
            outer->abort_reason = static_cast<uint64_t>(jit::AbortReason::nested_exception);
            return 0;
        }
    }

    template <bool kCheckTarget>
    uint64_t enter_unguarded(uint64_t target, const uint64_t* args) {
        if (kCheckTarget && std::find(functions_.begin(), functions_.end(), target) == functions_.end()) {
            throw Error("JIT: call_function: 0x" + jit::hex_digits(target) +
                        " is not the address of a function of this program (use the value of an LDDW "
                        "pseudo-func)");
        }
        ScopedEngine scope(this);
        jit::Invocation invocation;
        invocation.state = &run_state();
        jit::Invocation* outer = current_invocation;
        if (outer) invocation.depth = outer->depth + 1;
        if (invocation.depth > static_cast<uint64_t>(kMaxCallDepth)) {
            throw Error("JIT: a callback would exceed the maximum call depth of " +
                        std::to_string(kMaxCallDepth) + " frames");
        }
        current_invocation = &invocation;
        const uint64_t r0 = trampoline_(&invocation, target, args);
        current_invocation = outer;
        switch (static_cast<jit::AbortReason>(invocation.abort_reason)) {
        case jit::AbortReason::none: return r0;
        case jit::AbortReason::missing_helper:
        {
            const auto id = static_cast<int32_t>(invocation.abort_detail);
            const HelperPrototype* prototype = helper_prototype(id);
            throw Error("instruction " + std::to_string(invocation.abort_insn) + ": helper " + std::to_string(id) +
                        (prototype ? " (" + std::string(prototype->name) + ")" : std::string()) +
                        " is not available");
        }
        case jit::AbortReason::call_depth:
            throw Error("instruction " + std::to_string(invocation.abort_insn) +
                        ": call depth exceeds " + std::to_string(kMaxCallDepth) + " frames");
        case jit::AbortReason::nested_exception: std::rethrow_exception(invocation.pending);
        case jit::AbortReason::fell_off_end:
            throw Error("instruction " + std::to_string(invocation.abort_insn) +
                        ": execution ran past the end of the program");
        }
        throw Error("JIT: unknown abort reason " + std::to_string(invocation.abort_reason));
    }

    jit::ExecutableMemory memory_;
    jit::Trampoline trampoline_ = nullptr;
    std::vector<uint64_t> functions_;  // absolute entry addresses; entry function first
};

}  // namespace

std::unique_ptr<Engine> make_jit(const ExecutableProgram& program, const ExecOptions& options) {
    validate(program.insns);
    return std::make_unique<JitEngine>(program, options);
}

}  // namespace ebpf
