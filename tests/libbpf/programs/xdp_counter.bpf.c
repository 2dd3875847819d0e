// The eBPF side of the libbpf loader tests: an XDP program that drops packets
// longer than a limit the loader writes into `config`, counts verdicts in
// `counts` and reports each packet on the `events` ring buffer.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, __u32);
} config SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 8);
    __type(key, __u32);
    __type(value, __u64);
} counts SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_RINGBUF);
    __uint(max_entries, 4096);
} events SEC(".maps");

struct event {
    __u32 length;
    __u32 verdict;
};

SEC("xdp")
int count_packets(struct xdp_md *ctx) {
    void *data = (void *)(long)ctx->data;
    void *data_end = (void *)(long)ctx->data_end;
    __u32 length = data_end - data;
    __u32 zero = 0;
    __u32 *limit = bpf_map_lookup_elem(&config, &zero);
    __u32 verdict = limit && *limit && length > *limit ? XDP_DROP : XDP_PASS;

    __u64 one = 1;
    __u64 *count = bpf_map_lookup_elem(&counts, &verdict);
    if (count)
        __sync_fetch_and_add(count, 1);
    else
        bpf_map_update_elem(&counts, &verdict, &one, BPF_NOEXIST);

    struct event *event = bpf_ringbuf_reserve(&events, sizeof(*event), 0);
    if (event) {
        event->length = length;
        event->verdict = verdict;
        bpf_ringbuf_submit(event, 0);
    }
    return verdict;
}

char LICENSE[] SEC("license") = "GPL";
