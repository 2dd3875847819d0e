// hook/... programs over a byte buffer (the embedding API): r1 points to the
// host's buffer and r2 holds its length.
//   hook/checksum: 16-bit one's-complement-style sum of the first
//                  min(len, 64) bytes (bounded loop), returned as u32.
//   hook/header:   reads a fixed 8-byte header {u32 magic; u16 version;
//                  u16 flags}; returns version when magic == 0xEB9F0001,
//                  -1 when the buffer is shorter than 8 bytes, -2 on a bad magic.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define MAX_BYTES 64

SEC("hook/checksum")
__u64 checksum(__u8 *buf, __u64 len)
{
    __u32 sum = 0;
    for (__u32 i = 0; i < MAX_BYTES; i++) {
        if (i >= len)
            break;
        sum += buf[i];
        sum = (sum & 0xffff) + (sum >> 16);
    }
    return sum;
}

struct header {
    __u32 magic;
    __u16 version;
    __u16 flags;
};

SEC("hook/header")
__s64 header_version(struct header *hdr, __u64 len)
{
    if (len < sizeof(struct header))
        return -1;
    if (hdr->magic != 0xEB9F0001)
        return -2;
    return hdr->version;
}

char LICENSE[] SEC("license") = "GPL";
