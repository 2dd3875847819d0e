// bpf_redirect, bpf_redirect_map, bpf_clone_redirect and bpf_perf_event_output
// / bpf_xdp_output, with Linux's semantics per program type. The redirect
// helpers only record the target (redirect_state.cpp); the host carries it out
// when the program returns XDP_REDIRECT (TC_ACT_REDIRECT).
#include <cerrno>

#include "../maps/map_types.hpp"
#include "../redirect_state.hpp"
#include "ebpf/runtime.hpp"
#include "helper_registry.hpp"

namespace ebpf::runtime_detail {
namespace {

constexpr uint64_t kXdpAborted = 0, kXdpRedirect = 4;
constexpr uint64_t kTcActShot = 2, kTcActRedirect = 7;
constexpr uint64_t kXdpActionMask = 3;  // XDP_ABORTED | XDP_DROP | XDP_PASS | XDP_TX: the fallback of redirect_map
constexpr uint64_t kIndexMask = 0xffffffffULL;           // BPF_F_INDEX_MASK
constexpr uint64_t kCurrentCpu = 0xffffffffULL;          // BPF_F_CURRENT_CPU
constexpr uint64_t kCtxLenMask = 0xfffffULL << 32;       // BPF_F_CTXLEN_MASK

// The type of the program running on this thread (the context's layout).
ProgramType running_type() {
    const auto* program = static_cast<const LoadedProgram*>(run_state().runtime);
    return program ? program->type() : ProgramType::xdp;
}

// The packet of the running program's context, for helpers that copy it.
std::optional<std::span<const uint8_t>> context_packet(uint64_t ctx) {
    const ProgramType type = running_type();
    if (type == ProgramType::xdp) {
        const auto* xdp = as_pointer<const XdpRuntimeContext>(ctx);
        return std::span<const uint8_t>(as_pointer<const uint8_t>(xdp->data), xdp->data_end - xdp->data);
    }
    if (type == ProgramType::sched_cls || type == ProgramType::sched_act || type == ProgramType::socket_filter) {
        const auto* skb = as_pointer<const SkbRuntimeContext>(ctx);
        return std::span<const uint8_t>(as_pointer<const uint8_t>(skb->data), skb->data_end - skb->data);
    }
    return std::nullopt;
}

uint64_t redirect(uint64_t ifindex, uint64_t flags, uint64_t, uint64_t, uint64_t) {
    RedirectTarget& target = redirect_slot();
    if (running_type() == ProgramType::xdp) {
        if (flags != 0) return kXdpAborted;
        target = RedirectTarget{RedirectTarget::Kind::ifindex, static_cast<uint32_t>(ifindex), nullptr, 0};
        return kXdpRedirect;
    }
    if (flags & ~kRedirectIngress) return kTcActShot;
    target = RedirectTarget{RedirectTarget::Kind::ifindex, static_cast<uint32_t>(ifindex), nullptr, flags};
    return kTcActRedirect;
}

// tc only (Linux's tc_cls_act_func_proto): any flag, or a next-hop
// description shorter than struct bpf_redir_neigh, drops the packet.
uint64_t redirect_neigh(uint64_t ifindex, uint64_t params, uint64_t params_size, uint64_t flags, uint64_t) {
    constexpr uint64_t kRedirNeighSize = 20;  // struct bpf_redir_neigh: nh_family + a 16-byte address
    if (flags != 0 || (params_size != 0 && params_size < kRedirNeighSize)) return kTcActShot;
    redirect_slot() = RedirectTarget{RedirectTarget::Kind::ifindex, static_cast<uint32_t>(ifindex), nullptr, kRedirectNeigh};
    (void)params;  // the next hop would only matter to a neighbour table, which user mode has not
    return kTcActRedirect;
}

uint64_t redirect_peer(uint64_t ifindex, uint64_t flags, uint64_t, uint64_t, uint64_t) {
    if (flags != 0) return kTcActShot;
    redirect_slot() = RedirectTarget{RedirectTarget::Kind::ifindex, static_cast<uint32_t>(ifindex), nullptr, kRedirectPeer};
    return kTcActRedirect;
}

uint64_t redirect_map(uint64_t map_address, uint64_t key, uint64_t flags, uint64_t, uint64_t) {
    Map* map = as_pointer<Map>(map_address);
    const uint64_t allowed = kXdpActionMask | (map->type() == MapType::devmap || map->type() == MapType::devmap_hash
                                                   ? kRedirectBroadcast | kRedirectExcludeIngress
                                                   : 0);
    if (flags & ~allowed) return kXdpAborted;
    RedirectTarget& target = redirect_slot();
    const auto index = static_cast<uint32_t>(key);  // Linux's lookups take a u32
    const bool broadcast = (flags & kRedirectBroadcast) != 0;
    if (!broadcast && !redirect_entry(*map, index)) {
        target = RedirectTarget{};  // the last call wins, a failed one too
        return flags & kXdpActionMask;
    }
    target = RedirectTarget{RedirectTarget::Kind::map, index, find_map_by_id(map->id()), broadcast ? flags : 0};
    return kXdpRedirect;
}

uint64_t clone_redirect(uint64_t ctx, uint64_t ifindex, uint64_t flags, uint64_t, uint64_t) {
    if (flags & ~kRedirectIngress) return from_errno(-EINVAL);
    if (!device_exists(static_cast<uint32_t>(ifindex))) return from_errno(-EINVAL);
    auto packet = context_packet(ctx);
    if (!packet) return from_errno(-EOPNOTSUPP);
    if (cloned_frames_full()) return from_errno(-ENOMEM);
    add_cloned_frame(ClonedFrame{static_cast<uint32_t>(ifindex), flags, std::vector<uint8_t>(packet->begin(), packet->end())});
    return 0;
}

// bpf_perf_event_output and bpf_xdp_output: a sample of `size` bytes at
// `data`, followed by the first (flags >> 32) bytes of the packet.
uint64_t perf_event_output(uint64_t ctx, uint64_t map_address, uint64_t flags, uint64_t data, uint64_t size) {
    auto* perf = dynamic_cast<PerfEventArrayMap*>(as_pointer<Map>(map_address));
    if (!perf) return from_errno(-EINVAL);
    if (flags & ~(kIndexMask | kCtxLenMask)) return from_errno(-EINVAL);
    const uint64_t packet_bytes = (flags & kCtxLenMask) >> 32;
    std::span<const uint8_t> tail;
    if (packet_bytes) {
        auto packet = context_packet(ctx);
        if (!packet) return from_errno(-EOPNOTSUPP);
        if (packet_bytes > packet->size()) return from_errno(-EFAULT);
        tail = packet->first(packet_bytes);
    }
    uint64_t index = flags & kIndexMask;
    if (index == kCurrentCpu) index = current_cpu();
    return from_errno(perf->output(static_cast<uint32_t>(index),
                                   std::span<const uint8_t>(as_pointer<const uint8_t>(data), size), tail));
}

// bpf_get_stackid: Linux allows it in tracing programs only, which the
// runtime verifies but does not run; a program has no kernel or user stack
// of its own here, so there is never a stack to record: -EFAULT, as Linux
// when it cannot take a stack (after its flag check).
uint64_t get_stackid(uint64_t, uint64_t, uint64_t flags, uint64_t, uint64_t) {
    constexpr uint64_t kKnownFlags = 0xffULL | (1ULL << 8) | (1ULL << 9) | (1ULL << 10);  // skip, user, fast cmp, reuse
    return from_errno(flags & ~kKnownFlags ? -EINVAL : -EFAULT);
}

}  // namespace

void register_redirect_helpers(HelperTable& table) {
    table.set(helper_id::clone_redirect, clone_redirect);
    table.set(helper_id::redirect, redirect);
    table.set(helper_id::perf_event_output, perf_event_output);
    table.set(helper_id::get_stackid, get_stackid);
    table.set(helper_id::redirect_map, redirect_map);
    table.set(helper_id::redirect_neigh, redirect_neigh);
    table.set(helper_id::redirect_peer, redirect_peer);
    table.set(helper_id::xdp_output, perf_event_output);
}

}  // namespace ebpf::runtime_detail
