// Global data as libbpf maps it: .rodata (const globals and bpf_printk format
// strings), .data (initialised globals) and .bss (zeroed globals) each become
// a one-entry array map.
//   hook/counter: adds the buffer length to `total_bytes` (.bss), increments
//                 `calls` (.data, starts at 10) and returns
//                 calls * multiplier (.rodata, 3) + total_bytes.
//                 First call with a 5-byte buffer returns 11*3 + 5 = 38.
//   hook/greeting: prints a message with bpf_printk and returns
//                 greeting[len % 8] ('h','e','l','l','o',' ','b','p').
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

const volatile __u64 multiplier = 3;
const char greeting[8] = "hello bp";
__u64 calls = 10;
__u64 total_bytes;
__u32 last_len SEC(".data.stats") = 7;

SEC("hook/counter")
__s64 counter(void *buf, __u64 len)
{
    total_bytes += len;
    calls += 1;
    last_len = (__u32)len;
    return calls * multiplier + total_bytes;
}

SEC("hook/greeting")
__s64 greet(void *buf, __u64 len)
{
    bpf_printk("greeting for %llu bytes", len);
    return greeting[len % 8];
}

char LICENSE[] SEC("license") = "GPL";
