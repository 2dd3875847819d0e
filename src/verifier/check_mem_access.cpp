// Loads, stores and atomics: every access must stay inside the region its base
// register points to, read only initialised bytes, and write only where the
// program may write — and never store a pointer where it would leak.
#include <algorithm>
#include <cstring>
#include <string>

#include "memory_access.hpp"

namespace ebpf::verifier {
namespace {

int64_t saturating_add(int64_t a, int64_t b) {
    int64_t sum;
    if (__builtin_add_overflow(a, b, &sum)) return b > 0 ? INT64_MAX : INT64_MIN;
    return sum;
}

std::string range_text(int64_t lo, int64_t hi) {
    return "[" + std::to_string(lo) + ", " + std::to_string(hi) + ")";
}

std::string access_name(const MemoryAccess& a) {
    std::string s = a.what ? std::string(a.what) + " " : std::string();
    return s + (a.write ? "write" : "read");
}

// As Linux may_access_direct_pkt_data: these types may write the packet (or
// the option buffer of cgroup_sockopt); the others only read it.
bool packet_writable(ProgramType type) {
    switch (type) {
    case ProgramType::xdp:
    case ProgramType::sched_cls:
    case ProgramType::sched_act:
    case ProgramType::sk_skb:
    case ProgramType::sk_msg:
    case ProgramType::lwt_xmit:
    case ProgramType::cgroup_sockopt:
    case ProgramType::hook:
    case ProgramType::raw_memory:
        return true;
    default:
        return false;
    }
}

constexpr int64_t kBpfSockSize = 80;       // sizeof(struct bpf_sock)
constexpr int64_t kBpfFlowKeysSize = 56;   // sizeof(struct bpf_flow_keys)

// The total stack of the call chain may not exceed one frame's 512 bytes (as Linux).
void check_combined_stack(VerifierState& state) {
    int total = 0;
    for (const auto& f : state.frames) total += (f.stack.depth() + 15) / 16 * 16;
    if (total > kStackSize)
        fail("combined stack size of " + std::to_string(state.frames.size()) + " calls is " + std::to_string(total) +
             " bytes, more than " + std::to_string(kStackSize));
}

}  // namespace

void check_stack_initialised(VerifierEnv& env, VerifierState& state, uint32_t frameno, int64_t lo, int64_t hi, int regno,
                             bool scalar_only) {
    note_stack_read(env, state, frameno, lo, hi);
    const StackState& stack = state.frames[frameno].stack;
    for (int64_t o = lo; o < hi; ++o) {
        SlotKind kind = stack.kind_at(static_cast<int>(o));
        if (kind == SlotKind::invalid)
            fail("invalid read from stack " + reg_name(regno) + " at fp" + std::to_string(o) + ": byte " +
                 std::to_string(o) + " of the stack is not initialised (bytes " + range_text(lo, hi) + " are read)");
        if (kind == SlotKind::spill && scalar_only) {
            const StackSlot* slot = stack.slot_for(static_cast<int>(o));
            if (slot && slot->spilled.is_pointer())
                fail("reading part of a spilled pointer at fp" + std::to_string(o) + " as data prohibited");
        }
    }
}

// A callback sees the pointers its caller spilled (they hold in every
// iteration because it cannot change them); overwriting one is refused.
static void check_callback_keeps_spills(const VerifierState& state, uint32_t frameno, int64_t lo, int64_t hi) {
    size_t cb = frameno + 1;
    while (cb < state.frames.size() && !state.frames[cb].is_callback) ++cb;
    if (cb >= state.frames.size()) return;
    for (int64_t o = lo; o < hi; ++o) {
        const StackSlot* slot = state.frames[frameno].stack.slot_for(static_cast<int>(o));
        if (slot && slot->full_spill() && slot->spilled.is_pointer())
            fail("callback may not overwrite the pointer its caller spilled at fp" +
                 std::to_string(-8 * static_cast<int64_t>(StackState::index_of(static_cast<int>(o)) + 1)));
    }
}

void mark_stack_written(VerifierState& state, uint32_t frameno, int64_t lo, int64_t hi, bool surely) {
    check_callback_keeps_spills(state, frameno, lo, hi);
    StackState& stack = state.frames[frameno].stack;
    // A write over part of a spilled pointer must not leave its other bytes
    // readable as a number. Linux without CAP_PERFMON refuses the write
    // ("attempt to corrupt spilled pointer on stack"); root may, and then
    // reads the rest as an unknown number. Compilers reuse such slots for
    // narrower variables (Cilium's NAT code), so a write at a known offset is
    // allowed here and the bytes it does not cover become uninitialised:
    // nothing can read them until they are written. A write that only may
    // reach the pointer (variable offset or size) is refused.
    for (int64_t slot_lo = -((-lo + 7) / 8) * 8; slot_lo < hi; slot_lo += 8) {
        const StackSlot* slot = stack.slot_for(static_cast<int>(slot_lo));
        if (!slot || !slot->full_spill() || !slot->spilled.is_pointer()) continue;
        if (surely && lo <= slot_lo && slot_lo + 8 <= hi) continue;
        if (surely) {
            StackSlot& partial = stack.ensure_slot(static_cast<int>(slot_lo));
            partial.bytes.fill(SlotKind::invalid);
            partial.spilled = RegState{};
            continue;
        }
        fail(std::string(surely ? "a write to" : "a variable-offset or variable-size write that may reach") +
             " stack bytes " + range_text(lo, hi) + " would overwrite part of the pointer spilled at fp" +
             std::to_string(slot_lo) + " (its other bytes would become readable as a number)");
    }
    for (int64_t o = lo; o < hi; ++o) {
        StackSlot& slot = stack.ensure_slot(static_cast<int>(o));
        if (slot.full_spill()) {
            // What is left of the register is just bytes now: zeros when it was the constant 0.
            slot.bytes.fill(slot.spilled.is_const_scalar(0) ? SlotKind::zero : SlotKind::misc);
            slot.spilled = RegState{};
        }
        // A narrow spill this byte belongs to is just bytes now.
        const int index = (-static_cast<int>(o) - 1) / 8;
        const auto bit = static_cast<uint8_t>(1u << (static_cast<int>(o) + 8 * (index + 1)));
        for (size_t n = 0; n < slot.narrow.size(); ++n) {
            if (!(slot.narrow[n].mask & bit)) continue;
            for (size_t j = 0; j < 8; ++j)
                if (slot.narrow[n].mask & (1u << j)) slot.bytes[j] = SlotKind::misc;
            slot.narrow.erase(slot.narrow.begin() + static_cast<std::ptrdiff_t>(n));
            break;
        }
        SlotKind kind = stack.kind_at(static_cast<int>(o));
        if (surely || kind != SlotKind::invalid) stack.set_kind(static_cast<int>(o), SlotKind::misc);
    }
    check_combined_stack(state);
}

TouchedRange check_region_access(VerifierEnv& env, VerifierState& state, const RegState& base,
                                 const MemoryAccess& a) {
    const std::string name = reg_name(a.regno);
    const int64_t off = int64_t{base.off} + a.off;
    // Saturating: an unbounded offset must stay "huge", not wrap into range.
    const int64_t lo = saturating_add(off, base.var.smin);
    const int64_t hi = saturating_add(saturating_add(off, base.var.smax), a.size);
    switch (base.type) {
    case RegType::scalar:
        fail(name + " is a scalar, not a pointer: invalid memory " + access_name(a) + " (value " +
             base.var.to_string() + ")");
    case RegType::not_init:
        fail(name + " is read before it is initialised");
    case RegType::ptr_to_map_value_or_null:
    case RegType::ptr_to_ringbuf_mem_or_null:
    case RegType::ptr_to_sock_or_null:
    case RegType::ptr_to_sock_common_or_null:
        fail(name + " may be NULL when dereferenced" + describe_origin(env, base));
    case RegType::ptr_to_sock:
    case RegType::ptr_to_sock_common: {
        // Linux bpf_sock_is_valid_access: read-only u32 fields, narrow reads
        // aligned; a socket that may not be full (__sk_buff.sk) shows only the
        // fields every socket has, not type, protocol, mark, priority.
        if (a.write) fail("write into struct bpf_sock through " + name + " prohibited (its fields are read-only)");
        if (!base.var.is_const() || base.var.value() != 0)
            fail(name + " variable offset into struct bpf_sock prohibited");
        if (lo < 0 || hi > kBpfSockSize || a.size > 4 || lo % a.size != 0)
            fail("invalid struct bpf_sock " + access_name(a) + " through " + name + " at offset " + std::to_string(lo) +
                 " size " + std::to_string(a.size) + " (reads of up to 4 bytes, aligned, inside its " +
                 std::to_string(kBpfSockSize) + " bytes)");
        if (base.type == RegType::ptr_to_sock_common && lo < 24 && hi > 8)
            fail("struct bpf_sock field at offset " + std::to_string(lo) + " through " + name +
                 " needs a full socket: type, protocol, mark and priority are not readable from " +
                 reg_type_name(base.type) + " (bpf_sk_fullsock gives one)");
        return {lo, hi};
    }
    case RegType::ptr_to_flow_keys:
        // A constant offset moves the access (Linux 6.18 allows it); a variable one does not.
        if (!base.var.is_const() || base.var.value() != 0)
            fail("variable offset into struct bpf_flow_keys through " + name + " prohibited");
        if (lo < 0 || hi > kBpfFlowKeysSize)
            fail("invalid struct bpf_flow_keys " + access_name(a) + " through " + name + ": bytes " + range_text(lo, hi) +
                 " are outside its " + std::to_string(kBpfFlowKeysSize) + " bytes");
        return {lo, hi};
    case RegType::ptr_to_stack: {
        if (base.frameno >= state.frames.size()) fail(name + " points to a stack frame that has returned");
        if ((lo < -kStackSize || hi > 0) && !base.var.is_const())
            fail("variable stack " + access_name(a) + " at fp" + std::to_string(off) + "+" +
                 "[" + std::to_string(base.var.smin) +
                 ", " + std::to_string(base.var.smax) + "] (size " + std::to_string(a.size) + ") through " + name +
                 " touches bytes " + range_text(lo, hi) + ", outside the " + std::to_string(kStackSize) +
                 "-byte stack " + range_text(-kStackSize, 0) + ": bound the offset to fit the array");
        if (lo < -kStackSize || hi > 0)
            fail("invalid stack " + access_name(a) + " " + name + " off=" + std::to_string(lo) + " size " +
                 std::to_string(a.size) + ": outside the " + std::to_string(kStackSize) + "-byte stack " +
                 range_text(-kStackSize, 0));
        return {lo, hi};
    }
    case RegType::ptr_to_map_value:
    case RegType::ptr_to_map_key:
    case RegType::ptr_to_ringbuf_mem: {
        const char* region = base.type == RegType::ptr_to_map_key ? "map key"
                           : base.type == RegType::ptr_to_map_value ? "map value" : "ring buffer record";
        std::string map_name = base.map_index >= 0 && static_cast<size_t>(base.map_index) < env.maps.size()
                                   ? " of '" + env.maps[static_cast<size_t>(base.map_index)].name + "'" : "";
        if (lo < 0 || hi > static_cast<int64_t>(base.mem_size))
            fail("invalid " + access_name(a) + " of " + region + map_name + " through " + name + ": bytes " +
                 range_text(lo, hi) + " are outside its size " + std::to_string(base.mem_size) +
                 (base.var.is_const() ? "" : " (variable offset " + base.var.to_string() + ")"));
        if (a.write && base.type == RegType::ptr_to_map_key) fail("write into a map key through " + name + " prohibited");
        if (base.type == RegType::ptr_to_map_value && base.map_index >= 0 &&
            static_cast<size_t>(base.map_index) < env.spin_lock_off.size()) {
            const int64_t lock = env.spin_lock_off[static_cast<size_t>(base.map_index)];
            if (lock >= 0 && lo < lock + 4 && hi > lock)
                fail("the struct bpf_spin_lock of map '" + env.maps[static_cast<size_t>(base.map_index)].name +
                     "' (bytes " + range_text(lock, lock + 4) + ") cannot be accessed directly by " + access_name(a) +
                     " through " + name + " (bytes " + range_text(lo, hi) + "): only bpf_spin_lock/unlock use it");
        }
        if (a.write && base.type == RegType::ptr_to_map_value && base.map_index >= 0) {
            const MapDefinition& map = env.maps[static_cast<size_t>(base.map_index)];
            // devmap/devmap_hash/xskmap entries are read-only for programs (as Linux).
            if (read_only_for_programs(map) || map.type == MapType::devmap || map.type == MapType::devmap_hash ||
                map.type == MapType::xskmap)
                fail("write into read-only map '" + map.name + "' through " + name + " prohibited");
        }
        return {lo, hi};
    }
    case RegType::ptr_to_packet:
    case RegType::ptr_to_packet_meta: {
        const bool memory = env.info.ctx_is_memory;
        const char* region = memory ? "context memory" : base.type == RegType::ptr_to_packet ? "packet" : "packet metadata";
        if (a.write && !packet_writable(env.info.type))
            fail(std::string("write into ") + region + " prohibited for " + std::string(env.info.name) + " programs");
        if (off < 0 || base.var.smin < 0 || off + a.size > base.pkt_range) {
            std::string hint = memory ? "compare the offset with the length in R2 first"
                                      : base.type == RegType::ptr_to_packet ? "compare the pointer with data_end first"
                                                                            : "compare the pointer with data first";
            fail("invalid " + access_name(a) + " of " + region + " through " + name + ": offset " +
                 std::to_string(off) + " size " + std::to_string(a.size) + (base.var.is_const() ? "" : " plus variable offset " + base.var.to_string()) +
                 ", but only " + std::to_string(base.pkt_range) + " bytes are proven to be inside (" + hint + ")");
        }
        return {off, off + a.size};
    }
    case RegType::ptr_to_ctx:
        fail("context access through " + name + " is only allowed by load/store instructions");
    default:
        fail(name + " invalid memory " + access_name(a) + " through a pointer of type " + reg_type_name(base.type));
    }
}

namespace {

// Context fields: exact field table of the program type.
RegState access_ctx(VerifierEnv& env, uint32_t index, const RegState& base, int regno, int64_t insn_off, int size,
                    bool write, bool sign_extend, const RegState* value) {
    if (!base.var.is_const() || base.var.value() != 0)
        fail(reg_name(regno) + " variable offset into the context prohibited");
    const int64_t o = int64_t{base.off} + insn_off;
    const CtxField* field = nullptr;
    for (const auto& f : env.info.fields)
        if (o >= f.offset && o < int64_t{f.offset} + f.size) field = &f;
    if (!field || o + size > int64_t{field->offset} + field->size)
        fail("invalid context access at offset " + std::to_string(o) + " size " + std::to_string(size) + " for " +
             std::string(env.info.name) + " programs (context is " + std::to_string(env.info.ctx_size) +
             " bytes; no field covers these bytes)");
    // Linux refuses every misaligned context access, and checks the size per field.
    if (o % size != 0)
        fail("misaligned context access at offset " + std::to_string(o) + " size " + std::to_string(size) + " for " +
             std::string(env.info.name) + " programs");
    if (!write && field->kind == CtxFieldKind::scalar && (size < field->min_read || size > field->max_read))
        fail("invalid context read at offset " + std::to_string(o) + " size " + std::to_string(size) + " for " +
             std::string(env.info.name) + " programs (this field is read " +
             (field->min_read == field->max_read ? "with exactly " + std::to_string(field->min_read)
                                                 : "with " + std::to_string(field->min_read) + " to " +
                                                       std::to_string(field->max_read)) +
             " bytes)");
    if (env.ctx_offset[index] >= 0 && env.ctx_offset[index] != o)
        fail("the same instruction accesses the context at offsets " + std::to_string(env.ctx_offset[index]) +
             " and " + std::to_string(o) + " on different paths");
    env.ctx_offset[index] = static_cast<int32_t>(o);
    if (write) {
        if (!field->writable || field->kind != CtxFieldKind::scalar)
            fail("write into read-only context field at offset " + std::to_string(o) + " prohibited");
        if (field->write_sizes != 0 && !(field->write_sizes & size))
            fail("invalid context write at offset " + std::to_string(o) + " size " + std::to_string(size) + " for " +
                 std::string(env.info.name) + " programs (this field is written whole)");
        if (value && value->is_pointer()) fail("storing a pointer into the context leaks its address");
        return {};
    }
    if (field->kind != CtxFieldKind::scalar) {
        if (o != field->offset || static_cast<uint32_t>(size) != field->size || sign_extend)
            fail("context pointer field at offset " + std::to_string(field->offset) + " must be read whole (" +
                 std::to_string(field->size) + " bytes)");
        RegType type = RegType::ptr_to_packet_meta;
        switch (field->kind) {
        case CtxFieldKind::packet: type = RegType::ptr_to_packet; break;
        case CtxFieldKind::packet_end: type = RegType::ptr_to_packet_end; break;
        case CtxFieldKind::sock: type = RegType::ptr_to_sock; break;
        case CtxFieldKind::sock_or_null: type = RegType::ptr_to_sock_or_null; break;
        case CtxFieldKind::sock_common_or_null: type = RegType::ptr_to_sock_common_or_null; break;
        case CtxFieldKind::flow_keys: type = RegType::ptr_to_flow_keys; break;
        default: break;
        }
        RegState r = RegState::pointer(type);
        if (r.is_or_null()) r.id = env.new_id();  // the NULL check applies to every copy
        r.origin = static_cast<int32_t>(index);
        return r;
    }
    return RegState::scalar(scalar_of_size(static_cast<unsigned>(size), sign_extend));
}

// Spill-mask bits of the `size` bytes at stack offset `o` within their slot.
uint8_t narrow_mask(int o, int size) {
    const int index = (-o - 1) / 8;
    const int byte = o + 8 * (index + 1);
    if (byte + size > 8) return 0;
    return static_cast<uint8_t>(((1u << size) - 1) << byte);
}

uint64_t size_max(int size) { return size >= 8 ? UINT64_MAX : (uint64_t{1} << (8 * size)) - 1; }

RegState read_stack(VerifierEnv& env, VerifierState& state, const RegState& base, const TouchedRange& range, int size,
                    int regno, bool sign_extend) {
    note_stack_read(env, state, base.frameno, range.lo, range.hi);
    if (!base.var.is_const()) {
        check_stack_initialised(env, state, base.frameno, range.lo, range.hi, regno, true);
        return RegState::scalar(scalar_of_size(static_cast<unsigned>(size), sign_extend));
    }
    StackState& stack = state.frames[base.frameno].stack;
    const int o = static_cast<int>(range.lo);
    const StackSlot* slot = stack.slot_for(o);
    if (size == 8 && o % 8 == 0 && slot && slot->full_spill()) {
        if (!sign_extend) return slot->spilled;
        if (slot->spilled.is_pointer()) fail("sign-extending load of a spilled pointer prohibited");
        return slot->spilled;
    }
    if (const StackSlot::Narrow* n = slot && size < 8 ? slot->narrow_at(narrow_mask(o, size)) : nullptr) {
        // The same bytes a narrow spill wrote: its value, zero-extended
        // (it fits), or sign-extended for LDXSX.
        return RegState::scalar(sign_extend ? scalar_sext(n->value, static_cast<unsigned>(size)) : n->value);
    }
    check_stack_initialised(env, state, base.frameno, range.lo, range.hi, regno, true);
    bool all_zero = true;
    for (int64_t b = range.lo; b < range.hi; ++b) {
        SlotKind k = stack.kind_at(static_cast<int>(b));
        if (k != SlotKind::zero) {
            const StackSlot* s = stack.slot_for(static_cast<int>(b));
            if (!(k == SlotKind::spill && s && s->spilled.is_const_scalar(0))) all_zero = false;
        }
    }
    if (all_zero) return RegState::scalar(ScalarRange::constant(0));
    return RegState::scalar(scalar_of_size(static_cast<unsigned>(size), sign_extend));
}

// Stores `value` (size bytes) at a stack offset range.
void write_stack(VerifierState& state, const RegState& base, const TouchedRange& range, int size,
                 const RegState& value, int regno) {
    // A callback sees its caller's stack as plain bytes; pointers written
    // there would be invisible to the caller's own analysis.
    for (size_t f = base.frameno + 1; f < state.frames.size(); ++f)
        if (state.frames[f].is_callback && value.is_pointer())
            fail("callback may not store a pointer into its caller's stack");
    // The callee's frame disappears when it returns: its address must not outlive it.
    if (value.type == RegType::ptr_to_stack && value.frameno > base.frameno)
        fail("a callee may not store a pointer to its own stack into its caller's stack");
    check_callback_keeps_spills(state, base.frameno, range.lo, range.hi);
    StackState& stack = state.frames[base.frameno].stack;
    if (!base.var.is_const()) {
        if (value.is_pointer()) fail("spill of pointer " + reg_name(regno) + " to a variable stack offset prohibited");
        mark_stack_written(state, base.frameno, range.lo, range.hi, false);
        return;
    }
    const int o = static_cast<int>(range.lo);
    if (size == 8 && o % 8 == 0) {
        StackSlot& slot = stack.ensure_slot(o);
        slot.bytes.fill(SlotKind::spill);
        slot.narrow.clear();
        slot.spilled = value;
        slot.spilled.origin = value.origin;
        check_combined_stack(state);
        return;
    }
    if (value.is_pointer())
        fail("partial or misaligned spill of pointer " + reg_name(regno) + " at fp" + std::to_string(o) +
             " size " + std::to_string(size) + " prohibited");
    mark_stack_written(state, base.frameno, range.lo, range.hi, true);
    if (value.is_const_scalar(0)) {
        for (int64_t b = range.lo; b < range.hi; ++b) stack.set_kind(static_cast<int>(b), SlotKind::zero);
        return;
    }
    // A narrow aligned store of a scalar that fits its bytes keeps the value
    // (e.g. an `int` loop counter on the stack); anything else is just bytes.
    if (value.type == RegType::scalar && o % size == 0 && value.var.umax <= size_max(size)) {
        // mark_stack_written turned any older spill on these bytes into bytes.
        StackSlot& slot = stack.ensure_slot(o);
        for (int64_t b = range.lo; b < range.hi; ++b) stack.set_kind(static_cast<int>(b), SlotKind::spill);
        const StackSlot::Narrow entry{narrow_mask(o, size), value.var};
        auto at = std::find_if(slot.narrow.begin(), slot.narrow.end(),
                               [&](const StackSlot::Narrow& n) { return n.mask > entry.mask; });
        slot.narrow.insert(at, entry);
    }
}

RegState read_map_value(VerifierEnv& env, const RegState& base, const TouchedRange& range, int size, bool sign_extend) {
    if (base.type == RegType::ptr_to_map_value && base.map_index >= 0 && base.var.is_const()) {
        const MapDefinition& map = env.maps[static_cast<size_t>(base.map_index)];
        // Frozen global data: the value is known at verification time. The
        // runtime freezes every map read_only_for_programs() when the object
        // loads, so the host cannot change it afterwards.
        if (read_only_for_programs(map) && map.is_global_data &&
            map.initial_data.size() >= static_cast<size_t>(range.hi)) {
            uint64_t v = 0;
            std::memcpy(&v, map.initial_data.data() + range.lo, static_cast<size_t>(size));
            ScalarRange r = ScalarRange::constant(v);
            return RegState::scalar(sign_extend ? scalar_sext(r, static_cast<unsigned>(size)) : r);
        }
    }
    return RegState::scalar(scalar_of_size(static_cast<unsigned>(size), sign_extend));
}

void check_atomic(VerifierEnv& env, VerifierState& state, uint32_t index) {
    const Instruction& insn = env.insns[index];
    const int size = op::size_bytes(insn.opcode);
    if (size != 4 && size != 8) fail("atomic operation of " + std::to_string(size) + " bytes prohibited (only 4 and 8)");
    const RegState base = read_reg(state, insn.dst);
    const RegState src = read_reg(state, insn.src);
    if (src.is_pointer()) fail("atomic operation stores pointer " + reg_name(insn.src) + ": it would leak its address");
    const bool cmpxchg = insn.imm == op::kAtomicCmpXchg;
    if (cmpxchg) {
        const RegState& r0 = read_reg(state, 0);
        if (r0.is_pointer()) fail("atomic compare-exchange with pointer R0 prohibited");
    }
    // Packets are shared with the network stack; the memory of hook/raw
    // programs is plain memory, where atomics are fine.
    if (base.type == RegType::ptr_to_ctx || (base.is_packet_like() && !env.info.ctx_is_memory))
        fail(std::string("atomic operation on ") + reg_type_name(base.type) + " through " + reg_name(insn.dst) + " prohibited");
    // Atomics must be naturally aligned (a split access is neither atomic nor
    // allowed by every CPU). Region bases (stack, map values, the memory of
    // hook/raw programs) are 8-byte aligned, so the offset decides.
    const int64_t fixed = int64_t{base.off} + insn.offset;
    const uint64_t low = static_cast<uint64_t>(size - 1);
    if ((fixed & static_cast<int64_t>(low)) != 0 || ((base.var.bits.value | base.var.bits.mask) & low) != 0)
        fail("misaligned " + std::to_string(size) + "-byte atomic operation through " + reg_name(insn.dst) +
             " (offset " + std::to_string(fixed) + (base.var.is_const() ? "" : " plus " + base.var.to_string()) + ")");
    MemoryAccess a{insn.dst, insn.offset, size, true, true, true, nullptr};
    TouchedRange range = check_region_access(env, state, base, a);
    env.access_use[index] = AccessUse::other;
    if (base.type == RegType::ptr_to_stack) {
        if (!base.var.is_const()) fail("atomic operation at a variable stack offset prohibited");
        check_stack_initialised(env, state, base.frameno, range.lo, range.hi, insn.dst, true);
        mark_stack_written(state, base.frameno, range.lo, range.hi, true);
    }
    const bool fetch = (insn.imm & op::kAtomicFetch) != 0;
    RegState loaded = RegState::scalar(scalar_of_size(static_cast<unsigned>(size), false));
    if (cmpxchg) state.regs()[0] = loaded;
    else if (fetch) state.regs()[insn.src] = loaded;
}

}  // namespace

void check_mem_access(VerifierEnv& env, VerifierState& state, uint32_t index) {
    const Instruction& insn = env.insns[index];
    const uint8_t cls = op::cls(insn.opcode);
    const uint8_t mode = op::mode(insn.opcode);
    if (cls == op::kClassStx && mode == op::kModeAtomic) return check_atomic(env, state, index);
    const int size = op::size_bytes(insn.opcode);
    const bool load = cls == op::kClassLdx;
    const bool sign_extend = load && mode == op::kModeMemSx;
    const int base_no = load ? insn.src : insn.dst;
    const RegState base = read_reg(state, base_no);

    RegState value;
    if (cls == op::kClassStx) value = read_reg(state, insn.src);
    else if (cls == op::kClassSt) value = RegState::scalar(ScalarRange::constant(static_cast<uint64_t>(static_cast<int64_t>(insn.imm))));

    // One instruction must not serve the context and other memory: the
    // context rewrite changes the instruction for every path.
    AccessUse use = base.type == RegType::ptr_to_ctx ? AccessUse::ctx : AccessUse::other;
    if (env.access_use[index] != AccessUse::unseen && env.access_use[index] != use)
        fail("the same instruction accesses the context and other memory on different paths");
    env.access_use[index] = use;

    if (base.type == RegType::ptr_to_ctx) {
        RegState r = access_ctx(env, index, base, base_no, insn.offset, size, !load, sign_extend, &value);
        if (load) {
            if (r.type == RegType::scalar) r.origin = static_cast<int32_t>(index);
            state.regs()[insn.dst] = r;
        }
        return;
    }
    if (!load && value.is_pointer() && base.type != RegType::ptr_to_stack)
        fail("storing pointer " + reg_name(insn.src) + " into " + reg_type_name(base.type) +
             " memory leaks its address (only the stack may hold pointers)");

    MemoryAccess a{base_no, insn.offset, size, !load, load, true, nullptr};
    TouchedRange range = check_region_access(env, state, base, a);
    if (base.type == RegType::ptr_to_stack && cls == op::kClassStx && size == 8 && value.type == RegType::scalar &&
        !value.var.is_const() && value.id == 0) {
        // A spilled scalar is a copy: a bound learnt on the register, the slot
        // or a register refilled from it applies to all three.
        value.id = env.new_id();
        state.regs()[insn.src].id = value.id;
        value.link_off = state.regs()[insn.src].link_off = 0;
    }
    if (base.type == RegType::ptr_to_stack) {
        if (load) {
            RegState r = read_stack(env, state, base, range, size, base_no, sign_extend);
            state.regs()[insn.dst] = r;
        } else {
            write_stack(state, base, range, size, value, insn.src);
        }
        return;
    }
    if (!load) return;
    RegState r = (base.type == RegType::ptr_to_map_value) ? read_map_value(env, base, range, size, sign_extend)
                                                          : RegState::scalar(scalar_of_size(static_cast<unsigned>(size), sign_extend));
    r.origin = static_cast<int32_t>(index);
    state.regs()[insn.dst] = r;
}

void check_ld_abs(VerifierEnv& env, VerifierState& state, const Instruction& insn) {
    const RegState& r6 = read_reg(state, 6);
    if (r6.type != RegType::ptr_to_ctx || r6.off != 0 || !r6.var.is_const() || r6.var.value() != 0)
        fail("legacy packet load needs the context in R6 (R6 is " + r6.to_string() + ")");
    check_legacy_packet_load(env, "", insn);
    if (op::mode(insn.opcode) == op::kModeInd) {
        const RegState& src = read_reg(state, insn.src);
        if (src.type != RegType::scalar)
            fail("legacy packet load: the offset register " + reg_name(insn.src) + " is " + src.to_string() +
                 ", not a number (it would reveal the address)");
    }
    // It may end the program with 0: nothing may be held then (as Linux).
    if (!state.refs.empty())
        fail("legacy packet load while the ring buffer record reserved at " + env.where(state.refs.front().insn) +
             " is held: it may end the program");
    if (state.lock_map >= 0)
        fail("legacy packet load while the bpf_spin_lock taken at " + env.where(state.lock_insn) +
             " is held: it may end the program");
    RegState* regs = state.regs();
    for (int r = 1; r <= 5; ++r) regs[r] = RegState{};
    // The big-endian value of 1, 2 or 4 bytes.
    regs[0] = RegState::scalar(scalar_of_size(static_cast<unsigned>(op::size_bytes(insn.opcode)), false));
    regs[0].origin = static_cast<int32_t>(state.insn);
}

}  // namespace ebpf::verifier
