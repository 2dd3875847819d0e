// An lwt_in program dropping short packets after reading the IP version
// byte, as samples/bpf test_lwt_bpf does.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("lwt_in")
int lwt_filter(struct __sk_buff *skb)
{
    __u8 *data = (void *)(long)skb->data, *data_end = (void *)(long)skb->data_end;

    if (data + 20 > data_end)
        return BPF_DROP;
    return (data[0] >> 4) == 4 ? BPF_OK : BPF_DROP;
}

char LICENSE[] SEC("license") = "GPL";
