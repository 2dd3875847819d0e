// One frame's 512-byte stack, byte by byte: never written (invalid), holding
// some scalar bytes (misc), known zero, or part of a spilled register. Slots
// of 8 bytes are allocated on first use, so small stacks stay small.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "reg_state.hpp"

namespace ebpf::verifier {

enum class SlotKind : uint8_t { invalid, misc, zero, spill };

struct StackSlot {
    std::array<SlotKind, 8> bytes{};  // bytes[j] is offset -8*(index+1) + j
    RegState spilled;                 // the register when every byte is `spill`
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
