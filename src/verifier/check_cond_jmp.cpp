// Conditional jumps: decide which outcomes are possible, and refine the state
// on each side — scalar bounds (shared by copies), NULL checks (shared by
// every copy of a helper's result), packet ranges proven by a comparison with
// data_end, and lengths of the context memory (hook/raw_memory programs).
#include <algorithm>
#include <string>

#include "verifier_env.hpp"

namespace ebpf::verifier {
namespace {

// `a op b` written as `b op' a`.
uint8_t mirror(uint8_t jop) {
    switch (jop) {
    case op::kJgt: return op::kJlt;
    case op::kJlt: return op::kJgt;
    case op::kJge: return op::kJle;
    case op::kJle: return op::kJge;
    case op::kJsgt: return op::kJslt;
    case op::kJslt: return op::kJsgt;
    case op::kJsge: return op::kJsle;
    case op::kJsle: return op::kJsge;
    default: return jop;
    }
}

// The comparison that holds in a branch: the instruction's, or its negation.
uint8_t holds(uint8_t jop, bool taken) { return taken ? jop : negated_jmp(jop); }

// Copies of a refined scalar learn the same bound; a copy at a constant
// distance (link_off) learns it moved by that distance.
void propagate_scalar(VerifierState& state, const RegState& refined) {
    if (refined.id == 0) return;
    for_each_reg(state, [&](RegState& reg) {
        if (reg.type != RegType::scalar || reg.id != refined.id) return;
        if (reg.link_off == refined.link_off) {
            reg = refined;
            return;
        }
        const auto delta = static_cast<uint64_t>(int64_t{reg.link_off} - int64_t{refined.link_off});
        ScalarRange moved = scalar_alu64(op::kAdd, refined.var, ScalarRange::constant(delta), false);
        if (!moved.empty) reg.var = moved;
    });
}

// `keep_id`: a map value whose map holds a bpf_spin_lock keeps its id, so
// that bpf_spin_unlock can tell it is the value whose lock was taken.
void mark_null_checked(VerifierState& state, uint32_t id, bool is_null, bool keep_id) {
    if (id == 0) return;
    uint32_t ref = 0;
    for_each_reg(state, [&](RegState& reg) {
        if (!reg.is_or_null() || reg.id != id) return;
        if (is_null) {
            if (reg.ref_obj_id) ref = reg.ref_obj_id;
            reg = RegState::scalar(ScalarRange::constant(0));
            return;
        }
        reg.type = reg.type == RegType::ptr_to_map_value_or_null ? RegType::ptr_to_map_value
                 : reg.type == RegType::const_map_ptr_or_null    ? RegType::const_map_ptr
                                                                 : RegType::ptr_to_ringbuf_mem;
        if (!keep_id) reg.id = 0;
    });
    // A NULL record was never reserved: nothing to release.
    if (ref) std::erase_if(state.refs, [&](const Reference& r) { return r.id == ref; });
}

void set_packet_range(VerifierState& state, const RegState& pkt, int32_t range) {
    if (range <= 0) return;
    for_each_reg(state, [&](RegState& reg) {
        if (reg.type == pkt.type && reg.id == pkt.id) reg.pkt_range = std::max(reg.pkt_range, range);
    });
}

// The context memory is at least `length` bytes: base pointers (id 0) can read that far.
void set_memory_length(VerifierState& state, uint64_t length) {
    int32_t range = static_cast<int32_t>(std::min<uint64_t>(length, uint64_t{1} << 29));
    for_each_reg(state, [&](RegState& reg) {
        if (reg.type == RegType::ptr_to_packet && reg.id == 0) reg.pkt_range = std::max(reg.pkt_range, range);
    });
}

bool is_end_for(const RegState& p, const RegState& e) {
    if (p.type == RegType::ptr_to_packet) return e.type == RegType::ptr_to_packet_end;
    if (p.type == RegType::ptr_to_packet_meta)
        return e.type == RegType::ptr_to_packet && e.id == 0 && e.off == 0 && e.var.is_const() && e.var.value() == 0;
    return false;
}

// Refines `branch` for the outcome `taken` of a comparison between two scalars.
// Returns false when the outcome is impossible.
bool refine_scalars(VerifierEnv& env, VerifierState& branch, const Instruction& insn, bool taken) {
    const uint8_t jop = op::jmp_op(insn.opcode);
    const bool is32 = op::cls(insn.opcode) == op::kClassJmp32;
    RegState* regs = branch.regs();
    RegState& dst = regs[insn.dst];
    RegState src_copy = op::is_x(insn.opcode) ? regs[insn.src]
                                              : RegState::scalar(ScalarRange::constant(static_cast<uint64_t>(static_cast<int64_t>(insn.imm))));
    scalar_refine(jop, !taken, is32, dst.var, src_copy.var);
    if (dst.var.empty || src_copy.var.empty) return false;
    if (op::is_x(insn.opcode)) regs[insn.src] = src_copy;
    propagate_scalar(branch, dst);
    if (op::is_x(insn.opcode)) propagate_scalar(branch, regs[insn.src]);

    if (!env.info.ctx_is_memory) return true;
    // The memory length: what the branch proves about it, and about scalars compared with it.
    RegState& d = regs[insn.dst];
    RegState* s = op::is_x(insn.opcode) ? &regs[insn.src] : nullptr;
    if (d.mem_len) set_memory_length(branch, d.var.umin);
    if (s && s->mem_len) set_memory_length(branch, s->var.umin);
    if (is32 || !s || d.mem_len == s->mem_len) return true;
    uint8_t rel = holds(jop, taken);
    if (rel == kNoNegation) return true;
    RegState& x = d.mem_len ? *s : d;
    if (d.mem_len) rel = mirror(rel);  // now: x rel length
    int32_t margin = x.len_margin;
    if (margin < 0 && x.is_const_scalar(0)) margin = 0;
    int32_t proven = -1;
    if (rel == op::kJlt) proven = 1;
    else if (rel == op::kJle || rel == op::kJeq) proven = 0;
    else if (rel == op::kJne && margin >= 0) proven = std::max(margin, 1);
    if (proven > margin) {
        x.len_margin = proven;
        propagate_scalar(branch, x);
    }
    return true;
}

}  // namespace

bool check_cond_jmp(VerifierEnv& env, VerifierState& state, uint32_t index) {
    const Instruction& insn = env.insns[index];
    const uint8_t jop = op::jmp_op(insn.opcode);
    const bool is32 = op::cls(insn.opcode) == op::kClassJmp32;
    const uint32_t target = static_cast<uint32_t>(int64_t{index} + 1 + insn.offset);
    const RegState dst = read_reg(state, insn.dst);
    const RegState src = op::is_x(insn.opcode)
                             ? read_reg(state, insn.src)
                             : RegState::scalar(ScalarRange::constant(static_cast<uint64_t>(static_cast<int64_t>(insn.imm))));

    bool taken_possible = true, fall_possible = true;
    VerifierState taken = state;

    if (dst.type == RegType::scalar && src.type == RegType::scalar) {
        taken_possible = refine_scalars(env, taken, insn, true);
        fall_possible = refine_scalars(env, state, insn, false);
    } else {
        if (is32)
            fail("pointer comparison in a 32-bit jump prohibited (" + dst.to_string() + ", " + src.to_string() +
                 "): compare the 64-bit pointers (if (data + N > data_end)); Linux allows it only to privileged "
                 "programs, and proves no packet range from it");
        const bool dst_ptr = dst.is_pointer();
        const RegState& ptr = dst_ptr ? dst : src;
        const RegState& other = dst_ptr ? src : dst;
        if (other.is_const_scalar(0) && (jop == op::kJeq || jop == op::kJne)) {
            const bool null_when_taken = jop == op::kJeq;
            if (ptr.is_or_null()) {
                const bool keep_id = ptr.type == RegType::ptr_to_map_value_or_null && ptr.map_index >= 0 &&
                                     static_cast<size_t>(ptr.map_index) < env.spin_lock_off.size() &&
                                     env.spin_lock_off[static_cast<size_t>(ptr.map_index)] >= 0;
                mark_null_checked(taken, ptr.id, null_when_taken, keep_id);
                mark_null_checked(state, ptr.id, !null_when_taken, keep_id);
            } else {
                // A pointer that cannot be NULL: only one outcome.
                if (null_when_taken) taken_possible = false;
                else fall_possible = false;
            }
        } else if (dst.is_pointer() && src.is_pointer() && (is_end_for(dst, src) || is_end_for(src, dst))) {
            const bool pkt_left = is_end_for(dst, src);
            const RegState& pkt = pkt_left ? dst : src;
            for (bool t : {true, false}) {
                uint8_t rel = holds(jop, t);
                if (!pkt_left) rel = mirror(rel);  // now: pkt rel end
                int32_t range = rel == op::kJle || rel == op::kJeq ? pkt.off : rel == op::kJlt ? pkt.off + 1 : 0;
                if (pkt.off >= 0 && (pkt.var.smin >= 0)) set_packet_range(t ? taken : state, pkt, range);
            }
        } else if (dst.is_packet_like() && src.is_packet_like()) {
            // Two packet pointers: allowed, nothing learnt.
        } else {
            fail("comparison of " + std::string(reg_type_name(dst.type)) + " " + reg_name(insn.dst) + " with " +
                 (op::is_x(insn.opcode) ? std::string(reg_type_name(src.type)) + " " + reg_name(insn.src)
                                        : "constant " + std::to_string(insn.imm)) +
                 " prohibited (pointers may only be compared with NULL, and packet pointers with each other and "
                 "data_end; Linux allows other comparisons only to privileged programs: they reveal the address)");
        }
    }

    taken.insn = target;
    taken.path.add(index, true);
    state.path.add(index, false);
    state.insn = index + 1;
    if (taken_possible && fall_possible) {
        env.push_branch(std::move(taken));
        return true;
    }
    if (taken_possible) {
        state = std::move(taken);
        return true;
    }
    return fall_possible;
}

}  // namespace ebpf::verifier
