// samples/bpf sockex1-style socket filter: legacy packet access with
// LD_ABS (llvm.bpf.load.byte) and a BTF array map counting bytes per IP
// protocol. Returns 0 (drop) for non-IPv4 frames, else -1 (keep the whole
// packet). The ETH_P_IP check reads skb->protocol (network byte order).
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <stddef.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

unsigned long long load_byte(void *skb, unsigned long long off) asm("llvm.bpf.load.byte");

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __type(key, __u32);
    __type(value, __u64);
    __uint(max_entries, 256);
} bytes_by_protocol SEC(".maps");

SEC("socket")
int count_bytes(struct __sk_buff *skb)
{
    if (skb->protocol != bpf_htons(ETH_P_IP))
        return 0;
    __u32 protocol = load_byte(skb, ETH_HLEN + offsetof(struct iphdr, protocol));
    __u64 *bytes = bpf_map_lookup_elem(&bytes_by_protocol, &protocol);
    if (bytes)
        __sync_fetch_and_add(bytes, skb->len);
    return -1;
}

char LICENSE[] SEC("license") = "GPL";
