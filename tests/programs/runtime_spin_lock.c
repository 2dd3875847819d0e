// bpf_spin_lock under contention (tests/runtime/stress_test.cpp): every run
// adds 1 and 2 to the two counters of one array value with plain (not
// atomic) read-modify-writes under the value's lock; the counters end exact
// only if no two runs were ever inside at once. Returns the first counter as
// this run left it.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct counters {
    struct bpf_spin_lock lock;
    __u32 pad;
    __u64 ones;
    __u64 twos;
};

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, struct counters);
} shared SEC(".maps");

SEC("hook/spin_lock")
int count_locked(void *buffer, __u64 size)
{
    __u32 key = 0;
    __u64 ones;
    struct counters *c = bpf_map_lookup_elem(&shared, &key);
    if (!c) return -1;
    bpf_spin_lock(&c->lock);
    ones = c->ones + 1;
    c->ones = ones;
    c->twos = c->twos + 2;
    bpf_spin_unlock(&c->lock);
    return (int)ones;
}

char LICENSE[] SEC("license") = "GPL";
