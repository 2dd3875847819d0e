/* The compute set for the host: the C baseline (built with clang -O2 as the
 * eBPF objects are). See kernels.h. */
#include "kernels.h"

#define KERNEL_FUNCTION(name) \
    __attribute__((noinline)) kernel_u64 compute_c_##name(kernel_u64 seed) { return kernel_##name(seed); }

KERNEL_FUNCTION(collatz)
KERNEL_FUNCTION(crc32)
KERNEL_FUNCTION(fnv1a)
KERNEL_FUNCTION(sieve)
KERNEL_FUNCTION(bubble_sort)
KERNEL_FUNCTION(xorshift)
