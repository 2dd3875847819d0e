// Two nested bpf_loop calls of 100 iterations each. Every callback adds one
// to a counter, which the program returns: 10,100 callbacks in all, unless
// the run's callback budget (`ebpf run --callback-budget N`,
// set_callback_budget) stops them after N — in every engine alike.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

static long inner(__u32 index, void *counter)
{
    *(__u64 *)counter += 1;
    return 0;
}

static long outer(__u32 index, void *counter)
{
    *(__u64 *)counter += 1;
    bpf_loop(100, inner, counter, 0);
    return 0;
}

SEC("hook/nested_loops")
__u64 nested_loops(void *buf, __u64 len)
{
    __u64 counter = 0;
    bpf_loop(100, outer, &counter, 0);
    return counter;
}

char LICENSE[] SEC("license") = "GPL";
