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
    std::vector<HistoryEntry> history;  // the path from `parent` to here
    // Precision (Linux's "precise" scalars): the scalar registers whose
    // range some continuation depends on. Others are not compared.
    std::vector<uint16_t> precise;      // per frame
    // Likewise the stack bytes of the current (innermost) frame whose scalar
    // values matter; the frames below are compared in full.
    SlotBytes precise_slots;
    bool all_precise = false;
    uint32_t hits = 0, misses = 0;      // prunes it made, and comparisons that failed
    bool complete() const { return branches == 0; }
};

// How the context-access instructions are used, for rewrite_context_accesses.
enum class AccessUse : uint8_t { unseen, ctx, other };

// Which stack slots of a function's own frame a path from each instruction
// may read (liveness.cpp): what the instructions say beforehand, plus the
// reads recorded while paths run.
struct SlotLiveness {
    std::vector<uint64_t> live;   // per instruction: bit i set when the frame's slot i may be read
    std::vector<uint64_t> def;    // per instruction: slots it overwrites whole
    std::vector<std::vector<uint32_t>> preds;
    void init(std::span<const Instruction> insns);
    // A read of `mask` at `insn`: live there and back along the flow until overwritten.
    void add_use(uint32_t insn, uint64_t mask);
};

struct VerifierEnv {
    std::span<const Instruction> insns;
    std::span<const MapDefinition> maps;
    const ProgramTypeInfo& info;
    const Program* program = nullptr;  // for line info; null for raw instructions
    VerifyOptions options;

    uint32_t last_id = 0;
    std::vector<bool> prune_point;
    std::vector<bool> function_start;
    std::vector<uint16_t> live_regs;    // per instruction: bit r set when Rr is live before it
    std::unordered_map<uint32_t, bool> callback_writes;  // callback entry -> may write outside its frame
    SlotLiveness slot_liveness;
    std::vector<AccessUse> access_use;
    std::vector<int32_t> ctx_offset;    // per instruction, -1 when not a ctx access
    std::vector<VerifierState> worklist;
    std::vector<Checkpoint> checkpoints;
    std::unordered_map<uint32_t, std::vector<int32_t>> checkpoints_at;
    size_t stored_bytes = 0;            // stored states, without their shared stack slots
    size_t pending_bytes = 0;           // the worklist, likewise
    size_t slots_at_start = SlotCounter::live();
    VerifyStats stats;
    std::string log;
    std::vector<VerifyDiagnostic> warnings;  // at most one per instruction
    std::vector<int64_t> spin_lock_off;      // per map: offset of its struct bpf_spin_lock; -1: none

    VerifierEnv(std::span<const Instruction> i, std::span<const MapDefinition> m, const ProgramTypeInfo& t)
        : insns(i), maps(m), info(t) {}

    uint32_t new_id() { return ++last_id; }
    // Memory held by stored and pending states, stack slots included.
    size_t memory_in_use() const {
        const size_t slots = SlotCounter::live() > slots_at_start ? SlotCounter::live() - slots_at_start : 0;
        return stored_bytes + pending_bytes + slots * kStackSlotBytes;
    }
    // Fails with "program too complex: <what>", naming the loop or branch
    // nest that used up the budget and how to fix it (diagnostics.cpp).
    [[noreturn]] void fail_too_complex(const std::string& what) const;
    // "prog.c:94" or "insn 94".
    std::string where(uint32_t insn) const;
    const SourceLocation* source_at(uint32_t insn) const;
    // Adds a pending path forked from `state` (counted on its checkpoint).
    void push_branch(VerifierState state);
    // A path ended safely: its checkpoints may now be complete.
    void finish_path(int32_t checkpoint);
    // Something Linux accepts that the author probably did not mean: reported
    // beside the verdict, once per instruction.
    void warn(const VerifierState& state, const std::string& message);
};

// --- the checks, one per concern -----------------------------------------

// ALU and ALU64 (including MOV, NEG, END, MOVSX) and LDDW.
void check_alu(VerifierEnv& env, VerifierState& state, const Instruction& insn);
void check_lddw(VerifierEnv& env, VerifierState& state, uint32_t index);
// LDX, ST, STX and atomics.
void check_mem_access(VerifierEnv& env, VerifierState& state, uint32_t index);
// Legacy LD ABS/IND packet loads: where they are allowed (any instruction,
// `where` prefixes the message), and their effect on a path.
void check_legacy_packet_load(const VerifierEnv& env, const std::string& where, const Instruction& insn);
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
// After abstract interpretation: every instruction, also one in a branch no
// state reached, is one the engines can load (map index in range, known
// helper, no LD ABS/IND). Reached instructions already passed their own,
// more precise checks.
void check_every_instruction_loadable(const VerifierEnv& env);
// Precision (precision.cpp): before an instruction whose safety depends on
// the exact range of scalar registers, mark them precise in the stored
// states of this path, following where their values came from.
void note_history(const VerifierEnv& env, VerifierState& state);
void mark_before_step(VerifierEnv& env, VerifierState& state);
// A conditional jump between scalars: its operands (0 otherwise); after the
// step, they are marked precise when only one outcome was possible.
uint16_t decided_branch_operands(const VerifierEnv& env, const VerifierState& state);
void mark_after_branch(VerifierEnv& env, VerifierState& state, uint16_t operands, size_t pending_before, bool ended);
void mark_precise(VerifierEnv& env, const VerifierState& state, uint16_t regs, const SlotBytes& slots);
void mark_all_precise(VerifierEnv& env, int32_t checkpoint);
// Register liveness (liveness.cpp): live-in masks per instruction, and
// forgetting the registers of a state that no path reads again.
std::vector<uint16_t> compute_live_registers(std::span<const Instruction> insns);
// A path reads the bytes [lo, hi) of frame `frameno`'s stack.
void note_stack_read(VerifierEnv& env, const VerifierState& state, uint32_t frameno, int64_t lo, int64_t hi);
// Per frame of `state`: the registers a path from here may still read.
std::vector<uint16_t> live_register_masks(const VerifierEnv& env, const VerifierState& state);
// Forgets dead registers (when a state is stored).
void clear_dead_registers(std::span<const uint16_t> masks, VerifierState& state);
// Forgets the current frame's stack slots no path reads again (when every
// continuation of a stored state has run: only then are all reads known).
void forget_dead_slots(const VerifierEnv& env, VerifierState& state);
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
// Calls `fn(RegState&)` for every register and spilled register of every
// frame. A shared stack slot is copied only when `fn` changes its register.
template <typename Fn>
void for_each_reg(VerifierState& state, Fn&& fn) {
    for (auto& frame : state.frames) {
        for (auto& reg : frame.regs) fn(reg);
        for (size_t i = 0; i < frame.stack.slot_count(); ++i) {
            const StackSlot* slot = frame.stack.slot(i);
            if (!slot || !slot->full_spill()) continue;
            RegState reg = slot->spilled;
            fn(reg);
            if (!(reg == slot->spilled)) frame.stack.mutable_slot(i).spilled = reg;
        }
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
