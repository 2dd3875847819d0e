// Read-only data the verifier relies on (issue 12, class 2): `index_limit`
// lives in .rodata, so the verifier folds it to the constant 3 and accepts
// table[index_limit] on the stack. If the host could write .rodata after the
// load (e.g. index_limit = 1000), the same instruction would read far outside
// the 32-byte table. .rodata is frozen at load, so every host write is refused.
//   hook/read_table: returns table[index_limit] = 40
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

char LICENSE[] SEC("license") = "GPL";
