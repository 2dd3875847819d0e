// The __sk_buff helpers of tc and socket-filter programs, over
// SkbRuntimeContext (abi.hpp), each following its Linux implementation in
// net/core/filter.c: the same checks in the same order and the same errors.
// The packet is linear and lives in [buffer_start, buffer_end); helpers that
// grow it move it within the buffer when its room runs out (the verifier has
// already forgotten every packet pointer after them). Offsets and sizes
// come from the program and are checked here against the packet; the memory
// arguments were checked by the verifier.
//
// User-mode differences (docs/program-types.md): skb->csum is never
// CHECKSUM_COMPLETE or PARTIAL (as a test run), so BPF_F_RECOMPUTE_CSUM has
// nothing to update; there are no net_cls cgroups (bpf_get_cgroup_classid is
// 0); bpf_get_hash_recalc hashes the flow with our own function; no packet
// carries tunnel metadata (bpf_skb_get/set_tunnel_key, below).
#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>

#include "ebpf/abi.hpp"
#include "helper_registry.hpp"

namespace ebpf::runtime_detail {
namespace {

constexpr int64_t kEnotsupp = 524;  // Linux ENOTSUPP (the kernel-internal errno these helpers return)
constexpr uint32_t kEthHlen = 14, kVlanHlen = 4;
constexpr uint16_t kEthPIp = 0x0800, kEthPIpv6 = 0x86dd, kEthP8021Q = 0x8100, kEthP8021AD = 0x88a8;
constexpr uint16_t kEthP8023Min = 0x0600, kEthP8023 = 0x0001, kEthP8022 = 0x0004;
constexpr uint64_t kFRecomputeCsum = 1, kFInvalidateHash = 2;
constexpr uint64_t kFHdrFieldMask = 0xf, kFPseudoHdr = 1 << 4, kFMarkMangled0 = 1 << 5, kFMarkEnforce = 1 << 6,
                   kFIpv6 = 1 << 7;
constexpr uint32_t kMaxPacketType = 3;  // PACKET_OTHERHOST: the types bpf_skb_change_type may set

SkbRuntimeContext& skb(uint64_t ctx) { return *as_pointer<SkbRuntimeContext>(ctx); }
uint8_t* at(uint64_t address) { return as_pointer<uint8_t>(address); }
uint16_t be16(uint32_t host) { return static_cast<uint16_t>((host >> 8 & 0xff) | (host & 0xff) << 8); }
uint16_t load_be16(const uint8_t* p) { return static_cast<uint16_t>(p[0] << 8 | p[1]); }
void store_be16(uint8_t* p, uint16_t v) {
    p[0] = static_cast<uint8_t>(v >> 8);
    p[1] = static_cast<uint8_t>(v);
}
uint16_t protocol(const SkbRuntimeContext& c) { return be16(c.protocol); }  // host order
void set_protocol(SkbRuntimeContext& c, uint16_t host) { c.protocol = be16(host); }
bool is_vlan(uint16_t proto) { return proto == kEthP8021Q || proto == kEthP8021AD; }

void sync_len(SkbRuntimeContext& c) { c.len = static_cast<uint32_t>(c.data_end - c.data); }
void clear_hash(SkbRuntimeContext& c) {
    c.hash = 0;
    c.flags &= ~kSkbHashValid;
}

// Moves every pointer into the packet by `delta` (the bytes have moved).
void shift(SkbRuntimeContext& c, int64_t delta) {
    for (uint64_t* p : {&c.data, &c.data_end, &c.data_meta, &c.mac_header, &c.network_header})
        *p = static_cast<uint64_t>(static_cast<int64_t>(*p) + delta);
}

// At least `front` bytes before the packet (its metadata and link-layer
// header included) and `back` after it, moving it within the buffer when
// needed (Linux: skb_cow_head / pskb_expand_head). False when the buffer
// cannot hold it (the packet would pass max_len).
bool ensure_room(SkbRuntimeContext& c, uint64_t front, uint64_t back) {
    const uint64_t lo = std::min({c.data_meta, c.mac_header, c.data}), hi = c.data_end;
    if (lo - c.buffer_start >= front && c.buffer_end - hi >= back) return true;
    const uint64_t used = hi - lo;
    if (used + front + back > c.buffer_end - c.buffer_start) return false;
    // The spare room split between both ends.
    const uint64_t spare = (c.buffer_end - c.buffer_start) - used - front - back;
    const uint64_t new_lo = c.buffer_start + front + spare / 2;
    std::memmove(at(new_lo), at(lo), used);
    shift(c, static_cast<int64_t>(new_lo) - static_cast<int64_t>(lo));
    return true;
}

// Inserts `len` zero bytes at `off` from data (Linux bpf_skb_generic_push +
// the header moves of bpf_skb_net_hdr_push); metadata moves with the head.
bool push_at(SkbRuntimeContext& c, uint32_t off, uint32_t len) {
    if (!ensure_room(c, len, 0)) return false;
    const uint64_t meta_len = c.data - c.data_meta;
    std::memmove(at(c.data_meta - len), at(c.data_meta), meta_len);
    c.data_meta -= len;
    c.data -= len;
    std::memmove(at(c.data), at(c.data + len), off);
    std::memset(at(c.data + off), 0, len);
    c.mac_header -= len;
    c.network_header -= len;
    sync_len(c);
    return true;
}

// Removes `len` bytes at `off` from data (bpf_skb_generic_pop + bpf_skb_net_hdr_pop).
int64_t pop_at(SkbRuntimeContext& c, uint32_t off, uint32_t len) {
    if (uint64_t{off} + len > c.len) return -ENOMEM;  // skb_ensure_writable(off + len)
    std::memmove(at(c.data + len), at(c.data), off);
    const uint64_t meta_len = c.data - c.data_meta;
    std::memmove(at(c.data_meta + len), at(c.data_meta), meta_len);
    c.data_meta += len;
    c.data += len;
    c.mac_header += len;
    c.network_header += len;
    sync_len(c);
    return 0;
}

uint64_t network_offset(const SkbRuntimeContext& c) { return c.network_header - c.data; }
uint64_t mac_header_len(const SkbRuntimeContext& c) { return c.network_header - c.mac_header; }

// --- reading and writing bytes ---------------------------------------------------

uint64_t skb_load_bytes(uint64_t ctx, uint64_t offset, uint64_t to, uint64_t len, uint64_t) {
    const SkbRuntimeContext& c = skb(ctx);
    const auto off = static_cast<uint32_t>(offset), size = static_cast<uint32_t>(len);
    if (off > INT32_MAX || uint64_t{off} + size > c.len) {
        std::memset(at(to), 0, size);
        return from_errno(-EFAULT);
    }
    std::memmove(at(to), at(c.data + off), size);
    return 0;
}

uint64_t skb_load_bytes_relative(uint64_t ctx, uint64_t offset, uint64_t to, uint64_t len, uint64_t start_header) {
    const SkbRuntimeContext& c = skb(ctx);
    const auto off = static_cast<uint32_t>(offset), size = static_cast<uint32_t>(len);
    uint64_t start = 0;
    switch (static_cast<uint32_t>(start_header)) {
    case 0: start = c.mac_header; break;      // BPF_HDR_START_MAC
    case 1: start = c.network_header; break;  // BPF_HDR_START_NET
    }
    if (start == 0 || off > 0xffff || start + off + size > c.data_end) {
        std::memset(at(to), 0, size);
        return from_errno(-EFAULT);
    }
    std::memmove(at(to), at(start + off), size);
    return 0;
}

uint64_t skb_store_bytes(uint64_t ctx, uint64_t offset, uint64_t from, uint64_t len, uint64_t flags) {
    SkbRuntimeContext& c = skb(ctx);
    const auto off = static_cast<uint32_t>(offset), size = static_cast<uint32_t>(len);
    if (flags & ~(kFRecomputeCsum | kFInvalidateHash)) return from_errno(-EINVAL);
    if (off > INT32_MAX || uint64_t{off} + size > c.len) return from_errno(-EFAULT);
    std::memmove(at(c.data + off), at(from), size);
    if (flags & kFInvalidateHash) clear_hash(c);
    return 0;
}

// --- checksums (include/net/checksum.h, the generic C versions) -------------------

uint32_t csum_add(uint32_t a, uint32_t b) {
    const uint32_t r = a + b;
    return r + (r < b);
}
uint32_t csum_sub(uint32_t a, uint32_t b) { return csum_add(a, ~b); }
uint16_t csum_fold(uint32_t sum) {
    sum = (sum & 0xffff) + (sum >> 16);
    sum = (sum & 0xffff) + (sum >> 16);
    return static_cast<uint16_t>(~sum);
}
uint16_t csum16_add(uint16_t csum, uint16_t addend) {
    uint16_t r = static_cast<uint16_t>(csum + addend);
    return static_cast<uint16_t>(r + (r < addend));
}
uint16_t csum16_sub(uint16_t csum, uint16_t addend) { return csum16_add(csum, static_cast<uint16_t>(~addend)); }

// The 16-bit checksum field at `p` as the kernel holds it: the bytes in memory order.
uint16_t load_sum(const uint8_t* p) {
    uint16_t v;
    std::memcpy(&v, p, 2);
    return v;
}
void store_sum(uint8_t* p, uint16_t v) { std::memcpy(p, &v, 2); }

void csum_replace4(uint8_t* sum, uint32_t from, uint32_t to) {
    const uint32_t tmp = csum_sub(~static_cast<uint32_t>(load_sum(sum)), from);
    store_sum(sum, csum_fold(csum_add(tmp, to)));
}
void csum_replace2(uint8_t* sum, uint16_t from, uint16_t to) {
    store_sum(sum, static_cast<uint16_t>(~csum16_add(csum16_sub(static_cast<uint16_t>(~load_sum(sum)), from), to)));
}
void csum_replace_by_diff(uint8_t* sum, uint32_t diff) {
    store_sum(sum, csum_fold(csum_add(diff, ~static_cast<uint32_t>(load_sum(sum)))));
}

// The checksum field at `offset` from data, writable (bpf_try_make_writable); null if out of the packet.
uint8_t* sum_field(const SkbRuntimeContext& c, uint64_t offset) {
    if (uint64_t{static_cast<uint32_t>(offset)} + 2 > c.len) return nullptr;
    return at(c.data + static_cast<uint32_t>(offset));
}

uint64_t l3_csum_replace(uint64_t ctx, uint64_t offset, uint64_t from, uint64_t to, uint64_t flags) {
    SkbRuntimeContext& c = skb(ctx);
    if (flags & ~kFHdrFieldMask) return from_errno(-EINVAL);
    const auto off = static_cast<uint32_t>(offset);
    if (off > 0xffff || (off & 1)) return from_errno(-EFAULT);
    uint8_t* sum = sum_field(c, off);
    if (!sum) return from_errno(-EFAULT);
    switch (flags & kFHdrFieldMask) {
    case 0:
        if (from != 0) return from_errno(-EINVAL);
        csum_replace_by_diff(sum, static_cast<uint32_t>(to));
        break;
    case 2: csum_replace2(sum, static_cast<uint16_t>(from), static_cast<uint16_t>(to)); break;
    case 4: csum_replace4(sum, static_cast<uint32_t>(from), static_cast<uint32_t>(to)); break;
    default: return from_errno(-EINVAL);
    }
    return 0;
}

// The skb is never CHECKSUM_PARTIAL here, so with or without BPF_F_PSEUDO_HDR
// the field is updated as by csum_replace (inet_proto_csum_replace*).
uint64_t l4_csum_replace(uint64_t ctx, uint64_t offset, uint64_t from, uint64_t to, uint64_t flags) {
    SkbRuntimeContext& c = skb(ctx);
    const bool mangled_0 = flags & kFMarkMangled0, enforce = flags & kFMarkEnforce;
    if (flags & ~(kFMarkMangled0 | kFMarkEnforce | kFPseudoHdr | kFHdrFieldMask | kFIpv6)) return from_errno(-EINVAL);
    const auto off = static_cast<uint32_t>(offset);
    if (off > 0xffff || (off & 1)) return from_errno(-EFAULT);
    uint8_t* sum = sum_field(c, off);
    if (!sum) return from_errno(-EFAULT);
    if (mangled_0 && !enforce && load_sum(sum) == 0) return 0;  // a UDP packet without checksum stays so
    switch (flags & kFHdrFieldMask) {
    case 0:
        if (from != 0) return from_errno(-EINVAL);
        csum_replace_by_diff(sum, static_cast<uint32_t>(to));
        break;
    case 2: csum_replace4(sum, static_cast<uint16_t>(from), static_cast<uint16_t>(to)); break;
    case 4: csum_replace4(sum, static_cast<uint32_t>(from), static_cast<uint32_t>(to)); break;
    default: return from_errno(-EINVAL);
    }
    if (mangled_0 && load_sum(sum) == 0) store_sum(sum, 0xffff);  // CSUM_MANGLED_0
    return 0;
}

// --- packet size and headers --------------------------------------------------------

uint64_t skb_change_tail(uint64_t ctx, uint64_t new_len, uint64_t flags, uint64_t, uint64_t) {
    SkbRuntimeContext& c = skb(ctx);
    const auto len = static_cast<uint32_t>(new_len);
    if (flags || len > c.max_len || len < network_offset(c)) return from_errno(-EINVAL);
    if (c.flags & kSkbEncapsulated) return from_errno(-kEnotsupp);
    if (len > c.len) {
        if (!ensure_room(c, 0, len - c.len)) return from_errno(-ENOMEM);
        std::memset(at(c.data_end), 0, len - c.len);
    }
    c.data_end = c.data + len;
    sync_len(c);
    return 0;
}

uint64_t skb_change_head(uint64_t ctx, uint64_t head_room, uint64_t flags, uint64_t, uint64_t) {
    SkbRuntimeContext& c = skb(ctx);
    const auto room = static_cast<uint32_t>(head_room);
    const uint64_t new_len = uint64_t{c.len} + room;
    if (flags || new_len > c.max_len) return from_errno(-EINVAL);
    if (!push_at(c, 0, room)) return from_errno(-ENOMEM);
    // Only the link-layer header grows: protocol and network header stay.
    c.network_header += room;
    c.mac_header = c.data;
    return 0;
}

uint64_t skb_pull_data(uint64_t ctx, uint64_t len, uint64_t, uint64_t, uint64_t) {
    // The packet is always linear: every byte is already directly readable.
    const SkbRuntimeContext& c = skb(ctx);
    const auto want = static_cast<uint32_t>(len);
    return want > c.len ? from_errno(-ENOMEM) : 0;
}

// Linux eth_type_trans's rule for a length field instead of an EtherType.
uint16_t encapsulated_protocol(uint16_t proto, const uint8_t* payload, uint64_t payload_len) {
    if (proto >= kEthP8023Min) return proto;
    return payload_len >= 2 && payload[0] == 0xff && payload[1] == 0xff ? kEthP8023 : kEthP8022;
}

// __skb_vlan_pop: the tag after the MAC addresses leaves the packet.
int64_t vlan_pop_from_packet(SkbRuntimeContext& c, uint16_t& tci) {
    if (c.data != c.mac_header) return -EINVAL;
    if (c.len < kEthHlen + kVlanHlen) return -ENOMEM;  // skb_ensure_writable(VLAN_ETH_HLEN)
    tci = load_be16(at(c.data + 14));
    const uint16_t inner = load_be16(at(c.data + 16));
    if (int64_t err = pop_at(c, 12, kVlanHlen)) return err;
    c.network_header -= kVlanHlen;  // the network header stays where it was
    set_protocol(c, encapsulated_protocol(inner, at(c.data + kEthHlen), c.len - kEthHlen));
    if (network_offset(c) < kEthHlen || c.network_header < c.data) c.network_header = c.data + kEthHlen;
    return 0;
}

void put_vlan_tag(SkbRuntimeContext& c, uint16_t proto, uint16_t tci) {
    c.vlan_present = 1;
    c.vlan_proto = be16(proto);
    c.vlan_tci = tci;
}

uint64_t skb_vlan_push(uint64_t ctx, uint64_t vlan_proto, uint64_t vlan_tci, uint64_t, uint64_t) {
    SkbRuntimeContext& c = skb(ctx);
    uint16_t proto = be16(static_cast<uint16_t>(vlan_proto));  // given in network byte order
    if (!is_vlan(proto)) proto = kEthP8021Q;
    if (c.vlan_present) {
        // The tag already held outside the packet goes into it (__vlan_insert_tag).
        if (c.data != c.mac_header) return from_errno(-EINVAL);
        if (!push_at(c, 12, kVlanHlen)) return from_errno(-ENOMEM);
        // network_header moved back with the push: it is the tag now, as skb_vlan_push.
        uint8_t* tag = at(c.data + 12);
        store_be16(tag, be16(static_cast<uint16_t>(c.vlan_proto)));
        store_be16(tag + 2, static_cast<uint16_t>(c.vlan_tci));
        set_protocol(c, be16(static_cast<uint16_t>(c.vlan_proto)));
    }
    put_vlan_tag(c, proto, static_cast<uint16_t>(vlan_tci));
    return 0;
}

uint64_t skb_vlan_pop(uint64_t ctx, uint64_t, uint64_t, uint64_t, uint64_t) {
    SkbRuntimeContext& c = skb(ctx);
    uint16_t tci = 0;
    if (c.vlan_present) {
        c.vlan_present = c.vlan_tci = c.vlan_proto = 0;
    } else {
        if (!is_vlan(protocol(c))) return 0;
        if (int64_t err = vlan_pop_from_packet(c, tci)) return from_errno(err);
    }
    // The next tag in the packet moves out of it.
    if (!is_vlan(protocol(c))) return 0;
    const uint16_t proto = protocol(c);
    if (int64_t err = vlan_pop_from_packet(c, tci)) return from_errno(err);
    put_vlan_tag(c, proto, tci);
    return 0;
}

uint32_t net_base_len(const SkbRuntimeContext& c) {
    return protocol(c) == kEthPIp ? 20 : protocol(c) == kEthPIpv6 ? 40 : 0;
}

// IPv4 <-> IPv6 (bpf_skb_proto_xlat): room for the longer header is added
// or removed after the link-layer header; the program writes the header.
uint64_t skb_change_proto(uint64_t ctx, uint64_t proto, uint64_t flags, uint64_t, uint64_t) {
    SkbRuntimeContext& c = skb(ctx);
    if (flags) return from_errno(-EINVAL);
    const uint16_t from = protocol(c), to = be16(static_cast<uint16_t>(proto));
    const auto off = static_cast<uint32_t>(mac_header_len(c));
    int64_t err = 0;
    if (from == kEthPIp && to == kEthPIpv6) {
        if (!push_at(c, off, 20)) err = -ENOMEM;
    } else if (from == kEthPIpv6 && to == kEthPIp) {
        err = pop_at(c, off, 20);
    } else {
        return from_errno(-kEnotsupp);
    }
    if (err) return from_errno(err);
    set_protocol(c, to);
    clear_hash(c);
    return 0;
}

uint64_t skb_change_type(uint64_t ctx, uint64_t type, uint64_t, uint64_t, uint64_t) {
    SkbRuntimeContext& c = skb(ctx);
    if (c.pkt_type > kMaxPacketType || static_cast<uint32_t>(type) > kMaxPacketType) return from_errno(-EINVAL);
    c.pkt_type = static_cast<uint32_t>(type);
    return 0;
}

// bpf_skb_adjust_room's flags (uapi bpf.h).
constexpr uint64_t kAdjFixedGso = 1, kAdjEncapL3Ipv4 = 2, kAdjEncapL3Ipv6 = 4, kAdjEncapL4Gre = 8,
                   kAdjEncapL4Udp = 16, kAdjNoCsumReset = 32, kAdjEncapL2Eth = 64, kAdjDecapL3Ipv4 = 128,
                   kAdjDecapL3Ipv6 = 256;
constexpr uint64_t kAdjEncapL3Mask = kAdjEncapL3Ipv4 | kAdjEncapL3Ipv6;
constexpr uint64_t kAdjDecapL3Mask = kAdjDecapL3Ipv4 | kAdjDecapL3Ipv6;
constexpr uint64_t kAdjEncapL2Shift = 56;
constexpr uint64_t kAdjMask = kAdjFixedGso | kAdjEncapL3Mask | kAdjEncapL4Gre | kAdjEncapL4Udp | kAdjEncapL2Eth |
                              (uint64_t{0xff} << kAdjEncapL2Shift) | kAdjDecapL3Mask;

int64_t net_grow(SkbRuntimeContext& c, uint32_t off, uint32_t len_diff, uint64_t flags) {
    const auto inner_mac_len = static_cast<uint32_t>(flags >> kAdjEncapL2Shift);
    const bool encap = flags & kAdjEncapL3Mask;
    uint64_t mac_len = 0;
    if (encap) {
        if (protocol(c) != kEthPIp && protocol(c) != kEthPIpv6) return -kEnotsupp;
        if ((flags & kAdjEncapL3Ipv4) && (flags & kAdjEncapL3Ipv6)) return -EINVAL;
        if ((flags & kAdjEncapL4Gre) && (flags & kAdjEncapL4Udp)) return -EINVAL;
        if ((flags & kAdjEncapL2Eth) && inner_mac_len < kEthHlen) return -EINVAL;
        if (c.flags & kSkbEncapsulated) return -EALREADY;
        mac_len = mac_header_len(c);
        if (inner_mac_len > len_diff) return -EINVAL;
    }
    if (!push_at(c, off, len_diff)) return -ENOMEM;
    if (encap) {
        c.flags |= kSkbEncapsulated;
        c.network_header = c.mac_header + mac_len;  // skb_set_network_header(mac_len): the outer header
        if (protocol(c) == kEthPIp && (flags & kAdjEncapL3Ipv6)) set_protocol(c, kEthPIpv6);
        else if (protocol(c) == kEthPIpv6 && (flags & kAdjEncapL3Ipv4)) set_protocol(c, kEthPIp);
    }
    return 0;
}

int64_t net_shrink(SkbRuntimeContext& c, uint32_t off, uint32_t len_diff, uint64_t flags) {
    if (flags & ~(kAdjFixedGso | kAdjDecapL3Mask | kAdjNoCsumReset)) return -EINVAL;
    if (int64_t err = pop_at(c, off, len_diff)) return err;
    if (protocol(c) == kEthPIp && (flags & kAdjDecapL3Ipv6)) set_protocol(c, kEthPIpv6);
    else if (protocol(c) == kEthPIpv6 && (flags & kAdjDecapL3Ipv4)) set_protocol(c, kEthPIp);
    return 0;
}

uint64_t skb_adjust_room(uint64_t ctx, uint64_t len_diff_arg, uint64_t mode, uint64_t flags, uint64_t) {
    SkbRuntimeContext& c = skb(ctx);
    const auto len_diff = static_cast<int32_t>(len_diff_arg);
    const uint32_t len_abs = len_diff < 0 ? 0u - static_cast<uint32_t>(len_diff) : static_cast<uint32_t>(len_diff);
    const bool shrink = len_diff < 0;
    uint32_t len_min = net_base_len(c);
    if (flags & ~(kAdjMask | kAdjNoCsumReset)) return from_errno(-EINVAL);
    if (len_abs > 0xfff) return from_errno(-EFAULT);
    if (protocol(c) != kEthPIp && protocol(c) != kEthPIpv6) return from_errno(-kEnotsupp);
    auto off = static_cast<uint32_t>(mac_header_len(c));
    switch (static_cast<uint32_t>(mode)) {
    case 0: off += net_base_len(c); break;  // BPF_ADJ_ROOM_NET
    case 1: break;                          // BPF_ADJ_ROOM_MAC
    default: return from_errno(-kEnotsupp);
    }
    if (flags & kAdjDecapL3Mask) {
        if (!shrink) return from_errno(-EINVAL);
        switch (flags & kAdjDecapL3Mask) {
        case kAdjDecapL3Ipv4: len_min = 20; break;
        case kAdjDecapL3Ipv6: len_min = 40; break;
        default: return from_errno(-EINVAL);
        }
    }
    const uint64_t len_cur = c.len - network_offset(c);
    if ((shrink && (len_abs >= len_cur || len_cur - len_abs < len_min)) ||
        (!shrink && uint64_t{c.len} + len_abs > c.max_len))
        return from_errno(-kEnotsupp);
    return from_errno(shrink ? net_shrink(c, off, len_abs, flags) : net_grow(c, off, len_abs, flags));
}

// --- flow hash, cgroup, ECN --------------------------------------------------------

// A flow hash of the addresses, protocol and ports, the same in both
// directions (as Linux's __flow_hash_consistentify); never 0. Linux seeds its
// hash randomly at boot, so no value can match the kernel's.
uint32_t flow_hash(const SkbRuntimeContext& c) {
    const uint8_t* nh = at(c.network_header);
    const uint64_t avail = c.data_end > c.network_header ? c.data_end - c.network_header : 0;
    // Each end: address and port.
    std::array<uint8_t, 18> a{}, b{};
    uint8_t ip_proto = 0;
    uint64_t l4 = 0;
    if (protocol(c) == kEthPIp && avail >= 20 && (nh[0] >> 4) == 4) {
        ip_proto = nh[9];
        std::memcpy(a.data(), nh + 12, 4);
        std::memcpy(b.data(), nh + 16, 4);
        l4 = (nh[0] & 0xf) * 4u;
        if ((load_be16(nh + 6) & 0x3fff) != 0) l4 = 0;  // fragments: addresses only
    } else if (protocol(c) == kEthPIpv6 && avail >= 40) {
        ip_proto = nh[6];
        std::memcpy(a.data(), nh + 8, 16);
        std::memcpy(b.data(), nh + 24, 16);
        l4 = 40;
    }
    if (l4 && (ip_proto == 6 || ip_proto == 17 || ip_proto == 132) && avail >= l4 + 4) {
        std::memcpy(a.data() + 16, nh + l4, 2);
        std::memcpy(b.data() + 16, nh + l4 + 2, 2);
    }
    if (b < a) std::swap(a, b);
    uint32_t h = 2166136261u;  // FNV-1a
    auto mix = [&h](uint8_t byte) { h = (h ^ byte) * 16777619u; };
    mix(static_cast<uint8_t>(protocol(c) >> 8));
    mix(static_cast<uint8_t>(protocol(c)));
    mix(ip_proto);
    for (uint8_t byte : a) mix(byte);
    for (uint8_t byte : b) mix(byte);
    return h ? h : 1;
}

uint64_t get_hash_recalc(uint64_t ctx, uint64_t, uint64_t, uint64_t, uint64_t) {
    SkbRuntimeContext& c = skb(ctx);
    if (!(c.flags & kSkbHashValid)) {
        c.hash = flow_hash(c);
        c.flags |= kSkbHashValid;
    }
    return c.hash;
}

uint64_t get_cgroup_classid(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t) { return 0; }

// Tunnel metadata (struct bpf_tunnel_key, 44 bytes). A user-mode packet
// never arrives through a tunnel device and there is none to send it
// through: bpf_skb_get_tunnel_key finds no tunnel info (-EINVAL, the buffer
// zeroed, as Linux without one); bpf_skb_set_tunnel_key checks its flags and
// size as Linux does and returns 0, the metadata then dropped (only the fact
// that a key was set is kept, for bpf_skb_set_tunnel_opt).
constexpr uint64_t kTunInfoIpv6 = 1, kTunInfoFlags = 1 << 4;  // BPF_F_TUNINFO_*
constexpr uint64_t kZeroCsumTx = 1 << 1, kDontFragment = 1 << 2, kSeqNumber = 1 << 3, kNoTunnelKey = 1 << 4;
constexpr uint32_t kTunnelKeySize = 44;

// SkbRuntimeContext::flags bit: bpf_skb_set_tunnel_key succeeded in this run
// (Linux: the skb carries the per-CPU metadata dst bpf_skb_set_tunnel_opt needs).
constexpr uint32_t kSkbTunnelKeySet = 1u << 8;
constexpr uint32_t kTunnelOptsMax = 255;  // IP_TUNNEL_OPTS_MAX
constexpr int32_t kHelperGetTunnelOpt = 29, kHelperSetTunnelOpt = 30;

uint64_t skb_get_tunnel_key(uint64_t, uint64_t to, uint64_t size, uint64_t, uint64_t) {
    std::memset(at(to), 0, static_cast<uint32_t>(size));
    return from_errno(-EINVAL);
}

uint64_t skb_set_tunnel_key(uint64_t ctx, uint64_t from, uint64_t size, uint64_t flags, uint64_t) {
    if (flags & ~(kTunInfoIpv6 | kZeroCsumTx | kDontFragment | kSeqNumber | kNoTunnelKey)) return from_errno(-EINVAL);
    const auto n = static_cast<uint32_t>(size);
    // Linux takes the full struct and the sizes of its older versions.
    if (n != kTunnelKeySize && n != 28 && n != 24 && n != 22 && n != 8) return from_errno(-EINVAL);
    uint8_t key[kTunnelKeySize] = {};
    std::memcpy(key, at(from), n);
    uint16_t ext = 0;
    uint32_t label = 0;
    std::memcpy(&ext, key + 22, 2);
    std::memcpy(&label, key + 24, 4);
    if ((!(flags & kTunInfoIpv6) && label) || ext) return from_errno(-EINVAL);
    skb(ctx).flags |= kSkbTunnelKeySet;
    return 0;
}

// Tunnel options (Geneve, VXLAN-GBP, ERSPAN): none arrive (-ENOENT, the
// buffer zeroed); setting them needs a bpf_skb_set_tunnel_key first in this
// run (else -EINVAL, as Linux), a size that is a multiple of 4 (-EINVAL) and
// at most 255 bytes (-ENOMEM). Like the key, they are then dropped.
uint64_t skb_get_tunnel_opt(uint64_t, uint64_t to, uint64_t size, uint64_t, uint64_t) {
    std::memset(at(to), 0, static_cast<uint32_t>(size));
    return from_errno(-ENOENT);
}

uint64_t skb_set_tunnel_opt(uint64_t ctx, uint64_t, uint64_t size, uint64_t, uint64_t) {
    const auto n = static_cast<uint32_t>(size);
    if (!(skb(ctx).flags & kSkbTunnelKeySet) || (n & 3)) return from_errno(-EINVAL);
    if (n > kTunnelOptsMax) return from_errno(-ENOMEM);
    return 0;
}

// INET_ECN_set_ce on the network header: ECT(0)/ECT(1) become CE (the IPv4
// header checksum updated); 1 when the packet is now CE-marked.
// skb_protocol(skb, true): past VLAN tags in the packet (__vlan_get_protocol,
// at most 8, from data + 14); 0 when they run past the packet.
uint16_t protocol_past_vlans(const SkbRuntimeContext& c) {
    uint16_t type = protocol(c);
    uint64_t depth = kEthHlen;
    for (int tags = 0; is_vlan(type); ++tags, depth += kVlanHlen) {
        if (tags == 8 || depth + kVlanHlen > c.len) return 0;
        type = load_be16(at(c.data + depth + 2));
    }
    return type;
}

uint64_t skb_ecn_set_ce(uint64_t ctx, uint64_t, uint64_t, uint64_t, uint64_t) {
    SkbRuntimeContext& c = skb(ctx);
    // As Linux: the protocol past VLAN tags, the header at the network header
    // (which a VLAN-tagged test-run frame has at the first tag).
    const uint16_t proto = protocol_past_vlans(c);
    const uint64_t need = proto == kEthPIp ? 20 : proto == kEthPIpv6 ? 40 : 0;
    if (need == 0 || c.len < need || c.network_header < c.data || c.network_header + need > c.data_end) return 0;
    uint8_t* iph = at(c.network_header);
    if (proto == kEthPIp) {
        const uint32_t ecn = (iph[1] + 1u) & 3;
        if (!(ecn & 2)) return !ecn;
        const uint16_t add = static_cast<uint16_t>(be16(0xfffb) + be16(static_cast<uint16_t>(ecn)));
        store_sum(iph + 10, csum16_add(load_sum(iph + 10), add));
        iph[1] |= 3;
        return 1;
    }
    const uint8_t dsfield = static_cast<uint8_t>((load_be16(iph) >> 4) & 0xff);
    if ((dsfield & 3) == 0) return 0;  // not ECN-capable
    iph[1] |= 3 << 4;                  // CE in the traffic class's low bits
    return 1;
}

}  // namespace

void register_skb_helpers(HelperTable& table) {
    namespace id = helper_id;
    table.set(id::skb_store_bytes, skb_store_bytes);
    table.set(id::l3_csum_replace, l3_csum_replace);
    table.set(id::l4_csum_replace, l4_csum_replace);
    table.set(id::get_cgroup_classid, get_cgroup_classid);
    table.set(id::skb_get_tunnel_key, skb_get_tunnel_key);
    table.set(id::skb_set_tunnel_key, skb_set_tunnel_key);
    table.set(kHelperGetTunnelOpt, skb_get_tunnel_opt);
    table.set(kHelperSetTunnelOpt, skb_set_tunnel_opt);
    table.set(id::skb_vlan_push, skb_vlan_push);
    table.set(id::skb_vlan_pop, skb_vlan_pop);
    table.set(id::skb_load_bytes, skb_load_bytes);
    table.set(id::skb_change_proto, skb_change_proto);
    table.set(id::skb_change_type, skb_change_type);
    table.set(id::get_hash_recalc, get_hash_recalc);
    table.set(id::skb_change_tail, skb_change_tail);
    table.set(id::skb_pull_data, skb_pull_data);
    table.set(id::skb_change_head, skb_change_head);
    table.set(id::skb_adjust_room, skb_adjust_room);
    table.set(id::skb_load_bytes_relative, skb_load_bytes_relative);
    table.set(id::skb_ecn_set_ce, skb_ecn_set_ce);
}

}  // namespace ebpf::runtime_detail
