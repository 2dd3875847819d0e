// bpf-to-bpf calls and exits: frames, the return value, and references that
// must be released before the program ends.
#include <algorithm>
#include <string>

#include "verifier_env.hpp"

namespace ebpf::verifier {

void check_call(VerifierEnv& env, VerifierState& state, uint32_t index) {
    const Instruction& insn = env.insns[index];
    const int64_t target = int64_t{index} + 1 + insn.imm;
    if (target < 0 || target >= static_cast<int64_t>(env.insns.size()))
        fail("call to instruction " + std::to_string(target) + " outside the program");
    // Recursion is simulated frame by frame like any call (RFC 9669 allows it);
    // the frame limit bounds it.
    if (state.frames.size() >= static_cast<size_t>(kMaxCallDepth))
        fail("call stack too deep: more than " + std::to_string(kMaxCallDepth) + " frames" +
             (std::any_of(state.frames.begin(), state.frames.end(),
                          [&](const FuncFrame& f) { return f.function == static_cast<uint32_t>(target); })
                  ? " (recursive call to the function at instruction " + std::to_string(target) + ")"
                  : ""));
    FuncFrame frame;
    frame.callsite = static_cast<int32_t>(index);
    frame.function = static_cast<uint32_t>(target);
    frame.frameno = static_cast<uint32_t>(state.frames.size());
    frame.refs_at_entry = static_cast<uint32_t>(state.refs.size());
    for (int r = 1; r <= 5; ++r) frame.regs[r] = state.regs()[r];  // arguments, as they are (maybe not initialised)
    frame.regs[kFramePointer] = RegState::pointer(RegType::ptr_to_stack);
    frame.regs[kFramePointer].frameno = static_cast<uint8_t>(frame.frameno);
    state.frames.push_back(std::move(frame));
    state.insn = static_cast<uint32_t>(target);
}

bool check_exit(VerifierEnv& env, VerifierState& state, uint32_t index) {
    FuncFrame& frame = state.frame();
    // A bpf-to-bpf function may run, and return, with the lock held (as Linux
    // 6.x); the program and callbacks must have released it when they end.
    if (state.lock_map >= 0 && (state.frames.size() == 1 || frame.is_callback))
        fail("bpf_spin_unlock is missing: the bpf_spin_lock taken at " + env.where(state.lock_insn) +
             " is still held at this exit");
    if (state.frames.size() > 1 && !frame.is_callback) {
        // A bpf-to-bpf function hands R0 back as it is, set or not (as Linux's
        // prepare_func_exit): a `void` function compiled by clang may leave it
        // unset, and the caller fails only if it reads it ("R0 is read before
        // it is initialised" at the read).
        const RegState r0 = state.regs()[0];
        if (r0.type == RegType::ptr_to_stack && r0.frameno >= frame.frameno)
            fail("returning a pointer to the callee's own stack prohibited");
        const uint32_t callsite = static_cast<uint32_t>(frame.callsite);
        state.frames.pop_back();
        RegState* regs = state.regs();
        for (int r = 1; r <= 5; ++r) regs[r] = RegState{};
        regs[0] = r0;
        state.insn = callsite + 1;
        return true;
    }
    const RegState r0 = read_reg(state, 0);
    if (frame.is_callback) {
        if (r0.type != RegType::scalar || r0.var.smin < 0 || r0.var.smax > 1)
            fail("callback must return 0 or 1, but R0 is " + r0.to_string());
        if (state.refs.size() > frame.refs_at_entry)
            fail("unreleased reference: ring buffer record from bpf_ringbuf_reserve at " +
                 env.where(state.refs.back().insn) + " is not submitted or discarded before the callback returns");
        return false;  // the helper's continuation was queued when it was called
    }
    if (r0.is_pointer()) fail("R0 leaks a pointer (" + r0.to_string() + ") as the return value");
    const ProgramTypeInfo& info = env.info;
    // Program types whose result is any 32-bit value (socket filters, tc) accept any register.
    const bool any_u32 = info.ret_min == 0 && info.ret_max == UINT32_MAX;
    const bool any_s32 = info.ret_min == INT32_MIN && info.ret_max == INT32_MAX;
    const bool out_of_range = r0.var.smin < info.ret_min || r0.var.smax > info.ret_max;
    if (info.type == ProgramType::xdp && out_of_range) {
        // Linux accepts any XDP return value and treats an unknown action as
        // XDP_ABORTED when the program runs (bpf_warn_invalid_xdp_action); so
        // does every route of this runtime (the verdict is the low 32 bits).
        env.warn(state, "at program exit R0 is " + r0.var.to_string() +
                 ", which may not be an XDP action (0-4): a value outside them counts as XDP_ABORTED");
    } else if (!any_u32 && !any_s32 && out_of_range)
        fail("at program exit R0 is " + r0.var.to_string() + ", but " + std::string(info.name) +
             " programs must return a value in [" + std::to_string(info.ret_min) + ", " +
             std::to_string(info.ret_max) + "]");
    if (!state.refs.empty())
        fail("unreleased reference: ring buffer record from bpf_ringbuf_reserve at " + env.where(state.refs.front().insn) +
             " is neither submitted nor discarded on this path");
    (void)index;
    return false;
}

}  // namespace ebpf::verifier
