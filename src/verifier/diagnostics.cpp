// Error reports a user can act on: the source line (BTF line info), the
// instruction, the register state, and the branches that led there.
#include <cstdlib>
#include <string>

#include "verifier_env.hpp"

namespace ebpf::verifier {

const SourceLocation* VerifierEnv::source_at(uint32_t insn) const {
    if (!program || program->lines.empty()) return nullptr;
    const SourceLocation* found = nullptr;
    for (const auto& line : program->lines) {
        if (line.insn > insn) break;
        found = &line.where;
    }
    return found;
}

std::string VerifierEnv::where(uint32_t insn) const {
    const SourceLocation* loc = source_at(insn);
    if (!loc) return "insn " + std::to_string(insn);
    std::string file = loc->file;
    if (auto slash = file.rfind('/'); slash != std::string::npos) file = file.substr(slash + 1);
    return file + ":" + std::to_string(loc->line);
}

void VerifierEnv::fail_too_complex(const std::string& what) const {
    // The prune point holding the most stored states is where paths piled up.
    uint32_t worst = 0;
    size_t most = 0;
    for (const auto& [insn, list] : checkpoints_at)
        if (list.size() > most || (list.size() == most && insn < worst)) {
            most = list.size();
            worst = insn;
        }
    std::string message = "program too complex: " + what;
    if (most < 2) {
        fail(message + " (the paths never meet at a common state: shorten the program, split it into "
                       "functions, tail calls or a bpf_loop callback)");
    }
    // A target of a backward jump is a loop head; anything else is where branches join.
    bool loop = false;
    for (size_t i = 0; i < insns.size() && !loop; ++i) {
        const Instruction& insn = insns[i];
        const uint8_t cls = op::cls(insn.opcode);
        if ((cls != op::kClassJmp && cls != op::kClassJmp32) || op::jmp_op(insn.opcode) == op::kCall ||
            op::jmp_op(insn.opcode) == op::kExit)
            continue;
        const int64_t off = op::jmp_op(insn.opcode) == op::kJa && cls == op::kClassJmp32 ? insn.imm : insn.offset;
        loop = off < 0 && int64_t(i) + 1 + off == int64_t{worst};
    }
    message += "; " + std::to_string(most) + " of the " + std::to_string(checkpoints.size()) + " stored states are at ";
    if (loop)
        message += "the loop at " + where(worst) + " (insn " + std::to_string(worst) +
                   "): bound the loop with a small constant the verifier can see, keep values that change on "
                   "every iteration out of the loop's state, or move the body into a bpf_loop callback";
    else
        message += "the branches that join at " + where(worst) + " (insn " + std::to_string(worst) +
                   "): every unknown branch doubles the paths; compute the value without branching, or move the "
                   "work into a function or a bpf_loop callback";
    fail(message);
}

std::string describe_origin(const VerifierEnv& env, const RegState& reg) {
    if (reg.origin < 0 || static_cast<size_t>(reg.origin) >= env.insns.size()) return "";
    const Instruction& insn = env.insns[static_cast<size_t>(reg.origin)];
    if (op::cls(insn.opcode) != op::kClassJmp || op::jmp_op(insn.opcode) != op::kCall) return "";
    const HelperPrototype* proto = helper_prototype(insn.imm);
    std::string helper = proto ? std::string(proto->name) : "helper " + std::to_string(insn.imm);
    return " (value returned by " + helper + " at " + env.where(static_cast<uint32_t>(reg.origin)) +
           " was not checked)";
}

std::string format_state(const VerifierState& state) {
    std::string out;
    for (size_t f = 0; f < state.frames.size(); ++f) {
        const FuncFrame& frame = state.frames[f];
        if (state.frames.size() > 1) out += (f ? " | frame" : "frame") + std::to_string(f) + ":";
        for (int r = 0; r < kRegisterCount; ++r) {
            if (frame.regs[r].type == RegType::not_init) continue;
            if (!out.empty() && out.back() != ':') out += " ";
            out += "R" + std::to_string(r) + "=" + frame.regs[r].to_string();
        }
        for (size_t i = 0; i < frame.stack.slot_count(); ++i) {
            if (!frame.stack.slot(i)) continue;
            const StackSlot& slot = *frame.stack.slot(i);
            std::string fp = " fp-" + std::to_string(8 * (i + 1)) + "=";
            if (slot.full_spill()) {
                out += fp + slot.spilled.to_string();
                continue;
            }
            std::string bytes;
            bool any = false;
            for (auto b : slot.bytes) {
                bytes += b == SlotKind::invalid ? '?' : b == SlotKind::misc ? 'm' : b == SlotKind::spill ? 's' : '0';
                any |= b != SlotKind::invalid;
            }
            // A narrow spill: the bytes, then the value the `s` bytes hold.
            for (const auto& n : slot.narrow) bytes += "(s=" + RegState::scalar(n.value).to_string() + ")";
            if (any) out += fp + bytes;
        }
    }
    return out;
}

VerifyDiagnostic make_diagnostic(const VerifierEnv& env, const VerifierState* state, const std::string& message) {
    VerifyDiagnostic d;
    d.message = message;
    // An error inside a callback: say which helper call runs it.
    if (state) {
        for (size_t f = state->frames.size(); f-- > 0;) {
            const FuncFrame& frame = state->frames[f];
            if (!frame.is_callback || frame.callsite < 0 || static_cast<size_t>(frame.callsite) >= env.insns.size())
                continue;
            const auto site = static_cast<uint32_t>(frame.callsite);
            const HelperPrototype* proto = helper_prototype(env.insns[site].imm);
            d.message += " (in callback of " + (proto ? std::string(proto->name) : std::string("helper")) +
                         " called at insn " + std::to_string(site) +
                         (env.source_at(site) ? ", " + env.where(site) : std::string()) + ")";
            break;
        }
    }
    if (state) {
        d.insn = state->insn;
    } else if (message.rfind("instruction ", 0) == 0) {
        d.insn = static_cast<uint32_t>(std::strtoul(message.c_str() + 12, nullptr, 10));
    }
    if (d.insn < env.insns.size()) {
        const Instruction* next = d.insn + 1 < env.insns.size() ? &env.insns[d.insn + 1] : nullptr;
        try {
            d.insn_text = disassemble(env.insns[d.insn], next, linux_helper_name);
        } catch (const Error&) {
            d.insn_text = "(invalid instruction)";
        }
    }
    if (const SourceLocation* loc = env.source_at(d.insn)) d.where = *loc;
    if (!state) return d;
    d.state = format_state(*state);
    for (const PathStep& p : state->path.steps) {
        const Instruction& insn = env.insns[p.insn];
        std::string what = op::jmp_op(insn.opcode) == op::kCall ? "callback entered from"
                           : p.taken                            ? "branch taken at"
                                                                : "branch not taken at";
        d.path.push_back(what + " insn " + std::to_string(p.insn) + " (" + env.where(p.insn) + ")");
    }
    return d;
}

}  // namespace ebpf::verifier

namespace ebpf {

std::string format_diagnostic(const VerifyDiagnostic& d, const std::string& object_path, const char* kind) {
    std::string out;
    if (d.where) {
        out = d.where->file + ":" + std::to_string(d.where->line);
        if (d.where->column) out += ":" + std::to_string(d.where->column);
    } else {
        out = object_path + ":insn " + std::to_string(d.insn);
    }
    out += std::string(": ") + kind + ": " + d.message + "\n";
    if (d.where && !d.where->text.empty()) out += "    " + d.where->text + "\n";
    if (!d.insn_text.empty()) out += "  insn " + std::to_string(d.insn) + ": " + d.insn_text + "\n";
    if (!d.state.empty()) out += "  state: " + d.state + "\n";
    if (!d.path.empty()) {
        out += "  path:\n";
        for (const auto& step : d.path) out += "    " + step + "\n";
    }
    return out;
}

}  // namespace ebpf
