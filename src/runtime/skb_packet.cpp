// SkbPacket (runtime.hpp): the socket buffer of a tc or socket-filter program,
// built as Linux's BPF_PROG_TEST_RUN builds one (net/bpf/test_run.c), and
// LoadedProgram::run_skb, which checks what the verifier assumed of it.
#include <algorithm>
#include <cstring>

#include "ebpf/error.hpp"
#include "ebpf/runtime.hpp"

namespace ebpf {
namespace {

constexpr uint16_t kEthP8023Min = 0x0600;  // ETH_P_802_3_MIN: smaller values are lengths
constexpr uint16_t kEthP8023 = 0x0001, kEthP8022 = 0x0004;
constexpr uint32_t kPacketMulticast = 2, kPacketOtherHost = 3;

uint16_t be16_at(const uint8_t* p) { return static_cast<uint16_t>(p[0] << 8 | p[1]); }
uint32_t to_be16_u32(uint16_t host) { return static_cast<uint32_t>(host >> 8 | (host & 0xff) << 8); }

// Linux eth_type_trans on the loopback device (MAC 00:00:00:00:00:00):
// the packet type from the destination, the protocol (network byte order).
void classify_ethernet(const uint8_t* eth, size_t length, SkbRuntimeContext& ctx) {
    const uint8_t* dest = eth;
    const bool to_us = std::all_of(dest, dest + 6, [](uint8_t b) { return b == 0; });
    // The loopback device has no broadcast address (all zeros, its own
    // address): ff:ff:ff:ff:ff:ff counts as multicast there, as in Linux.
    if (!to_us) ctx.pkt_type = dest[0] & 1 ? kPacketMulticast : kPacketOtherHost;
    const uint16_t proto = be16_at(eth + 12);
    if (proto >= kEthP8023Min) ctx.protocol = to_be16_u32(proto);
    // A length field: raw 802.3 (IPX) when the payload starts with 0xffff, else 802.2 LLC.
    else if (length >= 16 && eth[14] == 0xff && eth[15] == 0xff) ctx.protocol = to_be16_u32(kEthP8023);
    else ctx.protocol = to_be16_u32(kEthP8022);
}

}  // namespace

SkbPacket::SkbPacket(std::span<const uint8_t> frame, ProgramType type) {
    if (frame.size() < kEthernetHeader)
        throw Error("a socket buffer needs an Ethernet frame of at least 14 bytes, got " + std::to_string(frame.size()));
    if (frame.size() > kMaxLength)
        throw Error("a socket buffer holds at most " + std::to_string(kMaxLength) + " bytes, got " +
                    std::to_string(frame.size()));
    // Room for the largest packet the helpers may make, wherever its head
    // moves (the helpers move the packet within the buffer when the headroom
    // runs out). Bytes outside the packet are never shown to a program: room a
    // helper adds is zeroed or written by it.
    size_ = kHeadroom + kMaxLength;
    buffer_ = std::make_unique_for_overwrite<uint8_t[]>(size_);
    uint8_t* start = buffer_.get();
    uint8_t* mac = start + kHeadroom;
    std::memcpy(mac, frame.data(), frame.size());
    const bool tc = type == ProgramType::sched_cls || type == ProgramType::sched_act;
    SkbRuntimeContext& c = ctx_;
    classify_ethernet(mac, frame.size(), c);
    c.ifindex = 1;  // the loopback device, as Linux's test run
    c.buffer_start = reinterpret_cast<uintptr_t>(start);
    c.buffer_end = c.buffer_start + size_;
    c.mac_header = reinterpret_cast<uintptr_t>(mac);
    c.network_header = c.mac_header + kEthernetHeader;
    c.data = tc ? c.mac_header : c.network_header;
    c.data_end = c.mac_header + frame.size();
    c.data_meta = c.data;
    c.len = static_cast<uint32_t>(c.data_end - c.data);
    c.wire_len = c.len;
    c.max_len = kMaxLength;
    c.flags = tc ? kSkbDirectAccess : 0;
}

std::span<const uint8_t> SkbPacket::data() const {
    return {reinterpret_cast<const uint8_t*>(static_cast<uintptr_t>(ctx_.data)), ctx_.data_end - ctx_.data};
}

void SkbPacket::set_metadata(std::span<const uint8_t> metadata) {
    if (metadata.size() > 32 || metadata.size() % 4)
        throw Error("packet metadata must be a multiple of 4 bytes, at most 32, got " + std::to_string(metadata.size()));
    if (ctx_.data - ctx_.buffer_start < metadata.size()) throw Error("no headroom for packet metadata");
    ctx_.data_meta = ctx_.data - metadata.size();
    std::memcpy(reinterpret_cast<void*>(static_cast<uintptr_t>(ctx_.data_meta)), metadata.data(), metadata.size());
}

uint64_t LoadedProgram::run_skb(SkbPacket& packet) const {
    if (type_ != ProgramType::sched_cls && type_ != ProgramType::sched_act && type_ != ProgramType::socket_filter)
        throw Error("program '" + name_ + "': run_skb needs a sched_cls, sched_act or socket_filter program");
    SkbRuntimeContext& c = packet.context();
    return run(&c, sizeof c);  // run() checks the buffer's pointers
}

}  // namespace ebpf
