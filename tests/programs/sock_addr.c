// cgroup/bind4 and cgroup/connect4 over struct bpf_sock_addr.
//   bind4:    deny (return 0) binding to a TCP/UDP port below 1024 other than
//             80 and 443; allow (return 1) everything else.
//   connect4: connections to 10.0.0.1:8080 are rewritten to port 80
//             (user_port is in network byte order); connections to
//             192.0.2.0/24 (TEST-NET-1) are denied; everything else allowed.
#include <linux/bpf.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#define AF_INET 2

SEC("cgroup/bind4")
int bind4_policy(struct bpf_sock_addr *ctx)
{
    if (ctx->user_family != AF_INET)
        return 1;
    __u16 port = bpf_ntohs((__u16)ctx->user_port);
    if (port == 0 || port >= 1024)
        return 1;
    if (port == 80 || port == 443)
        return 1;
    return 0;
}

SEC("cgroup/connect4")
int connect4_policy(struct bpf_sock_addr *ctx)
{
    if (ctx->user_family != AF_INET)
        return 1;
    __u32 ip = bpf_ntohl(ctx->user_ip4);
    if ((ip & 0xffffff00) == 0xc0000200) /* 192.0.2.0/24 */
        return 0;
    if (ip == 0x0a000001 && ctx->user_port == bpf_htons(8080))
        ctx->user_port = bpf_htons(80);
    return 1;
}

char LICENSE[] SEC("license") = "GPL";
