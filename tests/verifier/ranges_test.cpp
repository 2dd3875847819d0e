// Tracked numbers and scalar ranges: the abstract operations must contain
// every concrete result (checked exhaustively on small values), and
// comparisons must refine without losing values.
#include <gtest/gtest.h>

#include <random>

#include "scalar_range.hpp"
#include "tnum.hpp"
#include "ebpf/isa.hpp"

namespace ebpf::verifier {
namespace {

bool tnum_has(Tnum t, uint64_t v) { return (v & ~t.mask) == t.value; }
bool range_has(const ScalarRange& r, uint64_t v) {
    auto s = static_cast<int64_t>(v);
    auto lo = static_cast<uint32_t>(v);
    return !r.empty && tnum_has(r.bits, v) && r.umin <= v && v <= r.umax && r.smin <= s && s <= r.smax &&
           r.u32_min <= lo && lo <= r.u32_max && r.s32_min <= static_cast<int32_t>(lo) &&
           static_cast<int32_t>(lo) <= r.s32_max;
}

TEST(Tnum, RangeContainsEnds) {
    Tnum t = Tnum::range(5, 12);
    for (uint64_t v = 5; v <= 12; ++v) EXPECT_TRUE(tnum_has(t, v));
    EXPECT_TRUE(Tnum::range(7, 7).is_const());
}

TEST(Tnum, ArithmeticIsSound) {
    std::mt19937_64 rng(1);
    for (int i = 0; i < 2000; ++i) {
        uint64_t a_lo = rng() % 64, a_hi = a_lo + rng() % 64, b_lo = rng() % 64, b_hi = b_lo + rng() % 64;
        Tnum a = Tnum::range(a_lo, a_hi), b = Tnum::range(b_lo, b_hi);
        uint64_t x = a_lo + rng() % (a_hi - a_lo + 1), y = b_lo + rng() % (b_hi - b_lo + 1);
        EXPECT_TRUE(tnum_has(tnum_add(a, b), x + y));
        EXPECT_TRUE(tnum_has(tnum_sub(a, b), x - y));
        EXPECT_TRUE(tnum_has(tnum_mul(a, b), x * y));
        EXPECT_TRUE(tnum_has(tnum_and(a, b), x & y));
        EXPECT_TRUE(tnum_has(tnum_or(a, b), x | y));
        EXPECT_TRUE(tnum_has(tnum_xor(a, b), x ^ y));
    }
}

// Every ALU op on ranges contains the concrete results of sample values.
TEST(ScalarRange, AluIsSound) {
    std::mt19937_64 rng(2);
    const uint8_t ops[] = {op::kAdd, op::kSub, op::kMul, op::kDiv, op::kOr, op::kAnd, op::kLsh,
                           op::kRsh, op::kMod, op::kXor, op::kArsh};
    for (int i = 0; i < 3000; ++i) {
        int64_t a_lo = static_cast<int64_t>(rng() % 200) - 100, b_lo = static_cast<int64_t>(rng() % 200) - 100;
        int64_t a_hi = a_lo + static_cast<int64_t>(rng() % 50), b_hi = b_lo + static_cast<int64_t>(rng() % 50);
        ScalarRange a = ScalarRange::signed_range(a_lo, a_hi), b = ScalarRange::signed_range(b_lo, b_hi);
        int64_t x = a_lo + static_cast<int64_t>(rng() % static_cast<uint64_t>(a_hi - a_lo + 1));
        int64_t y = b_lo + static_cast<int64_t>(rng() % static_cast<uint64_t>(b_hi - b_lo + 1));
        uint64_t ux = static_cast<uint64_t>(x), uy = static_cast<uint64_t>(y);
        for (uint8_t o : ops) {
            uint64_t r64;
            uint32_t r32;
            uint32_t x32 = static_cast<uint32_t>(ux), y32 = static_cast<uint32_t>(uy);
            switch (o) {
            case op::kAdd: r64 = ux + uy; r32 = x32 + y32; break;
            case op::kSub: r64 = ux - uy; r32 = x32 - y32; break;
            case op::kMul: r64 = ux * uy; r32 = x32 * y32; break;
            case op::kDiv: r64 = uy ? ux / uy : 0; r32 = y32 ? x32 / y32 : 0; break;
            case op::kMod: r64 = uy ? ux % uy : ux; r32 = y32 ? x32 % y32 : x32; break;
            case op::kOr: r64 = ux | uy; r32 = x32 | y32; break;
            case op::kAnd: r64 = ux & uy; r32 = x32 & y32; break;
            case op::kXor: r64 = ux ^ uy; r32 = x32 ^ y32; break;
            case op::kLsh: r64 = ux << (uy & 63); r32 = x32 << (y32 & 31); break;
            case op::kRsh: r64 = ux >> (uy & 63); r32 = x32 >> (y32 & 31); break;
            default:
                r64 = static_cast<uint64_t>(x >> (uy & 63));
                r32 = static_cast<uint32_t>(static_cast<int32_t>(x32) >> (y32 & 31));
            }
            EXPECT_TRUE(range_has(scalar_alu64(o, a, b, false), r64)) << "op " << int(o) << " x=" << x << " y=" << y;
            EXPECT_TRUE(range_has(scalar_alu32(o, a, b, false), r32)) << "op32 " << int(o) << " x=" << x << " y=" << y;
            // Constant operands take the precise paths.
            ScalarRange c = ScalarRange::constant(uy);
            EXPECT_TRUE(range_has(scalar_alu64(o, a, c, false), r64)) << "op const " << int(o);
        }
    }
}

TEST(ScalarRange, RefineKeepsTheValuesThatSatisfyTheCondition) {
    std::mt19937_64 rng(3);
    const uint8_t jops[] = {op::kJeq, op::kJne, op::kJgt, op::kJge, op::kJlt, op::kJle,
                            op::kJsgt, op::kJsge, op::kJslt, op::kJsle, op::kJset};
    for (int i = 0; i < 3000; ++i) {
        int64_t lo = static_cast<int64_t>(rng() % 40) - 20, hi = lo + static_cast<int64_t>(rng() % 30);
        int64_t x = lo + static_cast<int64_t>(rng() % static_cast<uint64_t>(hi - lo + 1));
        int64_t k = static_cast<int64_t>(rng() % 40) - 20;
        for (uint8_t j : jops) {
            uint64_t ux = static_cast<uint64_t>(x), uk = static_cast<uint64_t>(k);
            bool holds = j == op::kJeq ? ux == uk : j == op::kJne ? ux != uk : j == op::kJgt ? ux > uk
                       : j == op::kJge ? ux >= uk : j == op::kJlt ? ux < uk : j == op::kJle ? ux <= uk
                       : j == op::kJsgt ? x > k : j == op::kJsge ? x >= k : j == op::kJslt ? x < k
                       : j == op::kJsle ? x <= k : (ux & uk) != 0;
            for (bool is32 : {false, true}) {
                bool holds_here = holds;
                if (is32) {
                    uint32_t a = static_cast<uint32_t>(ux), b = static_cast<uint32_t>(uk);
                    int32_t sa = static_cast<int32_t>(a), sb = static_cast<int32_t>(b);
                    holds_here = j == op::kJeq ? a == b : j == op::kJne ? a != b : j == op::kJgt ? a > b
                               : j == op::kJge ? a >= b : j == op::kJlt ? a < b : j == op::kJle ? a <= b
                               : j == op::kJsgt ? sa > sb : j == op::kJsge ? sa >= sb : j == op::kJslt ? sa < sb
                               : j == op::kJsle ? sa <= sb : (a & b) != 0;
                }
                ScalarRange d = ScalarRange::signed_range(lo, hi), s = ScalarRange::constant(uk);
                scalar_refine(j, !holds_here, is32, d, s);
                EXPECT_TRUE(range_has(d, ux)) << "jop " << int(j) << " is32 " << is32 << " x=" << x << " k=" << k
                                              << " range [" << lo << "," << hi << "] -> " << d.to_string();
            }
        }
    }
}

TEST(ScalarRange, ContradictionIsEmpty) {
    ScalarRange d = ScalarRange::unsigned_range(0, 10), s = ScalarRange::constant(20);
    scalar_refine(op::kJgt, false, false, d, s);
    EXPECT_TRUE(d.empty);
}

TEST(ScalarRange, Truncate32) {
    ScalarRange r = truncate32(ScalarRange::signed_range(-1, -1));
    EXPECT_TRUE(r.is_const());
    EXPECT_EQ(r.value(), 0xffffffffull);
    ScalarRange u = truncate32(ScalarRange::unknown());
    EXPECT_EQ(u.umax, 0xffffffffull);
}

}  // namespace
}  // namespace ebpf::verifier
