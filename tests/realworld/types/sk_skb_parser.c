// sk_skb stream parser returning the message length, as the sockmap samples do.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("sk_skb/stream_parser")
int parser(struct __sk_buff *skb)
{
    return skb->len;
}

char LICENSE[] SEC("license") = "GPL";
