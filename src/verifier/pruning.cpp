// State pruning (Linux's is_state_visited): a path whose state is subsumed by
// a stored state at the same instruction whose every continuation was already
// verified needs no further exploration. A state equal to one of its own
// ancestors is a loop that made no progress: an infinite loop.
#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "verifier_env.hpp"

namespace ebpf::verifier {
namespace {

// States compared per visit: the most recent ones at the instruction (the
// current path's ancestors and its siblings). Comparing fewer only costs
// precision: a path not pruned is explored further.
constexpr size_t kMaxCompared = 64;
// Misses a complete state may have beyond three per hit before it is no
// longer compared.
constexpr uint32_t kMissesKept = 32;

// old id <-> cur id must be a consistent one-to-one mapping.
class IdMap {
public:
    bool check(uint32_t old_id, uint32_t cur_id) {
        if (old_id == 0 || cur_id == 0) return old_id == cur_id;
        for (const auto& [o, c] : pairs_) {
            if (o == old_id) return c == cur_id;
            if (c == cur_id) return false;
        }
        pairs_.emplace_back(old_id, cur_id);
        return true;
    }
    // Copies of scalars (as Linux's check_scalar_ids): a copy id in the old
    // state is a relation the current one must have too, unless the old id
    // occurs only once among what is compared; a current value without an
    // id stands for a fresh id of its own, which only one old id can match.
    // Links the current state has and the old one had not only narrow it.
    bool check_scalar(uint32_t old_id, uint32_t cur_id) {
        if (old_id == 0) return true;
        return check(old_id, cur_id != 0 ? cur_id : kFresh - fresh_++);
    }

private:
    static constexpr uint32_t kFresh = 0xffffffffu;  // ids count up from 1: these never meet them
    std::vector<std::pair<uint32_t, uint32_t>> pairs_;
    uint32_t fresh_ = 0;
};

int32_t effective_margin(const RegState& r) {
    if (r.len_margin < 0 && r.is_const_scalar(0)) return 0;
    return r.len_margin;
}

// `precise`: whether the old scalar's value matters (precision.cpp): its
// range and the copies linked to it (a comparison that refines a linked copy
// marks every copy and operand precise). The relations with the memory
// length are always compared.
bool regsafe(const RegState& old, const RegState& cur, IdMap& ids, bool precise = true) {
    if (old.type == RegType::not_init) return true;  // never read on any path from here
    if (old.type != cur.type) return false;
    if (old.type == RegType::scalar) {
        if (old.mem_len && !cur.mem_len) return false;
        if (old.len_margin > effective_margin(cur)) return false;
        if (!precise) return true;
        if (!old.var.contains(cur.var)) return false;
        if (!ids.check_scalar(old.id, cur.id)) return false;
        if (old.id != 0 && cur.id != 0 && old.link_off != cur.link_off) return false;
        return true;
    }
    if (old.off != cur.off || old.map_index != cur.map_index || old.mem_size != cur.mem_size ||
        old.frameno != cur.frameno || old.func_insn != cur.func_insn)
        return false;
    if (!old.var.contains(cur.var)) return false;
    if (old.is_packet_like() && cur.pkt_range < old.pkt_range) return false;
    if (!ids.check(old.id, cur.id)) return false;
    if (!ids.check(old.ref_obj_id, cur.ref_obj_id)) return false;
    return true;
}

// Whether the bytes of `cur`'s slot may stand in for data bytes of the old
// one: written where the old ones were, never part of a spilled pointer.
bool bytes_hold_data(const StackSlot* o, const StackSlot* c) {
    for (size_t b = 0; b < 8; ++b) {
        if (o->bytes[b] == SlotKind::invalid) continue;
        const SlotKind ck = c ? c->bytes[b] : SlotKind::invalid;
        if (ck == SlotKind::invalid) return false;
        if (ck == SlotKind::spill && c->spilled.is_pointer()) return false;
    }
    return true;
}

// A spilled scalar whose only meaning is its value (no relation with the
// memory length): when that value is not precise, any data will do.
bool plain_scalar(const RegState& r) {
    return r.type == RegType::scalar && !r.mem_len && r.len_margin < 0;
}

// `live`: the slots a path from here may read; `precise`: the bytes whose
// scalar values some continuation depended on (precision.cpp), null when
// every byte is. Other live bytes must hold data where the old state held
// data; spilled pointers must be the same.
bool stacksafe(const StackState& old, const StackState& cur, uint64_t live, const SlotBytes* precise, IdMap& ids) {
    for (size_t i = 0; i < old.slot_count(); ++i) {
        const StackSlot* o = old.slot(i);
        if (!o || !(live >> i & 1)) continue;
        const StackSlot* c = cur.slot(i);
        // The same shared slot: equal, unless a spilled id must join the renaming.
        if (o == c && !(o->full_spill() && (o->spilled.id || o->spilled.ref_obj_id))) continue;
        const uint8_t exact = precise ? precise->mask[i] : uint8_t{0xff};
        if (o->full_spill()) {
            if (c && c->full_spill() && regsafe(o->spilled, c->spilled, ids, exact != 0)) continue;
            if (!exact && plain_scalar(o->spilled) && bytes_hold_data(o, c)) continue;
            return false;
        }
        if (!bytes_hold_data(o, c)) return false;
        if (!exact || !c) continue;  // (no cur slot: the old one was never written)
        // Each narrow spill on precise bytes must sit on the same bytes with a value inside the old one.
        for (const auto& n : o->narrow) {
            if (!(n.mask & exact)) continue;
            const StackSlot::Narrow* cn = c->narrow_at(n.mask);
            if (!cn || !n.value.contains(cn->value)) return false;
        }
        for (size_t b = 0; b < 8; ++b) {
            const SlotKind ck = c->bytes[b];
            if ((exact >> b & 1) && o->bytes[b] == SlotKind::zero &&
                !(ck == SlotKind::zero || (ck == SlotKind::spill && c->spilled.is_const_scalar(0))))
                return false;
        }
    }
    return true;
}

// Frame by frame, register by register and stack by stack, with one id
// renaming across the whole state: `reg_match` and `stack_match` decide
// whether a register or a stack of `cur` is covered by `old`.
// Registers dead at this point (`live` per frame) and dead stack slots of
// the current frame (`slots`) are not compared.
template <class RegMatch, class StackMatch>
bool states_match(const VerifierState& old, const VerifierState& cur, std::span<const uint16_t> live,
                  uint64_t slots, RegMatch reg_match, StackMatch stack_match) {
    if (old.frames.size() != cur.frames.size() || old.refs.size() != cur.refs.size()) return false;
    if (old.lock_map != cur.lock_map) return false;  // a held bpf_spin_lock (check_helper_call.cpp)
    IdMap ids;
    if (old.lock_map >= 0 && !ids.check(old.lock_id, cur.lock_id)) return false;
    for (size_t f = 0; f < old.frames.size(); ++f) {
        const FuncFrame& of = old.frames[f];
        const FuncFrame& cf = cur.frames[f];
        if (of.callsite != cf.callsite || of.function != cf.function || of.is_callback != cf.is_callback ||
            of.refs_at_entry != cf.refs_at_entry)
            return false;
        for (int r = 0; r < kRegisterCount; ++r)
            if ((live[f] & (1u << r)) && !reg_match(of.regs[r], cf.regs[r], ids, f, r)) return false;
        if (!stack_match(of.stack, cf.stack, f + 1 == old.frames.size(), f + 1 == old.frames.size() ? slots : ~uint64_t{0}, ids))
            return false;
    }
    for (size_t i = 0; i < old.refs.size(); ++i)
        if (!ids.check(old.refs[i].id, cur.refs[i].id)) return false;
    return true;
}

bool states_subsumed(const Checkpoint& cp, const VerifierState& cur, std::span<const uint16_t> live, uint64_t slots) {
    auto reg_match = [&](const RegState& o, const RegState& c, IdMap& ids, size_t f, int r) {
        const bool precise = cp.all_precise || f >= cp.precise.size() || (cp.precise[f] >> r & 1);
        return regsafe(o, c, ids, precise);
    };
    auto stack_match = [&](const StackState& o, const StackState& c, bool top, uint64_t live_slots, IdMap& ids) {
        return stacksafe(o, c, live_slots, cp.all_precise || !top ? nullptr : &cp.precise_slots, ids);
    };
    return states_match(cp.state, cur, live, slots, reg_match, stack_match);
}

// Exact equality, for loop detection: equal in every register and stack
// byte (ids up to renaming). Subsumption is not enough there: an ancestor
// state wider than the current one (a counter not yet known, a widened
// range) says nothing about the loop failing to make progress.
bool regs_equal(const RegState& old, const RegState& cur, IdMap& ids) {
    if (old.type != cur.type) return false;
    if (old.type == RegType::not_init) return true;
    if (!(old.var == cur.var) || old.off != cur.off || old.map_index != cur.map_index ||
        old.mem_size != cur.mem_size || old.pkt_range != cur.pkt_range || old.frameno != cur.frameno ||
        old.mem_len != cur.mem_len || old.len_margin != cur.len_margin || old.func_insn != cur.func_insn ||
        old.link_off != cur.link_off)
        return false;
    return ids.check(old.id, cur.id) && ids.check(old.ref_obj_id, cur.ref_obj_id);
}

bool stacks_equal(const StackState& old, const StackState& cur, bool, uint64_t live, IdMap& ids) {
    const size_t n = std::max(old.slot_count(), cur.slot_count());
    const StackSlot empty;
    for (size_t i = 0; i < n; ++i) {
        if (!(live >> i & 1)) continue;
        const StackSlot* o = old.slot(i) ? old.slot(i) : &empty;
        const StackSlot* c = cur.slot(i) ? cur.slot(i) : &empty;
        if (o == c && !(o->full_spill() && (o->spilled.id || o->spilled.ref_obj_id))) continue;
        if (o->bytes != c->bytes || o->narrow != c->narrow) return false;
        if (o->full_spill() && !regs_equal(o->spilled, c->spilled, ids)) return false;
    }
    return true;
}

bool states_equal(const VerifierState& old, const VerifierState& cur, std::span<const uint16_t> live,
                  uint64_t slots) {
    auto reg_match = [](const RegState& o, const RegState& c, IdMap& ids, size_t, int) { return regs_equal(o, c, ids); };
    return states_match(old, cur, live, slots, reg_match, stacks_equal);
}

// A path pruned against `cp` is safe because it is inside `cp` where that
// mattered: its own stored states must keep what it relied on, the precise
// registers and stack slots of `cp`.
void propagate_precision(VerifierEnv& env, const Checkpoint& cp, const VerifierState& cur, uint64_t live_slots) {
    if (cp.all_precise || cur.frames.size() > 1 || cp.precise.size() != cur.frames.size()) {
        mark_all_precise(env, cur.checkpoint);
        return;
    }
    mark_precise(env, cur, cp.precise.back(), cp.precise_slots.within(live_slots));
}

void release_state(VerifierEnv& env, Checkpoint& cp) {
    env.stored_bytes -= std::min(env.stored_bytes, cp.state.memory_bytes());
    cp.state.frames = {};
    cp.state.refs = {};
    env.stored_bytes += cp.state.memory_bytes();
}

bool is_ancestor(const VerifierEnv& env, int32_t candidate, int32_t checkpoint) {
    for (int32_t cp = checkpoint; cp >= 0; cp = env.checkpoints[static_cast<size_t>(cp)].parent)
        if (cp == candidate) return true;
    return false;
}

}  // namespace

bool is_state_visited(VerifierEnv& env, VerifierState& state) {
    const std::vector<uint16_t> live = live_register_masks(env, state);
    const uint64_t slots = env.slot_liveness.live[state.insn];
    auto& here = env.checkpoints_at[state.insn];
    const size_t first = here.size() > kMaxCompared ? here.size() - kMaxCompared : 0;
    // Complete states that keep failing to prune are compared no more (as
    // Linux's miss_cnt > hit_cnt * 3 + 3): they cost time at every visit.
    std::vector<size_t> evicted;
    auto evict = [&] {
        for (size_t k : evicted) {  // descending positions
            release_state(env, env.checkpoints[static_cast<size_t>(here[k])]);
            here.erase(here.begin() + static_cast<std::ptrdiff_t>(k));
        }
    };
    for (size_t k = here.size(); k-- > first;) {
        const int32_t index = here[k];
        Checkpoint& cp = env.checkpoints[static_cast<size_t>(index)];
        if (cp.complete()) {
            if (!states_subsumed(cp, state, live, slots)) {
                if (++cp.misses > cp.hits * 3 + kMissesKept) evicted.push_back(k);
                continue;
            }
            ++cp.hits;
            propagate_precision(env, cp, state, slots);
            env.finish_path(state.checkpoint);
            evict();
            return true;
        }
        // A loop is infinite only when it comes back to exactly the state it
        // left; a state merely inside a wider ancestor is explored further
        // (within the complexity limit).
        if (states_equal(cp.state, state, live, slots) && is_ancestor(env, index, state.checkpoint))
            fail("infinite loop detected at " + env.where(state.insn) +
                 ": the loop comes back to the same state without making progress");
    }
    evict();
    if (env.checkpoints.size() >= env.options.max_states)
        env.fail_too_complex("more than " + std::to_string(env.options.max_states) + " states stored");
    if (const size_t used = env.memory_in_use(); used > env.options.max_memory_bytes)
        env.fail_too_complex("states use more than " + std::to_string(env.options.max_memory_bytes >> 20) + " MiB");
    Checkpoint cp;
    cp.history = std::move(state.history);
    state.history.clear();
    cp.precise.assign(state.frames.size(), 0);
    cp.state = state;
    cp.state.path.steps.clear();
    clear_dead_registers(live, cp.state);  // what no path reads again is not stored
    cp.parent = state.checkpoint;
    env.stored_bytes += cp.state.memory_bytes() + cp.history.capacity() * sizeof(HistoryEntry);
    env.stats.peak_memory_bytes = std::max<uint64_t>(env.stats.peak_memory_bytes, env.memory_in_use());
    env.checkpoints.push_back(std::move(cp));
    const auto index = static_cast<int32_t>(env.checkpoints.size() - 1);
    here.push_back(index);
    // The state that leaves the window of compared ones is never compared
    // again: only its precision marks and place in the path tree stay.
    if (here.size() > kMaxCompared) release_state(env, env.checkpoints[static_cast<size_t>(here[here.size() - 1 - kMaxCompared])]);
    state.checkpoint = index;
    ++env.stats.states_visited;
    return false;
}

void VerifierEnv::push_branch(VerifierState state) {
    if (worklist.size() >= options.max_pending)
        fail_too_complex("more than " + std::to_string(options.max_pending) + " branches pending");
    if (state.checkpoint >= 0) ++checkpoints[static_cast<size_t>(state.checkpoint)].branches;
    pending_bytes += state.memory_bytes();
    worklist.push_back(std::move(state));
}

void VerifierEnv::finish_path(int32_t checkpoint) {
    while (checkpoint >= 0) {
        Checkpoint& cp = checkpoints[static_cast<size_t>(checkpoint)];
        if (--cp.branches > 0) return;
        // Complete: compared from now on, never backtracked through again
        // (backtracking walks the ancestors of paths still running), and every
        // read of its continuations is known.
        stored_bytes -= std::min(stored_bytes, cp.history.capacity() * sizeof(HistoryEntry));
        cp.history = {};
        if (!cp.state.frames.empty()) forget_dead_slots(*this, cp.state);
        checkpoint = cp.parent;
    }
}

}  // namespace ebpf::verifier
