// A classic socket filter in the style of the kernel's samples/bpf sockex
// programs and tcpdump-compiled filters: the packet is read with the legacy
// LD_ABS/LD_IND loads (llvm.bpf.load.*), which read big-endian and end the
// program with 0 when they fall outside the packet. Keeps IPv4 TCP/UDP to
// port 53 (the whole packet), counts them per protocol, drops the rest. The
// loads are relative to the network header, as on an IP socket.
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/in.h>
#include <stddef.h>
#include <bpf/bpf_helpers.h>

unsigned long long load_byte(void *skb, unsigned long long off) asm("llvm.bpf.load.byte");
unsigned long long load_half(void *skb, unsigned long long off) asm("llvm.bpf.load.half");
unsigned long long load_word(void *skb, unsigned long long off) asm("llvm.bpf.load.word");

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 256);
    __type(key, __u32);
    __type(value, __u64);
} dns_by_protocol SEC(".maps");

SEC("socket")
int dns_only(struct __sk_buff *skb)
{
    if (skb->protocol != __builtin_bswap16(ETH_P_IP) || (load_byte(skb, 0) >> 4) != 4)
        return 0;
    __u32 protocol = load_byte(skb, offsetof(struct iphdr, protocol));
    if (protocol != IPPROTO_TCP && protocol != IPPROTO_UDP)
        return 0;
    if (load_half(skb, offsetof(struct iphdr, frag_off)) & 0x1fff)
        return 0;  /* a later fragment has no ports */
    __u32 ihl = (load_byte(skb, 0) & 0xf) * 4;
    /* variable offset: LD_IND */
    __u32 ports = load_word(skb, ihl);
    if ((ports & 0xffff) != 53 && (ports >> 16) != 53)
        return 0;
    __u64 *count = bpf_map_lookup_elem(&dns_by_protocol, &protocol);
    if (count)
        __sync_fetch_and_add(count, 1);
    return -1;
}

char LICENSE[] SEC("license") = "GPL";
