// What both JIT code generators share (jit_codegen.hpp): analyse_layout(), the
// one pass over a program they start with, and the constant-blinding keys.
#include <sys/random.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>

#include "ebpf/error.hpp"
#include "ebpf/isa.hpp"
#include "jit_codegen.hpp"

namespace ebpf::jit {

void BlindingKeys::seed() {
    uint8_t* out = reinterpret_cast<uint8_t*>(s_);
    size_t filled = 0;
    while (filled < sizeof s_) {
        const ssize_t got = getrandom(out + filled, sizeof s_ - filled, 0);
        if (got < 0) {
            if (errno == EINTR) continue;
            throw Error(std::string("JIT: no random numbers for constant blinding (getrandom: ") +
                        std::strerror(errno) + ")");
        }
        filled += static_cast<size_t>(got);
    }
    if ((s_[0] | s_[1] | s_[2] | s_[3]) == 0) s_[0] = 1;  // xoshiro's one bad state
}

std::string at(size_t insn) { return "instruction " + std::to_string(insn) + ": "; }

size_t jump_target(std::span<const Instruction> insns, size_t insn, int64_t offset) {
    const int64_t t = static_cast<int64_t>(insn) + 1 + offset;
    if (t < 0 || t >= static_cast<int64_t>(insns.size())) [[unlikely]] {
        throw Error("JIT: " + at(insn) + "jump or call target " + std::to_string(t) +
                    " is outside the program (0-" + std::to_string(insns.size() - 1) + ")");
    }
    return static_cast<size_t>(t);
}

bool falls_through(std::span<const Instruction> insns, const ProgramLayout& layout, size_t i) {
    if (layout.second_slot(i)) return true;
    const Instruction& in = insns[i];
    const uint8_t cls = op::cls(in.opcode);
    if (cls == op::kClassJmp) return op::jmp_op(in.opcode) != op::kExit && op::jmp_op(in.opcode) != op::kJa;
    if (cls == op::kClassJmp32) return op::jmp_op(in.opcode) != op::kJa;
    return true;
}

ProgramLayout analyse_layout(std::span<const Instruction> insns) {
    const size_t n = insns.size();
    if (n == 0) throw Error("JIT: the program has no instructions");
    ProgramLayout layout;
    layout.flags.assign(n, 0);
    uint8_t* flags = layout.flags.data();
    // The functions: instruction 0, every local-call target and every LDDW
    // pseudo-func (callback) target, as function_starts() finds them.
    layout.functions.push_back(0);
    for (size_t i = 0; i < n; ++i) {
        const Instruction& in = insns[i];
        if (in.dst >= kRegisterCount || in.src >= kRegisterCount) [[unlikely]] {
            throw Error("JIT: " + at(i) + "register r" + std::to_string(std::max(in.dst, in.src)) +
                        " does not exist (r0-r10)");
        }
        const uint8_t cls = op::cls(in.opcode);
        if (in.opcode == op::kLddw) {
            if (i + 1 >= n) throw Error("JIT: " + at(i) + "LDDW is missing its second slot");
            flags[i + 1] |= ProgramLayout::kSecondSlot;
            ++layout.lddw_count;
            if (in.src == op::kPseudoFunc) layout.functions.push_back(static_cast<uint32_t>(jump_target(insns, i, in.imm)));
            ++i;
            continue;
        }
        if (cls != op::kClassJmp && cls != op::kClassJmp32) continue;
        const uint8_t jop = op::jmp_op(in.opcode);
        if (jop == op::kExit) continue;
        if (jop == op::kCall) {
            if (cls == op::kClassJmp32) [[unlikely]] {
                throw Error("JIT: " + at(i) + "opcode 0x" + hex_digits(in.opcode, 2) +
                            " (call in the JMP32 class) is not a valid instruction");
            }
            if (in.src == op::kCallLocal) layout.functions.push_back(static_cast<uint32_t>(jump_target(insns, i, in.imm)));
            continue;
        }
        const int64_t offset = (cls == op::kClassJmp32 && jop == op::kJa) ? in.imm : in.offset;
        flags[jump_target(insns, i, offset)] |= ProgramLayout::kJumpTarget;
    }
    std::sort(layout.functions.begin(), layout.functions.end());
    layout.functions.erase(std::unique(layout.functions.begin(), layout.functions.end()), layout.functions.end());
    for (uint32_t f : layout.functions) {
        if (flags[f] & ProgramLayout::kSecondSlot) {
            throw Error("JIT: " + at(f) + "a function starts in the second slot of an LDDW");
        }
        flags[f] |= ProgramLayout::kFunctionStart | ProgramLayout::kJumpTarget;
    }
    for (size_t i = 0; i < n; ++i) layout.jump_count += (flags[i] & ProgramLayout::kJumpTarget) != 0;
    return layout;
}

}  // namespace ebpf::jit
