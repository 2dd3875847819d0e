// CO-RE against a target BTF given with --btf (tests/core): a hook program
// reads fields of `struct flow_meta` through preserve_access_index. The
// tests build target BTFs where the struct has another layout (the program
// must then read the target's offsets), hostile ones, and none (the
// relocation cannot be satisfied: this program alone fails, naming
// flow_meta and the field).
#include <linux/bpf.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>

struct flow_meta {
    __u32 cookie;
    __u16 port;
    __u8 proto;
    __u8 vlan;  /* not in the test targets: bpf_core_field_exists() is 0 */
} __attribute__((preserve_access_index));

SEC("hook/flow_meta")
__s64 read_flow_meta(void *buf, __u64 len)
{
    struct flow_meta *m = buf;
    if (len < 64)
        return -1;
    __s64 result = ((__s64)m->port << 8) | m->proto;
    result |= (__s64)bpf_core_field_exists(m->vlan) << 24;
    result |= (__s64)bpf_core_type_size(struct flow_meta) << 32;
    return result;
}

char LICENSE[] SEC("license") = "GPL";
