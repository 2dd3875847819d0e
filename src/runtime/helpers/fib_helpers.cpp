// bpf_fib_lookup against the runtime's forwarding table (FibTable,
// runtime.hpp), with Linux's checks, results (BPF_FIB_LKUP_RET_*) and
// outputs (net/core/filter.c bpf_ipv4_fib_lookup / bpf_ipv6_fib_lookup,
// bpf_xdp_fib_lookup, bpf_skb_fib_lookup). The routing-table selectors
// (BPF_FIB_LOOKUP_DIRECT, TBID, MARK, OUTPUT) are accepted and the one table
// is used; forwarding counts as enabled on every device.
#include <sys/socket.h>

#include <cerrno>

#include "ebpf/runtime.hpp"
#include "helper_registry.hpp"

namespace ebpf::runtime_detail {
namespace {

// struct bpf_fib_lookup (uapi bpf.h), 64 bytes.
struct FibParams {
    uint8_t family, l4_protocol;
    uint16_t sport, dport;
    uint16_t tot_len;  // out: mtu_result
    uint32_t ifindex;
    uint32_t tos;      // tos / flowinfo; out: rt_metric
    uint8_t src[16];
    uint8_t dst[16];
    uint16_t h_vlan_proto, h_vlan_tci;  // in: tbid
    uint8_t smac[6], dmac[6];           // in: mark (first 4 bytes), then 8 unused
};
static_assert(sizeof(FibParams) == 64);

constexpr uint64_t kLookupDirect = 1, kLookupOutput = 2, kLookupSkipNeigh = 4, kLookupTbid = 8, kLookupSrc = 16,
                   kLookupMark = 32;
enum : uint64_t { kSuccess = 0, kBlackhole = 1, kUnreachable = 2, kProhibit = 3, kNotForwarded = 4,
                  kFragNeeded = 8, kNoNeighbour = 7, kNoSourceAddress = 9 };
constexpr uint32_t kEthHlen = 14, kVlanHlen = 4;

bool prefix_matches(const FibRoute& route, const uint8_t* address) {
    const unsigned whole = route.prefix_len / 8, rest = route.prefix_len % 8;
    if (std::memcmp(route.prefix.data(), address, whole) != 0) return false;
    if (rest == 0) return true;
    const auto mask = static_cast<uint8_t>(0xff << (8 - rest));
    return (route.prefix[whole] & mask) == (address[whole] & mask);
}

const FibRoute* lookup(const FibTable& table, int family, const uint8_t* dst) {
    const FibRoute* best = nullptr;
    for (const FibRoute& route : table.routes) {
        if (route.family != family || !prefix_matches(route, dst)) continue;
        if (!best || route.prefix_len > best->prefix_len ||
            (route.prefix_len == best->prefix_len && route.metric < best->metric))
            best = &route;
    }
    return best;
}

uint64_t fib_lookup(uint64_t ctx, uint64_t params_address, uint64_t plen, uint64_t flags, uint64_t) {
    if (static_cast<int32_t>(plen) < static_cast<int32_t>(sizeof(FibParams))) return from_errno(-EINVAL);
    if (flags & ~(kLookupDirect | kLookupOutput | kLookupSkipNeigh | kLookupTbid | kLookupSrc | kLookupMark))
        return from_errno(-EINVAL);
    const auto* program = static_cast<const LoadedProgram*>(run_state().runtime);
    if (!program) return from_errno(-EINVAL);
    const bool xdp = program->type() == ProgramType::xdp;
    auto* params = as_pointer<FibParams>(params_address);
    const int family = params->family;
    if (family != AF_INET && family != AF_INET6) return from_errno(-EAFNOSUPPORT);
    if (params->ifindex == 0) return from_errno(-ENODEV);
    // XDP always checks the MTU (tot_len 0 passes); tc when tot_len is given,
    // else the packet's own length after a successful lookup.
    const bool check_mtu = xdp || params->tot_len != 0;
    const std::shared_ptr<const FibTable> table = fib_table();
    const FibRoute* route = lookup(*table, family, params->dst);
    if (!route) return kNotForwarded;
    switch (route->kind) {
    case FibRoute::Kind::blackhole: return kBlackhole;
    case FibRoute::Kind::unreachable: return kUnreachable;
    case FibRoute::Kind::prohibit: return kProhibit;
    case FibRoute::Kind::unicast: break;
    }
    const size_t address_size = family == AF_INET ? 4 : 16;
    uint32_t mtu = 0;
    if (check_mtu) {
        mtu = route->mtu;
        if (params->tot_len > mtu) {
            params->tot_len = static_cast<uint16_t>(mtu);  // mtu_result
            return kFragNeeded;
        }
    }
    params->tos = route->metric;  // rt_metric
    params->ifindex = route->ifindex;
    if (flags & kLookupSrc) {
        if (!route->source) return kNoSourceAddress;
        std::memcpy(params->src, route->source->data(), address_size);
    }
    if (route->gateway) std::memcpy(params->dst, route->gateway->data(), address_size);
    std::memcpy(params->smac, route->smac.data(), 6);
    if (!(flags & kLookupSkipNeigh)) {
        if (!route->dmac) return kNoNeighbour;
        std::memcpy(params->dmac, route->dmac->data(), 6);
    }
    params->h_vlan_tci = 0;
    params->h_vlan_proto = 0;
    if (mtu) params->tot_len = static_cast<uint16_t>(mtu);
    if (!xdp && !check_mtu) {
        // is_skb_forwardable: the packet must fit the device's MTU plus its link-layer and a VLAN header.
        const auto& skb = *as_pointer<const SkbRuntimeContext>(ctx);
        params->tot_len = static_cast<uint16_t>(route->mtu);
        if (skb.len > route->mtu + kEthHlen + kVlanHlen) return kFragNeeded;
    }
    return kSuccess;
}

}  // namespace

void register_fib_helpers(HelperTable& table) { table.set(helper_id::fib_lookup, fib_lookup); }

}  // namespace ebpf::runtime_detail
