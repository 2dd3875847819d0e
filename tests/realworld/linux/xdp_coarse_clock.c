// Rate limiting on the coarse clock (bpf_ktime_get_coarse_ns, cheaper than
// bpf_ktime_get_ns and good to a tick): a packet passes when at least 10 s of
// coarse time has gone by since the last one that passed; the first always
// passes. The time itself is kept in a map that the test does not compare.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, __u64);
} last_pass SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, __u64);
} clock_ok SEC(".maps");

SEC("xdp")
int xdp_coarse_limit(struct xdp_md *ctx) {
    __u32 zero = 0;
    __u64 now = bpf_ktime_get_coarse_ns();
    __u64 *last = bpf_map_lookup_elem(&last_pass, &zero);
    __u64 *ok = bpf_map_lookup_elem(&clock_ok, &zero);
    if (!last || !ok) return XDP_ABORTED;
    *ok = now != 0 && now >= *last;  /* the clock runs and never goes back */
    if (*last && now - *last < 10000000000ull) return XDP_DROP;
    *last = now;
    return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
