// ALU/ALU64: scalar arithmetic on ranges, and the pointer arithmetic rules
// (what may be added to which pointer, and what it does to its offset).
#include <algorithm>
#include <string>

#include "verifier_env.hpp"

namespace ebpf::verifier {
namespace {

// Offsets beyond this are rejected: pointer arithmetic can then never wrap
// around the address space, whatever the run-time base.
constexpr int64_t kMaxPointerOffset = int64_t{1} << 29;

const char* alu_op_name(uint8_t operation) {
    switch (operation) {
    case op::kAdd: return "+=";
    case op::kSub: return "-=";
    case op::kMul: return "*=";
    case op::kDiv: return "/=";
    case op::kOr: return "|=";
    case op::kAnd: return "&=";
    case op::kLsh: return "<<=";
    case op::kRsh: return ">>=";
    case op::kNeg: return "neg";
    case op::kMod: return "%=";
    case op::kXor: return "^=";
    case op::kMov: return "=";
    case op::kArsh: return "s>>=";
    case op::kEnd: return "byte swap";
    }
    return "?";
}

bool arithmetic_allowed(RegType type) {
    switch (type) {
    case RegType::ptr_to_ctx:
    case RegType::ptr_to_stack:
    case RegType::ptr_to_map_value:
    case RegType::ptr_to_map_key:
    case RegType::ptr_to_packet:
    case RegType::ptr_to_packet_meta:
    case RegType::ptr_to_ringbuf_mem:
    case RegType::ptr_to_flow_keys:  // allowed, but a moved pointer cannot be dereferenced
        return true;
    default:
        return false;
    }
}

// The scalar's relation to the context memory length survives adding or
// subtracting a constant.
int32_t margin_after(const RegState& before, uint8_t operation, const ScalarRange& src) {
    int64_t margin = before.len_margin;
    if (margin < 0 && before.is_const_scalar(0)) margin = 0;  // 0 <= length always
    if (margin < 0 || !src.is_const()) return -1;
    int64_t k = static_cast<int64_t>(src.value());
    if (operation == op::kAdd && k >= 0 && k <= margin) return static_cast<int32_t>(margin - k);
    if (operation == op::kSub && k >= 0 && before.var.umin >= static_cast<uint64_t>(k) && margin + k < INT32_MAX)
        return static_cast<int32_t>(margin + k);
    return -1;
}

// ptr (+|-) scalar. `ptr_reg` is the pointer operand; the result replaces dst.
RegState pointer_arith(VerifierEnv& env, uint8_t operation, const RegState& ptr, const RegState& scalar,
                       int ptr_regno) {
    const std::string name = reg_name(ptr_regno);
    if (ptr.is_or_null())
        fail(name + " pointer arithmetic on " + reg_type_name(ptr.type) +
             " prohibited: compare it with NULL first" + describe_origin(env, ptr));
    if (!arithmetic_allowed(ptr.type))
        fail(name + " pointer arithmetic on " + reg_type_name(ptr.type) + " prohibited");
    RegState out = ptr;
    const ScalarRange& v = scalar.var;
    if (v.is_const()) {
        int64_t k = static_cast<int64_t>(v.value());
        int64_t off = operation == op::kAdd ? int64_t{ptr.off} + k : int64_t{ptr.off} - k;
        if (k < -kMaxPointerOffset || k > kMaxPointerOffset || off < -kMaxPointerOffset || off > kMaxPointerOffset)
            fail(name + " pointer arithmetic goes out of range (offset " + std::to_string(off) + ")");
        out.off = static_cast<int32_t>(off);
        return out;
    }
    if (ptr.type == RegType::ptr_to_ctx)
        fail(name + " variable offset on the context pointer prohibited (only constant offsets into the context)");
    int32_t margin = scalar.len_margin;
    if (margin < 0 && scalar.is_const_scalar(0)) margin = 0;
    if (operation == op::kAdd && margin >= 0 && env.info.ctx_is_memory && ptr.type == RegType::ptr_to_packet &&
        ptr.var.is_const() && ptr.var.value() == 0) {
        // base + X with X + margin <= length: inside the memory whatever X is.
        // X is at most the length of real memory, below 2^47 in user space.
        out.var = ScalarRange::unsigned_range(v.umin, std::min<uint64_t>(v.umax, uint64_t{1} << 47));
        int64_t kept = v.umax <= static_cast<uint64_t>(ptr.pkt_range) ? ptr.pkt_range - static_cast<int64_t>(v.umax) : 0;
        out.id = env.new_id();
        out.pkt_range = static_cast<int32_t>(std::max<int64_t>(margin, kept));
        return out;
    }
    if (v.smin < -kMaxPointerOffset || v.smax > kMaxPointerOffset)
        fail(name + " pointer arithmetic with an unbounded register: value " + v.to_string() +
             " must be bounded (e.g. by a comparison or a mask) before it is added to a pointer");
    ScalarRange added = operation == op::kAdd ? v : scalar_alu64(op::kNeg, v, v, false);
    ScalarRange var = scalar_alu64(op::kAdd, ptr.var, added, false);
    if (var.smin < -kMaxPointerOffset || var.smax > kMaxPointerOffset)
        fail(name + " pointer arithmetic goes out of range (variable offset " + var.to_string() + ")");
    out.var = var;
    if (ptr.is_packet_like()) {
        // A new variable part: ranges proven for the old pointer do not carry over,
        // except what the scalar's relation to the memory length proves.
        // What was proven for the old pointer still covers the bytes that remain
        // after the largest possible step: old position + range is inside.
        int64_t kept = 0;
        if (operation == op::kAdd && v.smin >= 0 && ptr.var.is_const())
            kept = std::max<int64_t>(0, int64_t{ptr.pkt_range} - static_cast<int64_t>(v.umax));
        out.id = env.new_id();
        out.pkt_range = static_cast<int32_t>(kept);
    }
    return out;
}

}  // namespace

std::string reg_name(int regno) { return "R" + std::to_string(regno); }

const RegState& read_reg(VerifierState& state, int regno) {
    const RegState& reg = state.regs()[regno];
    if (reg.type == RegType::not_init) fail(reg_name(regno) + " is read before it is initialised");
    return reg;
}

void check_alu(VerifierEnv& env, VerifierState& state, const Instruction& insn) {
    const uint8_t operation = op::alu_op(insn.opcode);
    const bool is64 = op::cls(insn.opcode) == op::kClassAlu64;
    const int dst_no = insn.dst;
    RegState* regs = state.regs();
    RegState& dst = regs[dst_no];

    if (operation == op::kEnd) {
        const RegState& d = read_reg(state, dst_no);
        if (d.is_pointer()) fail(reg_name(dst_no) + " byte swap of a pointer prohibited");
        bool swap = is64 || op::is_x(insn.opcode);
        dst = RegState::scalar(scalar_byteswap(d.var, static_cast<unsigned>(insn.imm), swap));
        return;
    }
    if (operation == op::kNeg) {
        const RegState& d = read_reg(state, dst_no);
        if (d.is_pointer()) fail(reg_name(dst_no) + " negation of a pointer prohibited");
        dst = RegState::scalar(is64 ? scalar_alu64(op::kNeg, d.var, d.var, false)
                                    : scalar_alu32(op::kNeg, d.var, d.var, false));
        return;
    }

    // The source operand: a register or the immediate (sign-extended for ALU64,
    // the 32-bit value for ALU).
    RegState src;
    if (op::is_x(insn.opcode)) {
        src = read_reg(state, insn.src);
    } else {
        src = RegState::scalar(ScalarRange::constant(static_cast<uint64_t>(static_cast<int64_t>(insn.imm))));
    }

    if (operation == op::kMov) {
        if (insn.offset != 0) {  // MOVSX: sign extension of 8/16/32 bits
            if (src.is_pointer()) fail(reg_name(insn.src) + " sign-extending move of a pointer prohibited");
            ScalarRange v = scalar_sext(src.var, static_cast<unsigned>(insn.offset) / 8);
            dst = RegState::scalar(is64 ? v : truncate32(v));
            return;
        }
        if (is64) {
            if (op::is_x(insn.opcode) && src.type == RegType::scalar) {
                // Copies share an id so that a bound learnt on one applies to all.
                if (src.id == 0) {
                    regs[insn.src].id = env.new_id();
                    src.id = regs[insn.src].id;
                }
            }
            dst = src;
            return;
        }
        if (src.is_pointer())
            fail(reg_name(insn.src) + " 32-bit move of a pointer prohibited (it would leak the address; Linux allows it "
                 "only to privileged programs, as an unknown number)");
        RegState out = RegState::scalar(truncate32(src.var));
        if (src.var.umax <= 0xffffffffull) {
            out.len_margin = src.len_margin;  // the value is unchanged
            out.mem_len = src.mem_len;
        }
        dst = out;
        return;
    }

    const RegState d = read_reg(state, dst_no);
    if (d.is_pointer() || src.is_pointer()) {
        auto packetish = [](const RegState& r) { return r.is_packet_like() || r.type == RegType::ptr_to_packet_end; };
        const bool packet_distance = operation == op::kSub && packetish(d) && packetish(src);
        // `w1 -= w4` of two packet pointers (Cilium's `(void *)ip6 - data`):
        // the low 32 bits of the distance we allow in 64 bits, no more of the
        // address; an unknown 32-bit number, as Linux's privileged verifier
        // makes it. Any other 32-bit arithmetic on a pointer would keep half
        // an address: refused.
        if (!is64 && packet_distance) {
            dst = RegState::scalar(truncate32(ScalarRange::unknown()));
            return;
        }
        if (!is64) fail(reg_name(d.is_pointer() ? dst_no : insn.src) + " 32-bit arithmetic on a pointer prohibited");
        if (d.is_pointer() && src.is_pointer()) {
            if (packet_distance) {
                dst = RegState::unknown_scalar();  // distance between two packet pointers
                return;
            }
            fail(reg_name(dst_no) + " " + alu_op_name(operation) + " between two pointers (" +
                 reg_type_name(d.type) + ", " + reg_type_name(src.type) + ") prohibited");
        }
        if (operation == op::kAdd) {
            dst = d.is_pointer() ? pointer_arith(env, op::kAdd, d, src, dst_no)
                                 : pointer_arith(env, op::kAdd, src, d, insn.src);
            return;
        }
        if (operation == op::kSub && d.is_pointer()) {
            dst = pointer_arith(env, op::kSub, d, src, dst_no);
            return;
        }
        if (d.is_pointer())
            fail(reg_name(dst_no) + " pointer arithmetic with " + alu_op_name(operation) + " prohibited (only += and -=)");
        fail(reg_name(dst_no) + " scalar " + alu_op_name(operation) + " pointer " + reg_name(insn.src) +
             " prohibited (it would leak the address)");
    }

    const bool is_signed = insn.offset == 1 && (operation == op::kDiv || operation == op::kMod);
    RegState out = RegState::scalar(is64 ? scalar_alu64(operation, d.var, src.var, is_signed)
                                         : scalar_alu32(operation, d.var, src.var, is_signed));
    if (is64) out.len_margin = margin_after(d, operation, src.var);
    if (out.var.empty) out.var = ScalarRange::unknown();  // cannot happen on a live path; stay sound
    // A copy moved by a constant stays linked to the others, with the distance
    // (`r4 = r3; r3 += 1; if r4 > 7` bounds r3 too). 64-bit wrap-around keeps
    // the relation exact.
    if (is64 && d.id != 0 && src.var.is_const() && (operation == op::kAdd || operation == op::kSub)) {
        const int64_t k = static_cast<int64_t>(src.var.value());
        int64_t off = 0;
        if (k >= INT32_MIN && k <= INT32_MAX &&
            !__builtin_add_overflow(int64_t{d.link_off}, operation == op::kAdd ? k : -k, &off) && off >= INT32_MIN &&
            off <= INT32_MAX) {
            out.id = d.id;
            out.link_off = static_cast<int32_t>(off);
        }
    }
    dst = out;
}

void check_lddw(VerifierEnv& env, VerifierState& state, uint32_t index) {
    const Instruction& insn = env.insns[index];
    const Instruction& next = env.insns[index + 1];
    RegState& dst = state.regs()[insn.dst];
    switch (insn.src) {
    case op::kPseudoImm64:
        dst = RegState::scalar(ScalarRange::constant(static_cast<uint32_t>(insn.imm) |
                                                     (static_cast<uint64_t>(static_cast<uint32_t>(next.imm)) << 32)));
        return;
    case op::kPseudoMapIdx:
    case op::kPseudoMapIdxValue: {
        if (insn.imm < 0 || static_cast<size_t>(insn.imm) >= env.maps.size())
            fail("map index " + std::to_string(insn.imm) + " out of range (the program has " +
                 std::to_string(env.maps.size()) + " maps)");
        const MapDefinition& map = env.maps[static_cast<size_t>(insn.imm)];
        // A template only describes an outer map's values: no map exists for
        // it, so there is nothing to bind the reference to.
        if (map.inner_template)
            fail("map '" + map.name + "' is an inner map template, not a map: programs reach its maps only through a "
                 "lookup in the outer map");
        if (insn.src == op::kPseudoMapIdx) {
            dst = RegState::pointer(RegType::const_map_ptr);
            dst.map_index = insn.imm;
            return;
        }
        // As Linux (array_map_direct_value_addr): only a one-entry array (global
        // data is one) has a single value the instruction can name; a per-CPU
        // array has one per CPU, other maps none at a fixed address.
        if (map.type != MapType::array || map.max_entries != 1)
            fail("direct value access into map '" + map.name + "' of type " + std::string(map_type_name(map.type)) +
                 " with " + std::to_string(map.max_entries) +
                 " entries prohibited (only one-entry array maps, such as global data, have a direct value)");
        if (next.imm < 0 || static_cast<uint32_t>(next.imm) >= map.value_size)
            fail("direct value offset " + std::to_string(next.imm) + " is outside map '" + map.name +
                 "' (value size " + std::to_string(map.value_size) + ")");
        dst = RegState::pointer(RegType::ptr_to_map_value, next.imm);
        dst.map_index = insn.imm;
        dst.mem_size = map.value_size;
        return;
    }
    case op::kPseudoFunc: {
        int64_t target = int64_t{index} + 1 + insn.imm;
        if (target < 0 || target >= static_cast<int64_t>(env.insns.size()) || !env.function_start[static_cast<size_t>(target)])
            fail("callback reference to instruction " + std::to_string(target) + ", which is not the start of a function");
        dst = RegState::pointer(RegType::ptr_to_func);
        dst.func_insn = static_cast<uint32_t>(target);
        return;
    }
    case op::kPseudoMapFd:
    case op::kPseudoMapValue:
        fail("map reference by file descriptor (LDDW src=" + std::to_string(insn.src) +
             ") is not resolved: load the program from an object so that maps are known");
    default:
        fail("LDDW with src=" + std::to_string(insn.src) + " (BTF ids) is not supported");
    }
}

}  // namespace ebpf::verifier
