// Tunnel metadata as overlay datapaths (Cilium's bpf_overlay/bpf_lxc, the
// kernel's tc_l2_redirect sample, OVS) use it: on ingress, ask which tunnel
// the frame came through (bpf_skb_get_tunnel_key); for IPv4 frames, set the
// key a tunnel device would encapsulate them with (bpf_skb_set_tunnel_key).
// A test run's frame comes through no tunnel: the get fails (-EINVAL) and
// zeroes the key; the set's flags and size are checked as Linux does, and
// tunnel options likewise. Each result goes to slot i of `results`.
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 8);
    __type(key, __u32);
    __type(value, __u32);
} results SEC(".maps");

static void record(__u32 slot, __u32 value) {
    __u32 *r = bpf_map_lookup_elem(&results, &slot);
    if (r) *r = value;
}

SEC("tc")
int tc_tunnel_key(struct __sk_buff *skb) {
    struct bpf_tunnel_key key;
    __builtin_memset(&key, 0xab, sizeof key);
    long got = bpf_skb_get_tunnel_key(skb, &key, sizeof key, 0);
    record(0, (__u32)got);
    record(1, key.tunnel_id | key.remote_ipv4);  /* zeroed on failure */
    if (skb->protocol != bpf_htons(ETH_P_IP)) return TC_ACT_UNSPEC;
    __builtin_memset(&key, 0, sizeof key);
    key.tunnel_id = 42;
    key.remote_ipv4 = 0x0a000063;
    key.tunnel_ttl = 64;
    record(2, (__u32)bpf_skb_set_tunnel_key(skb, &key, sizeof key, BPF_F_ZERO_CSUM_TX));
    key.tunnel_label = 7;  /* a flow label needs BPF_F_TUNINFO_IPV6 */
    record(3, (__u32)bpf_skb_set_tunnel_key(skb, &key, sizeof key, 0));
    record(4, (__u32)bpf_skb_set_tunnel_key(skb, &key, 12, BPF_F_TUNINFO_IPV6));  /* no such size */
    /* Geneve-style options: none arrived; setting needs the key set above. */
    __u32 opts[2] = {0x01020304, 0x05060708};
    record(5, (__u32)bpf_skb_get_tunnel_opt(skb, opts, sizeof opts));
    opts[0] = 0x0a0b0c0d;
    record(6, (__u32)bpf_skb_set_tunnel_opt(skb, opts, sizeof opts));
    record(7, (__u32)bpf_skb_set_tunnel_opt(skb, opts, 6));  /* not a multiple of 4 */
    return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
