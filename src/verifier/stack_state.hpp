// One frame's 512-byte stack, byte by byte: never written (invalid), holding
// some scalar bytes (misc), known zero, or part of a spilled register. Slots
// of 8 bytes are allocated on first use, so small stacks stay small.
//
// A slot holds either one full spill (all 8 bytes, any register) or narrow
// spills (1, 2 or 4 aligned bytes each of a scalar whose value fits in them),
// so that an `int` loop counter kept on the stack next to another `int`
// keeps its value and the loop can be seen to make progress.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "reg_state.hpp"

namespace ebpf::verifier {

enum class SlotKind : uint8_t { invalid, misc, zero, spill };

struct StackSlot {
    std::array<SlotKind, 8> bytes{};  // bytes[j] is offset -8*(index+1) + j
    RegState spilled;                 // the register when every byte is `spill` (full spill)
    struct Narrow {
        uint8_t mask = 0;             // bit j: bytes[j] belongs to this value
        ScalarRange value;            // the value, zero-extended (it fits its bytes)
        bool operator==(const Narrow&) const = default;
    };
    std::vector<Narrow> narrow;       // narrow spills, sorted by mask; empty for a full spill

    bool full_spill() const { return bytes[0] == SlotKind::spill && narrow.empty(); }
    const Narrow* narrow_at(uint8_t mask) const {
        for (const auto& n : narrow)
            if (n.mask == mask) return &n;
        return nullptr;
    }
};

struct StackState {
    std::vector<StackSlot> slots;     // slots[i] covers [-8*(i+1), -8*i)

    // Byte at negative frame offset `off` (-512 .. -1).
    SlotKind kind_at(int off) const;
    void set_kind(int off, SlotKind kind);
    StackSlot* slot_for(int off);     // nullptr when never allocated
    StackSlot& ensure_slot(int off);
    int depth() const { return static_cast<int>(slots.size()) * 8; }
};

}  // namespace ebpf::verifier
