// What the verifier knows about a 64-bit number: signed and unsigned bounds
// for the whole register and for its low 32 bits, plus a tnum of known bits.
// The five views describe the same set of values; sync() lets each tighten
// the others (Linux's reg_bounds_sync) and reports an empty set, which is how
// a branch is found to be impossible.
#pragma once

#include <cstdint>
#include <string>

#include "tnum.hpp"

namespace ebpf::verifier {

struct ScalarRange {
    Tnum bits = Tnum::unknown();
    int64_t smin = INT64_MIN, smax = INT64_MAX;
    uint64_t umin = 0, umax = UINT64_MAX;
    int32_t s32_min = INT32_MIN, s32_max = INT32_MAX;
    uint32_t u32_min = 0, u32_max = UINT32_MAX;
    bool empty = false;  // no value at all: the path that produced it is impossible

    static ScalarRange unknown() { return {}; }
    static ScalarRange constant(uint64_t value);
    // Any value of [min, max] (unsigned).
    static ScalarRange unsigned_range(uint64_t min, uint64_t max);
    static ScalarRange signed_range(int64_t min, int64_t max);

    bool is_const() const { return bits.is_const() && !empty; }
    uint64_t value() const { return bits.value; }
    bool is_const32() const { return (bits.mask & 0xffffffffull) == 0 && !empty; }

    // Tightens every view from the others; sets `empty` when they contradict.
    // Returns !empty.
    bool sync();
    // Whether every value of `other` is one of ours (for state pruning).
    bool contains(const ScalarRange& other) const;
    bool operator==(const ScalarRange&) const = default;
    std::string to_string() const;
};

// The low 32 bits, zero-extended (what a 32-bit ALU operation leaves).
ScalarRange truncate32(const ScalarRange& r);
// The low 32 bits as an unsigned / signed 64-bit range (operand of a 32-bit op).
ScalarRange zext32_view(const ScalarRange& r);
ScalarRange sext32_view(const ScalarRange& r);

// ALU operations, 64-bit. `op` is the opcode's operation (op::kAdd...).
// Signed division and modulo (sdiv/smod) via `is_signed`.
ScalarRange scalar_alu64(uint8_t op, const ScalarRange& dst, const ScalarRange& src, bool is_signed);
ScalarRange scalar_alu32(uint8_t op, const ScalarRange& dst, const ScalarRange& src, bool is_signed);
// Byte swaps (op::kEnd): `to_big` for htobe/bswap (ALU64 form is unconditional bswap).
ScalarRange scalar_byteswap(const ScalarRange& r, unsigned bits, bool swap);
// Sign extension of the low `bytes` bytes to 64 bits (MOVSX, LDXSX).
ScalarRange scalar_sext(const ScalarRange& r, unsigned bytes);
// The value loaded from `bytes` bytes of unknown memory.
ScalarRange scalar_of_size(unsigned bytes, bool sign_extend);

// Narrows `dst` and `src` to the values for which `dst <op> src` holds
// (op::kJeq ... op::kJsle, op::kJset). `negate` for the branch not taken.
// Either may become empty: that branch cannot happen.
void scalar_refine(uint8_t op, bool negate, bool is32, ScalarRange& dst, ScalarRange& src);

// The comparison that holds when `jop` (op::kJeq ... op::kJsle) does not:
// kJgt → kJle and so on; kNoNegation for kJset, whose negation is no jump op.
inline constexpr uint8_t kNoNegation = 0xff;
uint8_t negated_jmp(uint8_t jop);

}  // namespace ebpf::verifier
