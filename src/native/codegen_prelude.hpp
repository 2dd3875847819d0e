// The fixed C text every generated module starts with (after the embedded
// ABI header): memory access and arithmetic helpers with exact RFC 9669
// semantics and no undefined behaviour in C.
#pragma once

#include <string_view>

namespace ebpf::codegen {

// Why each helper looks the way it does:
// - loads/stores go through __builtin_memcpy on a local of the access size, so
//   unaligned addresses and strict aliasing cannot bite on any target
//   (x86-64, AArch64); compilers turn them into single moves;
// - the byte order is the target's, so big-endian targets are refused with
//   #error (eBPF is little-endian);
// - atomics go through a may_alias type so the __atomic builtins may touch
//   any object;
// - signed conversions (uint64_t → int64_t) and right shifts of negative
//   values are implementation-defined in ISO C, not undefined; GCC and clang
//   define them as two's complement / arithmetic shift, which is what eBPF
//   means. Everything that is undefined (shift by >= width, signed overflow,
//   division by zero, INT_MIN / -1) is masked or guarded.
inline constexpr std::string_view kPrelude = R"PRELUDE(
/* eBPF is little-endian and this C loads and stores in the target's byte
   order (and implements le16/32/64 as truncations): a big-endian target would
   compute different results, so it is refused here rather than miscompiled. */
#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "ebpf-native modules need a little-endian target (x86-64, AArch64): eBPF is little-endian"
#endif
typedef uint64_t __attribute__((may_alias)) ebpf_alias_u64;
typedef uint32_t __attribute__((may_alias)) ebpf_alias_u32;

#define EBPF_INLINE static inline __attribute__((always_inline))
#define EBPF_PTR(a) ((void*)(uintptr_t)(a))

EBPF_INLINE uint64_t ebpf_ld8(uint64_t a) { uint8_t v; __builtin_memcpy(&v, EBPF_PTR(a), 1); return v; }
EBPF_INLINE uint64_t ebpf_ld16(uint64_t a) { uint16_t v; __builtin_memcpy(&v, EBPF_PTR(a), 2); return v; }
EBPF_INLINE uint64_t ebpf_ld32(uint64_t a) { uint32_t v; __builtin_memcpy(&v, EBPF_PTR(a), 4); return v; }
EBPF_INLINE uint64_t ebpf_ld64(uint64_t a) { uint64_t v; __builtin_memcpy(&v, EBPF_PTR(a), 8); return v; }
EBPF_INLINE void ebpf_st8(uint64_t a, uint64_t x) { uint8_t v = (uint8_t)x; __builtin_memcpy(EBPF_PTR(a), &v, 1); }
EBPF_INLINE void ebpf_st16(uint64_t a, uint64_t x) { uint16_t v = (uint16_t)x; __builtin_memcpy(EBPF_PTR(a), &v, 2); }
EBPF_INLINE void ebpf_st32(uint64_t a, uint64_t x) { uint32_t v = (uint32_t)x; __builtin_memcpy(EBPF_PTR(a), &v, 4); }
EBPF_INLINE void ebpf_st64(uint64_t a, uint64_t x) { __builtin_memcpy(EBPF_PTR(a), &x, 8); }

EBPF_INLINE uint64_t ebpf_sx8(uint64_t v) { return (uint64_t)(int64_t)(int8_t)(uint8_t)v; }
EBPF_INLINE uint64_t ebpf_sx16(uint64_t v) { return (uint64_t)(int64_t)(int16_t)(uint16_t)v; }
EBPF_INLINE uint64_t ebpf_sx32(uint64_t v) { return (uint64_t)(int64_t)(int32_t)(uint32_t)v; }

EBPF_INLINE uint64_t ebpf_arsh64(uint64_t v, uint64_t n) { return (uint64_t)((int64_t)v >> (n & 63)); }
EBPF_INLINE uint64_t ebpf_arsh32(uint64_t v, uint64_t n) { return (uint32_t)((int32_t)(uint32_t)v >> (n & 31)); }

EBPF_INLINE uint64_t ebpf_udiv64(uint64_t a, uint64_t b) { return b ? a / b : 0; }
EBPF_INLINE uint64_t ebpf_umod64(uint64_t a, uint64_t b) { return b ? a % b : a; }
EBPF_INLINE uint64_t ebpf_udiv32(uint64_t a, uint64_t b) { return (uint32_t)b ? (uint32_t)a / (uint32_t)b : 0; }
EBPF_INLINE uint64_t ebpf_umod32(uint64_t a, uint64_t b) { return (uint32_t)b ? (uint32_t)a % (uint32_t)b : (uint32_t)a; }
EBPF_INLINE uint64_t ebpf_sdiv64(uint64_t a, uint64_t b) {
    if (b == 0) return 0;
    if (b == UINT64_MAX) return 0 - a; /* x / -1 = -x, wrapping for INT64_MIN */
    return (uint64_t)((int64_t)a / (int64_t)b);
}
EBPF_INLINE uint64_t ebpf_smod64(uint64_t a, uint64_t b) {
    if (b == 0) return a;
    if (b == UINT64_MAX) return 0;
    return (uint64_t)((int64_t)a % (int64_t)b);
}
EBPF_INLINE uint64_t ebpf_sdiv32(uint64_t a, uint64_t b) {
    uint32_t x = (uint32_t)a, y = (uint32_t)b;
    if (y == 0) return 0;
    if (y == UINT32_MAX) return (uint32_t)(0u - x);
    return (uint32_t)((int32_t)x / (int32_t)y);
}
EBPF_INLINE uint64_t ebpf_smod32(uint64_t a, uint64_t b) {
    uint32_t x = (uint32_t)a, y = (uint32_t)b;
    if (y == 0) return x;
    if (y == UINT32_MAX) return 0;
    return (uint32_t)((int32_t)x % (int32_t)y);
}
#define EBPF_S64(v) ((int64_t)(uint64_t)(v))
#define EBPF_S32(v) ((int32_t)(uint32_t)(v))
)PRELUDE";

}  // namespace ebpf::codegen
