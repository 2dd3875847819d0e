// The compute workloads: each is an eBPF program in our assembler text and the
// same algorithm in C, over the same input memory, returning the same value.
#pragma once

#include <cstdint>
#include <cstring>
#include <span>
#include <string_view>

namespace ebpf::bench {

inline constexpr size_t kBufferSize = 1024;

struct ComputeProgram {
    std::string_view name;
    std::string_view assembly;  // r1 = memory, r2 = its length
    uint64_t (*native)(uint8_t* memory, uint64_t length);
};

// acc = acc * 31 + i for i = 1..1000 (a recurrence the C compiler cannot fold
// into a closed form, unlike a plain sum).
inline constexpr std::string_view kHashLoop = R"(
    r0 = 0
    r1 = 1
loop:
    r0 *= 31
    r0 += r1
    r1 += 1
    if r1 <= 1000 goto loop
    exit
)";
inline uint64_t hash_loop_c(uint8_t*, uint64_t) {
    uint64_t n = 1000;
    asm volatile("" : "+r"(n));  // n is opaque to the optimiser
    uint64_t acc = 0;
    for (uint64_t i = 1; i <= n; ++i) acc = acc * 31 + i;
    return acc;
}

// Iterative Fibonacci: fib(90).
inline constexpr std::string_view kFibonacci = R"(
    r0 = 0
    r3 = 1
    r2 = 90
loop:
    r4 = r0
    r4 += r3
    r0 = r3
    r3 = r4
    r2 -= 1
    if r2 != 0 goto loop
    exit
)";
inline uint64_t fibonacci_c(uint8_t*, uint64_t) {
    uint64_t n = 90;
    asm volatile("" : "+r"(n));
    uint64_t a = 0, b = 1;
    for (; n != 0; --n) {
        const uint64_t next = a + b;
        a = b;
        b = next;
    }
    return a;
}

// Fletcher-style checksum, one byte at a time, over the whole buffer.
inline constexpr std::string_view kChecksum = R"(
    r0 = 0
    r4 = 0
loop:
    if r2 == 0 goto done
    r3 = *(u8 *)(r1 + 0)
    r0 += r3
    r4 += r0
    r1 += 1
    r2 -= 1
    goto loop
done:
    r4 <<= 32
    r0 <<= 32
    r0 >>= 32
    r0 |= r4
    exit
)";
inline uint64_t checksum_c(uint8_t* memory, uint64_t length) {
    uint64_t a = 0, b = 0;
    for (uint64_t i = 0; i < length; ++i) {
        a += memory[i];
        b += a;
    }
    return (b << 32) | (a & 0xffffffffu);
}

// Copies the first half of the buffer to the second, 8 bytes at a time, and
// returns the last word copied.
inline constexpr std::string_view kCopy = R"(
    r3 = 0
    r4 = r1
loop:
    r5 = *(u64 *)(r4 + 0)
    *(u64 *)(r4 + 512) = r5
    r4 += 8
    r3 += 8
    if r3 < 512 goto loop
    r0 = *(u64 *)(r1 + 1016)
    exit
)";
inline uint64_t copy_c(uint8_t* memory, uint64_t) {
    for (size_t offset = 0; offset < kBufferSize / 2; offset += 8) {
        uint64_t word;
        std::memcpy(&word, memory + offset, 8);
        std::memcpy(memory + kBufferSize / 2 + offset, &word, 8);
    }
    uint64_t last;
    std::memcpy(&last, memory + kBufferSize - 8, 8);
    return last;
}

inline constexpr ComputeProgram kComputePrograms[] = {
    {"hash_loop", kHashLoop, hash_loop_c},
    {"fibonacci", kFibonacci, fibonacci_c},
    {"checksum_1k", kChecksum, checksum_c},
    {"copy_1k", kCopy, copy_c},
};

}  // namespace ebpf::bench
