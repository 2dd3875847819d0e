/* The compute set: six small stack-only workloads, written once in C and
 * compiled twice — for eBPF (compute_kernels.bpf.c, clang -target bpf -O2) and
 * for the host (compute_kernels_c.c, clang -O2, the baseline every mode is
 * divided by). Each reads nothing but its own stack and returns one value, so
 * the ratios measure the execution modes, not memory or helpers.
 *
 * Each takes a seed that comes from outside (the eBPF program reads it from
 * its input memory, the C function gets it as an argument): the C compiler
 * cannot fold a workload into a constant, and the verifier sees unknown values
 * instead of simulating every iteration with exact ones (collatz and sieve
 * keep exact values, which this verifier handles better there: OPAQUE hides
 * their constants from the C optimiser only). Loops carry
 * `unroll(disable)` so that both compilers keep the algorithm's shape (the
 * point is the cost per eBPF instruction, not what an unroller makes of it). */
#pragma once

#ifdef __bpf__
#define OPAQUE(x) (x)
#else
#define OPAQUE(x) ({ __typeof__(x) opaque_ = (x); __asm__ volatile("" : "+r"(opaque_)); opaque_; })
#endif

#define NOUNROLL _Pragma("clang loop unroll(disable)")

typedef unsigned char kernel_u8;
typedef unsigned int kernel_u32;
typedef unsigned long long kernel_u64;

/* Collatz walks: the total number of steps from 1..96, each walk capped at 256. */
static inline __attribute__((always_inline)) kernel_u64 kernel_collatz(kernel_u64 seed) {
    kernel_u64 total = 0;
    (void)seed;
    const kernel_u32 last = OPAQUE(96u);
    NOUNROLL for (kernel_u32 start = 1; start <= last && start <= 96; start++) {
        kernel_u64 n = start;
        NOUNROLL for (int step = 0; step < 256 && n != 1; step++) {
            n = (n & 1) ? 3 * n + 1 : n >> 1;
            total++;
        }
    }
    return total;
}

/* Bitwise CRC-32 (IEEE, reflected) of a 128-byte stack buffer. */
static inline __attribute__((always_inline)) kernel_u64 kernel_crc32(kernel_u64 seed) {
    kernel_u8 data[128];
    NOUNROLL for (int i = 0; i < 128; i++) data[i] = (kernel_u8)(i * 7 + seed);
    kernel_u32 crc = 0xffffffffu;
    NOUNROLL for (int i = 0; i < 128; i++) {
        crc ^= data[i];
        NOUNROLL for (int bit = 0; bit < 8; bit++) crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1)));
    }
    return ~crc;
}

/* 64-bit FNV-1a over a 256-byte stack buffer. */
static inline __attribute__((always_inline)) kernel_u64 kernel_fnv1a(kernel_u64 seed) {
    kernel_u8 data[256];
    NOUNROLL for (int i = 0; i < 256; i++) data[i] = (kernel_u8)(i * 13 + seed);
    kernel_u64 hash = 0xcbf29ce484222325ull;
    NOUNROLL for (int i = 0; i < 256; i++) {
        hash ^= data[i];
        hash *= 0x100000001b3ull;
    }
    return hash;
}

/* Sieve of Eratosthenes over a 400-byte stack array: the number of primes. */
static inline __attribute__((always_inline)) kernel_u64 kernel_sieve(kernel_u64 seed) {
    kernel_u8 composite[400];
    NOUNROLL for (int i = 0; i < 400; i++) composite[i] = OPAQUE((kernel_u8)0);
    (void)seed;
    kernel_u64 primes = 0;
    NOUNROLL for (int i = 2; i < 400; i++) {
        if (composite[i]) continue;
        primes++;
        NOUNROLL for (int j = i * i; j < 400; j += i) composite[j] = 1;
    }
    return primes;
}

/* Bubble sort of 32 pseudo-random u32 on the stack; returns a position-weighted sum. */
static inline __attribute__((always_inline)) kernel_u64 kernel_bubble_sort(kernel_u64 seed) {
    kernel_u32 values[32];
    kernel_u32 state = (kernel_u32)seed | 1;
    NOUNROLL for (int i = 0; i < 32; i++) {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        values[i] = state;
    }
    NOUNROLL for (int pass = 0; pass < 31; pass++) {
        NOUNROLL for (int i = 0; i < 31 - pass; i++) {
            /* Compare-and-swap without a branch: a branch would give the
             * verifier a new range for each value on every iteration. */
            const kernel_u64 a = values[i], b = values[i + 1];
            const kernel_u64 swap = (a ^ b) & (0 - ((b - a) >> 63));
            values[i] = (kernel_u32)(a ^ swap);
            values[i + 1] = (kernel_u32)(b ^ swap);
        }
    }
    kernel_u64 sum = 0;
    NOUNROLL for (int i = 0; i < 32; i++) sum += (kernel_u64)values[i] * (kernel_u64)(i + 1);
    return sum;
}

/* 1,000 rounds of xorshift64; returns the last state. */
static inline __attribute__((always_inline)) kernel_u64 kernel_xorshift(kernel_u64 seed) {
    kernel_u64 state = seed | 1;
    NOUNROLL for (int i = 0; i < 1000; i++) {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
    }
    return state;
}
