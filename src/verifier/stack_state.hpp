// One frame's 512-byte stack, byte by byte: never written (invalid), holding
// some scalar bytes (misc), known zero, or part of a spilled register. Slots
// of 8 bytes are allocated on first use, so small stacks stay small.
//
// A slot holds either one full spill (all 8 bytes, any register) or narrow
// spills (1, 2 or 4 aligned bytes each of a scalar whose value fits in them),
// so that an `int` loop counter kept on the stack next to another `int`
// keeps its value and the loop can be seen to make progress.
//
// Slots are shared between states (copy on write): copying a state copies
// one pointer per slot, and a path that writes a slot gets its own copy of
// that slot only. A stored state therefore costs what its path changed, not
// the whole stack.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <vector>

#include "reg_state.hpp"

namespace ebpf::verifier {

enum class SlotKind : uint8_t { invalid, misc, zero, spill };

// Counts the stack slots alive on this thread, for the verifier's memory
// accounting (slots are shared, so no single state owns them).
class SlotCounter {
public:
    SlotCounter() { ++live_; }
    SlotCounter(const SlotCounter&) { ++live_; }
    SlotCounter& operator=(const SlotCounter&) { return *this; }
    ~SlotCounter() { --live_; }
    static size_t live() { return live_; }

private:
    static thread_local size_t live_;
};

struct StackSlot {
    std::array<SlotKind, 8> bytes{};  // bytes[j] is offset -8*(index+1) + j
    RegState spilled;                 // the register when every byte is `spill` (full spill)
    struct Narrow {
        uint8_t mask = 0;             // bit j: bytes[j] belongs to this value
        ScalarRange value;            // the value, zero-extended (it fits its bytes)
        bool operator==(const Narrow&) const = default;
    };
    std::vector<Narrow> narrow;       // narrow spills, sorted by mask; empty for a full spill
    SlotCounter counter;

    bool full_spill() const { return bytes[0] == SlotKind::spill && narrow.empty(); }
    const Narrow* narrow_at(uint8_t mask) const {
        for (const auto& n : narrow)
            if (n.mask == mask) return &n;
        return nullptr;
    }
};
// Memory of one slot held by its shared pointer (control block included).
inline constexpr size_t kStackSlotBytes = sizeof(StackSlot) + 16;

class StackState {
public:
    // Slot `index` covers [-8*(index+1), -8*index); nullptr when never written.
    size_t slot_count() const { return slots_.size(); }
    const StackSlot* slot(size_t index) const { return index < slots_.size() ? slots_[index].get() : nullptr; }
    // The slot for writing: allocated, and this state's own copy.
    StackSlot& mutable_slot(size_t index);
    // Whether two stacks hold the very same slot object (then it is equal).
    bool shares_slot(const StackState& other, size_t index) const {
        return index < slots_.size() && index < other.slots_.size() && slots_[index] == other.slots_[index];
    }

    // Byte at negative frame offset `off` (-512 .. -1).
    SlotKind kind_at(int off) const;
    void set_kind(int off, SlotKind kind);
    const StackSlot* slot_for(int off) const { return slot(index_of(off)); }
    StackSlot& ensure_slot(int off) { return mutable_slot(index_of(off)); }
    // Drops a slot no path reads again (from a stored state).
    void forget(size_t index) {
        if (index < slots_.size()) slots_[index] = nullptr;
    }
    int depth() const { return static_cast<int>(slots_.size()) * 8; }
    // Bytes of the slot table itself (the slots are counted by SlotCounter).
    size_t table_bytes() const { return slots_.capacity() * sizeof(slots_[0]); }

    static size_t index_of(int off) { return static_cast<size_t>((-off - 1) / 8); }

private:
    std::vector<std::shared_ptr<StackSlot>> slots_;
};

}  // namespace ebpf::verifier
