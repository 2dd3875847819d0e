// A tc egress program for a collect_md tunnel device, the way overlay
// datapaths steer traffic into Geneve/VXLAN tunnels: the inner destination
// picks a remote endpoint from the `remotes` map (its VNI, outer address of
// either family, TTL), the program sets the tunnel key with
// bpf_skb_set_tunnel_key and a Geneve option (a 4-byte policy tag) with
// bpf_skb_set_tunnel_opt, reads both back as the device would, records them
// in `sent`, and redirects the packet to the tunnel device. Destinations
// without a remote pass untouched.
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#define TUNNEL_IFINDEX 1

struct remote {
    __u32 vni;
    __u32 ipv6;  // 1: addr is IPv6
    __u32 addr[4];  // network order
    __u32 ttl;
    __u32 tag;
};

struct geneve_opt {
    __be16 opt_class;
    __u8 type;
    __u8 length;  // of data, in 4-byte words (the low 5 bits)
    __u32 data;
};

struct sent {
    struct bpf_tunnel_key key;  // as bpf_skb_get_tunnel_key reads it back
    __u32 options_length;
    struct geneve_opt opt;
};

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 16);
    __type(key, __u32);  // inner destination, network order
    __type(value, struct remote);
} remotes SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, struct sent);
} sent SEC(".maps");

SEC("tc")
int tc_geneve_encap(struct __sk_buff *skb) {
    void *data = (void *)(long)skb->data, *data_end = (void *)(long)skb->data_end;
    struct ethhdr *eth = data;
    struct iphdr *ip = data + sizeof(*eth);
    if ((void *)(ip + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP)) return TC_ACT_OK;
    __u32 daddr = ip->daddr;
    struct remote *r = bpf_map_lookup_elem(&remotes, &daddr);
    if (!r) return TC_ACT_OK;

    struct bpf_tunnel_key key = {};
    __u64 flags = BPF_F_ZERO_CSUM_TX;
    key.tunnel_id = r->vni;
    key.tunnel_ttl = r->ttl;
    key.tunnel_tos = ip->tos;
    if (r->ipv6) {
        flags |= BPF_F_TUNINFO_IPV6;
        key.remote_ipv6[0] = r->addr[0];
        key.remote_ipv6[1] = r->addr[1];
        key.remote_ipv6[2] = r->addr[2];
        key.remote_ipv6[3] = r->addr[3];
        key.tunnel_label = 0x12345;
    } else {
        key.remote_ipv4 = bpf_ntohl(r->addr[0]);  // host order, as the struct wants it
    }
    if (bpf_skb_set_tunnel_key(skb, &key, sizeof(key), flags) < 0) return TC_ACT_SHOT;
    struct geneve_opt opt = {.opt_class = bpf_htons(0x0102), .type = 0x80, .length = 1, .data = bpf_htonl(r->tag)};
    if (bpf_skb_set_tunnel_opt(skb, &opt, sizeof(opt)) < 0) return TC_ACT_SHOT;

    __u32 zero = 0;
    struct sent *s = bpf_map_lookup_elem(&sent, &zero);
    if (!s) return TC_ACT_SHOT;
    if (bpf_skb_get_tunnel_key(skb, &s->key, sizeof(s->key), (flags & BPF_F_TUNINFO_IPV6) | BPF_F_TUNINFO_FLAGS) < 0)
        return TC_ACT_SHOT;
    long n = bpf_skb_get_tunnel_opt(skb, &s->opt, sizeof(s->opt));
    if (n < 0) return TC_ACT_SHOT;
    s->options_length = n;
    return bpf_redirect(TUNNEL_IFINDEX, 0);
}

char _license[] SEC("license") = "GPL";
