// The JIT's code generators behind make_jit() and jit_compile_listing():
// x86-64 (jit_x86_64.cpp) and AArch64 (jit_aarch64.cpp). Both are built on
// every host (asmjit assembles for either), so either's code can be listed
// and measured anywhere; only the host's runs (compile_for_host).
// Internal to src/exec: the engine (jit_engine.cpp) places the code in
// executable memory, the listing (jit_disassemble.cpp) only reads it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <exception>
#include <span>
#include <string>
#include <vector>

#include "ebpf/exec.hpp"

namespace ebpf::jit {

// Lower-case hex digits of `v` for messages, at least `min_digits` long.
inline std::string hex_digits(uint64_t v, size_t min_digits = 1) {
    static const char* digits = "0123456789abcdef";
    std::string s;
    do {
        s.insert(s.begin(), digits[v & 15]);
        v >>= 4;
    } while (v);
    if (s.size() < min_digits) s.insert(0, min_digits - s.size(), '0');
    return s;
}

// Per-run data the generated code reaches through a callee-saved register
// (r12 on x86-64, x26 on AArch64). One lives on the C++
// stack of every run()/call_function(), so runs on different threads and runs
// nested through helpers (bpf_loop) never share one. Field offsets are used by
// the generated code: keep the layout in step with the kInvocation* constants.
struct Invocation {
    RunState* state = nullptr;   // this thread's run_state(), for the tail-call check
    uint64_t unwind_rsp = 0;     // stack pointer (rsp, sp) of the trampoline, to unwind every frame
    uint64_t depth = 1;          // bpf-to-bpf frames in use (the entry frame is 1)
    uint64_t abort_reason = 0;   // AbortReason; set before unwinding on a run-time fault
    uint64_t abort_insn = 0;     // the instruction that faulted
    uint64_t abort_detail = 0;   // e.g. the missing helper's ID
    uint64_t target = 0;         // the eBPF function the trampoline calls (an absolute address)
    // An exception from a nested run (a bpf_loop callback that failed) cannot
    // unwind through JIT frames: it waits in a thread_local slot of the
    // engine (jit_engine.cpp) until the code has unwound itself, and run()
    // rethrows it. So an Invocation is trivially destructible.
};
inline constexpr int32_t kInvocationState = 0, kInvocationUnwindRsp = 8, kInvocationDepth = 16,
                         kInvocationAbortReason = 24, kInvocationAbortInsn = 32,
                         kInvocationAbortDetail = 40, kInvocationTarget = 48;
static_assert(offsetof(Invocation, abort_detail) == kInvocationAbortDetail);
static_assert(offsetof(Invocation, target) == kInvocationTarget);
static_assert(offsetof(Invocation, depth) == kInvocationDepth);

enum class AbortReason : uint64_t {
    none = 0,
    missing_helper = 1,   // a helper ID with no entry in the helper table
    call_depth = 2,       // more than kMaxCallDepth bpf-to-bpf frames
    fell_off_end = 3,     // control ran past the last instruction
    nested_exception = 4, // a nested run threw; the engine holds its exception
};

// The code's entry: takes r1..r5 in the registers they live in (the first five
// C arguments on both hosts: rdi, rsi, rdx, rcx, r8 / x0-x4), sets up the
// invocation register (r12 / x26), calls the eBPF function at
// invocation->target (an absolute address inside the code) and returns its r0.
using Trampoline = uint64_t (*)(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5,
                                Invocation* invocation);

using LeafEntry = uint64_t (*)(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5);

struct CompiledCode {
    std::vector<uint8_t> code;              // position independent; relocated to 0 (empty with a CodeSink)
    std::vector<uint64_t> insn_offsets;     // per eBPF instruction, + end of body (empty with a CodeSink)
    std::vector<uint64_t> function_offsets; // entry function first, then subprograms
    uint64_t trampoline_offset = 0;
    // The entry function is a leaf (x86-64): a C function of r1-r5 (LeafEntry)
    // that calls nothing, cannot fault and saves the callee-saved registers
    // it uses, so run() may call it without the trampoline or an Invocation.
    bool entry_is_leaf = false;
};

// Where a program's code needs labels and frames, found in one pass by
// analyse_layout() for both code generators, with the checks code generation
// itself depends on (validate() has already rejected everything else). The
// generators make asmjit labels only for jump targets and function starts and
// read every instruction's code offset from the assembler as they go: a label
// per instruction cost a third of the compile time.
struct ProgramLayout {
    static constexpr uint8_t kSecondSlot = 1;     // second slot of an LDDW: no code of its own
    static constexpr uint8_t kJumpTarget = 2;     // a jump lands here (after any prologue)
    static constexpr uint8_t kFunctionStart = 4;  // a function (and its prologue) starts here
    std::vector<uint8_t> flags;                   // per instruction
    std::vector<uint32_t> functions;              // function starts, sorted: the entry (0) first
    size_t lddw_count = 0;                        // LDDWs (the generators size their buffers by them)
    size_t jump_count = 0;                        // jump targets, function starts included

