// The redirect and sample maps (tests/runtime/redirect_test.cpp): one XDP
// program whose action a config array selects, so every helper and map type
// runs in every mode; an egress program for devmap entries and a cpumap one.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
    __uint(type, BPF_MAP_TYPE_DEVMAP);
    __uint(key_size, sizeof(__u32));
    __uint(value_size, sizeof(struct bpf_devmap_val));
    __uint(max_entries, 8);
} ports SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_DEVMAP_HASH);
    __type(key, __u32);
    __type(value, __u32);
    __uint(max_entries, 8);
} ports_by_key SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_CPUMAP);
    __type(key, __u32);
    __type(value, struct bpf_cpumap_val);
    __uint(max_entries, 4);
} cpus SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_XSKMAP);
    __type(key, __u32);
    __type(value, __u32);
    __uint(max_entries, 4);
} xsks SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
    __uint(key_size, sizeof(__u32));
    __uint(value_size, sizeof(__u32));
} events SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_STACK_TRACE);
    __uint(key_size, sizeof(__u32));
    __uint(value_size, 16 * sizeof(__u64));
    __uint(max_entries, 8);
} stacks SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_CGROUP_ARRAY);
    __uint(key_size, sizeof(__u32));
    __uint(value_size, sizeof(__u32));
    __uint(max_entries, 2);
} cgroups SEC(".maps");

// config[0]: what to do; config[1]: the ifindex or key; config[2..3]: flags (low, high).
struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __type(key, __u32);
    __type(value, __u32);
    __uint(max_entries, 4);
} config SEC(".maps");

// result[0]: a helper's return value; result[1]: a value read from a map.
struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __type(key, __u32);
    __type(value, __s64);
    __uint(max_entries, 2);
} result SEC(".maps");

static __u32 setting(__u32 index) {
    __u32 *value = bpf_map_lookup_elem(&config, &index);
    return value ? *value : 0;
}

static void record(__u32 index, __s64 value) { bpf_map_update_elem(&result, &index, &value, BPF_ANY); }

SEC("xdp")
int redirect_by_config(struct xdp_md *ctx) {
    __u32 action = setting(0), target = setting(1);
    __u64 flags = setting(2) | ((__u64)setting(3) << 32);
    switch (action) {
    case 0: return bpf_redirect(target, flags);
    case 1: return bpf_redirect_map(&ports, target, flags);
    case 2: return bpf_redirect_map(&ports_by_key, target, flags);
    case 3: return bpf_redirect_map(&cpus, target, flags);
    case 4: return bpf_redirect_map(&xsks, target, flags);
    case 5: {
        struct { __u32 magic; __u32 length; } meta = {0xfeedf00d, ctx->data_end - ctx->data};
        record(0, bpf_perf_event_output(ctx, &events, flags, &meta, sizeof(meta)));
        return XDP_PASS;
    }
    case 6: {
        struct bpf_devmap_val *entry = bpf_map_lookup_elem(&ports, &target);
        record(1, entry ? (__s64)entry->ifindex : -1);
        __u32 *socket = bpf_map_lookup_elem(&xsks, &target);
        record(0, socket ? (__s64)*socket : -1);
        return XDP_PASS;
    }
    }
    return XDP_DROP;
}

// A devmap entry's program: frames may leave by port 2 only, with a mark.
SEC("xdp/devmap")
int egress_guard(struct xdp_md *ctx) {
    void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
    if (data + 1 > end) return XDP_DROP;
    if (ctx->egress_ifindex != 2) return XDP_DROP;
    *(__u8 *)data = 0xee;
    return XDP_PASS;
}

// A cpumap entry's program: frames whose first byte is 0 are dropped.
SEC("xdp/cpumap")
int cpu_filter(struct xdp_md *ctx) {
    void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
    if (data + 1 > end) return XDP_DROP;
    return *(__u8 *)data ? XDP_PASS : XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
