// The legacy "maps" section: struct bpf_map_def (five u32 fields, 20 bytes per
// map), as in older samples/bpf programs. libbpf 1.x no longer declares the
// struct, so it is spelled out here. "socket" counts packets by skb->protocol
// in packet_count (hash) and returns 0 or -1 (accept whole packet).
//   socket:       packet_count[skb->protocol] += 1; returns -1 when the
//                 protocol's count is even afterwards, 0 otherwise.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct bpf_map_def {
    unsigned int type;
    unsigned int key_size;
    unsigned int value_size;
    unsigned int max_entries;
    unsigned int map_flags;
};

struct bpf_map_def SEC("maps") packet_count = {
    .type = BPF_MAP_TYPE_HASH,
    .key_size = sizeof(__u32),
    .value_size = sizeof(__u64),
    .max_entries = 256,
};

struct bpf_map_def SEC("maps") scratch = {
    .type = BPF_MAP_TYPE_ARRAY,
    .key_size = sizeof(__u32),
    .value_size = 64,
    .max_entries = 1,
    .map_flags = 0,
};

SEC("socket")
int count_protocols(struct __sk_buff *skb)
{
    __u32 protocol = skb->protocol;
    __u64 *count = bpf_map_lookup_elem(&packet_count, &protocol);
    __u64 now;
    if (count) {
        now = *count + 1;
        *count = now;
    } else {
        now = 1;
        bpf_map_update_elem(&packet_count, &protocol, &now, BPF_ANY);
    }
    __u32 zero = 0;
    char *buffer = bpf_map_lookup_elem(&scratch, &zero);
    if (buffer)
        buffer[0] = (char)protocol;
    return (now & 1) ? 0 : -1;
}

char LICENSE[] SEC("license") = "GPL";
