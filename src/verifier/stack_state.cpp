#include "stack_state.hpp"

namespace ebpf::verifier {

SlotKind StackState::kind_at(int off) const {
    size_t index = static_cast<size_t>((-off - 1) / 8);
    if (index >= slots.size()) return SlotKind::invalid;
    return slots[index].bytes[static_cast<size_t>(off + 8 * static_cast<int>(index + 1))];
}

void StackState::set_kind(int off, SlotKind kind) {
    StackSlot& slot = ensure_slot(off);
    size_t index = static_cast<size_t>((-off - 1) / 8);
    slot.bytes[static_cast<size_t>(off + 8 * static_cast<int>(index + 1))] = kind;
}

StackSlot* StackState::slot_for(int off) {
    size_t index = static_cast<size_t>((-off - 1) / 8);
    return index < slots.size() ? &slots[index] : nullptr;
}

StackSlot& StackState::ensure_slot(int off) {
    size_t index = static_cast<size_t>((-off - 1) / 8);
    if (index >= slots.size()) slots.resize(index + 1);
    return slots[index];
}

}  // namespace ebpf::verifier
