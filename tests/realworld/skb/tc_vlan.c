// A tc program that moves frames between an untagged access port and a
// tagged trunk, as bridge/VLAN offload programs do: untagged IPv4 frames get
// VLAN 100 pushed (bpf_skb_vlan_push keeps the tag outside the packet, as a
// NIC would insert it), tagged frames have their tag popped and the VLAN ID
// recorded in skb->cb for a later program. Other frames pass untouched.
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 4096);
    __type(key, __u32);
    __type(value, __u64);
} per_vlan SEC(".maps");

SEC("tc")
int tc_vlan(struct __sk_buff *skb) {
    if (skb->protocol == bpf_htons(ETH_P_8021Q) || skb->protocol == bpf_htons(ETH_P_8021AD)) {
        void *data = (void *)(long)skb->data, *data_end = (void *)(long)skb->data_end;
        if (data + ETH_HLEN + 4 > data_end) return TC_ACT_SHOT;
        __u16 tci = bpf_ntohs(*(__u16 *)(data + ETH_HLEN));
        if (bpf_skb_vlan_pop(skb)) return TC_ACT_SHOT;
        __u32 vid = tci & 0x0fff;
        __u64 *n = bpf_map_lookup_elem(&per_vlan, &vid);
        if (n) __sync_fetch_and_add(n, 1);
        skb->cb[0] = vid;
        skb->cb[1] = skb->len;
        skb->cb[2] = skb->protocol;
        return TC_ACT_OK;
    }
    if (skb->protocol != bpf_htons(ETH_P_IP)) return TC_ACT_UNSPEC;
    if (bpf_skb_vlan_push(skb, bpf_htons(ETH_P_8021Q), 100)) return TC_ACT_SHOT;
    skb->cb[0] = skb->vlan_tci;
    skb->cb[1] = skb->vlan_present;
    return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
