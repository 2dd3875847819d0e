// Read-only data the verifier relies on (issue 12, class 2): `index_limit`
// lives in .rodata, so the verifier folds it to the constant 3 and accepts
// table[index_limit] on the stack. If the host could write .rodata after the
// load (e.g. index_limit = 1000), the same instruction would read far outside
// the 32-byte table. .rodata is frozen at load, so every host write is refused.
// Maps declared BPF_F_RDONLY_PROG (settings, pending) are frozen the same way.
//   hook/read_table:   returns table[index_limit] = 40
//   hook/read_setting: returns settings[0] (0: nothing can ever write it)
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

const volatile __u32 index_limit = 3;

SEC("hook/read_table")
__s64 read_table(void *buf, __u64 len)
{
    volatile __u64 table[4] = {10, 20, 30, 40};
    __u32 i = index_limit;
    return table[i];
}

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __type(key, __u32);
    __type(value, __u64);
    __uint(max_entries, 2);
    __uint(map_flags, BPF_F_RDONLY_PROG);
} settings SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_QUEUE);
    __type(value, __u64);
    __uint(max_entries, 4);
    __uint(map_flags, BPF_F_RDONLY_PROG);
} pending SEC(".maps");

SEC("hook/read_setting")
__s64 read_setting(void *buf, __u64 len)
{
    __u32 key = 0;
    __u64 *value = bpf_map_lookup_elem(&settings, &key);
    return value ? *value : -1;
}

char LICENSE[] SEC("license") = "GPL";