    bool second_slot(size_t i) const { return flags[i] & kSecondSlot; }
    bool function_start(size_t i) const { return flags[i] & kFunctionStart; }
    bool jump_target(size_t i) const { return flags[i] & kJumpTarget; }
};

// Throws ebpf::Error "JIT: instruction N: why" for registers out of range, a
// truncated LDDW, a jump or call target outside the program, or a function
// that starts in an LDDW's second slot. Every function start is a jump target
// too (the code before it may fall through into it).
ProgramLayout analyse_layout(std::span<const Instruction> insns);

// The instruction `offset` slots after `insn + 1`, checked to be inside the program.
size_t jump_target(std::span<const Instruction> insns, size_t insn, int64_t offset);

// Whether control can run from instruction `i` into the next one.
bool falls_through(std::span<const Instruction> insns, const ProgramLayout& layout, size_t i);

// "instruction N: " for messages.
std::string at(size_t insn);

// Keys for constant blinding: xoshiro256** seeded with 256 bits from the
// kernel (getrandom) per compile. std::random_device cost more than the rest of
// a 1,000-instruction compile (its constructor probes the CPU with cpuid,
// which traps under a hypervisor).
class BlindingKeys {
public:
    void seed();  // from getrandom(); throws ebpf::Error if the kernel has none
    uint64_t operator()() {
        const uint64_t result = rotl(s_[1] * 5, 7) * 9;
        const uint64_t t = s_[1] << 17;
        s_[2] ^= s_[0];
        s_[3] ^= s_[1];
        s_[1] ^= s_[2];
        s_[0] ^= s_[3];
        s_[2] ^= t;
        s_[3] = rotl(s_[3], 45);
        return result;
    }

private:
    static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
    uint64_t s_[4] = {1, 2, 3, 4};
};

// Where make_jit() wants the code: place() gets the finished bytes straight
// from the assembler's buffer, so they are copied once, into executable
// memory. With a sink, CompiledCode::code and insn_offsets stay empty (only a
// listing needs them).
class CodeSink {
public:
    virtual void place(std::span<const uint8_t> code) = 0;

protected:
    ~CodeSink() = default;
};

// Compiles a program. Throws ebpf::Error "instruction N: why" for programs the
// JIT cannot translate (malformed, unresolved map references, kfunc calls).
CompiledCode compile_x86_64(const ExecutableProgram& program, const ExecOptions& options, CodeSink* sink = nullptr);

// The AArch64 code generator. `lse`: atomics as ARMv8.1 LSE instructions
// (ldaddal, casal, ...); false: load-/store-exclusive loops, which every
// ARMv8 core runs.
CompiledCode compile_aarch64(const ExecutableProgram& program, const ExecOptions& options, bool lse,
                             CodeSink* sink = nullptr);

enum class CodeArch { x86_64, aarch64 };
// The architecture this library was built for: the one whose code runs.
// Other hosts (neither x86-64 nor AArch64) have no JIT: make_jit() refuses.
#if defined(__x86_64__)
inline constexpr CodeArch kHostArch = CodeArch::x86_64;
#elif defined(__aarch64__)
inline constexpr CodeArch kHostArch = CodeArch::aarch64;
#else
#define EBPF_JIT_NO_HOST_ARCH 1
#endif

// Whether this CPU has the LSE atomics (AArch64 HWCAP_ATOMICS; false elsewhere).
bool host_has_lse_atomics();

// The host's code generator (LSE atomics where the CPU has them).
CompiledCode compile_for_host(const ExecutableProgram& program, const ExecOptions& options, CodeSink* sink = nullptr);

}  // namespace ebpf::jit
