// Everything one verification run shares: the program, its maps and type,
// the worklist of pending paths, the stored states for pruning, statistics,
// and how to report an error. The checks (check_*.cpp) are free functions
// over (VerifierEnv, VerifierState).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "ebpf/error.hpp"
#include "ebpf/verifier.hpp"
#include "verifier_state.hpp"

namespace ebpf::verifier {

// A verification error at the instruction being checked; the driver turns it
// into a VerifyDiagnostic with the state and path.
class VerifyFailure : public Error {
public:
    using Error::Error;
};
[[noreturn]] void fail(const std::string& message);

// A stored state at a prune point (Linux's explored states).
struct Checkpoint {
    VerifierState state;
    uint32_t branches = 1;   // paths from here still being explored
    int32_t parent = -1;     // the checkpoint this one's path came from
    bool complete() const { return branches == 0; }
};

// How the context-access instructions are used, for rewrite_context_accesses.
enum class AccessUse : uint8_t { unseen, ctx, other };

struct VerifierEnv {
    std::span<const Instruction> insns;
    std::span<const MapDefinition> maps;
    const ProgramTypeInfo& info;
    const Program* program = nullptr;  // for line info; null for raw instructions
    VerifyOptions options;

    uint32_t last_id = 0;
    std::vector<bool> prune_point;
    std::vector<bool> function_start;
    std::vector<AccessUse> access_use;
    std::vector<int32_t> ctx_offset;    // per instruction, -1 when not a ctx access
    std::vector<VerifierState> worklist;
    std::vector<Checkpoint> checkpoints;
    std::unordered_map<uint32_t, std::vector<int32_t>> checkpoints_at;
    size_t stored_bytes = 0;
    VerifyStats stats;
    std::string log;

    VerifierEnv(std::span<const Instruction> i, std::span<const MapDefinition> m, const ProgramTypeInfo& t)
        : insns(i), maps(m), info(t) {}

    uint32_t new_id() { return ++last_id; }
    // "prog.c:94" or "insn 94".
    std::string where(uint32_t insn) const;
    const SourceLocation* source_at(uint32_t insn) const;
    // Adds a pending path forked from `state` (counted on its checkpoint).
    void push_branch(VerifierState state);
    // A path ended safely: its checkpoints may now be complete.
    void finish_path(int32_t checkpoint);
};

// --- the checks, one per concern -----------------------------------------

// ALU and ALU64 (including MOV, NEG, END, MOVSX) and LDDW.
void check_alu(VerifierEnv& env, VerifierState& state, const Instruction& insn);
void check_lddw(VerifierEnv& env, VerifierState& state, uint32_t index);
// LDX, ST, STX and atomics.
void check_mem_access(VerifierEnv& env, VerifierState& state, uint32_t index);
// Legacy LD ABS/IND packet loads.
void check_ld_abs(VerifierEnv& env, VerifierState& state, const Instruction& insn);
// CALL of a helper (including bpf_loop / for_each_map_elem callbacks).
void check_helper_call(VerifierEnv& env, VerifierState& state, uint32_t index);
// CALL of a bpf-to-bpf function: pushes a frame.
void check_call(VerifierEnv& env, VerifierState& state, uint32_t index);
// Conditional jumps; may push the other branch. Returns false when the
// current path cannot continue (both outcomes impossible).
bool check_cond_jmp(VerifierEnv& env, VerifierState& state, uint32_t index);
// EXIT: returns from a frame, or ends the path (returns false).
bool check_exit(VerifierEnv& env, VerifierState& state, uint32_t index);
// Structure before abstract interpretation: every instruction reachable,
// prune points at jump targets, function starts.
void check_cfg(VerifierEnv& env);
// Function boundaries (check_functions.cpp): no jump crosses from one function
// into another and no function runs on into the next, for every instruction.
void check_function_bounds(VerifierEnv& env);
// Pruning: true when the state is subsumed by a finished stored state.
bool is_state_visited(VerifierEnv& env, VerifierState& state);

// --- helpers shared by the checks ----------------------------------------

std::string reg_name(int regno);
// Reading a register: must be initialised.
const RegState& read_reg(VerifierState& state, int regno);
// Memory of `size` bytes at `reg` + `off` readable (or writable); used by
// helper argument checks. `init` requires initialised bytes; a write of
// `size` bytes marks them written only when `exact_size` (not an upper bound).
void check_helper_mem(VerifierEnv& env, VerifierState& state, int regno, int64_t size, bool write,
                      bool init, const char* what, bool exact_size = true);
// Calls `fn(RegState&)` for every register and spilled register of every frame.
template <typename Fn>
void for_each_reg(VerifierState& state, Fn&& fn) {
    for (auto& frame : state.frames) {
        for (auto& reg : frame.regs) fn(reg);
        for (auto& slot : frame.stack.slots)
            if (slot.full_spill()) fn(slot.spilled);
    }
}
// Packet pointers become unknown after helpers that move the packet.
void clear_packet_pointers(VerifierState& state);
// " (value returned by bpf_map_lookup_elem at prog.c:94 was not checked)"
std::string describe_origin(const VerifierEnv& env, const RegState& reg);
std::string format_state(const VerifierState& state);
VerifyDiagnostic make_diagnostic(const VerifierEnv& env, const VerifierState* state, const std::string& message);
VerifyResult run_verifier(VerifierEnv& env);

}  // namespace ebpf::verifier
