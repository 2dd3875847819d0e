// make_jit(): the JIT engine. Compiles once for the host (jit_x86_64.cpp or
// jit_aarch64.cpp), places the code in W^X memory (jit_memory.cpp) and
// enters it through the trampoline for every run() and call_function().
#include <algorithm>
#include <exception>
#include <string>
#include <utility>

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
// The exception of a nested run that failed, until the outer run (whose
// abort_reason says nested_exception) has unwound its code and rethrows it.
thread_local std::exception_ptr parked_exception;

class JitEngine final : public Engine, private jit::CodeSink {
public:
    JitEngine(const ExecutableProgram& program, const ExecOptions& options) {
        // The code goes from the assembler's buffer straight into executable
        // memory (place() below); the offsets are relative to its start.
        const jit::CompiledCode compiled = jit::compile_for_host(program, options, this);
        trampoline_ = reinterpret_cast<jit::Trampoline>(memory_.address() + compiled.trampoline_offset);
        functions_.reserve(compiled.function_offsets.size());
        for (uint64_t offset : compiled.function_offsets) functions_.push_back(memory_.address() + offset);
        entry_ = functions_.front();
        if (compiled.entry_is_leaf) leaf_ = reinterpret_cast<jit::LeafEntry>(entry_);
    }

    ExecMode mode() const override { return ExecMode::jit; }

    uint64_t run(uint64_t arg1, uint64_t arg2) override {
        if (leaf_) {  // calls nothing and cannot fault: no trampoline, no Invocation
            ScopedEngine scope(this);
            return leaf_(arg1, arg2, 0, 0, 0);
        }
        return enter(entry_, arg1, arg2, 0, 0, 0);
    }

    uint64_t call_function(uint64_t function, uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4,
                           uint64_t r5) override {
        // The target came from the program (an LDDW pseudo-func), not from us.
        if (std::find(functions_.begin(), functions_.end(), function) == functions_.end()) [[unlikely]] {
            return refuse(function);
        }
        return enter(function, r1, r2, r3, r4, r5);
    }

private:
    void place(std::span<const uint8_t> code) override { memory_.map(code); }

    // Every way into the code. A run from outside any JIT run (the common
    // case: no exception handler, nothing to count) goes straight in.
    [[gnu::always_inline]] uint64_t enter(uint64_t target, uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4,
                                          uint64_t r5) {
        jit::Invocation* outer = current_invocation;
        if (outer) [[unlikely]] return enter_nested(outer, target, r1, r2, r3, r4, r5);
        return enter_unguarded(nullptr, target, r1, r2, r3, r4, r5);
    }

    // Called from a helper inside JIT code (a callback), an exception must
    // not unwind through those frames: it is parked in the outer run, which
    // checks after every helper call, unwinds its own frames and rethrows it.
    [[gnu::noinline]] uint64_t enter_nested(jit::Invocation* outer, uint64_t target, uint64_t r1, uint64_t r2,
                                            uint64_t r3, uint64_t r4, uint64_t r5) {
        try {
            if (outer->depth + 1 > static_cast<uint64_t>(kMaxCallDepth)) {
                throw Error("JIT: a callback would exceed the maximum call depth of " +
                            std::to_string(kMaxCallDepth) + " frames");
            }
            return enter_unguarded(outer, target, r1, r2, r3, r4, r5);
        } catch (...) {
            park(outer);
            return 0;
        }
    }

    // Parks the exception being handled in the outer run (see enter_nested).
    static void park(jit::Invocation* outer) {
        current_invocation = outer;
        parked_exception = std::current_exception();
        outer->abort_reason = static_cast<uint64_t>(jit::AbortReason::nested_exception);
    }

    // call_function() with an address that is no function's: an error for
    // the caller, parked like any other when the caller is a helper inside a run.
    [[gnu::noinline, gnu::cold]] static uint64_t refuse(uint64_t target) {
        jit::Invocation* outer = current_invocation;
        if (!outer) not_a_function(target);
        try {
            not_a_function(target);
        } catch (...) {
            park(outer);
        }
        return 0;
    }

    [[gnu::always_inline]] uint64_t enter_unguarded(jit::Invocation* outer, uint64_t target, uint64_t r1,
                                                    uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5) {
        ScopedEngine scope(this);
        jit::Invocation invocation;
        invocation.state = &run_state();
        invocation.target = target;
        if (outer) invocation.depth = outer->depth + 1;
        current_invocation = &invocation;
        const uint64_t r0 = trampoline_(r1, r2, r3, r4, r5, &invocation);
        current_invocation = outer;
        if (invocation.abort_reason != 0) [[unlikely]] raise_abort(invocation);
        return r0;
    }

    // The run stopped at a run-time fault: the error it reports.
    [[noreturn, gnu::noinline, gnu::cold]] static void raise_abort(jit::Invocation& invocation) {
        switch (static_cast<jit::AbortReason>(invocation.abort_reason)) {
        case jit::AbortReason::none: break;
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
        case jit::AbortReason::nested_exception: std::rethrow_exception(std::exchange(parked_exception, nullptr));
        case jit::AbortReason::fell_off_end:
            throw Error("instruction " + std::to_string(invocation.abort_insn) +
                        ": execution ran past the end of the program");
        }
        throw Error("JIT: unknown abort reason " + std::to_string(invocation.abort_reason));
    }

    [[noreturn, gnu::noinline, gnu::cold]] static void not_a_function(uint64_t target) {
        throw Error("JIT: call_function: 0x" + jit::hex_digits(target) +
                    " is not the address of a function of this program (use the value of an LDDW "
                    "pseudo-func)");
    }

    jit::ExecutableMemory memory_;
    jit::Trampoline trampoline_ = nullptr;
    std::vector<uint64_t> functions_;  // absolute entry addresses; entry function first
    uint64_t entry_ = 0;               // functions_.front()
    jit::LeafEntry leaf_ = nullptr;    // the entry, when run() may call it directly
};

}  // namespace

std::unique_ptr<Engine> make_jit(const ExecutableProgram& program, const ExecOptions& options) {
    validate(program.insns);
    return std::make_unique<JitEngine>(program, options);
}

}  // namespace ebpf
