// Register liveness: a backward dataflow over the instructions. A register is
// live before an instruction when some path from there reads it before
// writing it. Each function is its own graph: a call of a subprogram reads
// R1-R5 and defines R0-R5 (the callee's body is analysed from its own entry),
// a helper call reads its arguments and defines R0-R5, and exit reads R0.
// Pruning ignores registers that are dead, so values nobody reads again do
// not multiply the stored states.
//
// Stack slots (8 bytes each) of a function's own frame, likewise, but the
// reads are learnt as the paths run (Linux's read marks): a load at a
// constant offset from R10 is known before; a read through any other
// pointer (a variable offset, a helper reading a key or buffer, a callee or
// callback reading its caller's frame) is recorded when a path performs it,
// at the instruction of the frame that owns the slot (the call instruction
// for reads from deeper frames), and the new bits flow back along the
// control flow until an 8-byte store at a constant offset from R10 kills
// them. A stored state is compared only against states whose every
// continuation ran, so by then every read its continuations make is known;
// its dead slots are dropped only then. The slots of frames below the
// current one are always compared in full.
#include <vector>

#include "verifier_env.hpp"

namespace ebpf::verifier {
namespace {

constexpr uint16_t bit(int regno) { return static_cast<uint16_t>(1u << regno); }
constexpr uint16_t kArgs = 0x3e;        // R1-R5
constexpr uint16_t kCallerSaved = 0x3f; // R0-R5

struct UseDef {
    uint16_t use = 0, def = 0;
};

UseDef use_def(const Instruction& insn) {
    const uint8_t cls = op::cls(insn.opcode);
    const uint16_t dst = bit(insn.dst & 0xf), src = bit(insn.src & 0xf);
    switch (cls) {
    case op::kClassAlu:
    case op::kClassAlu64: {
        const uint8_t operation = op::alu_op(insn.opcode);
        if (operation == op::kMov) return {op::is_x(insn.opcode) ? src : uint16_t{0}, dst};
        if (operation == op::kNeg || operation == op::kEnd) return {dst, dst};
        return {static_cast<uint16_t>(dst | (op::is_x(insn.opcode) ? src : 0)), dst};
    }
    case op::kClassLd:
        if (insn.opcode == op::kLddw) return {0, dst};
        // Legacy packet loads read the context in R6 (and the index register).
        return {static_cast<uint16_t>(bit(6) | (op::mode(insn.opcode) == op::kModeInd ? src : 0)), kCallerSaved};
    case op::kClassLdx:
        return {src, dst};
    case op::kClassSt:
        return {dst, 0};
    case op::kClassStx:
        if (op::mode(insn.opcode) == op::kModeAtomic) {
            if (insn.imm == op::kAtomicCmpXchg) return {static_cast<uint16_t>(dst | src | bit(0)), bit(0)};
            return {static_cast<uint16_t>(dst | src), (insn.imm & op::kAtomicFetch) ? src : uint16_t{0}};
        }
        return {static_cast<uint16_t>(dst | src), 0};
    default:
        break;
    }
    const uint8_t jop = op::jmp_op(insn.opcode);
    if (jop == op::kJa) return {};
    if (jop == op::kExit) return {bit(0), 0};
    if (jop == op::kCall) {
        uint16_t use = kArgs;
        if (insn.src == op::kCallHelper) {
            use = 0;
            if (const HelperPrototype* proto = helper_prototype(insn.imm))
                for (int i = 0; i < 5; ++i)
                    if (proto->args[i] != ArgKind::none) use |= bit(i + 1);
        }
        return {use, kCallerSaved};
    }
    return {static_cast<uint16_t>(dst | (op::is_x(insn.opcode) ? src : 0)), 0};
}

constexpr uint64_t kAllSlots = ~uint64_t{0};

// Slots [off, off + size) of the frame as a mask (slot i is [-8(i+1), -8i)).
uint64_t slot_mask(int64_t off, int64_t size) {
    uint64_t mask = 0;
    for (int64_t o = off; o < off + size; ++o)
        if (o >= -512 && o < 0) mask |= uint64_t{1} << ((-o - 1) / 8);
    return mask;
}

struct SlotUseDef {
    uint64_t use = 0, def = 0;
};

// Only what is known before any path runs: loads and atomics at a constant
// offset from R10. Other reads are recorded as they happen (note_stack_read).
SlotUseDef slot_use_def(const Instruction& insn) {
    const uint8_t cls = op::cls(insn.opcode);
    const int64_t size = op::size_bytes(insn.opcode);
    if (cls == op::kClassLdx) return {insn.src == kFramePointer ? slot_mask(insn.offset, size) : 0, 0};
    if (cls == op::kClassStx && op::mode(insn.opcode) == op::kModeAtomic)
        return {insn.dst == kFramePointer ? slot_mask(insn.offset, size) : 0, 0};
    if (cls == op::kClassSt || cls == op::kClassStx) {
        if (insn.dst == kFramePointer && size == 8 && insn.offset % 8 == 0) return {0, slot_mask(insn.offset, 8)};
        return {};
    }
    return {};
}

// The instructions control may come from (within the function: a call
// continues at the next instruction, exit has no successor).
std::vector<std::vector<uint32_t>> predecessors(std::span<const Instruction> insns) {
    const size_t n = insns.size();
    std::vector<std::vector<uint32_t>> preds(n);
    auto edge = [&](size_t from, int64_t to) {
        if (to >= 0 && to < static_cast<int64_t>(n)) preds[static_cast<size_t>(to)].push_back(static_cast<uint32_t>(from));
    };
    for (size_t k = 0; k < n; ++k) {
        const Instruction& insn = insns[k];
        const uint8_t cls = op::cls(insn.opcode);
        const auto i = static_cast<int64_t>(k);
        if (insn.opcode == op::kLddw) {
            edge(k, i + 2);
            ++k;
        } else if (cls == op::kClassJmp || cls == op::kClassJmp32) {
            const uint8_t jop = op::jmp_op(insn.opcode);
            if (jop == op::kJa) edge(k, i + 1 + (cls == op::kClassJmp32 ? insn.imm : insn.offset));
            else if (jop == op::kCall) edge(k, i + 1);
            else if (jop != op::kExit) {
                edge(k, i + 1);
                edge(k, i + 1 + insn.offset);
            }
        } else {
            edge(k, i + 1);
        }
    }
    return preds;
}

}  // namespace

namespace {

// The backward fixpoint: live-in = use | (live-out & ~def), live-out the
// union over the successors within the function (a call continues at the
// next instruction; exit has none).
template <class Mask, class UseDefOf>
std::vector<Mask> solve(std::span<const Instruction> insns, UseDefOf use_def_of, Mask always) {
    const size_t n = insns.size();
    std::vector<std::pair<Mask, Mask>> ud(n);
    std::vector<bool> second_slot(n, false);
    for (size_t i = 0; i < n; ++i) {
        const auto d = use_def_of(insns[i]);
        ud[i] = {d.use, d.def};
        if (insns[i].opcode == op::kLddw && i + 1 < n) second_slot[i + 1] = true;
    }
    auto live_at = [&](const std::vector<Mask>& live, int64_t i) -> Mask {
        return i >= 0 && i < static_cast<int64_t>(n) ? live[static_cast<size_t>(i)] : Mask{0};
    };
    std::vector<Mask> live(n, 0);
    for (bool changed = true; changed;) {
        changed = false;
        for (size_t k = n; k-- > 0;) {
            if (second_slot[k]) continue;
            const Instruction& insn = insns[k];
            const uint8_t cls = op::cls(insn.opcode);
            const auto i = static_cast<int64_t>(k);
            Mask out = 0;
            if (insn.opcode == op::kLddw) {
                out = live_at(live, i + 2);
            } else if (cls == op::kClassJmp || cls == op::kClassJmp32) {
                const uint8_t jop = op::jmp_op(insn.opcode);
                if (jop == op::kJa) out = live_at(live, i + 1 + (cls == op::kClassJmp32 ? insn.imm : insn.offset));
                else if (jop == op::kCall) out = live_at(live, i + 1);
                else if (jop != op::kExit) out = live_at(live, i + 1) | live_at(live, i + 1 + insn.offset);
            } else {
                out = live_at(live, i + 1);
            }
            const auto in = static_cast<Mask>(ud[k].first | (out & ~ud[k].second) | always);
            if (in != live[k]) {
                live[k] = in;
                changed = true;
            }
        }
    }
    return live;
}

}  // namespace

std::vector<uint16_t> compute_live_registers(std::span<const Instruction> insns) {
    return solve<uint16_t>(insns, use_def, bit(kFramePointer));
}

void SlotLiveness::init(std::span<const Instruction> insns) {
    live = solve<uint64_t>(insns, slot_use_def, uint64_t{0});
    def.resize(insns.size());
    for (size_t i = 0; i < insns.size(); ++i) def[i] = slot_use_def(insns[i]).def;
    preds = predecessors(insns);
}

void SlotLiveness::add_use(uint32_t insn, uint64_t mask) {
    if (insn >= live.size() || (mask & ~live[insn]) == 0) return;
    std::vector<std::pair<uint32_t, uint64_t>> todo{{insn, mask & ~live[insn]}};
    while (!todo.empty()) {
        const auto [i, bits] = todo.back();
        todo.pop_back();
        live[i] |= bits;
        for (uint32_t p : preds[i]) {
            const uint64_t add = bits & ~def[p] & ~live[p];
            if (add) todo.emplace_back(p, add);
        }
    }
}

void note_stack_read(VerifierEnv& env, const VerifierState& state, uint32_t frameno, int64_t lo, int64_t hi) {
    if (frameno >= state.frames.size() || lo >= hi) return;
    // The frame that owns the slots reads them at its current instruction:
    // this one, or the call that leads to the frame reading them.
    const uint32_t at = frameno + 1 == state.frames.size()
                            ? state.insn
                            : static_cast<uint32_t>(state.frames[frameno + 1].callsite);
    env.slot_liveness.add_use(at, slot_mask(lo, hi - lo));
}

std::vector<uint16_t> live_register_masks(const VerifierEnv& env, const VerifierState& state) {
    std::vector<uint16_t> masks(state.frames.size(), 0);
    bool below_callback = false;  // a callback's path never resumes the frames below it
    for (size_t f = state.frames.size(); f-- > 0;) {
        uint16_t live = 0;
        if (f + 1 == state.frames.size()) {
            live = env.live_regs[state.insn];
        } else if (!below_callback) {
            // Resumed after the call returns, with R0 set and R1-R5 cleared.
            const auto ret = static_cast<size_t>(state.frames[f + 1].callsite) + 1;
            live = static_cast<uint16_t>((ret < env.live_regs.size() ? env.live_regs[ret] : 0) & ~kCallerSaved);
        }
        if (state.frames[f].is_callback) below_callback = true;
        masks[f] = static_cast<uint16_t>(live | bit(kFramePointer));
    }
    return masks;
}

void clear_dead_registers(std::span<const uint16_t> masks, VerifierState& state) {
    for (size_t f = 0; f < state.frames.size(); ++f)
        for (int r = 0; r < kRegisterCount; ++r)
            if (!(masks[f] & bit(r))) state.frames[f].regs[r] = RegState{};
}

void forget_dead_slots(const VerifierEnv& env, VerifierState& state) {
    const uint64_t slots = env.slot_liveness.live[state.insn];
    StackState& stack = state.frame().stack;
    for (size_t i = 0; i < stack.slot_count() && i < 64; ++i)
        if (!(slots & (uint64_t{1} << i))) stack.forget(i);
}

}  // namespace ebpf::verifier
