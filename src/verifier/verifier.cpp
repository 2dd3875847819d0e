// The driver: builds the entry state for the program type, then explores
// every path depth-first (pending branches on a worklist), one checker per
// instruction kind, pruning with stored states, within the complexity limit.
#include <chrono>
#include <string>

#include "verifier_env.hpp"

namespace ebpf::verifier {
namespace {

VerifierState entry_state(const VerifierEnv& env) {
    VerifierState state;
    state.frames.emplace_back();
    RegState* regs = state.regs();
    if (env.info.ctx_is_memory) {
        regs[1] = RegState::pointer(RegType::ptr_to_packet);
        RegState length = RegState::unknown_scalar();
        if (env.options.mem_size) {
            uint64_t size = *env.options.mem_size;
            regs[1].pkt_range = static_cast<int32_t>(std::min<uint64_t>(size, uint64_t{1} << 29));
            length = RegState::scalar(ScalarRange::constant(size));
        }
        length.mem_len = true;
        regs[2] = length;
    } else {
        regs[1] = RegState::pointer(RegType::ptr_to_ctx);
    }
    regs[kFramePointer] = RegState::pointer(RegType::ptr_to_stack);
    return state;
}

// One instruction; false when the path ends here.
bool step(VerifierEnv& env, VerifierState& state) {
    const uint32_t index = state.insn;
    const Instruction& insn = env.insns[index];
    switch (op::cls(insn.opcode)) {
    case op::kClassAlu:
    case op::kClassAlu64:
        check_alu(env, state, insn);
        state.insn = index + 1;
        return true;
    case op::kClassLd:
        if (insn.opcode == op::kLddw) {
            check_lddw(env, state, index);
            state.insn = index + 2;
            return true;
        }
        check_ld_abs(env, state, insn);
        state.insn = index + 1;
        return true;
    case op::kClassLdx:
    case op::kClassSt:
    case op::kClassStx:
        check_mem_access(env, state, index);
        state.insn = index + 1;
        return true;
    default:
        break;
    }
    const uint8_t jop = op::jmp_op(insn.opcode);
    if (jop == op::kJa) {
        state.insn = static_cast<uint32_t>(int64_t{index} + 1 +
                                           (op::cls(insn.opcode) == op::kClassJmp32 ? insn.imm : insn.offset));
        return true;
    }
    if (jop == op::kCall) {
        if (insn.src == op::kCallHelper) {
            check_helper_call(env, state, index);
            state.insn = index + 1;
            return true;
        }
        if (insn.src == op::kCallLocal) {
            check_call(env, state, index);
            return true;
        }
        fail("calls of kernel functions (kfuncs) are not supported");
    }
    if (jop == op::kExit) return check_exit(env, state, index);
    return check_cond_jmp(env, state, index);
}

void log_insn(VerifierEnv& env, const VerifierState& state) {
    if (env.log.size() > (size_t{16} << 20)) return;  // keep the log bounded
    const uint32_t i = state.insn;
    const Instruction* next = i + 1 < env.insns.size() ? &env.insns[i + 1] : nullptr;
    env.log += std::to_string(i) + ": " + disassemble(env.insns[i], next, linux_helper_name) + " ; " +
               format_state(state) + "\n";
}

}  // namespace

[[noreturn]] void fail(const std::string& message) { throw VerifyFailure(message); }

void VerifierEnv::warn(const VerifierState& state, const std::string& message) {
    for (const auto& w : warnings)
        if (w.insn == state.insn) return;
    warnings.push_back(make_diagnostic(*this, &state, message));
}

VerifyResult run_verifier(VerifierEnv& env) {
    using Clock = std::chrono::steady_clock;
    const auto start = Clock::now();
    VerifyResult result;
    VerifierState current;
    bool have_current = false;
    try {
        if (env.info.type == ProgramType::unspec) {
            std::string message = "unknown program type";
            if (env.program && !env.program->section.empty()) {
                message += " of section '" + env.program->section + "'";
                if (auto near = closest_section_name(env.program->section); !near.empty())
                    message += ": did you mean '" + std::string(near) + "'?";
            }
            fail(message + " (name the section after a program type: xdp, tc, socket, cgroup/bind4, hook/..., raw; "
                           "or give the type: ebpf verify|run|build --type TYPE, as bpftool prog load … type TYPE)");
        }
        validate(env.insns);
        for (const MapDefinition& map : env.maps) {
            const std::optional<uint32_t> lock = spin_lock_offset(map);  // throws for two locks in one value
            env.spin_lock_off.push_back(lock ? int64_t{*lock} : -1);
        }
        check_cfg(env);
        env.live_regs = compute_live_registers(env.insns);
        env.slot_liveness.init(env.insns);
        env.access_use.assign(env.insns.size(), AccessUse::unseen);
        env.ctx_offset.assign(env.insns.size(), -1);
        env.worklist.push_back(entry_state(env));
        while (!env.worklist.empty()) {
            current = std::move(env.worklist.back());
            env.worklist.pop_back();
            env.pending_bytes -= std::min(env.pending_bytes, current.memory_bytes());
            have_current = true;
            for (;;) {
                if (env.prune_point[current.insn] && is_state_visited(env, current)) break;
                if (++env.stats.insns_processed > env.options.complexity_limit)
                    env.fail_too_complex("more than " + std::to_string(env.options.complexity_limit) +
                                         " instructions processed");
                if (env.options.max_seconds > 0 && (env.stats.insns_processed & 1023) == 0 &&
                    std::chrono::duration<double>(Clock::now() - start).count() > env.options.max_seconds)
                    env.fail_too_complex("verification took more than " + std::to_string(env.options.max_seconds) +
                                         " seconds");
                const uint64_t live = env.checkpoints.size() + env.worklist.size();
                if (live > env.stats.peak_states) env.stats.peak_states = live;
                if (env.options.log_level >= 2) log_insn(env, current);
                mark_before_step(env, current);
                note_history(env, current);
                const uint16_t operands = decided_branch_operands(env, current);
                const size_t pending = env.worklist.size();
                if (!step(env, current)) {
                    mark_after_branch(env, current, operands, pending, true);
                    env.finish_path(current.checkpoint);
                    break;
                }
                mark_after_branch(env, current, operands, pending, false);
            }
        }
        check_every_instruction_loadable(env);
        result.ok = true;
        for (size_t i = 0; i < env.ctx_offset.size(); ++i)
            if (env.ctx_offset[i] >= 0)
                result.ctx_accesses.push_back({static_cast<uint32_t>(i), static_cast<uint32_t>(env.ctx_offset[i])});
    } catch (const VerifyFailure& e) {
        result.errors.push_back(make_diagnostic(env, have_current ? &current : nullptr, e.what()));
    } catch (const Error& e) {
        // Structural errors from validate(): "instruction N: why".
        result.errors.push_back(make_diagnostic(env, nullptr, e.what()));
    }
    env.stats.peak_memory_bytes = std::max<uint64_t>(env.stats.peak_memory_bytes, env.memory_in_use()) +
                                  env.insns.size() * 16;
    env.stats.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    result.stats = env.stats;
    if (result.ok) result.warnings = std::move(env.warnings);
    if (env.options.log_level >= 1) {
        for (const auto& d : result.errors)
            for (const auto& p : d.path) env.log += "path: " + p + "\n";
    }
    result.log = std::move(env.log);
    return result;
}

}  // namespace ebpf::verifier

namespace ebpf {

VerifyResult verify_program(const Program& program, std::span<const MapDefinition> maps, const VerifyOptions& options) {
    verifier::VerifierEnv env(program.insns, maps, program_type_info(program.type));
    env.program = &program;
    env.options = options;
    return verifier::run_verifier(env);
}

VerifyResult verify_instructions(std::span<const Instruction> insns, ProgramType type,
                                 std::span<const MapDefinition> maps, const VerifyOptions& options) {
    verifier::VerifierEnv env(insns, maps, program_type_info(type));
    env.options = options;
    return verifier::run_verifier(env);
}

}  // namespace ebpf
