// Function boundaries: native code (the JIT's frames, bpf2c's C functions)
// cuts the program at every function start (function_starts, isa.hpp), so a
// program whose control crosses a cut means something else there than in the
// interpreter. Like Linux, every jump stays inside its function and every
// function ends in exit or an unconditional jump — checked over every
// instruction, reachable or not, because the JIT and bpf2c translate them all.
#include <algorithm>
#include <string>
#include <vector>

#include "verifier_env.hpp"

namespace ebpf::verifier {
namespace {

std::string function_name(const VerifierEnv& env, uint32_t start) {
    if (env.program)
        for (const auto& f : env.program->functions)
            if (f.insn == start && !f.name.empty()) return "function '" + f.name + "' (insn " + std::to_string(start) + ")";
    return start == 0 ? "the entry function (insn 0)" : "the function at insn " + std::to_string(start);
}

}  // namespace

void check_function_bounds(VerifierEnv& env) {
    const std::vector<uint32_t> starts = function_starts(env.insns);
    const auto count = static_cast<uint32_t>(env.insns.size());
    for (size_t f = 0; f < starts.size(); ++f) {
        const uint32_t begin = starts[f];
        const uint32_t end = f + 1 < starts.size() ? starts[f + 1] : count;
        uint32_t last = begin;
        for (uint32_t pc = begin; pc < end; ++pc) {
            last = pc;
            const Instruction& insn = env.insns[pc];
            if (insn.opcode == op::kLddw) {
                ++pc;
                continue;
            }
            const uint8_t cls = op::cls(insn.opcode);
            if (cls != op::kClassJmp && cls != op::kClassJmp32) continue;
            const uint8_t jop = op::jmp_op(insn.opcode);
            if (jop == op::kCall || jop == op::kExit) continue;
            const int64_t target = int64_t{pc} + 1 + (cls == op::kClassJmp32 && jop == op::kJa ? insn.imm : insn.offset);
            if (target >= begin && target < end) continue;
            if (target < 0 || target >= count) continue;  // validate() reports it
            const uint32_t into = *(std::upper_bound(starts.begin(), starts.end(), static_cast<uint32_t>(target)) - 1);
            fail("jump from " + function_name(env, begin) + " at insn " + std::to_string(pc) + " into " +
                 function_name(env, into) + " at insn " + std::to_string(target) +
                 ": a jump must stay inside its function (call it instead)");
        }
        if (end == count) continue;  // running off the program's end is check_cfg's message
        const Instruction& insn = env.insns[last];
        const uint8_t cls = op::cls(insn.opcode);
        const uint8_t jop = op::jmp_op(insn.opcode);
        const bool ends = insn.opcode != op::kLddw && (cls == op::kClassJmp || cls == op::kClassJmp32) &&
                          (jop == op::kJa || (jop == op::kExit && cls == op::kClassJmp));
        if (!ends)
            fail(function_name(env, begin) + " falls through into " + function_name(env, end) +
                 " at its last instruction " + std::to_string(last) +
                 ": a function must end with exit or a jump, because functions are cut apart when compiled");
    }
}

}  // namespace ebpf::verifier
