// The bind/connect shim's test policy (tests/hooks):
//   bind4/bind6: deny (0) binding to port 4242 (HOOKS_DENIED_PORT); allow (1) others.
//   connect4:    deny connections to 127.0.0.1:4242; every other connection
//                to 127.0.0.1 is rewritten to the next port (port + 1), so a
//                test listening on port L reaches it by connecting to L - 1.
//   connect6:    deny connections to port 4242, and any call whose socket is
//                not AF_INET6; port 7 is rewritten to type * 1000 + protocol
//                (SOCK_STREAM/TCP: 1006), so a test can see the context's
//                socket fields; allow others unchanged.
// user_port holds the port in network byte order, as in Linux.
#include <linux/bpf.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#define AF_INET 2
#define AF_INET6 10
#define HOOKS_DENIED_PORT 4242

SEC("cgroup/bind4")
int deny_port_bind4(struct bpf_sock_addr *ctx)
{
    if (ctx->user_family == AF_INET && ctx->user_port == bpf_htons(HOOKS_DENIED_PORT))
        return 0;
    return 1;
}

SEC("cgroup/bind6")
int deny_port_bind6(struct bpf_sock_addr *ctx)
{
    if (ctx->user_family == AF_INET6 && ctx->user_port == bpf_htons(HOOKS_DENIED_PORT))
        return 0;
    return 1;
}

SEC("cgroup/connect4")
int next_port_connect4(struct bpf_sock_addr *ctx)
{
    if (ctx->user_ip4 != bpf_htonl(0x7f000001))
        return 1;
    __u16 port = bpf_ntohs((__u16)ctx->user_port);
    if (port == HOOKS_DENIED_PORT)
        return 0;
    ctx->user_port = bpf_htons((__u16)(port + 1));
    return 1;
}

SEC("cgroup/connect6")
int socket_fields_connect6(struct bpf_sock_addr *ctx)
{
    if (ctx->family != AF_INET6 || ctx->user_port == bpf_htons(HOOKS_DENIED_PORT))
        return 0;
    if (ctx->user_port == bpf_htons(7))
        ctx->user_port = bpf_htons((__u16)(ctx->type * 1000 + ctx->protocol));
    return 1;
}

char LICENSE[] SEC("license") = "GPL";
