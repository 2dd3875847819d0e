// Untrusted strings in an ELF: the test copies this file to a path with
// `*`, quotes, `??` and a backslash; its section name carries a newline, a
// comment end, quotes, a trigraph and an #error directive.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, __u64);
} evil_map SEC(".maps");

SEC("hook/x*/\n#error injected via section\n\"??/")
__u64 evil_prog(void *buf, __u64 len) { /* */ return len + 1; } // */ #error "x" \

char LICENSE[] SEC("license") = "GPL";
