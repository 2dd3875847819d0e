// Every map type we support, declared in BTF style in ".maps", each used by a
// hook/... program (r1 = byte buffer, r2 = its length). Several programs in
// one object. Each program reads a u32 "key" from the first 4 bytes of the
// buffer (returns -1 when the buffer is shorter) and returns what it says.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __type(key, __u32);
    __type(value, __u64);
    __uint(max_entries, 1024);
} hash_map SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __type(key, __u32);
    __type(value, __u32);
    __uint(max_entries, 16);
} array_map SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __type(key, __u32);
    __type(value, __u64);
    __uint(max_entries, 4);
} percpu_array_map SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_HASH);
    __type(key, __u32);
    __type(value, __u64);
    __uint(max_entries, 64);
} percpu_hash_map SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_LRU_HASH);
    __type(key, __u64);
    __type(value, __u32);
    __uint(max_entries, 8);
} lru_map SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_RINGBUF);
    __uint(max_entries, 4096);
} events SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_QUEUE);
    __type(value, __u32);
    __uint(max_entries, 32);
} queue_map SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_STACK);
    __type(value, __u32);
    __uint(max_entries, 32);
} stack_map SEC(".maps");

struct ipv4_lpm_key {
    __u32 prefixlen;
    __u32 addr;
};

struct {
    __uint(type, BPF_MAP_TYPE_LPM_TRIE);
    __type(key, struct ipv4_lpm_key);
    __type(value, __u32);
    __uint(map_flags, BPF_F_NO_PREALLOC);
    __uint(max_entries, 128);
} lpm_map SEC(".maps");

struct inner_array {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __type(key, __u32);
    __type(value, __u32);
    __uint(max_entries, 4);
} inner_a SEC(".maps"), inner_b SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
    __type(key, __u32);
    __uint(max_entries, 2);
    __array(values, struct inner_array);
} outer_array SEC(".maps") = {
    .values = {[0] = &inner_a, [1] = &inner_b},
};

struct {
    __uint(type, BPF_MAP_TYPE_HASH_OF_MAPS);
    __type(key, __u32);
    __uint(max_entries, 8);
    __array(values, struct {
        __uint(type, BPF_MAP_TYPE_HASH);
        __type(key, __u32);
        __type(value, __u64);
        __uint(max_entries, 16);
    });
} outer_hash SEC(".maps");

static __always_inline int read_key(void *buf, __u64 len, __u32 *key)
{
    if (len < sizeof(__u32))
        return -1;
    *key = *(__u32 *)buf;
    return 0;
}

// hash: increments hash_map[key] (inserting 1 when absent); returns the new count.
SEC("hook/hash")
__s64 use_hash(void *buf, __u64 len)
{
    __u32 key;
    if (read_key(buf, len, &key))
        return -1;
    __u64 *value = bpf_map_lookup_elem(&hash_map, &key);
    if (value) {
        *value += 1;
        return *value;
    }
    __u64 one = 1;
    bpf_map_update_elem(&hash_map, &key, &one, BPF_NOEXIST);
    return 1;
}

// array: stores key*2 at index key % 16, returns what it reads back.
SEC("hook/array")
__s64 use_array(void *buf, __u64 len)
{
    __u32 key;
    if (read_key(buf, len, &key))
        return -1;
    __u32 index = key % 16;
    __u32 doubled = key * 2;
    bpf_map_update_elem(&array_map, &index, &doubled, BPF_ANY);
    __u32 *value = bpf_map_lookup_elem(&array_map, &index);
    return value ? *value : -2;
}

// percpu array and hash: adds key to slot 0 of both; returns 0.
SEC("hook/percpu")
__s64 use_percpu(void *buf, __u64 len)
{
    __u32 key, zero = 0;
    if (read_key(buf, len, &key))
        return -1;
    __u64 *slot = bpf_map_lookup_elem(&percpu_array_map, &zero);
    if (slot)
        *slot += key;
    __u64 *hslot = bpf_map_lookup_elem(&percpu_hash_map, &zero);
    if (hslot) {
        *hslot += key;
    } else {
        __u64 initial = key;
        bpf_map_update_elem(&percpu_hash_map, &zero, &initial, BPF_ANY);
    }
    return 0;
}

// lru: records key -> len; returns 1 when key was already present.
SEC("hook/lru")
__s64 use_lru(void *buf, __u64 len)
{
    __u32 key;
    if (read_key(buf, len, &key))
        return -1;
    __u64 lkey = key;
    int present = bpf_map_lookup_elem(&lru_map, &lkey) != 0;
    __u32 value = (__u32)len;
    bpf_map_update_elem(&lru_map, &lkey, &value, BPF_ANY);
    return present;
}

struct event {
    __u32 key;
    __u32 len;
};

// ringbuf: emits {key, len}; returns 0, or 1 when the ring buffer is full.
SEC("hook/ringbuf")
__s64 use_ringbuf(void *buf, __u64 len)
{
    __u32 key;
    if (read_key(buf, len, &key))
        return -1;
    struct event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
    if (!e)
        return 1;
    e->key = key;
    e->len = (__u32)len;
    bpf_ringbuf_submit(e, 0);
    return 0;
}

// queue and stack: pushes key to both, pops one from each; returns
// (queue head << 32) | stack top, i.e. the oldest and the newest value.
SEC("hook/queue_stack")
__s64 use_queue_stack(void *buf, __u64 len)
{
    __u32 key, from_queue = 0, from_stack = 0;
    if (read_key(buf, len, &key))
        return -1;
    bpf_map_push_elem(&queue_map, &key, BPF_ANY);
    bpf_map_push_elem(&stack_map, &key, BPF_ANY);
    bpf_map_pop_elem(&queue_map, &from_queue);
    bpf_map_pop_elem(&stack_map, &from_stack);
    return ((__u64)from_queue << 32) | from_stack;
}

// lpm: longest-prefix match of key (an IPv4 address, network order) in
// lpm_map; returns the value or -2 when nothing matches.
SEC("hook/lpm")
__s64 use_lpm(void *buf, __u64 len)
{
    __u32 key;
    if (read_key(buf, len, &key))
        return -1;
    struct ipv4_lpm_key lpm_key = {.prefixlen = 32, .addr = key};
    __u32 *value = bpf_map_lookup_elem(&lpm_map, &lpm_key);
    return value ? *value : -2;
}

// map in map: looks up outer_array[key & 1], then its element 0; and
// outer_hash[key] element key. Returns the first value found or -2.
SEC("hook/map_in_map")
__s64 use_map_in_map(void *buf, __u64 len)
{
    __u32 key, zero = 0;
    if (read_key(buf, len, &key))
        return -1;
    __u32 outer_key = key & 1;
    void *inner = bpf_map_lookup_elem(&outer_array, &outer_key);
    if (inner) {
        __u32 *value = bpf_map_lookup_elem(inner, &zero);
        if (value)
            return *value;
    }
    void *inner_hash = bpf_map_lookup_elem(&outer_hash, &key);
    if (inner_hash) {
        __u64 *value = bpf_map_lookup_elem(inner_hash, &key);
        if (value)
            return *value;
    }
    return -2;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
