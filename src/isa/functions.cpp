// Where a program's functions start — the one definition the verifier, the
// JIT and bpf2c share, so that they cut a program into the same functions.
#include "ebpf/isa.hpp"

#include <algorithm>

namespace ebpf {

std::vector<uint32_t> function_starts(std::span<const Instruction> insns) {
    std::vector<uint32_t> starts{0};
    const auto count = static_cast<int64_t>(insns.size());
    auto add = [&](int64_t pc, int32_t imm) {
        const int64_t target = pc + 1 + imm;
        if (target >= 0 && target < count) starts.push_back(static_cast<uint32_t>(target));
    };
    for (int64_t pc = 0; pc < count; ++pc) {
        const Instruction& insn = insns[static_cast<size_t>(pc)];
        if (insn.opcode == op::kLddw) {
            if (insn.src == op::kPseudoFunc) add(pc, insn.imm);
            ++pc;  // the second slot is not an instruction
            continue;
        }
        if (insn.opcode == (op::kClassJmp | op::kCall) && insn.src == op::kCallLocal) add(pc, insn.imm);
    }
    std::sort(starts.begin(), starts.end());
    starts.erase(std::unique(starts.begin(), starts.end()), starts.end());
    return starts;
}

}  // namespace ebpf
