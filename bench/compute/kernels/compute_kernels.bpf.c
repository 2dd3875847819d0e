/* The compute set for eBPF: one raw_memory program per workload. r1/r2 are
 * the input memory; its first 8 bytes are the seed. See kernels.h. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "kernels.h"

#define KERNEL_PROGRAM(name)                                                   \
    SEC("raw") kernel_u64 name(kernel_u64 *memory, kernel_u64 length) {        \
        return kernel_##name(length >= sizeof(kernel_u64) ? *memory : 0);      \
    }

KERNEL_PROGRAM(collatz)
KERNEL_PROGRAM(crc32)
KERNEL_PROGRAM(fnv1a)
KERNEL_PROGRAM(sieve)
KERNEL_PROGRAM(bubble_sort)
KERNEL_PROGRAM(xorshift)

char LICENSE[] SEC("license") = "GPL";
