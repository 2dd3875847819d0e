// Precision, as Linux's mark_chain_precision: a stored state compares only
// the scalar registers whose range some continuation depended on ("precise"
// registers); the others may differ. Whenever a decision depends on a
// scalar's range (pointer arithmetic, a helper argument, a branch with one
// possible outcome, a return value that is checked, a pointer compared with
// a scalar), the register is marked precise in every stored state of the
// path, following the instructions back to where its value came from (a
// copy, an operand, a spilled stack slot). A pruned path carries the marks
// of the state it was pruned against to its own stored states.
//
// Stack bytes of the current frame are marked the same way: a value loaded
// from the stack makes the bytes it came from precise, and the backtracking
// goes on to the register that was stored there. Bytes that are not precise
// are compared by what they may hold (data, not a pointer; written or not),
// not by value.
//
// Anything the backtracking does not follow exactly (a call or return in
// between, a partial or variable-offset stack access, an atomic) marks every
// register and slot of every stored state of the path precise: the old
// behaviour. The stacks of the frames below the current one are compared in
// full.
#include "verifier_env.hpp"

namespace ebpf::verifier {
namespace {

constexpr uint16_t bit(int regno) { return static_cast<uint16_t>(1u << regno); }

uint16_t scalar_regs(const VerifierState& state, uint16_t mask) {
    uint16_t out = 0;
    for (int r = 0; r < kRegisterCount; ++r)
        if ((mask & bit(r)) && state.regs_const()[r].type == RegType::scalar) out |= bit(r);
    return out;
}

bool is_cond_jump(const Instruction& insn) {
    const uint8_t cls = op::cls(insn.opcode);
    if (cls != op::kClassJmp && cls != op::kClassJmp32) return false;
    const uint8_t jop = op::jmp_op(insn.opcode);
    return jop != op::kJa && jop != op::kCall && jop != op::kExit;
}

// One instruction backwards: which registers (R) and stack bytes (S) of the
// frame the values needed after it came from. False when the instruction is
// one the backtracking does not follow.
bool backtrack(const Instruction& insn, const HistoryEntry& h, uint16_t& R, SlotBytes& S) {
    const uint8_t cls = op::cls(insn.opcode);
    const uint16_t d = bit(insn.dst & 0xf), s = bit(insn.src & 0xf);
    switch (cls) {
    case op::kClassAlu:
    case op::kClassAlu64: {
        const uint8_t operation = op::alu_op(insn.opcode);
        if (!(R & d)) return true;
        if (operation == op::kMov) {
            R &= static_cast<uint16_t>(~d);
            if (op::is_x(insn.opcode)) R |= s;
            return true;
        }
        if (operation != op::kNeg && operation != op::kEnd && op::is_x(insn.opcode)) R |= s;
        return true;
    }
    case op::kClassLd:
        if (insn.opcode == op::kLddw) {
            R &= static_cast<uint16_t>(~d);
            return true;
        }
        R &= static_cast<uint16_t>(~0x3f);  // legacy packet load: R0 from the packet, R1-R5 clobbered
        return true;
    case op::kClassLdx:
        if (!(R & d)) return true;
        R &= static_cast<uint16_t>(~d);
        if (h.other_stack) return false;
        if (h.slot >= 0) S.mask[static_cast<size_t>(h.slot)] |= h.bytes;  // the value came from these bytes
        return true;
    case op::kClassSt:
    case op::kClassStx:
        if (op::mode(insn.opcode) == op::kModeAtomic) {
            if (h.slot >= 0 || h.other_stack) return !S.any() && !(R & (s | bit(0)));
            // A fetch loads the old memory value: no register behind it.
            if (insn.imm == op::kAtomicCmpXchg) R &= static_cast<uint16_t>(~bit(0));
            else if (insn.imm & op::kAtomicFetch) R &= static_cast<uint16_t>(~s);
            return true;
        }
        if (h.other_stack) return cls == op::kClassSt || !S.any();  // an immediate depends on no register
        if (h.slot >= 0 && (S.mask[static_cast<size_t>(h.slot)] & h.bytes)) {
            if (cls == op::kClassStx) R |= s;
            // These bytes were overwritten: nothing older matters for them.
            S.mask[static_cast<size_t>(h.slot)] &= static_cast<uint8_t>(~h.bytes);
        }
        return true;
    default:
        break;
    }
    const uint8_t jop = op::jmp_op(insn.opcode);
    if (jop == op::kJa) return true;
    if (jop == op::kExit) return false;
    if (jop == op::kCall) {
        if (insn.src != op::kCallHelper) return false;
        R &= static_cast<uint16_t>(~0x3f);  // R0 is the helper's result; R1-R5 are gone
        return true;
    }
    // A comparison refines its operands and every copy linked to them (same
    // id): a copy needed afterwards got its bound from the operands' ranges
    // before the jump (Linux: linked registers in the jump history). A
    // linked spilled copy is not followed exactly.
    const uint16_t operands = static_cast<uint16_t>(d | (op::is_x(insn.opcode) ? s : 0));
    if (h.linked_slot && ((R & (h.linked | operands)) || S.any())) return false;
    if (R & h.linked) R |= h.linked | operands;
    // A comparison of two registers moves bounds between them.
    if (op::is_x(insn.opcode) && (R & (d | s))) R |= d | s;
    return true;
}

}  // namespace

void mark_all_precise(VerifierEnv& env, int32_t checkpoint) {
    for (int32_t cp = checkpoint; cp >= 0; cp = env.checkpoints[static_cast<size_t>(cp)].parent) {
        Checkpoint& c = env.checkpoints[static_cast<size_t>(cp)];
        if (c.all_precise) return;
        c.all_precise = true;
    }
}

void mark_precise(VerifierEnv& env, const VerifierState& state, uint16_t regs, const SlotBytes& slots) {
    uint16_t R = regs;
    SlotBytes S = slots;
    if (R == 0 && !S.any()) return;
    const size_t depth = state.frames.size();
    const std::vector<HistoryEntry>* history = &state.history;
    int32_t cp = state.checkpoint;
    for (;;) {
        for (size_t k = history->size(); k-- > 0;) {
            const HistoryEntry& h = (*history)[k];
            if (h.depth != depth || !backtrack(env.insns[h.insn], h, R, S)) {
                mark_all_precise(env, state.checkpoint);
                return;
            }
            if (R == 0 && !S.any()) return;
        }
        if (cp < 0) return;  // the entry: values given by the caller of the program
        Checkpoint& c = env.checkpoints[static_cast<size_t>(cp)];
        if (c.all_precise) return;
        if (c.precise.size() != depth) {
            mark_all_precise(env, cp);
            return;
        }
        const uint16_t fresh = static_cast<uint16_t>(R & ~c.precise.back());
        const SlotBytes fresh_slots = S.minus(c.precise_slots);
        c.precise.back() |= R;
        c.precise_slots |= S;
        // Marks already there were followed further up when they were made.
        if (fresh == 0 && !fresh_slots.any()) return;
        R = fresh;
        S = fresh_slots;
        history = &c.history;
        cp = c.parent;
    }
}

void note_history(const VerifierEnv& env, VerifierState& state) {
    const Instruction& insn = env.insns[state.insn];
    HistoryEntry h;
    h.insn = state.insn;
    h.depth = static_cast<uint8_t>(state.frames.size());
    const uint8_t cls = op::cls(insn.opcode);
    if (cls == op::kClassLdx || cls == op::kClassSt || cls == op::kClassStx) {
        const RegState& base = state.regs_const()[cls == op::kClassLdx ? insn.src : insn.dst];
        if (base.type == RegType::ptr_to_stack) {
            const int64_t off = int64_t{base.off} + insn.offset;
            const int64_t size = op::size_bytes(insn.opcode);
            const bool fixed = base.var.is_const() && base.var.value() == 0 && base.frameno + 1u == state.frames.size() &&
                               off >= -kStackSize && off + size <= 0 && (-off - 1) / 8 == (-(off + size - 1) - 1) / 8;
            if (fixed) {
                h.slot = static_cast<int8_t>((-off - 1) / 8);
                const int64_t first = off + 8 * (h.slot + 1);  // byte of the slot where the access starts
                h.bytes = static_cast<uint8_t>(((1u << size) - 1) << first);
            } else {
                h.other_stack = true;
            }
        }
    }
    if (is_cond_jump(insn)) {
        // The copies this comparison will refine (check_cond_jmp.cpp, propagate_scalar).
        const RegState* regs = state.regs_const();
        const uint32_t ids[2] = {regs[insn.dst].type == RegType::scalar ? regs[insn.dst].id : 0,
                                 op::is_x(insn.opcode) && regs[insn.src].type == RegType::scalar ? regs[insn.src].id : 0};
        auto linked_id = [&](const RegState& r) {
            return r.type == RegType::scalar && r.id != 0 && (r.id == ids[0] || r.id == ids[1]);
        };
        for (int r = 0; r < kRegisterCount; ++r)
            if (linked_id(regs[r])) h.linked |= bit(r);
        for (const FuncFrame& frame : state.frames) {
            for (size_t i = 0; i < frame.stack.slot_count() && !h.linked_slot; ++i) {
                const StackSlot* slot = frame.stack.slot(i);
                h.linked_slot = slot && slot->full_spill() && linked_id(slot->spilled);
            }
        }
        // A copy in a caller's frame: backtracking crosses a call before it matters there.
    }
    state.history.push_back(h);
}

void mark_before_step(VerifierEnv& env, VerifierState& state) {
    const Instruction& insn = env.insns[state.insn];
    const uint8_t cls = op::cls(insn.opcode);
    const RegState* regs = state.regs_const();
    uint16_t need = 0;
    if (cls == op::kClassAlu64 && op::is_x(insn.opcode) &&
        (op::alu_op(insn.opcode) == op::kAdd || op::alu_op(insn.opcode) == op::kSub)) {
        // Pointer arithmetic: the scalar is the pointer's new offset.
        if (regs[insn.dst].is_pointer()) need = bit(insn.src);
        else if (regs[insn.src].is_pointer()) need = bit(insn.dst);
    } else if (cls == op::kClassLd && op::mode(insn.opcode) == op::kModeInd) {
        need = bit(insn.src);
    } else if ((cls == op::kClassJmp || cls == op::kClassJmp32) && op::jmp_op(insn.opcode) == op::kCall) {
        if (insn.src == op::kCallHelper) need = 0x3e;  // every scalar argument
    } else if (cls == op::kClassJmp && op::jmp_op(insn.opcode) == op::kExit) {
        const ProgramTypeInfo& info = env.info;
        const bool any = (info.ret_min == 0 && info.ret_max == UINT32_MAX) ||
                         (info.ret_min == INT32_MIN && info.ret_max == INT32_MAX);
        if (state.frame().is_callback || (state.frames.size() == 1 && !any)) need = bit(0);
    } else if (is_cond_jump(insn) && op::is_x(insn.opcode)) {
        // A pointer compared with a scalar: only a scalar that is exactly 0 may be.
        if (regs[insn.dst].is_pointer() != regs[insn.src].is_pointer())
            need = regs[insn.dst].is_pointer() ? bit(insn.src) : bit(insn.dst);
    }
    need = scalar_regs(state, need);
    if (need) mark_precise(env, state, need, {});
}

uint16_t decided_branch_operands(const VerifierEnv& env, const VerifierState& state) {
    const Instruction& insn = env.insns[state.insn];
    if (!is_cond_jump(insn)) return 0;
    const RegState* regs = state.regs_const();
    if (regs[insn.dst].type != RegType::scalar) return 0;
    if (op::is_x(insn.opcode) && regs[insn.src].type != RegType::scalar) return 0;
    return static_cast<uint16_t>(bit(insn.dst) | (op::is_x(insn.opcode) ? bit(insn.src) : 0));
}

void mark_after_branch(VerifierEnv& env, VerifierState& state, uint16_t operands, size_t pending_before, bool ended) {
    // Both outcomes possible: the other one was queued; nothing was decided.
    if (operands == 0 || (!ended && env.worklist.size() != pending_before)) return;
    mark_precise(env, state, operands, {});
}

}  // namespace ebpf::verifier
