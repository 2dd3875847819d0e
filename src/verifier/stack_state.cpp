#include "stack_state.hpp"

namespace ebpf::verifier {

thread_local size_t SlotCounter::live_ = 0;

StackSlot& StackState::mutable_slot(size_t index) {
    if (index >= slots_.size()) slots_.resize(index + 1);
    auto& slot = slots_[index];
    if (!slot) slot = std::make_shared<StackSlot>();
    else if (slot.use_count() > 1) slot = std::make_shared<StackSlot>(*slot);
    return *slot;
}

SlotKind StackState::kind_at(int off) const {
    const size_t index = index_of(off);
    const StackSlot* s = slot(index);
    if (!s) return SlotKind::invalid;
    return s->bytes[static_cast<size_t>(off + 8 * static_cast<int>(index + 1))];
}

void StackState::set_kind(int off, SlotKind kind) {
    const size_t index = index_of(off);
    if (kind_at(off) == kind) return;  // no copy for a write that changes nothing
    mutable_slot(index).bytes[static_cast<size_t>(off + 8 * static_cast<int>(index + 1))] = kind;
}

}  // namespace ebpf::verifier
