#include "scalar_range.hpp"

#include <algorithm>
#include <cstdio>

#include "ebpf/isa.hpp"

namespace ebpf::verifier {
namespace {

constexpr uint64_t kLow32 = 0xffffffffull;

// Bounds implied by the known bits.
void bounds_from_bits(ScalarRange& r) {
    const Tnum t = r.bits;
    r.umin = std::max(r.umin, t.value);
    r.umax = std::min(r.umax, t.value | t.mask);
    r.smin = std::max(r.smin, static_cast<int64_t>(t.value | (t.mask & (uint64_t{1} << 63))));
    r.smax = std::min(r.smax, static_cast<int64_t>(t.value | (t.mask & ~(uint64_t{1} << 63))));
    const uint32_t v = static_cast<uint32_t>(t.value), m = static_cast<uint32_t>(t.mask);
    r.u32_min = std::max(r.u32_min, v);
    r.u32_max = std::min(r.u32_max, v | m);
    r.s32_min = std::max(r.s32_min, static_cast<int32_t>(v | (m & 0x80000000u)));
    r.s32_max = std::min(r.s32_max, static_cast<int32_t>(v | (m & 0x7fffffffu)));
}

// Signed and unsigned bounds agree whenever a range stays on one side of the sign bit.
void deduce_sign(ScalarRange& r) {
    if (static_cast<int64_t>(r.umin) <= static_cast<int64_t>(r.umax)) {
        r.smin = std::max(r.smin, static_cast<int64_t>(r.umin));
        r.smax = std::min(r.smax, static_cast<int64_t>(r.umax));
    }
    if (static_cast<uint64_t>(r.smin) <= static_cast<uint64_t>(r.smax)) {
        r.umin = std::max(r.umin, static_cast<uint64_t>(r.smin));
        r.umax = std::min(r.umax, static_cast<uint64_t>(r.smax));
    }
    if (static_cast<int32_t>(r.u32_min) <= static_cast<int32_t>(r.u32_max)) {
        r.s32_min = std::max(r.s32_min, static_cast<int32_t>(r.u32_min));
        r.s32_max = std::min(r.s32_max, static_cast<int32_t>(r.u32_max));
    }
    if (static_cast<uint32_t>(r.s32_min) <= static_cast<uint32_t>(r.s32_max)) {
        r.u32_min = std::max(r.u32_min, static_cast<uint32_t>(r.s32_min));
        r.u32_max = std::min(r.u32_max, static_cast<uint32_t>(r.s32_max));
    }
}

// The low 32 bits move monotonically with the value while a 64-bit range
// [lo, hi] stays inside one 2^32-aligned block: narrow r's 32-bit bounds.
void narrow_low_half(ScalarRange& r, uint64_t lo, uint64_t hi) {
    if (lo > hi) return;
    if ((lo >> 32) == (hi >> 32)) {
        r.u32_min = std::max(r.u32_min, static_cast<uint32_t>(lo));
        r.u32_max = std::min(r.u32_max, static_cast<uint32_t>(hi));
    }
    // The same for the signed view of the low half: shift by 2^31 first.
    uint64_t a = lo + 0x80000000ull, b = hi + 0x80000000ull;
    if (a <= b && (a >> 32) == (b >> 32)) {
        r.s32_min = std::max(r.s32_min, static_cast<int32_t>(static_cast<uint32_t>(lo)));
        r.s32_max = std::min(r.s32_max, static_cast<int32_t>(static_cast<uint32_t>(hi)));
    }
}

void deduce_32_from_64(ScalarRange& r) {
    narrow_low_half(r, r.umin, r.umax);
    narrow_low_half(r, static_cast<uint64_t>(r.smin), static_cast<uint64_t>(r.smax));
}

// With the high half known, the 32-bit bounds are the 64-bit bounds.
void deduce_64_from_32(ScalarRange& r) {
    if (r.bits.mask >> 32) return;
    const uint64_t high = r.bits.value & ~kLow32;
    r.umin = std::max(r.umin, high | r.u32_min);
    r.umax = std::min(r.umax, high | r.u32_max);
    r.smin = std::max(r.smin, static_cast<int64_t>(high | r.u32_min));
    r.smax = std::min(r.smax, static_cast<int64_t>(high | r.u32_max));
}

bool contradicts(const ScalarRange& r) {
    return r.smin > r.smax || r.umin > r.umax || r.s32_min > r.s32_max || r.u32_min > r.u32_max;
}

bool add_overflows(int64_t a, int64_t b, int64_t* out) { return __builtin_add_overflow(a, b, out); }
bool sub_overflows(int64_t a, int64_t b, int64_t* out) { return __builtin_sub_overflow(a, b, out); }

ScalarRange from_bits(Tnum bits) {
    ScalarRange r;
    r.bits = bits;
    r.sync();
    return r;
}

}  // namespace

ScalarRange ScalarRange::constant(uint64_t value) {
    // Every view is the value itself (what sync() would compute, without its cost).
    ScalarRange r;
    r.bits = Tnum::constant(value);
    r.smin = r.smax = static_cast<int64_t>(value);
    r.umin = r.umax = value;
    r.s32_min = r.s32_max = static_cast<int32_t>(static_cast<uint32_t>(value));
    r.u32_min = r.u32_max = static_cast<uint32_t>(value);
    return r;
}

ScalarRange ScalarRange::unsigned_range(uint64_t min, uint64_t max) {
    ScalarRange r;
    r.umin = min;
    r.umax = max;
    r.sync();
    return r;
}

ScalarRange ScalarRange::signed_range(int64_t min, int64_t max) {
    ScalarRange r;
    r.smin = min;
    r.smax = max;
    r.sync();
    return r;
}

bool ScalarRange::sync() {
    if (empty) return false;
    for (int round = 0; round < 2; ++round) {
        bounds_from_bits(*this);
        deduce_32_from_64(*this);
        deduce_64_from_32(*this);
        deduce_sign(*this);
        if (contradicts(*this)) {
            empty = true;
            return false;
        }
        bool conflict = false;
        bits = tnum_intersect(bits, Tnum::range(umin, umax), &conflict);
        if (conflict) {
            empty = true;
            return false;
        }
        Tnum low = tnum_intersect(tnum_subreg(bits), Tnum::range(u32_min, u32_max), &conflict);
        if (conflict) {
            empty = true;
            return false;
        }
        bits = tnum_with_subreg(bits, low);
    }
    bounds_from_bits(*this);
    if (contradicts(*this)) empty = true;
    return !empty;
}

bool ScalarRange::contains(const ScalarRange& o) const {
    if (o.empty) return true;
    if (empty) return false;
    return smin <= o.smin && smax >= o.smax && umin <= o.umin && umax >= o.umax &&
           s32_min <= o.s32_min && s32_max >= o.s32_max && u32_min <= o.u32_min &&
           u32_max >= o.u32_max && bits.contains(o.bits);
}

std::string ScalarRange::to_string() const {
    if (empty) return "(impossible)";
    char buf[256];
    if (is_const()) {
        std::snprintf(buf, sizeof buf, "%lld", static_cast<long long>(bits.value));
        return buf;
    }
    std::string out = "(";
    auto add = [&](const char* fmt, auto a, auto b) {
        std::snprintf(buf, sizeof buf, fmt, a, b);
        if (out.size() > 1) out += ",";
        out += buf;
    };
    if (smin != INT64_MIN || smax != INT64_MAX)
        add("smin=%lld,smax=%lld", static_cast<long long>(smin), static_cast<long long>(smax));
    if (umin != 0 || umax != UINT64_MAX)
        add("umin=%llu,umax=%llu", static_cast<unsigned long long>(umin), static_cast<unsigned long long>(umax));
    if (!bits.is_unknown())
        add("var_off=(%#llx; %#llx)", static_cast<unsigned long long>(bits.value),
            static_cast<unsigned long long>(bits.mask));
    out += ")";
    return out == "()" ? "unknown" : out;
}

ScalarRange truncate32(const ScalarRange& in) {
    if (in.empty) return in;
    ScalarRange r;
    r.bits = tnum_cast(in.bits, 4);
    narrow_low_half(r, in.umin, in.umax);
    narrow_low_half(r, static_cast<uint64_t>(in.smin), static_cast<uint64_t>(in.smax));
    narrow_low_half(r, in.u32_min, in.u32_max);
    r.s32_min = std::max(r.s32_min, in.s32_min);
    r.s32_max = std::min(r.s32_max, in.s32_max);
    // Zero extension: the 64-bit value is the unsigned low half.
    r.sync();
    r.umin = std::max<uint64_t>(r.umin, r.u32_min);
    r.umax = std::min<uint64_t>(r.umax, std::min<uint64_t>(r.u32_max, kLow32));
    r.sync();
    return r;
}

ScalarRange zext32_view(const ScalarRange& in) {
    ScalarRange r;
    r.bits = tnum_subreg(in.bits);
    r.umin = in.u32_min;
    r.umax = in.u32_max;
    r.sync();
    return r;
}

ScalarRange sext32_view(const ScalarRange& in) {
    ScalarRange r;
    r.bits = tnum_sext(tnum_subreg(in.bits), 4);
    r.smin = in.s32_min;
    r.smax = in.s32_max;
    r.sync();
    return r;
}

ScalarRange scalar_alu64(uint8_t operation, const ScalarRange& a, const ScalarRange& b, bool is_signed) {
    if (a.empty || b.empty) {
        ScalarRange r;
        r.empty = true;
        return r;
    }
    // Constants: the exact result (the hot path of straight-line code).
    if (a.is_const() && b.is_const()) {
        const uint64_t x = a.value(), y = b.value();
        switch (operation) {
        case op::kAdd: return ScalarRange::constant(x + y);
        case op::kSub: return ScalarRange::constant(x - y);
        case op::kMul: return ScalarRange::constant(x * y);
        case op::kAnd: return ScalarRange::constant(x & y);
        case op::kOr: return ScalarRange::constant(x | y);
        case op::kXor: return ScalarRange::constant(x ^ y);
        case op::kLsh: return ScalarRange::constant(x << (y & 63));
        case op::kRsh: return ScalarRange::constant(x >> (y & 63));
        case op::kArsh: return ScalarRange::constant(static_cast<uint64_t>(static_cast<int64_t>(x) >> (y & 63)));
        default: break;
        }
    }
    ScalarRange r;
    const bool b_const = b.is_const();
    const uint64_t k = b.value();
    switch (operation) {
    case op::kAdd: {
        r.bits = tnum_add(a.bits, b.bits);
        int64_t lo, hi;
        if (!add_overflows(a.smin, b.smin, &lo) && !add_overflows(a.smax, b.smax, &hi)) {
            r.smin = lo;
            r.smax = hi;
        }
        uint64_t ulo, uhi;
        if (!__builtin_add_overflow(a.umin, b.umin, &ulo) && !__builtin_add_overflow(a.umax, b.umax, &uhi)) {
            r.umin = ulo;
            r.umax = uhi;
        }
        break;
    }
    case op::kSub: {
        r.bits = tnum_sub(a.bits, b.bits);
        int64_t lo, hi;
        if (!sub_overflows(a.smin, b.smax, &lo) && !sub_overflows(a.smax, b.smin, &hi)) {
            r.smin = lo;
            r.smax = hi;
        }
        if (a.umin >= b.umax) {
            r.umin = a.umin - b.umax;
            r.umax = a.umax - b.umin;
        }
        break;
    }
    case op::kMul: {
        r.bits = tnum_mul(a.bits, b.bits);
        uint64_t hi;
        if (!__builtin_mul_overflow(a.umax, b.umax, &hi)) {
            r.umin = a.umin * b.umin;
            r.umax = hi;
        }
        int64_t p[4];
        if (!__builtin_mul_overflow(a.smin, b.smin, &p[0]) && !__builtin_mul_overflow(a.smin, b.smax, &p[1]) &&
            !__builtin_mul_overflow(a.smax, b.smin, &p[2]) && !__builtin_mul_overflow(a.smax, b.smax, &p[3])) {
            r.smin = *std::min_element(p, p + 4);
            r.smax = *std::max_element(p, p + 4);
        }
        break;
    }
    case op::kAnd:
        r.bits = tnum_and(a.bits, b.bits);
        r.umax = std::min(a.umax, b.umax);
        if (a.smin >= 0 || b.smin >= 0) {
            r.smin = 0;  // a non-negative operand clears the sign bit
            r.smax = std::max(a.smin >= 0 ? a.smax : INT64_MIN, b.smin >= 0 ? b.smax : INT64_MIN);
        }
        break;
    case op::kOr:
        r.bits = tnum_or(a.bits, b.bits);
        r.umin = std::max(a.umin, b.umin);
        break;
    case op::kXor:
        r.bits = tnum_xor(a.bits, b.bits);
        break;
    case op::kLsh:
        if (b_const) {
            unsigned s = static_cast<unsigned>(k & 63);
            r.bits = tnum_lshift(a.bits, s);
            if (s == 0 || a.umax <= (UINT64_MAX >> s)) {
                r.umin = a.umin << s;
                r.umax = a.umax << s;
            }
        }
        break;
    case op::kRsh:
        if (b_const) {
            unsigned s = static_cast<unsigned>(k & 63);
            r.bits = tnum_rshift(a.bits, s);
            r.umin = a.umin >> s;
            r.umax = a.umax >> s;
        } else {
            r.umax = a.umax;  // shifting right never grows an unsigned value
        }
        break;
    case op::kArsh:
        if (b_const) {
            unsigned s = static_cast<unsigned>(k & 63);
            r.bits = tnum_arshift(a.bits, s, 64);
            r.smin = a.smin >> s;
            r.smax = a.smax >> s;
        } else {
            r.smin = std::min<int64_t>(a.smin, 0);
            r.smax = a.smax >= 0 ? a.smax : -1;
        }
        break;
    case op::kDiv:
        if (is_signed) {
            if (b_const && k != 0 && static_cast<int64_t>(k) > 0) {
                // Truncating division by a positive constant is monotonic.
                int64_t d = static_cast<int64_t>(k);
                r.smin = a.smin / d;
                r.smax = a.smax / d;
            }
        } else if (b_const && k != 0) {
            r.umin = a.umin / k;
            r.umax = a.umax / k;
        } else {
            r.umax = a.umax;  // x / y <= x, and x / 0 == 0
        }
        break;
    case op::kMod:
        if (is_signed) {
            if (b_const && k != 0 && static_cast<int64_t>(k) > 0 && a.smin >= 0) {
                r.smin = 0;
                r.smax = std::min(a.smax, static_cast<int64_t>(k) - 1);
            } else if (b_const && k == 0) {
                r = a;  // x % 0 == x
            }
        } else if (b_const && k == 0) {
            r = a;
        } else if (b_const) {
            r.umax = std::min(a.umax, k - 1);
        } else {
            r.umax = a.umax;  // x % y <= x
        }
        break;
    case op::kNeg:
        r.bits = tnum_neg(a.bits);
        if (a.smin != INT64_MIN) {
            r.smin = -a.smax;
            r.smax = -a.smin;
        }
        break;
    case op::kMov:
        r = b;
        break;
    default:
        break;  // unknown result: sound
    }
    r.sync();
    return r;
}

ScalarRange scalar_alu32(uint8_t operation, const ScalarRange& a, const ScalarRange& b, bool is_signed) {
    if (operation == op::kMov) return truncate32(b);
    const bool wants_signed = is_signed || operation == op::kArsh || operation == op::kNeg;
    ScalarRange a64 = wants_signed ? sext32_view(a) : zext32_view(a);
    ScalarRange b64 = wants_signed ? sext32_view(b) : zext32_view(b);
    if (operation == op::kLsh || operation == op::kRsh || operation == op::kArsh) {
        // 32-bit shifts use the amount modulo 32 (RFC 9669).
        if (!b64.is_const()) {
            if (operation == op::kLsh) return truncate32(ScalarRange::unknown());
        } else {
            b64 = ScalarRange::constant(b64.value() & 31);
        }
    }
    if (is_signed && (operation == op::kDiv || operation == op::kMod)) {
        // Signed 32-bit division: only x % 0 == x and x / 0 == 0 are worth knowing.
        if (b64.is_const() && b64.value() == 0)
            return operation == op::kDiv ? ScalarRange::constant(0) : truncate32(a);
        return truncate32(ScalarRange::unknown());
    }
    return truncate32(scalar_alu64(operation, a64, b64, false));
}

ScalarRange scalar_byteswap(const ScalarRange& r, unsigned bits, bool swap) {
    if (!swap) {
        // Little-endian host: htole is a truncation.
        return bits == 64 ? r : (bits == 32 ? truncate32(r) : from_bits(tnum_cast(r.bits, bits / 8)));
    }
    if (r.is_const()) {
        uint64_t v = r.value();
        uint64_t out = bits == 16 ? __builtin_bswap16(static_cast<uint16_t>(v))
                     : bits == 32 ? __builtin_bswap32(static_cast<uint32_t>(v))
                                  : __builtin_bswap64(v);
        return ScalarRange::constant(out);
    }
    if (bits == 64) return ScalarRange::unknown();
    return ScalarRange::unsigned_range(0, bits == 16 ? 0xffff : 0xffffffffull);
}

ScalarRange scalar_sext(const ScalarRange& r, unsigned bytes) {
    if (bytes >= 8) return r;
    ScalarRange out;
    out.bits = tnum_sext(tnum_cast(r.bits, bytes), bytes);
    int64_t lo = -(int64_t{1} << (bytes * 8 - 1)), hi = (int64_t{1} << (bytes * 8 - 1)) - 1;
    // Values that already fit keep their bounds.
    if (r.smin >= lo && r.smax <= hi) {
        out.smin = r.smin;
        out.smax = r.smax;
    } else {
        out.smin = lo;
        out.smax = hi;
    }
    out.sync();
    return out;
}

ScalarRange scalar_of_size(unsigned bytes, bool sign_extend) {
    if (bytes >= 8) return ScalarRange::unknown();
    if (sign_extend) return scalar_sext(ScalarRange::unknown(), bytes);
    return ScalarRange::unsigned_range(0, (uint64_t{1} << (bytes * 8)) - 1);
}

namespace {


// The comparison on one view: u* and s* fields are refined separately, so a
// 32-bit view may hold zero-extended unsigned and sign-extended signed bounds.
void refine_view(uint8_t jop, bool jset_negated, ScalarRange& d, ScalarRange& s) {
    auto mark_empty = [](ScalarRange& x) { x.empty = true; };
    switch (jop) {
    case op::kJeq: {
        d.umin = s.umin = std::max(d.umin, s.umin);
        d.umax = s.umax = std::min(d.umax, s.umax);
        d.smin = s.smin = std::max(d.smin, s.smin);
        d.smax = s.smax = std::min(d.smax, s.smax);
        bool conflict = false;
        d.bits = s.bits = tnum_intersect(d.bits, s.bits, &conflict);
        if (conflict) mark_empty(d), mark_empty(s);
        break;
    }
    case op::kJne:
        // Only a constant at the edge of a range can be cut off.
        for (int side = 0; side < 2; ++side) {
            ScalarRange& x = side ? s : d;
            const ScalarRange& c = side ? d : s;
            if (!c.bits.is_const()) continue;
            uint64_t v = c.bits.value;
            if (x.bits.is_const() && x.bits.value == v) mark_empty(x);
            if (x.umin == v && x.umin != UINT64_MAX) ++x.umin;
            else if (x.umax == v && x.umax != 0) --x.umax;
            if (x.smin == static_cast<int64_t>(v) && x.smin != INT64_MAX) ++x.smin;
            else if (x.smax == static_cast<int64_t>(v) && x.smax != INT64_MIN) --x.smax;
        }
        break;
    case op::kJgt:  // d > s
        if (s.umin == UINT64_MAX || d.umax == 0) { mark_empty(d); break; }
        d.umin = std::max(d.umin, s.umin + 1);
        s.umax = std::min(s.umax, d.umax - 1);
        break;
    case op::kJge:
        d.umin = std::max(d.umin, s.umin);
        s.umax = std::min(s.umax, d.umax);
        break;
    case op::kJlt:
        if (d.umin == UINT64_MAX || s.umax == 0) { mark_empty(d); break; }
        d.umax = std::min(d.umax, s.umax - 1);
        s.umin = std::max(s.umin, d.umin + 1);
        break;
    case op::kJle:
        d.umax = std::min(d.umax, s.umax);
        s.umin = std::max(s.umin, d.umin);
        break;
    case op::kJsgt:
        if (s.smin == INT64_MAX || d.smax == INT64_MIN) { mark_empty(d); break; }
        d.smin = std::max(d.smin, s.smin + 1);
        s.smax = std::min(s.smax, d.smax - 1);
        break;
    case op::kJsge:
        d.smin = std::max(d.smin, s.smin);
        s.smax = std::min(s.smax, d.smax);
        break;
    case op::kJslt:
        if (d.smin == INT64_MAX || s.smax == INT64_MIN) { mark_empty(d); break; }
        d.smax = std::min(d.smax, s.smax - 1);
        s.smin = std::max(s.smin, d.smin + 1);
        break;
    case op::kJsle:
        d.smax = std::min(d.smax, s.smax);
        s.smin = std::max(s.smin, d.smin);
        break;
    case op::kJset:
        if (jset_negated) {
            // d & s == 0: with a known mask, those bits of d are zero.
            if (s.bits.is_const()) {
                if (d.bits.value & s.bits.value) mark_empty(d);  // a known 1 that must be 0
                d.bits.mask &= ~s.bits.value;
            }
        } else {
            // Some bit in common: impossible when no bit can be in common.
            if (((d.bits.value | d.bits.mask) & (s.bits.value | s.bits.mask)) == 0) mark_empty(d);
        }
        break;
    default:
        break;
    }
}

}  // namespace

uint8_t negated_jmp(uint8_t jop) {
    switch (jop) {
    case op::kJeq: return op::kJne;
    case op::kJne: return op::kJeq;
    case op::kJgt: return op::kJle;
    case op::kJle: return op::kJgt;
    case op::kJge: return op::kJlt;
    case op::kJlt: return op::kJge;
    case op::kJsgt: return op::kJsle;
    case op::kJsle: return op::kJsgt;
    case op::kJsge: return op::kJslt;
    case op::kJslt: return op::kJsge;
    default: return kNoNegation;
    }
}

void scalar_refine(uint8_t jop, bool negate, bool is32, ScalarRange& dst, ScalarRange& src) {
    if (dst.empty || src.empty) return;
    bool jset_negated = false;
    if (negate) {
        if (jop == op::kJset) jset_negated = true;
        else jop = negated_jmp(jop);
    }
    if (!is32) {
        refine_view(jop, jset_negated, dst, src);
        if (!dst.empty) dst.sync();
        if (!src.empty) src.sync();
        if (dst.empty || src.empty) dst.empty = src.empty = true;
        return;
    }
    // 32-bit comparison: refine a view whose u*/s* fields are the low half's
    // unsigned/signed bounds and whose bits are the low half.
    auto make_view = [](const ScalarRange& r) {
        ScalarRange v;
        v.umin = r.u32_min;
        v.umax = r.u32_max;
        v.smin = r.s32_min;
        v.smax = r.s32_max;
        v.bits = tnum_subreg(r.bits);
        return v;
    };
    ScalarRange dv = make_view(dst), sv = make_view(src);
    refine_view(jop, jset_negated, dv, sv);
    auto write_back = [](ScalarRange& r, const ScalarRange& v) {
        if (v.empty || v.umin > v.umax || v.smin > v.smax) {
            r.empty = true;
            return;
        }
        r.u32_min = static_cast<uint32_t>(std::max<uint64_t>(v.umin, r.u32_min));
        r.u32_max = static_cast<uint32_t>(std::min<uint64_t>(v.umax, r.u32_max));
        r.s32_min = static_cast<int32_t>(std::max<int64_t>(v.smin, r.s32_min));
        r.s32_max = static_cast<int32_t>(std::min<int64_t>(v.smax, r.s32_max));
        bool conflict = false;
        Tnum low = tnum_intersect(tnum_subreg(r.bits), tnum_cast(v.bits, 4), &conflict);
        if (conflict) {
            r.empty = true;
            return;
        }
        r.bits = tnum_with_subreg(r.bits, low);
        r.sync();
    };
    write_back(dst, dv);
    write_back(src, sv);
    if (dst.empty || src.empty) dst.empty = src.empty = true;
}

}  // namespace ebpf::verifier
