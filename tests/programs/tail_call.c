// prog_array and bpf_tail_call: "hook/dispatch" reads a u32 index from the
// buffer and tail-calls jump_table[index]. Slots 0 and 1 are filled statically
// (libbpf's `.values` initialisation) with the programs "hook/tail_zero"
// (returns 100) and "hook/tail_one" (returns 101). When the index is out of
// range or the slot is empty, the tail call falls through and dispatch
// returns -1; a buffer shorter than 4 bytes returns -2.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("hook/tail_zero")
__s64 tail_zero(void *buf, __u64 len)
{
    return 100;
}

SEC("hook/tail_one")
__s64 tail_one(void *buf, __u64 len)
{
    return 101;
}

struct {
    __uint(type, BPF_MAP_TYPE_PROG_ARRAY);
    __uint(max_entries, 4);
    __type(key, __u32);
    __array(values, __s64(void *, __u64));
} jump_table SEC(".maps") = {
    .values = {[0] = (void *)&tail_zero, [1] = (void *)&tail_one},
};

SEC("hook/dispatch")
__s64 dispatch(void *buf, __u64 len)
{
    if (len < sizeof(__u32))
        return -2;
    __u32 index = *(__u32 *)buf;
    bpf_tail_call(buf, &jump_table, index);
    return -1;
}

char LICENSE[] SEC("license") = "GPL";
