// Maps shared between processes (docs/pinning.md): `flows` and `totals` are
// pinned by name (LIBBPF_PIN_BY_NAME), `config` is shared when the host
// loads with share_maps, `hits` is a per-CPU array. hook/pin_count reads a
// u32 flow id from the buffer, counts the packet in flows[id] (creating it),
// adds config[0] bytes, and returns flows[id].packets; -1 for a short buffer.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct flow {
    __u64 packets;
    __u64 bytes;
};

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __type(key, __u32);
    __type(value, struct flow);
    __uint(max_entries, 64);
    __uint(pinning, LIBBPF_PIN_BY_NAME);
} flows SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_HASH);
    __type(key, __u32);
    __type(value, __u64);
    __uint(max_entries, 8);
    __uint(pinning, LIBBPF_PIN_BY_NAME);
} totals SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __type(key, __u32);
    __type(value, __u64);
    __uint(max_entries, 4);
} config SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __type(key, __u32);
    __type(value, __u64);
    __uint(max_entries, 1);
} hits SEC(".maps");

SEC("hook/pin_count")
__s64 pin_count(__u8 *buf, __u64 len)
{
    if (len < 4)
        return -1;
    __u32 id = *(__u32 *)buf;
    __u32 zero = 0;
    __u64 *size = bpf_map_lookup_elem(&config, &zero);
    __u64 add = size ? *size : 0;
    struct flow *flow = bpf_map_lookup_elem(&flows, &id);
    if (!flow) {
        struct flow fresh = {0, 0};
        bpf_map_update_elem(&flows, &id, &fresh, BPF_NOEXIST);
        flow = bpf_map_lookup_elem(&flows, &id);
        if (!flow)
            return -2;
    }
    __sync_fetch_and_add(&flow->packets, 1);
    __sync_fetch_and_add(&flow->bytes, add);
    __u64 *total = bpf_map_lookup_elem(&totals, &zero);
    if (total) {
        *total += 1;
    } else {
        __u64 one = 1;
        bpf_map_update_elem(&totals, &zero, &one, BPF_ANY);
    }
    __u64 *hit = bpf_map_lookup_elem(&hits, &zero);
    if (hit)
        *hit += 1;
    return flow->packets;
}

char LICENSE[] SEC("license") = "GPL";
