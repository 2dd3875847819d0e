#include "tnum.hpp"

#include <bit>
#include <cstdio>

namespace ebpf::verifier {

Tnum Tnum::range(uint64_t min, uint64_t max) {
    if (min > max) return unknown();
    uint64_t chi = min ^ max;
    unsigned bits = 64 - static_cast<unsigned>(std::countl_zero(chi));
    if (bits > 63) return unknown();
    uint64_t delta = (uint64_t{1} << bits) - 1;
    return {min & ~delta, delta};
}

bool Tnum::contains(const Tnum& other) const {
    // `other` may only have unknown bits where we have them, and must agree on
    // the bits we know.
    if (other.mask & ~mask) return false;
    return (other.value & ~mask) == value;
}

std::string Tnum::to_string() const {
    char buf[64];
    std::snprintf(buf, sizeof buf, "(%#llx; %#llx)", static_cast<unsigned long long>(value),
                  static_cast<unsigned long long>(mask));
    return buf;
}

Tnum tnum_add(Tnum a, Tnum b) {
    uint64_t sm = a.mask + b.mask;
    uint64_t sv = a.value + b.value;
    uint64_t sigma = sm + sv;
    uint64_t chi = sigma ^ sv;
    uint64_t mu = chi | a.mask | b.mask;
    return {sv & ~mu, mu};
}

Tnum tnum_sub(Tnum a, Tnum b) {
    uint64_t dv = a.value - b.value;
    uint64_t alpha = dv + a.mask;
    uint64_t beta = dv - b.mask;
    uint64_t chi = alpha ^ beta;
    uint64_t mu = chi | a.mask | b.mask;
    return {dv & ~mu, mu};
}

Tnum tnum_and(Tnum a, Tnum b) {
    uint64_t alpha = a.value | a.mask;
    uint64_t beta = b.value | b.mask;
    uint64_t v = a.value & b.value;
    return {v, alpha & beta & ~v};
}

Tnum tnum_or(Tnum a, Tnum b) {
    uint64_t v = a.value | b.value;
    uint64_t mu = a.mask | b.mask;
    return {v, mu & ~v};
}

Tnum tnum_xor(Tnum a, Tnum b) {
    uint64_t v = a.value ^ b.value;
    uint64_t mu = a.mask | b.mask;
    return {v & ~mu, mu};
}

// Long multiplication, one bit of `a` at a time: a known 1 adds `b`, an
// unknown bit adds `b` as all-unknown.
Tnum tnum_mul(Tnum a, Tnum b) {
    Tnum acc_v = Tnum::constant(a.value * b.value);
    Tnum acc_m = Tnum::constant(0);
    while (a.value || a.mask) {
        if (a.value & 1)
            acc_m = tnum_add(acc_m, Tnum{0, b.mask});
        else if (a.mask & 1)
            acc_m = tnum_add(acc_m, Tnum{0, b.value | b.mask});
        a = tnum_rshift(a, 1);
        b = tnum_lshift(b, 1);
    }
    return tnum_add(acc_v, acc_m);
}

Tnum tnum_neg(Tnum a) { return tnum_sub(Tnum::constant(0), a); }

Tnum tnum_lshift(Tnum a, unsigned shift) {
    if (shift >= 64) return Tnum::constant(0);
    return {a.value << shift, a.mask << shift};
}

Tnum tnum_rshift(Tnum a, unsigned shift) {
    if (shift >= 64) return Tnum::constant(0);
    return {a.value >> shift, a.mask >> shift};
}

Tnum tnum_arshift(Tnum a, unsigned shift, unsigned width) {
    if (width == 32) {
        auto v = static_cast<uint32_t>(static_cast<int32_t>(static_cast<uint32_t>(a.value)) >> shift);
        auto m = static_cast<uint32_t>(static_cast<int32_t>(static_cast<uint32_t>(a.mask)) >> shift);
        return {v, m};
    }
    return {static_cast<uint64_t>(static_cast<int64_t>(a.value) >> shift),
            static_cast<uint64_t>(static_cast<int64_t>(a.mask) >> shift)};
}

Tnum tnum_intersect(Tnum a, Tnum b, bool* conflict) {
    uint64_t known_both = ~a.mask & ~b.mask;
    if (conflict) *conflict = ((a.value ^ b.value) & known_both) != 0;
    uint64_t v = a.value | b.value;
    uint64_t mu = a.mask & b.mask;
    return {v & ~mu, mu};
}

Tnum tnum_cast(Tnum a, unsigned bytes) {
    if (bytes >= 8) return a;
    uint64_t keep = (uint64_t{1} << (bytes * 8)) - 1;
    return {a.value & keep, a.mask & keep};
}

Tnum tnum_with_subreg(Tnum a, Tnum low) {
    const uint64_t high = 0xffffffff00000000ull;
    return {(a.value & high) | (low.value & 0xffffffffull), (a.mask & high) | (low.mask & 0xffffffffull)};
}

Tnum tnum_sext(Tnum a, unsigned bytes) {
    if (bytes >= 8) return a;
    unsigned shift = 64 - bytes * 8;
    return {static_cast<uint64_t>(static_cast<int64_t>(a.value << shift) >> shift),
            static_cast<uint64_t>(static_cast<int64_t>(a.mask << shift) >> shift)};
}

}  // namespace ebpf::verifier
