// A tail call chain that only the Linux limit stops: hook/chain counts its
// runs in counter[0] and tail-calls itself through chain[0]. The first run
// plus 33 tail calls = 34 runs; the 34th tail call fails, falls through and
// returns the count (34).
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __type(key, __u32);
    __type(value, __u64);
    __uint(max_entries, 1);
} counter SEC(".maps");

__s64 chain_step(void *buf, __u64 len);

struct {
    __uint(type, BPF_MAP_TYPE_PROG_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __array(values, __s64(void *, __u64));
} chain SEC(".maps") = {
    .values = {[0] = (void *)&chain_step},
};

SEC("hook/chain")
__s64 chain_step(void *buf, __u64 len)
{
    __u32 zero = 0;
    __u64 *count = bpf_map_lookup_elem(&counter, &zero);
    if (!count)
        return -1;
    *count += 1;
    bpf_tail_call(buf, &chain, 0);
    count = bpf_map_lookup_elem(&counter, &zero);
    return count ? *count : -1;
}

char LICENSE[] SEC("license") = "GPL";
