// A perf_event program counting samples per CPU and reading the sample
// period, as samples/bpf sampleip and trace_event do.
#include <linux/bpf.h>
#include <linux/bpf_perf_event.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 1024);
    __type(key, __u64);
    __type(value, __u64);
} ips SEC(".maps");

SEC("perf_event")
int sample(struct bpf_perf_event_data *ctx)
{
    __u64 ip = PT_REGS_IP(&ctx->regs), one = 1, *count;

    if (ctx->sample_period < 1000)
        return 0;
    count = bpf_map_lookup_elem(&ips, &ip);
    if (count)
        __sync_fetch_and_add(count, 1);
    else
        bpf_map_update_elem(&ips, &ip, &one, BPF_NOEXIST);
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
