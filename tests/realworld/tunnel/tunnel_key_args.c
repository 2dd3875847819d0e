// bpf_skb_{get,set}_tunnel_{key,opt} with the arguments a careless or hostile
// program passes: every struct bpf_tunnel_key size Linux takes (the full key
// and the older layouts ending before remote_ipv6[1], tunnel_ext,
// tunnel_label and local_ipv4) and some it refuses, unknown flags, a key of
// the wrong family, tunnel_ext and an IPv4 tunnel_label set, options of odd
// and oversized lengths and buffers too short for them, a get before any set.
// Each result lands in the `results` array (the return value and what the
// helper wrote), so every mode is compared with the kernel call by call.
// Learnt from the kernel's selftests (test_tunnel_kern.c), our own code.
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

#ifndef BPF_F_NO_TUNNEL_KEY
#define BPF_F_NO_TUNNEL_KEY (1ULL << 4)
#endif

struct result {
    __s64 ret;
    __u8 out[48];
};

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 64);
    __type(key, __u32);
    __type(value, struct result);
} results SEC(".maps");

static __always_inline struct result *slot(__u32 index) { return bpf_map_lookup_elem(&results, &index); }

#define GET_KEY(i, size, flags)                                                       \
    do {                                                                              \
        struct result *r = slot(i);                                                   \
        if (!r) return TC_ACT_SHOT;                                                   \
        r->ret = bpf_skb_get_tunnel_key(skb, (void *)r->out, size, flags);            \
    } while (0)
#define GET_OPT(i, size)                                                              \
    do {                                                                              \
        struct result *r = slot(i);                                                   \
        if (!r) return TC_ACT_SHOT;                                                   \
        r->ret = bpf_skb_get_tunnel_opt(skb, r->out, size);                           \
    } while (0)
#define SET(i, call)                                                                  \
    do {                                                                              \
        struct result *r = slot(i);                                                   \
        if (!r) return TC_ACT_SHOT;                                                   \
        r->ret = call;                                                                \
    } while (0)

SEC("tc")
int tunnel_key_args(struct __sk_buff *skb) {
    struct bpf_tunnel_key key = {};
    __u8 options[256] = {1, 2, 3, 4, 5, 6, 7, 8};

    // Nothing set yet: no tunnel metadata.
    GET_KEY(0, sizeof(key), 0);
    GET_OPT(1, 8);
    SET(2, bpf_skb_set_tunnel_opt(skb, options, 8));

    key.tunnel_id = 0x11223344;
    key.remote_ipv4 = 0x0a000001;
    key.local_ipv4 = 0x0a000002;
    key.tunnel_tos = 0x10;
    key.tunnel_ttl = 64;
    SET(3, bpf_skb_set_tunnel_key(skb, &key, sizeof(key), 0));
    GET_KEY(4, sizeof(key), 0);
    GET_KEY(5, sizeof(key), BPF_F_TUNINFO_FLAGS);
    GET_KEY(6, sizeof(key), BPF_F_TUNINFO_IPV6);  // the wrong family
    GET_KEY(7, 8, 0);                             // the older layouts
    GET_KEY(8, 22, 0);
    GET_KEY(9, 24, 0);
    GET_KEY(10, 28, 0);
    GET_KEY(11, 12, 0);  // no layout ends there
    GET_KEY(12, 40, 0);
    GET_KEY(13, sizeof(key), 1ULL << 5);
    GET_KEY(14, 22, BPF_F_TUNINFO_FLAGS);
    GET_KEY(15, 24, BPF_F_TUNINFO_FLAGS);

    GET_OPT(16, 8);  // a key but no options
    SET(17, bpf_skb_set_tunnel_opt(skb, options, 3));
    SET(18, bpf_skb_set_tunnel_opt(skb, options, 256));
    SET(19, bpf_skb_set_tunnel_opt(skb, options, 8));
    GET_OPT(20, 4);  // too short for them
    GET_OPT(21, 16);
    GET_KEY(22, sizeof(key), BPF_F_TUNINFO_FLAGS);  // the option-type bits
    SET(23, bpf_skb_set_tunnel_opt(skb, options, 4));
    GET_OPT(24, 16);
    SET(25, bpf_skb_set_tunnel_opt(skb, options, 252));
    GET_OPT(26, 8);

    key.tunnel_ext = 1;
    SET(27, bpf_skb_set_tunnel_key(skb, &key, sizeof(key), 0));
    key.tunnel_ext = 0;
    key.tunnel_label = 5;  // a flow label on an IPv4 key
    SET(28, bpf_skb_set_tunnel_key(skb, &key, sizeof(key), 0));
    key.tunnel_label = 0;
    SET(29, bpf_skb_set_tunnel_key(skb, &key, sizeof(key), 1ULL << 5));
    SET(30, bpf_skb_set_tunnel_key(skb, &key, 12, 0));
    GET_OPT(31, 16);  // failed sets leave the options
    SET(32, bpf_skb_set_tunnel_key(skb, &key, sizeof(key),
                                   BPF_F_ZERO_CSUM_TX | BPF_F_DONT_FRAGMENT | BPF_F_SEQ_NUMBER | BPF_F_NO_TUNNEL_KEY));
    GET_KEY(33, sizeof(key), BPF_F_TUNINFO_FLAGS);
    GET_OPT(34, 16);  // a new key drops them
    SET(35, bpf_skb_set_tunnel_key(skb, &key, 8, 0));
    GET_KEY(36, sizeof(key), 0);
    key.tunnel_label = 5;
    SET(37, bpf_skb_set_tunnel_key(skb, &key, 24, 0));  // the label lies past the layout
    SET(38, bpf_skb_set_tunnel_key(skb, &key, 28, 0));
    key.tunnel_label = 0;
    SET(39, bpf_skb_set_tunnel_key(skb, &key, 28, 0));
    GET_KEY(40, sizeof(key), 0);

    struct bpf_tunnel_key key6 = {};
    key6.tunnel_id = 0xabcdef01;
    key6.remote_ipv6[0] = 0x20010db8;
    key6.remote_ipv6[3] = 1;
    key6.local_ipv6[0] = 0x20010db8;
    key6.local_ipv6[3] = 2;
    key6.tunnel_label = 0xfff12345;  // more than a flow label's 20 bits
    key6.tunnel_ttl = 7;
    SET(41, bpf_skb_set_tunnel_key(skb, &key6, sizeof(key6), BPF_F_TUNINFO_IPV6));
    GET_KEY(42, sizeof(key6), BPF_F_TUNINFO_IPV6);
    GET_KEY(43, sizeof(key6), 0);
    GET_KEY(44, 8, BPF_F_TUNINFO_IPV6);  // the IPv4-only layout
    GET_KEY(45, 28, BPF_F_TUNINFO_IPV6 | BPF_F_TUNINFO_FLAGS);
    SET(46, bpf_skb_set_tunnel_key(skb, &key6, 8, BPF_F_TUNINFO_IPV6));
    GET_KEY(47, sizeof(key6), BPF_F_TUNINFO_IPV6);
    GET_KEY(48, 24, BPF_F_TUNINFO_IPV6);
    return TC_ACT_OK;
}

char _license[] SEC("license") = "GPL";
