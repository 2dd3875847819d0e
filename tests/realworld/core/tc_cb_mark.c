// A tc classifier built against vmlinux.h types (as Cilium-style and
// bpf-examples programs are): skb->cb[0] (set by an earlier program in the
// chain), skb->mark and skb->len are read through `struct __sk_buff` with
// preserve_access_index, so each access is a CO-RE relocation resolved
// against the runtime's own __sk_buff layout. cb[0] == 7 marks the packet
// dropped; otherwise its length is counted.
#include "vmlinux_min.h"
#include <bpf/bpf_helpers.h>

#define TC_ACT_OK 0
#define TC_ACT_SHOT 2

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, __u64);
} bytes_seen SEC(".maps");

SEC("tc")
int tc_cb_classify(struct __sk_buff *skb)
{
    if (skb->cb[0] == 7)
        return TC_ACT_SHOT;
    __u32 key = 0;
    __u64 *bytes = bpf_map_lookup_elem(&bytes_seen, &key);
    if (bytes)
        __sync_fetch_and_add(bytes, skb->len + skb->cb[1]);
    return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
