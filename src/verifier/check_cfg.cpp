// The control-flow graph before abstract interpretation: every instruction
// must be reachable, no path may run off the end, and jump targets become
// prune points.
#include <algorithm>
#include <string>
#include <vector>

#include "verifier_env.hpp"

namespace ebpf::verifier {

// Every instruction is translated by the JIT and bpf2c and loaded with the
// program, also where no path runs it: dead code (raw_memory programs) and
// branches the abstract interpretation proves never taken (`if r0 == 0` on a
// known r0). So each must hold nothing an engine refuses: what the verifier
// accepts, every engine loads.
// LD ABS/IND: socket filters and tc programs, lowered to ordinary loads
// after verification (rewrite_context_accesses) — which needs the runtime's
// context with 64-bit packet pointers and no bpf-to-bpf functions (its
// `exit` ends the program), so where either is missing they are refused,
// reachable or not: what `ebpf verify` accepts, `ebpf build` builds.
void check_legacy_packet_load(const VerifierEnv& env, const std::string& where, const Instruction& insn) {
    const uint8_t mode = op::mode(insn.opcode);
    if ((mode != op::kModeAbs && mode != op::kModeInd) || op::size(insn.opcode) == op::kSizeDW)
        fail(where + "invalid LD instruction (opcode " + std::to_string(insn.opcode) + ")");
    if (env.info.type != ProgramType::socket_filter && env.info.type != ProgramType::sched_cls &&
        env.info.type != ProgramType::sched_act)
        fail(where + "legacy packet load (LD ABS/IND) is only allowed in socket_filter and sched_cls programs");
    if (function_starts(env.insns).size() > 1)
        fail(where + "legacy packet load (LD ABS/IND) in a program with bpf-to-bpf functions or callbacks: "
                     "it may end the program, so it cannot be mixed with them (as Linux)");
    // They read the packet pointers of SkbRuntimeContext (a socket filter's
    // context does not show them to the program, but they are there).
}

void check_loadable_instruction(const VerifierEnv& env, uint32_t i, bool reachable) {
    const Instruction& insn = env.insns[i];
    const std::string where = (reachable ? "instruction " : "unreachable instruction ") + std::to_string(i) + ": ";
    if (op::cls(insn.opcode) == op::kClassLd && insn.opcode != op::kLddw) check_legacy_packet_load(env, where, insn);
    if (insn.opcode == op::kLddw && insn.src != op::kPseudoImm64 && insn.src != op::kPseudoFunc) {
        if (!reachable)
            fail(where + "a map reference in code that never runs cannot be bound by the loader: remove the dead code");
        if ((insn.src == op::kPseudoMapIdx || insn.src == op::kPseudoMapIdxValue) &&
            (insn.imm < 0 || static_cast<size_t>(insn.imm) >= env.maps.size()))
            fail(where + "map index " + std::to_string(insn.imm) + " out of range (the program has " +
                 std::to_string(env.maps.size()) + " maps)");
    }
    if (insn.opcode == (op::kClassJmp | op::kCall) && insn.src == op::kCallHelper) {
        const HelperPrototype* proto = helper_prototype(insn.imm);
        if (!reachable && (!proto || std::find(env.info.helpers.begin(), env.info.helpers.end(), insn.imm) ==
                                         env.info.helpers.end()))
            fail(where + "call of " + helper_display_name(insn.imm) + ", which " + std::string(env.info.name) +
                 " programs may not call (a native module could not be loaded)");
        if (!proto) fail(where + helper_display_name(insn.imm) + " is not supported by this runtime");
    }
}

void check_cfg(VerifierEnv& env) {
    const size_t n = env.insns.size();
    if (n == 0) fail("the program has no instructions");
    check_function_bounds(env);
    env.prune_point.assign(n, false);
    env.function_start.assign(n, false);
    env.function_start[0] = true;
    std::vector<bool> reachable(n, false), second_slot(n, false);
    std::vector<uint32_t> todo{0};
    reachable[0] = true;
    auto edge = [&](uint32_t from, int64_t to) {
        if (to < 0 || to >= static_cast<int64_t>(n))
            fail("instruction " + std::to_string(from) + " " +
                 (to == static_cast<int64_t>(n) ? "falls off the end of the program (the last instruction must be exit or a jump)"
                                               : "jumps to " + std::to_string(to) + ", outside the program"));
        auto t = static_cast<size_t>(to);
        if (!reachable[t]) {
            reachable[t] = true;
            todo.push_back(static_cast<uint32_t>(t));
        }
    };
    // First pass over LDDWs so that their second slots are known.
    for (size_t i = 0; i + 1 < n; ++i)
        if (env.insns[i].opcode == op::kLddw) second_slot[++i] = true;
    while (!todo.empty()) {
        uint32_t i = todo.back();
        todo.pop_back();
        const Instruction& insn = env.insns[i];
        if (second_slot[i]) fail("instruction " + std::to_string(i) + " is the second half of an LDDW and cannot be jumped to");
        const uint8_t cls = op::cls(insn.opcode);
        if (insn.opcode == op::kLddw) {
            if (i + 1 >= n) fail("instruction " + std::to_string(i) + ": LDDW is truncated");
            if (insn.src == op::kPseudoFunc) {
                int64_t t = int64_t{i} + 1 + insn.imm;
                edge(i, t);
                env.function_start[static_cast<size_t>(t)] = true;
            }
            edge(i, int64_t{i} + 2);
            continue;
        }
        if (cls != op::kClassJmp && cls != op::kClassJmp32) {
            edge(i, int64_t{i} + 1);
            continue;
        }
        const uint8_t jop = op::jmp_op(insn.opcode);
        if (jop == op::kExit) continue;
        if (jop == op::kCall) {
            if (insn.src == op::kCallLocal) {
                int64_t t = int64_t{i} + 1 + insn.imm;
                edge(i, t);
                env.function_start[static_cast<size_t>(t)] = true;
            }
            edge(i, int64_t{i} + 1);
            continue;
        }
        if (jop == op::kJa) {
            int64_t t = int64_t{i} + 1 + (cls == op::kClassJmp32 ? insn.imm : insn.offset);
            edge(i, t);
            env.prune_point[static_cast<size_t>(t)] = true;
            continue;
        }
        int64_t t = int64_t{i} + 1 + insn.offset;
        edge(i, t);
        edge(i, int64_t{i} + 1);
        env.prune_point[static_cast<size_t>(t)] = true;
        env.prune_point[i + 1] = true;
    }
    // Dead code never runs, so it is harmless; Linux rejects it, and so do we
    // except for raw_memory programs (bpf_conformance), where RFC 9669 is the contract.
    if (env.info.type == ProgramType::raw_memory) {
        for (size_t i = 0; i < n; ++i)
            if (!reachable[i] && !second_slot[i]) check_loadable_instruction(env, static_cast<uint32_t>(i), false);
        return;
    }
    for (size_t i = 0; i < n; ++i)
        if (!reachable[i] && !second_slot[i])
            fail("unreachable instruction " + std::to_string(i) + " (no path from the entry reaches it)");
}

void check_every_instruction_loadable(const VerifierEnv& env) {
    for (size_t i = 0; i < env.insns.size(); ++i) {
        check_loadable_instruction(env, static_cast<uint32_t>(i), true);
        if (env.insns[i].opcode == op::kLddw) ++i;
    }
}

}  // namespace ebpf::verifier
