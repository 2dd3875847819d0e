// The whole abstract machine state on one path: the call frames (registers and
// stack each), the references that must be released, and how we got here.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <vector>

#include "ebpf/isa.hpp"
#include "reg_state.hpp"
#include "stack_state.hpp"

namespace ebpf::verifier {

struct FuncFrame {
    RegState regs[kRegisterCount];
    StackState stack;
    int32_t callsite = -1;       // the call instruction in the caller; -1 for the entry
    uint32_t function = 0;       // first instruction of this function
    bool is_callback = false;    // a bpf_loop / for_each callback: returns to the helper
    uint32_t frameno = 0;
    uint32_t refs_at_entry = 0;  // callbacks must release what they acquire
};

struct Reference {
    uint32_t id = 0;
    uint32_t insn = 0;           // where it was acquired
};

// A branch taken (or not) on the way here, for diagnostics.
struct PathStep {
    uint32_t insn = 0;
    bool taken = false;
};

// The most recent branches of a path: bounded, so that long loops cost
// neither memory nor time.
struct RecentPath {
    static constexpr size_t kKept = 32;
    std::vector<PathStep> steps;
    void add(uint32_t insn, bool taken) {
        if (steps.size() == kKept) steps.erase(steps.begin());
        steps.push_back({insn, taken});
    }
};

// Bytes of the 64 stack slots of a frame: bit j of [i] is byte j of slot i
// (offset -8*(i+1) + j). Precision marks stack bytes, not whole slots, so a
// slot that holds several small values is compared only where it matters.
struct SlotBytes {
    std::array<uint8_t, 64> mask{};
    bool any() const {
        for (uint8_t m : mask)
            if (m) return true;
        return false;
    }
    SlotBytes& operator|=(const SlotBytes& o) {
        for (size_t i = 0; i < mask.size(); ++i) mask[i] |= o.mask[i];
        return *this;
    }
    // The bytes of `this` not in `o`.
    SlotBytes minus(const SlotBytes& o) const {
        SlotBytes r;
        for (size_t i = 0; i < mask.size(); ++i) r.mask[i] = static_cast<uint8_t>(mask[i] & ~o.mask[i]);
        return r;
    }
    // Only the slots set in `slots`.
    SlotBytes within(uint64_t slots) const {
        SlotBytes r;
        for (size_t i = 0; i < mask.size(); ++i) r.mask[i] = (slots >> i & 1) ? mask[i] : 0;
        return r;
    }
};

// One instruction of a path, for precision backtracking (precision.cpp):
// where it ran (frame depth) and which stack slot of that frame it loaded or
// stored whole, if any.
struct HistoryEntry {
    uint32_t insn = 0;
    uint8_t depth = 0;        // frames before the instruction ran
    int8_t slot = -1;         // the slot of the current frame accessed at a constant offset (within one slot)
    uint8_t bytes = 0;        // ... the bytes of it accessed (0xff: all 8)
    bool other_stack = false; // any other stack access (variable offset, across slots, another frame)
    // A conditional jump on scalars: the registers of the current frame that
    // share an id with an operand (linked copies the jump refines too,
    // operands included), and whether a spilled slot does.
    bool linked_slot = false;
    uint16_t linked = 0;
};

struct VerifierState {
    std::vector<FuncFrame> frames;
    std::vector<Reference> refs;
    // The bpf_spin_lock this path holds (Linux's active_lock): the map of the
    // value and the value's id (0: a value of global data or after arithmetic
    // that kept none), and where it was taken. lock_map < 0: none.
    int32_t lock_map = -1;
    uint32_t lock_id = 0;
    uint32_t lock_insn = 0;
    uint32_t insn = 0;
    int32_t checkpoint = -1;     // the stored state this path continues from (for pruning)
    RecentPath path;
    std::vector<HistoryEntry> history;  // instructions since `checkpoint`

    FuncFrame& frame() { return frames.back(); }
    const FuncFrame& frame() const { return frames.back(); }
    RegState* regs() { return frames.back().regs; }
    const RegState* regs_const() const { return frames.back().regs; }
    size_t memory_bytes() const;
};

}  // namespace ebpf::verifier
