// An embedding host's request hook, as a proxy would use one: the buffer
// (r1, its length in r2) is an 8-byte verdict header the host zeroes, then
// the first bytes of an HTTP/1.x request line. The program counts requests
// per method, writes the upstream pool and the method into the header and
// returns the pool: 1 for reads, 2 for writes, 0 to reject an unknown method
// or a short buffer.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

enum { M_GET, M_HEAD, M_POST, M_PUT, M_DELETE, M_OTHER, M_COUNT };

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, M_COUNT);
    __type(key, __u32);
    __type(value, __u64);
} requests_by_method SEC(".maps");

static __always_inline int starts(const __u8 *buf, const char *word, int n)
{
    for (int i = 0; i < n; i++)
        if (buf[i] != (__u8)word[i])
            return 0;
    return 1;
}

SEC("hook/http_request")
__u64 route_request(__u8 *buf, __u64 len)
{
    __u32 method = M_OTHER;
    if (len < 16 || len > 4096)
        return 0;
    __u8 *header = buf;
    buf += 8;
    if (starts(buf, "GET ", 4))
        method = M_GET;
    else if (starts(buf, "HEAD ", 5))
        method = M_HEAD;
    else if (starts(buf, "POST ", 5))
        method = M_POST;
    else if (starts(buf, "PUT ", 4))
        method = M_PUT;
    else if (starts(buf, "DELETE ", 7))
        method = M_DELETE;

    __u64 *counter = bpf_map_lookup_elem(&requests_by_method, &method);
    if (counter)
        __sync_fetch_and_add(counter, 1);

    __u64 pool = method <= M_HEAD ? 1 : method == M_OTHER ? 0 : 2;
    header[0] = (__u8)pool;
    header[1] = (__u8)method;
    return pool;
}

char LICENSE[] SEC("license") = "GPL";
