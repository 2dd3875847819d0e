// A socket-level load balancer in the style of Cilium's connect-time
// translation: a connect() to a service address (VIP and port) is rewritten
// to one of the service's backends, round robin; a service without backends
// refuses the connection; everything else passes unchanged.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define AF_INET 2
#define IPPROTO_TCP 6
#define IPPROTO_UDP 17

struct service_key {
    __u32 vip;   // network order, as user_ip4
    __u32 port;  // network order in the low 16 bits, as user_port
};

struct service {
    __u32 backend_count;
    __u32 first_backend;  // index into backends
    __u32 next;           // round-robin cursor
    __u32 flags;
};

struct backend {
    __u32 ip;
    __u32 port;
};

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 64);
    __type(key, struct service_key);
    __type(value, struct service);
} services SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 16);
    __type(key, __u32);
    __type(value, struct backend);
} backends SEC(".maps");

enum { STAT_TRANSLATED, STAT_NO_BACKEND, STAT_MAX };

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, STAT_MAX);
    __type(key, __u32);
    __type(value, __u64);
} lb_stats SEC(".maps");

static __always_inline void count(__u32 which)
{
    __u64 *counter = bpf_map_lookup_elem(&lb_stats, &which);
    if (counter)
        *counter += 1;
}

SEC("cgroup/connect4")
int sock4_connect(struct bpf_sock_addr *ctx)
{
    if (ctx->user_family != AF_INET)
        return 1;
    if (ctx->protocol != IPPROTO_TCP && ctx->protocol != IPPROTO_UDP)
        return 1;

    struct service_key key = { .vip = ctx->user_ip4, .port = ctx->user_port };
    struct service *svc = bpf_map_lookup_elem(&services, &key);
    if (!svc)
        return 1;
    if (svc->backend_count == 0) {
        count(STAT_NO_BACKEND);
        return 0;
    }
    __u32 slot = svc->next % svc->backend_count;
    svc->next += 1;
    __u32 index = svc->first_backend + slot;
    struct backend *be = bpf_map_lookup_elem(&backends, &index);
    if (!be)
        return 0;
    ctx->user_ip4 = be->ip;
    ctx->user_port = be->port;
    count(STAT_TRANSLATED);
    return 1;
}

char LICENSE[] SEC("license") = "GPL";
