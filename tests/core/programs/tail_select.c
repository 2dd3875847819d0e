// A tail-call chain for selecting one program from its middle (tests/core):
// stage_a -> stage_b -> stage_c -> stage_bad, each through its own prog
// array, each counting its run in ran[i]. stage_bad needs an extern
// (__ksym) we cannot resolve, so it cannot load: loading stage_b must load
// stage_c too (not stage_a), leave stage_bad's slot empty with a warning,
// and a run of stage_b counts b and c and returns stage_c's fall-through 30.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 4);
    __type(key, __u32);
    __type(value, __u64);
} ran SEC(".maps");

__s64 stage_b(void *buf, __u64 len);
__s64 stage_c(void *buf, __u64 len);
__s64 stage_bad(void *buf, __u64 len);

#define JUMP_MAP(name, target)                           \
    struct {                                             \
        __uint(type, BPF_MAP_TYPE_PROG_ARRAY);           \
        __uint(max_entries, 1);                          \
        __type(key, __u32);                              \
        __array(values, __s64(void *, __u64));           \
    } name SEC(".maps") = {.values = {[0] = (void *)&target}}

JUMP_MAP(to_b, stage_b);
JUMP_MAP(to_c, stage_c);
JUMP_MAP(to_bad, stage_bad);

extern const int bpf_no_such_kernel_symbol __ksym;

static __always_inline void count(__u32 stage)
{
    __u64 *n = bpf_map_lookup_elem(&ran, &stage);
    if (n)
        *n += 1;
}

SEC("hook/stage_a")
__s64 stage_a(void *buf, __u64 len)
{
    count(0);
    bpf_tail_call(buf, &to_b, 0);
    return 10;
}

SEC("hook/stage_b")
__s64 stage_b(void *buf, __u64 len)
{
    count(1);
    bpf_tail_call(buf, &to_c, 0);
    return 20;
}

SEC("hook/stage_c")
__s64 stage_c(void *buf, __u64 len)
{
    count(2);
    bpf_tail_call(buf, &to_bad, 0);
    return 30;
}

SEC("hook/stage_bad")
__s64 stage_bad(void *buf, __u64 len)
{
    count(3);
    return (__s64)(long)&bpf_no_such_kernel_symbol;
}

char LICENSE[] SEC("license") = "GPL";
