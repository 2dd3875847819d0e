// Tracked numbers: a 64-bit value of which some bits are known. A bit is
// unknown when it is set in `mask`; known bits are those of `value` (whose
// unknown bits are always 0). The abstract domain Linux's verifier uses
// alongside intervals to follow masks, alignment and shifts.
#pragma once

#include <cstdint>
#include <string>

namespace ebpf::verifier {

struct Tnum {
    uint64_t value = 0;
    uint64_t mask = ~uint64_t{0};

    static constexpr Tnum constant(uint64_t v) { return {v, 0}; }
    static constexpr Tnum unknown() { return {0, ~uint64_t{0}}; }
    // The smallest tnum holding every value of [min, max] (unsigned).
    static Tnum range(uint64_t min, uint64_t max);

    bool is_const() const { return mask == 0; }
    bool is_unknown() const { return mask == ~uint64_t{0}; }
    // Whether every value of `other` is also a value of this tnum.
    bool contains(const Tnum& other) const;
    bool operator==(const Tnum&) const = default;
    std::string to_string() const;
};

Tnum tnum_add(Tnum a, Tnum b);
Tnum tnum_sub(Tnum a, Tnum b);
Tnum tnum_and(Tnum a, Tnum b);
Tnum tnum_or(Tnum a, Tnum b);
Tnum tnum_xor(Tnum a, Tnum b);
Tnum tnum_mul(Tnum a, Tnum b);
Tnum tnum_neg(Tnum a);
Tnum tnum_lshift(Tnum a, unsigned shift);
Tnum tnum_rshift(Tnum a, unsigned shift);
// Arithmetic right shift of the low `width` (32 or 64) bits.
Tnum tnum_arshift(Tnum a, unsigned shift, unsigned width);
// Values in both; `conflict` is set when no value is (the branch is dead).
Tnum tnum_intersect(Tnum a, Tnum b, bool* conflict = nullptr);
// Truncates to the low `bytes` bytes (zero-extended).
Tnum tnum_cast(Tnum a, unsigned bytes);
// Low 32 bits / high 32 bits cleared.
inline Tnum tnum_subreg(Tnum a) { return tnum_cast(a, 4); }
// Keeps the high 32 bits of `a` and takes the low 32 bits from `low`.
Tnum tnum_with_subreg(Tnum a, Tnum low);
// Sign-extends from bit (bytes*8 - 1).
Tnum tnum_sext(Tnum a, unsigned bytes);

}  // namespace ebpf::verifier
