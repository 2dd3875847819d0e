// The extension the example host loads: a per-client rate limiter. The host
// calls the "request" hook with {u32 client; u32 size}; the program counts
// requests per client in a hash map and allows (1) the first three, denies (0)
// the rest.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct request {
    __u32 client;
    __u32 size;
};

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __type(key, __u32);
    __type(value, __u64);
    __uint(max_entries, 1024);
} requests SEC(".maps");

const volatile __u64 limit = 3;

SEC("hook/request")
__s64 rate_limit(struct request *req, __u64 len)
{
    if (len < sizeof(*req))
        return 0;
    __u32 client = req->client;
    __u64 one = 1;
    __u64 *count = bpf_map_lookup_elem(&requests, &client);
    if (!count) {
        bpf_map_update_elem(&requests, &client, &one, BPF_NOEXIST);
        return 1;
    }
    __sync_fetch_and_add(count, 1);
    return *count <= limit;
}

char LICENSE[] SEC("license") = "GPL";
