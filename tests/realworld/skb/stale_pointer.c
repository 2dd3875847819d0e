// Hostile: keeps a packet pointer across bpf_skb_change_tail, which may
// move or shrink the packet. Linux forgets every packet pointer after a
// helper that changes packet data; so must we — the write below would land
// outside a trimmed packet.
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

SEC("tc")
int stale_pointer(struct __sk_buff *skb) {
    unsigned char *data = (void *)(long)skb->data, *data_end = (void *)(long)skb->data_end;
    if (data + 64 > data_end) return TC_ACT_OK;
    bpf_skb_change_tail(skb, ETH_HLEN, 0);
    data[63] = 0xff;
    return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
