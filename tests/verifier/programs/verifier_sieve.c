// A sieve of Eratosthenes over a 400-byte stack array: two nested loops that
// clang -O2 keeps as loops. Linux accepts it; it once cost this verifier
// 15,640 stored states of 34 KiB each before it gave up at 512 MiB. The
// precision tests bound its states and memory.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __type(key, __u32);
    __type(value, __u64);
    __uint(max_entries, 1);
} sieve_result SEC(".maps");

SEC("xdp")
int sieve(struct xdp_md *ctx)
{
    __u8 composite[400];
    __builtin_memset(composite, 0, sizeof(composite));
    __u64 primes = 0;
#pragma clang loop unroll(disable)
    for (int i = 2; i < 400; i++) {
        if (composite[i])
            continue;
        primes++;
#pragma clang loop unroll(disable)
        for (int j = i * i; j < 400; j += i)
            composite[j] = 1;
    }
    __u32 key = 0;
    __u64 *value = bpf_map_lookup_elem(&sieve_result, &key);
    if (value)
        *value = primes;
    return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
