// Helper calls: every argument checked against the helper's prototype
// (abi.hpp), the map given matches what the helper works on, ring-buffer
// records are tracked as references, and callbacks are verified as functions.
#include <algorithm>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>
#include <string_view>

#include "memory_access.hpp"

namespace ebpf::verifier {
namespace {

// Maps whose entries programs may look up but never write (Linux makes
// devmaps BPF_F_RDONLY_PROG; an xskmap lookup gives a read-only socket).
bool redirect_lookup_map(MapType type) {
    return type == MapType::devmap || type == MapType::devmap_hash || type == MapType::xskmap;
}

bool map_allowed(int32_t helper, MapType type) {
    namespace id = helper_id;
    switch (helper) {
    case id::map_lookup_elem:
        // Linux: devmap/devmap_hash/xskmap lookups (read-only values), not cpumap's.
        if (type == MapType::array_of_maps || type == MapType::hash_of_maps || redirect_lookup_map(type)) return true;
        [[fallthrough]];
    case id::map_update_elem:
    case id::map_delete_elem:
        return type == MapType::hash || type == MapType::array || type == MapType::percpu_hash ||
               type == MapType::percpu_array || type == MapType::lru_hash || type == MapType::lru_percpu_hash ||
               type == MapType::lpm_trie;
    case id::map_push_elem:
    case id::map_pop_elem:
    case id::map_peek_elem:
        return type == MapType::queue || type == MapType::stack;
    case id::ringbuf_output:
    case id::ringbuf_reserve:
    case id::ringbuf_query:
        return type == MapType::ringbuf;
    case id::tail_call:
        return type == MapType::prog_array;
    case id::redirect_map:
        return type == MapType::devmap || type == MapType::devmap_hash || type == MapType::cpumap ||
               type == MapType::xskmap;
    case id::perf_event_output:
    case id::xdp_output:
        return type == MapType::perf_event_array;
    case id::get_stackid:
        return type == MapType::stack_trace;
    case id::skb_under_cgroup:
    case 37:  // bpf_current_task_under_cgroup
        return type == MapType::cgroup_array;
    case id::for_each_map_elem:
        return type == MapType::hash || type == MapType::array || type == MapType::percpu_hash ||
               type == MapType::percpu_array || type == MapType::lru_hash || type == MapType::lru_percpu_hash;
    default:
        return true;
    }
}

// Helpers that change the map they are given (Linux record_func_map refuses
// them on BPF_F_RDONLY_PROG maps: "write into map forbidden").
bool writes_map(int32_t helper) {
    namespace id = helper_id;
    return helper == id::map_update_elem || helper == id::map_delete_elem || helper == id::map_push_elem ||
           helper == id::map_pop_elem || helper == id::ringbuf_output || helper == id::ringbuf_reserve;
}

std::string arg_name(const HelperPrototype& proto, int regno) {
    return std::string(proto.name) + " argument " + std::to_string(regno) + " (" + reg_name(regno) + ")";
}

// Whether a callback's body may write memory outside its own stack frame:
// a store or atomic through a register other than R10, a helper that writes
// into a buffer or runs a callback of its own, a call of another function.
bool callback_may_write_outside(VerifierEnv& env, uint32_t entry) {
    if (auto it = env.callback_writes.find(entry); it != env.callback_writes.end()) return it->second;
    const size_t n = env.insns.size();
    std::vector<bool> seen(n, false);
    std::vector<uint32_t> todo{entry};
    bool writes = false;
    while (!todo.empty() && !writes) {
        const uint32_t i = todo.back();
        todo.pop_back();
        if (i >= n || seen[i]) continue;
        seen[i] = true;
        const Instruction& insn = env.insns[i];
        const uint8_t cls = op::cls(insn.opcode);
        if (insn.opcode == op::kLddw) {
            todo.push_back(i + 2);
            continue;
        }
        if (cls == op::kClassSt || cls == op::kClassStx) {
            writes = insn.dst != kFramePointer;
            todo.push_back(i + 1);
            continue;
        }
        if (cls != op::kClassJmp && cls != op::kClassJmp32) {
            todo.push_back(i + 1);
            continue;
        }
        const uint8_t jop = op::jmp_op(insn.opcode);
        if (jop == op::kExit) continue;
        if (jop == op::kCall) {
            const HelperPrototype* proto = insn.src == op::kCallHelper ? helper_prototype(insn.imm) : nullptr;
            if (!proto) {
                writes = true;
                continue;
            }
            for (ArgKind kind : proto->args)
                writes |= kind == ArgKind::uninit_mem || kind == ArgKind::uninit_map_value || kind == ArgKind::func ||
                          kind == ArgKind::mem_rw;
            todo.push_back(i + 1);
            continue;
        }
        const int64_t off = jop == op::kJa && cls == op::kClassJmp32 ? insn.imm : insn.offset;
        todo.push_back(static_cast<uint32_t>(int64_t{i} + 1 + off));
        if (jop != op::kJa) todo.push_back(i + 1);
    }
    env.callback_writes[entry] = writes;
    return writes;
}

// A callback that may write outside its frame may write scalars, any number
// of times, into every frame its context reaches (the context's frame and
// those that stack pointers spilled there point to): their data becomes
// plain bytes for the callback and for the caller after the helper. Spilled
// pointers stay, because a callback may neither store a pointer into its
// caller's stack nor overwrite one there (check_mem_access.cpp).
void havoc_frames(VerifierState& state, uint32_t frameno) {
    std::vector<bool> reach(state.frames.size(), false);
    std::vector<uint32_t> todo{frameno};
    while (!todo.empty()) {
        const uint32_t f = todo.back();
        todo.pop_back();
        if (f >= reach.size() || reach[f]) continue;
        reach[f] = true;
        const StackState& stack = state.frames[f].stack;
        for (size_t i = 0; i < stack.slot_count(); ++i) {
            const StackSlot* slot = stack.slot(i);
            if (slot && slot->full_spill() && slot->spilled.type == RegType::ptr_to_stack)
                todo.push_back(slot->spilled.frameno);
        }
    }
    for (size_t f = 0; f < reach.size(); ++f) {
        if (!reach[f]) continue;
        StackState& stack = state.frames[f].stack;
        for (size_t i = 0; i < stack.slot_count(); ++i) {
            const StackSlot* old = stack.slot(i);
            if (!old || (old->full_spill() && old->spilled.is_pointer())) continue;
            StackSlot& slot = stack.mutable_slot(i);
            for (auto& b : slot.bytes)
                if (b != SlotKind::invalid) b = SlotKind::misc;
            slot.spilled = RegState{};
            slot.narrow.clear();
        }
    }
}

void check_const_str(VerifierEnv& env, const RegState& reg, const HelperPrototype& proto, int regno) {
    if (reg.type != RegType::ptr_to_map_value || !reg.var.is_const() || reg.map_index < 0)
        fail(arg_name(proto, regno) + " must point to a constant string in read-only global data, not " + reg.to_string());
    const MapDefinition& map = env.maps[static_cast<size_t>(reg.map_index)];
    if (!map.read_only) fail(arg_name(proto, regno) + " must point into a read-only map ('" + map.name + "' is writable)");
    const size_t start = static_cast<size_t>(reg.off);
    if (start >= map.initial_data.size() ||
        std::find(map.initial_data.begin() + static_cast<std::ptrdiff_t>(start), map.initial_data.end(), 0) == map.initial_data.end())
        fail(arg_name(proto, regno) + " string is not NUL-terminated inside map '" + map.name + "'");
}

// The formats of bpf_trace_printk and bpf_snprintf, when known here (a
// constant string in read-only data): %s would read a string at an address,
// and a program may pass only numbers, so it could only read host memory the
// program was never given. The runtime refuses %s too (in formats built at
// run time); refusing it here says so before the program runs.
// Returns how many arguments the format converts.
int check_format(std::span<const uint8_t> data, size_t start, size_t limit, const HelperPrototype& proto) {
    int conversions = 0;
    if (start >= data.size()) return conversions;
    const size_t end = start + std::min(data.size() - start, limit);
    for (size_t i = start; i < end && data[i] != 0; ++i) {
        if (data[i] != '%') continue;
        const size_t at = i++;
        if (i < end && data[i] == '%') continue;
        while (i < end && std::string_view("-+ 0#.0123456789l").find(static_cast<char>(data[i])) !=
                              std::string_view::npos)
            ++i;
        if (i < end && data[i] == 's')
            fail(std::string(proto.name) + " format has %s at offset " + std::to_string(at - start) +
                 ": not supported, because its argument would be an address to read (only numbers may be passed)");
        // What the runtime formats (trace/format.cpp); anything else fails at
        // run time, so refuse it at load as Linux does ("Invalid format string").
        if (i >= end || std::string_view("diuxXcp").find(static_cast<char>(data[i])) == std::string_view::npos)
            fail(std::string(proto.name) + " format has an unsupported conversion at offset " + std::to_string(at - start) +
                 " (supported: %d %i %u %x %X %c %p, with flags, width, precision and l/ll)");
        ++conversions;
    }
    return conversions;
}

// The conversions of a format in read-only global data at a constant offset;
// nullopt when the verifier cannot know the format.
std::optional<int> check_known_format(VerifierEnv& env, const RegState& fmt, uint64_t size,
                                      const HelperPrototype& proto) {
    if (fmt.type != RegType::ptr_to_map_value || fmt.map_index < 0 || !fmt.var.is_const() || fmt.off < 0)
        return std::nullopt;
    const MapDefinition& map = env.maps[static_cast<size_t>(fmt.map_index)];
    if (!map.read_only || !map.is_global_data) return std::nullopt;
    return check_format(map.initial_data, static_cast<size_t>(fmt.off) + fmt.var.value(), size, proto);
}

// A format the program built on its stack from constants (`char fmt[] =
// "...";` in the kernel samples): its bytes up to the NUL, when every one is
// known (spilled or stored constants, known zeros); nullopt otherwise.
std::optional<std::vector<uint8_t>> stack_constant_string(const VerifierState& state, const RegState& reg,
                                                          uint64_t limit) {
    if (reg.type != RegType::ptr_to_stack || !reg.var.is_const() || reg.frameno >= state.frames.size())
        return std::nullopt;
    const StackState& stack = state.frames[reg.frameno].stack;
    const int64_t start = int64_t{reg.off} + static_cast<int64_t>(reg.var.value());
    std::vector<uint8_t> bytes;
    for (uint64_t i = 0; i < limit; ++i) {
        const int64_t o = start + static_cast<int64_t>(i);
        if (o < -kStackSize || o >= 0) return std::nullopt;
        const int off = static_cast<int>(o);
        const int slot_lo = -((-off + 7) / 8) * 8;  // the 8-byte slot [slot_lo, slot_lo + 8) holding `off`
        const int byte = off - slot_lo;
        const StackSlot* slot = stack.slot_for(off);
        const SlotKind kind = stack.kind_at(off);
        std::optional<uint64_t> value;
        if (kind == SlotKind::zero) {
            value = 0;
        } else if (kind == SlotKind::spill && slot && slot->full_spill()) {
            if (slot->spilled.type == RegType::scalar && slot->spilled.var.is_const())
                value = slot->spilled.var.value() >> (8 * byte);
        } else if (kind == SlotKind::spill && slot) {
            for (const auto& n : slot->narrow) {
                if (!(n.mask & (1u << byte)) || !n.value.is_const()) continue;
                value = n.value.value() >> (8 * (byte - __builtin_ctz(n.mask)));
            }
        }
        if (!value) return std::nullopt;
        bytes.push_back(static_cast<uint8_t>(*value));
        if (bytes.back() == 0) break;
    }
    return bytes;
}

void push_callback(VerifierEnv& env, VerifierState& state, uint32_t index, const RegState& func,
                   const RegState* map_reg, const MapDefinition* map, const RegState& ctx) {
    if (state.frames.size() >= static_cast<size_t>(kMaxCallDepth))
        fail("call stack too deep: more than " + std::to_string(kMaxCallDepth) + " frames");
    VerifierState cb = state;
    FuncFrame frame;
    frame.callsite = static_cast<int32_t>(index);
    frame.function = func.func_insn;
    frame.is_callback = true;
    frame.frameno = static_cast<uint32_t>(cb.frames.size());
    frame.refs_at_entry = static_cast<uint32_t>(cb.refs.size());
    RegState* r = frame.regs;
    if (map) {
        r[1] = *map_reg;
        r[2] = RegState::pointer(RegType::ptr_to_map_key);
        r[2].map_index = map_reg->map_index;
        r[2].mem_size = map->key_size;
        r[3] = RegState::pointer(RegType::ptr_to_map_value);
        r[3].map_index = map_reg->map_index;
        r[3].mem_size = map->value_size;
        r[4] = ctx;
    } else {
        r[1] = RegState::scalar(ScalarRange::unsigned_range(0, 0xffffffffull));  // the iteration index
        r[2] = ctx;
    }
    r[kFramePointer] = RegState::pointer(RegType::ptr_to_stack);
    r[kFramePointer].frameno = static_cast<uint8_t>(frame.frameno);
    cb.frames.push_back(std::move(frame));
    cb.insn = func.func_insn;
    cb.path.add(index, true);
    env.push_branch(std::move(cb));
}

}  // namespace

void check_helper_mem(VerifierEnv& env, VerifierState& state, int regno, int64_t size, bool write, bool init,
                      const char* what, bool exact_size) {
    const RegState base = read_reg(state, regno);
    MemoryAccess a{regno, 0, size, write, !write, init, what};
    TouchedRange range = check_region_access(env, state, base, a);
    if (base.type != RegType::ptr_to_stack || size == 0) return;
    if (!write && init) check_stack_initialised(env, state, base.frameno, range.lo, range.hi, regno, true);
    // Bytes count as written only when the helper surely writes them: a
    // variable offset or size may leave some of them as they were (Linux turns
    // off raw mode for a variable size, for the same reason).
    if (write) mark_stack_written(state, base.frameno, range.lo, range.hi, base.var.is_const() && exact_size);
}

void clear_packet_pointers(VerifierState& state) {
    for_each_reg(state, [](RegState& reg) {
        if (reg.is_packet_like() || reg.type == RegType::ptr_to_packet_end) reg = RegState::unknown_scalar();
    });
}

namespace {

// R1 of bpf_spin_lock/unlock: the struct bpf_spin_lock of a map value that
// has one (BTF), at a constant offset (as Linux's process_spin_lock).
void check_spin_lock_arg(const VerifierEnv& env, const HelperPrototype& proto, int regno, const RegState& reg) {
    if (reg.type == RegType::ptr_to_map_value_or_null)
        fail(arg_name(proto, regno) + " may be NULL" + describe_origin(env, reg));
    if (reg.type != RegType::ptr_to_map_value || reg.map_index < 0 ||
        static_cast<size_t>(reg.map_index) >= env.maps.size())
        fail(arg_name(proto, regno) + " must point to the struct bpf_spin_lock of a map value, not " + reg.to_string());
    const MapDefinition& map = env.maps[static_cast<size_t>(reg.map_index)];
    const int64_t lock = env.spin_lock_off[static_cast<size_t>(reg.map_index)];
    if (lock < 0)
        fail(arg_name(proto, regno) + ": the value of map '" + map.name +
             "' has no struct bpf_spin_lock (declare the value type with one, with BTF: __type(value, ...))");
    if (map.type != MapType::hash && map.type != MapType::array)
        fail("map '" + map.name + "' of type " + std::string(map_type_name(map.type)) +
             " cannot hold a bpf_spin_lock (hash and array maps can, as Linux)");
    if (map.is_global_data) fail("a bpf_spin_lock in global data ('" + map.name + "') is not supported");
    if (!reg.var.is_const())
        fail(arg_name(proto, regno) + " has a variable offset " + reg.var.to_string() +
             ": the bpf_spin_lock must be at a constant offset");
    const int64_t off = int64_t{reg.off} + static_cast<int64_t>(reg.var.value());
    if (off != lock)
        fail(arg_name(proto, regno) + " points to offset " + std::to_string(off) + " of the value of map '" + map.name +
             "', but its struct bpf_spin_lock is at offset " + std::to_string(lock));
}

}  // namespace

void check_helper_call(VerifierEnv& env, VerifierState& state, uint32_t index) {
    const Instruction& insn = env.insns[index];
    const HelperPrototype* proto = helper_prototype(insn.imm);
    if (!proto) fail(helper_display_name(insn.imm) + " is not supported by this runtime");
    if (std::find(env.info.helpers.begin(), env.info.helpers.end(), insn.imm) == env.info.helpers.end())
        fail("helper " + helper_display_name(insn.imm) + " is not allowed in " + std::string(env.info.name) + " programs");
    // Programs from an object carry its license; raw instructions and
    // programs built in memory have none to check.
    if (env.program && env.program->license && helper_is_gpl_only(insn.imm) &&
        !license_is_gpl_compatible(*env.program->license))
        fail("cannot call GPL-only helper " + helper_display_name(insn.imm) + " from a program whose license is " +
             (env.program->license->empty() ? std::string("missing") : "'" + *env.program->license + "'") +
             " (as Linux: put a GPL-compatible license in SEC(\"license\"), e.g. \"GPL\" or \"Dual BSD/GPL\")");

    // As Linux: between bpf_spin_lock and bpf_spin_unlock nothing is called,
    // so a lock is never held while waiting for another or left held (a
    // second bpf_spin_lock is refused below, with its own message).
    if (state.lock_map >= 0 && proto->id != helper_id::spin_unlock && proto->id != helper_id::spin_lock)
        fail("function calls are not allowed while holding a lock: " + helper_display_name(insn.imm) +
             " called while the bpf_spin_lock taken at " + env.where(state.lock_insn) + " is held");

    RegState* regs = state.regs();
    const MapDefinition* map = nullptr;
    RegState map_reg;
    RegState lock_reg;
    RegState func;
    RegState callback_ctx = RegState::scalar(ScalarRange::constant(0));
    uint32_t release_ref = 0;
    uint64_t alloc_size = 0;
    // bpf_trace_printk prints as many of R3-R5 as its format converts: a
    // register the verifier holds as not initialised may still hold an old
    // value (a pointer, or the host's) in an engine, so each one printed must
    // be set. A constant format says how many; otherwise all three.
    int printk_args = 3;
    bool printk_format_known = false;
    if (proto->id == helper_id::trace_printk && regs[2].type == RegType::scalar) {
        if (std::optional<int> n = check_known_format(env, regs[1], regs[2].var.umax, *proto)) {
            printk_args = *n;
            printk_format_known = true;
        } else if (regs[2].var.is_const() && regs[2].var.value() <= static_cast<uint64_t>(kStackSize)) {
            if (auto text = stack_constant_string(state, regs[1], regs[2].var.value())) {
                printk_args = check_format(*text, 0, text->size(), *proto);
                printk_format_known = true;
            }
        }
    }
    // bpf_trace_vprintk's arguments are memory, checked as such below; a
    // constant format with %s is refused here, as for bpf_trace_printk.
    if (proto->id == helper_id::trace_vprintk && regs[2].type == RegType::scalar) {
        if (!check_known_format(env, regs[1], regs[2].var.umax, *proto) && regs[2].var.is_const() &&
            regs[2].var.value() <= static_cast<uint64_t>(kStackSize))
            if (auto text = stack_constant_string(state, regs[1], regs[2].var.value()))
                check_format(*text, 0, text->size(), *proto);
    }
    for (int i = 0; i < 5; ++i) {
        const ArgKind kind = proto->args[i];
        const int regno = i + 1;
        if (kind == ArgKind::none) continue;
        if (kind == ArgKind::anything && proto->id == helper_id::trace_printk) {
            // Only the arguments its format converts are read (and printed).
            if (regno - 2 > printk_args) continue;
            if (regs[regno].type == RegType::not_init)
                fail(arg_name(*proto, regno) +
                     (printk_format_known
                          ? " is not initialised, but the format converts " + std::to_string(printk_args) + " arguments"
                          : std::string(" is not initialised: the format is not constant read-only data, so the "
                                        "verifier cannot tell which arguments it prints (set R3-R5, or use a "
                                        "constant format as bpf_printk does)")));
        }
        const RegState reg = read_reg(state, regno);
        switch (kind) {
        case ArgKind::none:
            break;
        case ArgKind::anything:
            // As Linux for unprivileged programs: a helper may print, store or
            // return an "anything" argument, so it must not be an address.
            if (reg.is_pointer())
                fail(arg_name(*proto, regno) + " leaks the address of " + reg.to_string() +
                     " into the helper (only a number may be passed here)");
            break;
        case ArgKind::const_map_ptr:
            if (reg.type != RegType::const_map_ptr)
                fail(arg_name(*proto, regno) + " must be a map (e.g. &my_map), not " + reg.to_string());
            map_reg = reg;
            map = &env.maps[static_cast<size_t>(reg.map_index)];
            if (!map_allowed(proto->id, map->type))
                fail(std::string(proto->name) + " cannot be used with map '" + map->name + "' of type " +
                     std::string(map_type_name(map->type)));
            // Only a prog array the program names directly has a known owner
            // type (the runtime refuses prog arrays as inner maps, as Linux).
            if (proto->id == helper_id::tail_call && map->inner_template)
                fail("bpf_tail_call through a prog array taken from a map of maps ('" + map->name +
                     "') prohibited: name the prog array directly");
            if (writes_map(proto->id) && read_only_for_programs(*map))
                fail(std::string(proto->name) + " writes into map '" + map->name +
                     "', which programs may only read (read-only data or BPF_F_RDONLY_PROG): write into map forbidden");
            if ((map->type == MapType::array_of_maps || map->type == MapType::hash_of_maps) &&
                (!map->inner_map || *map->inner_map >= env.maps.size()))
                fail("map-in-map '" + map->name + "' has no inner map template");
            break;
        case ArgKind::map_key:
        case ArgKind::map_value:
        case ArgKind::uninit_map_value: {
            if (!map) fail(arg_name(*proto, regno) + " needs a map argument before it");
            const bool key = kind == ArgKind::map_key;
            check_helper_mem(env, state, regno, key ? map->key_size : map->value_size,
                             kind == ArgKind::uninit_map_value, kind != ArgKind::uninit_map_value,
                             key ? "map key" : "map value");
            break;
        }
        case ArgKind::mem:
        case ArgKind::mem_or_null:
        case ArgKind::mem_rw:
        case ArgKind::uninit_mem: {
            if (i == 4 || (proto->args[i + 1] != ArgKind::const_size && proto->args[i + 1] != ArgKind::const_size_or_zero))
                fail(std::string(proto->name) + ": memory argument without a size (prototype table is wrong)");
            const RegState size = read_reg(state, regno + 1);
            if (size.type != RegType::scalar)
                fail(arg_name(*proto, regno + 1) + " must be a size (a scalar), not " + size.to_string());
            if (size.var.smin < 0 || size.var.umax > (uint64_t{1} << 29))
                fail(arg_name(*proto, regno + 1) + " is an unbounded size " + size.var.to_string() +
                     ": bound it with a comparison first");
            if (proto->args[i + 1] == ArgKind::const_size && size.var.umin == 0)
                fail(arg_name(*proto, regno + 1) + " may be zero " + size.var.to_string() + ": invalid zero-sized access");
            if (kind == ArgKind::mem_or_null && reg.is_const_scalar(0)) {
                if (size.var.umax != 0) fail(arg_name(*proto, regno) + " is NULL but the size may be nonzero");
                break;
            }
            if (size.var.umax == 0 && reg.type == RegType::scalar)
                fail(arg_name(*proto, regno) + " must be a pointer, not " + reg.to_string());
            check_helper_mem(env, state, regno, static_cast<int64_t>(size.var.umax), kind == ArgKind::uninit_mem,
                             kind != ArgKind::uninit_mem, "helper memory", size.var.is_const());
            // Read, then written by the helper: the bytes become plain data.
            if (kind == ArgKind::mem_rw)
                check_helper_mem(env, state, regno, static_cast<int64_t>(size.var.umax), true, false, "helper memory",
                                 size.var.is_const());
            break;
        }
        case ArgKind::const_size:
        case ArgKind::const_size_or_zero:
            if (reg.type != RegType::scalar) fail(arg_name(*proto, regno) + " must be a size (a scalar), not " + reg.to_string());
            if (i > 0 && (proto->args[i - 1] == ArgKind::mem || proto->args[i - 1] == ArgKind::mem_or_null ||
                          proto->args[i - 1] == ArgKind::uninit_mem || proto->args[i - 1] == ArgKind::mem_rw))
                break;  // checked with its memory
            if (!reg.var.is_const())
                fail(arg_name(*proto, regno) + " must be a known constant size, not " + reg.var.to_string());
            if (kind == ArgKind::const_size && reg.var.value() == 0) fail(arg_name(*proto, regno) + " must not be zero");
            if (reg.var.value() > (uint64_t{1} << 29)) fail(arg_name(*proto, regno) + " size " + reg.var.to_string() + " is too large");
            alloc_size = reg.var.value();
            break;
        case ArgKind::ctx_or_null:
        case ArgKind::ctx: {
            if (kind == ArgKind::ctx_or_null && reg.is_const_scalar(0)) break;
            bool ok = reg.type == RegType::ptr_to_ctx && reg.off == 0;
            if (env.info.ctx_is_memory)
                ok = reg.type == RegType::ptr_to_packet && reg.off == 0 && reg.var.is_const() && reg.var.value() == 0 && reg.id == 0;
            if (!ok) fail(arg_name(*proto, regno) + " must be the program's context (R1 at entry), not " + reg.to_string());
            break;
        }
        case ArgKind::func:
            if (reg.type != RegType::ptr_to_func)
                fail(arg_name(*proto, regno) + " must be a callback function, not " + reg.to_string());
            func = reg;
            break;
        case ArgKind::ringbuf_mem:
            if (reg.type != RegType::ptr_to_ringbuf_mem)
                fail(arg_name(*proto, regno) + " must be a record from bpf_ringbuf_reserve that was checked for NULL, not " +
                     reg.to_string() + describe_origin(env, reg));
            if (reg.off != 0 || !reg.var.is_const() || reg.var.value() != 0)
                fail(arg_name(*proto, regno) + " must point to the start of the ring buffer record (offset is " +
                     std::to_string(reg.off) + ")");
            release_ref = reg.ref_obj_id;
            break;
        case ArgKind::const_str:
            check_const_str(env, reg, *proto, regno);
            if (proto->id == helper_id::snprintf) check_known_format(env, reg, SIZE_MAX, *proto);
            break;
        case ArgKind::spin_lock:
            check_spin_lock_arg(env, *proto, regno, reg);
            lock_reg = reg;
            break;
        case ArgKind::stack_or_null:
            if (!reg.is_const_scalar(0) && !(reg.type == RegType::ptr_to_stack && reg.var.is_const()))
                fail(arg_name(*proto, regno) + " must be a pointer to the stack or NULL, not " + reg.to_string());
            callback_ctx = reg;
            break;
        }
    }

    if (proto->id == helper_id::spin_lock) {
        if (state.lock_map >= 0)
            fail("bpf_spin_lock while holding the lock taken at " + env.where(state.lock_insn) +
                 ": one lock at a time (as Linux)");
        state.lock_map = lock_reg.map_index;
        state.lock_id = lock_reg.id;
        state.lock_insn = index;
    } else if (proto->id == helper_id::spin_unlock) {
        if (state.lock_map < 0) fail("bpf_spin_unlock without a bpf_spin_lock taken on this path");
        if (state.lock_map != lock_reg.map_index || state.lock_id != lock_reg.id)
            fail("bpf_spin_unlock of a different lock than the one taken at " + env.where(state.lock_insn));
        state.lock_map = -1;
        state.lock_id = 0;
        state.lock_insn = 0;
    }

    // The tail-called program starts with no references: a record still
    // reserved here could never be submitted or discarded (as Linux).
    if (proto->id == helper_id::tail_call && !state.refs.empty())
        fail("tail_call would lead to reference leak: the ring buffer record reserved at " +
             env.where(state.refs.front().insn) + " is still held (submit or discard it before the tail call)");
    if (release_ref) {
        auto it = std::find_if(state.refs.begin(), state.refs.end(), [&](const Reference& r) { return r.id == release_ref; });
        if (it == state.refs.end()) fail(std::string(proto->name) + ": the ring buffer record was already released");
        state.refs.erase(it);
        for_each_reg(state, [&](RegState& reg) {
            if (reg.ref_obj_id == release_ref) reg = RegState::unknown_scalar();
        });
    }
    if (func.type == RegType::ptr_to_func) {
        // A callback that writes nothing outside its own frame leaves the
        // caller's stack as it is: spilled pointers and counters survive.
        if (callback_ctx.type == RegType::ptr_to_stack && callback_may_write_outside(env, func.func_insn))
            havoc_frames(state, callback_ctx.frameno);
        push_callback(env, state, index, func, proto->id == helper_id::for_each_map_elem ? &map_reg : nullptr,
                      proto->id == helper_id::for_each_map_elem ? map : nullptr, callback_ctx);
    }
    // As Linux: after a helper that may move or reallocate the packet, every
    // packet pointer (in registers and spilled on the stack) is unknown.
    if (helper_changes_packet_data(proto->id)) clear_packet_pointers(state);

    regs = state.regs();
    for (int r = 1; r <= 5; ++r) regs[r] = RegState{};
    RegState r0;
    switch (proto->ret) {
    case RetKind::integer:
        r0 = RegState::unknown_scalar();
        // The redirect helpers return an action of the program's type (XDP:
        // XDP_ABORTED..XDP_REDIRECT; tc: TC_ACT_SHOT or TC_ACT_REDIRECT), so
        // `return bpf_redirect_map(...)` is a valid exit.
        if (proto->id == helper_id::redirect || proto->id == helper_id::redirect_map)
            r0 = RegState::scalar(env.info.type == ProgramType::xdp ? ScalarRange::unsigned_range(0, 4)
                                                                    : ScalarRange::unsigned_range(2, 7));
        break;
    case RetKind::void_:
        break;
    case RetKind::map_value_or_null:
        if (map->type == MapType::array_of_maps || map->type == MapType::hash_of_maps) {
            r0 = RegState::pointer(RegType::const_map_ptr_or_null);
            r0.map_index = static_cast<int32_t>(*map->inner_map);
            r0.id = env.new_id();
            break;
        }
        r0 = RegState::pointer(RegType::ptr_to_map_value_or_null);
        r0.map_index = map_reg.map_index;
        r0.mem_size = map->value_size;
        r0.id = env.new_id();
        break;
    case RetKind::ringbuf_mem_or_null:
        r0 = RegState::pointer(RegType::ptr_to_ringbuf_mem_or_null);
        r0.mem_size = static_cast<uint32_t>(alloc_size);
        r0.id = env.new_id();
        r0.ref_obj_id = r0.id;
        state.refs.push_back({r0.id, index});
        break;
    }
    r0.origin = static_cast<int32_t>(index);
    regs[0] = r0;
}

}  // namespace ebpf::verifier
