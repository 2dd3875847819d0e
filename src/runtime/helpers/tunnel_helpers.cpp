// The tunnel-key helpers of tc programs and bpf_skb_under_cgroup, following
// Linux's net/core/filter.c (checked against the 6.18 kernel's test runs:
// tests/realworld/tunnel).
//
// The tunnel metadata lives in the socket buffer (SkbRuntimeContext::tunnel,
// runtime-private), where Linux keeps it as the skb's metadata dst: set by
// bpf_skb_set_tunnel_key (a transmit key: dst is the remote end) and read by
// bpf_skb_get_tunnel_key as a received packet's key (remote = the outer
// source). A key set and read back in the same run therefore comes back with
// remote and local swapped, as in the kernel's test runs. A packet never
// arrives with tunnel metadata: there are no tunnel devices in user mode.
#include <cerrno>
#include <cstring>

#include "../maps/map_types.hpp"
#include "helper_registry.hpp"

namespace ebpf::runtime_detail {
namespace {

// bpf_skb_{get,set}_tunnel_key flags (uapi bpf.h).
constexpr uint64_t kFTunInfoIpv6 = 1 << 0, kFZeroCsumTx = 1 << 1, kFDontFragment = 1 << 2, kFSeqNumber = 1 << 3,
                   kFNoTunnelKey = 1 << 4, kFTunInfoFlags = 1 << 4;
// struct bpf_tunnel_key: its size and the older, shorter layouts Linux still takes.
constexpr uint32_t kKeySize = 44;
constexpr uint32_t kOffRemote = 4, kOffTos = 20, kOffTtl = 21, kOffExt = 22, kOffLabel = 24, kOffLocal = 28;
constexpr uint32_t kRemoteIpv6Second = 8;  // offsetof(remote_ipv6[1]): IPv4-only keys
constexpr uint32_t kFlowLabelMask = 0xfffff;
constexpr uint32_t kMaxOptions = 255;  // IP_TUNNEL_OPTS_MAX: options_len is a u8

SkbTunnelInfo& tunnel(uint64_t ctx) { return as_pointer<SkbRuntimeContext>(ctx)->tunnel; }
uint8_t* at(uint64_t address) { return as_pointer<uint8_t>(address); }

uint32_t load32(const uint8_t* p) {
    uint32_t v;
    std::memcpy(&v, p, 4);
    return v;
}
void store32(uint8_t* p, uint32_t v) { std::memcpy(p, &v, 4); }
// A u32 of the key (host order) as the 4 bytes of an address (network order), and back.
void put_be32(uint8_t* address, uint32_t host) {
    for (int i = 0; i < 4; ++i) address[i] = static_cast<uint8_t>(host >> (24 - 8 * i));
}
uint32_t get_be32(const uint8_t* address) {
    return uint32_t{address[0]} << 24 | uint32_t{address[1]} << 16 | uint32_t{address[2]} << 8 | address[3];
}

int64_t fail_clear(uint64_t to, uint32_t size, int64_t err) {
    std::memset(at(to), 0, size);
    return err;
}

uint64_t skb_get_tunnel_key(uint64_t ctx, uint64_t to, uint64_t size_arg, uint64_t flags, uint64_t) {
    const SkbTunnelInfo& info = tunnel(ctx);
    const auto size = static_cast<uint32_t>(size_arg);
    if (!info.present || (flags & ~(kFTunInfoIpv6 | kFTunInfoFlags))) return from_errno(fail_clear(to, size, -EINVAL));
    const bool ipv6 = flags & kFTunInfoIpv6;
    if ((info.ipv6 != 0) != ipv6) return from_errno(fail_clear(to, size, -EPROTO));
    switch (size) {
    case kKeySize:
    case kOffExt:  // before tunnel_ext, tunnel_label, local_ipv4: older layouts
    case kOffLabel:
    case kOffLocal: break;
    case kRemoteIpv6Second:
        if (info.ipv6) return from_errno(fail_clear(to, size, -EINVAL));
        break;
    default: return from_errno(fail_clear(to, size, -EINVAL));
    }
    uint8_t key[kKeySize] = {};
    store32(key, static_cast<uint32_t>(info.id));
    key[kOffTos] = info.tos;
    key[kOffTtl] = info.ttl;
    if (flags & kFTunInfoFlags) {
        // tunnel_flags: the TUNNEL_* bits below 16, big-endian.
        key[kOffExt] = static_cast<uint8_t>(info.flags >> 8);
        key[kOffExt + 1] = static_cast<uint8_t>(info.flags);
    }
    // As received: remote is the outer source.
    if (ipv6) {
        std::memcpy(key + kOffRemote, info.src, 16);
        std::memcpy(key + kOffLocal, info.dst, 16);
        store32(key + kOffLabel, info.label);
    } else {
        store32(key + kOffRemote, get_be32(info.src));
        store32(key + kOffLocal, get_be32(info.dst));
    }
    std::memcpy(at(to), key, size);
    return 0;
}

uint64_t skb_set_tunnel_key(uint64_t ctx, uint64_t from, uint64_t size_arg, uint64_t flags, uint64_t) {
    const auto size = static_cast<uint32_t>(size_arg);
    if (flags & ~(kFTunInfoIpv6 | kFZeroCsumTx | kFDontFragment | kFSeqNumber | kFNoTunnelKey))
        return from_errno(-EINVAL);
    // Older layouts are read as the full key with the rest zero.
    uint8_t key[kKeySize] = {};
    switch (size) {
    case kKeySize:
    case kOffExt:
    case kOffLabel:
    case kOffLocal:
    case kRemoteIpv6Second: std::memcpy(key, at(from), size); break;
    default: return from_errno(-EINVAL);
    }
    const bool ipv6 = flags & kFTunInfoIpv6;
    const uint32_t label = load32(key + kOffLabel);
    if ((!ipv6 && label != 0) || key[kOffExt] != 0 || key[kOffExt + 1] != 0) return from_errno(-EINVAL);
    // A new key replaces the metadata, options included.
    SkbTunnelInfo& info = tunnel(ctx);
    info = SkbTunnelInfo{};
    info.present = 1;
    info.flags = kTunnelKey | kTunnelCsum | kTunnelNoCache;
    if (flags & kFDontFragment) info.flags |= kTunnelDontFragment;
    if (flags & kFZeroCsumTx) info.flags &= ~kTunnelCsum;
    if (flags & kFSeqNumber) info.flags |= kTunnelSeq;
    if (flags & kFNoTunnelKey) info.flags &= ~kTunnelKey;
    info.id = load32(key);
    info.tos = key[kOffTos];
    info.ttl = key[kOffTtl];
    if (ipv6) {
        info.ipv6 = 1;
        std::memcpy(info.dst, key + kOffRemote, 16);
        std::memcpy(info.src, key + kOffLocal, 16);
        info.label = label & kFlowLabelMask;
    } else {
        put_be32(info.dst, load32(key + kOffRemote));
        put_be32(info.src, load32(key + kOffLocal));
    }
    return 0;
}

uint64_t skb_get_tunnel_opt(uint64_t ctx, uint64_t to, uint64_t size_arg, uint64_t, uint64_t) {
    const SkbTunnelInfo& info = tunnel(ctx);
    const auto size = static_cast<uint32_t>(size_arg);
    if (!info.present || !(info.flags & kTunnelOptionsPresent)) return from_errno(fail_clear(to, size, -ENOENT));
    if (size < info.options_length) return from_errno(fail_clear(to, size, -ENOMEM));
    std::memcpy(at(to), info.options, info.options_length);
    std::memset(at(to) + info.options_length, 0, size - info.options_length);
    return info.options_length;
}

uint64_t skb_set_tunnel_opt(uint64_t ctx, uint64_t from, uint64_t size_arg, uint64_t, uint64_t) {
    SkbTunnelInfo& info = tunnel(ctx);
    const auto size = static_cast<uint32_t>(size_arg);
    // Only on a key this program set (Linux: the per-CPU metadata dst).
    if (!info.present || (size & 3)) return from_errno(-EINVAL);
    if (size > kMaxOptions) return from_errno(-ENOMEM);
    info.options_length = size;
    if (size > 0) {
        std::memcpy(info.options, at(from), size);
        info.flags |= kTunnelOptionsPresent;
    }
    return 0;
}

// As Linux: -ENOENT without a socket, -E2BIG past the array, -EAGAIN for an
// empty slot; else whether the socket's cgroup is the slot's or below it. A
// test run's packet has a socket of the calling process (kSkbCallerSocket),
// as the kernel gives its test-run skb one that takes the caller's cgroup.
uint64_t skb_under_cgroup(uint64_t ctx, uint64_t map_address, uint64_t index_arg, uint64_t, uint64_t) {
    const auto& c = *as_pointer<const SkbRuntimeContext>(ctx);
    const Map& map = *as_pointer<const Map>(map_address);
    const auto index = static_cast<uint32_t>(index_arg);
    if (!(c.flags & kSkbCallerSocket)) return from_errno(-ENOENT);
    if (index >= map.max_entries()) return from_errno(-E2BIG);
    const std::optional<uint64_t> cgroup = cgroup_array_id(map, index);
    if (!cgroup) return from_errno(-EAGAIN);
    return calling_cgroup_under(*cgroup) ? 1 : 0;
}

}  // namespace

void register_tunnel_helpers(HelperTable& table) {
    namespace id = helper_id;
    table.set(id::skb_get_tunnel_key, skb_get_tunnel_key);
    table.set(id::skb_set_tunnel_key, skb_set_tunnel_key);
    table.set(id::skb_get_tunnel_opt, skb_get_tunnel_opt);
    table.set(id::skb_set_tunnel_opt, skb_set_tunnel_opt);
    table.set(id::skb_under_cgroup, skb_under_cgroup);
}

}  // namespace ebpf::runtime_detail
