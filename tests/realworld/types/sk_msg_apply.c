// sk_msg verdict that reads the first bytes of the message and applies a
// byte budget, as the kernel's sockmap samples do.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("sk_msg")
int msg_verdict(struct sk_msg_md *msg)
{
    __u8 *data = msg->data, *data_end = msg->data_end;

    if (data + 4 > data_end)
        return SK_PASS;
    if (data[0] == 'X')
        return SK_DROP;
    bpf_msg_apply_bytes(msg, 1024);
    return SK_PASS;
}

char LICENSE[] SEC("license") = "GPL";
