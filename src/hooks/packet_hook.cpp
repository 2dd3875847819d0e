// The packet hook: one XDP program over one packet at a time, in a frame laid
// out as Linux lays out an XDP buffer (headroom, packet, tailroom).
#include <chrono>
#include <cstring>

#include "ebpf/error.hpp"
#include "ebpf/hooks.hpp"

namespace ebpf {

std::string_view xdp_verdict_name(uint64_t verdict) {
    switch (verdict) {
        case 0: return "aborted";
        case 1: return "drop";
        case 2: return "pass";
        case 3: return "tx";
        case 4: return "redirect";
        default: return "invalid";
    }
}

XdpVerdict packet_verdict_of_tc_action(int32_t action) {
    switch (action) {
        case 2:  // TC_ACT_SHOT
        case 4:  // TC_ACT_STOLEN
        case 5:  // TC_ACT_QUEUED
        case 8:  // TC_ACT_TRAP
            return XdpVerdict::drop;
        case 7: return XdpVerdict::redirect;
        default: return XdpVerdict::pass;  // TC_ACT_OK, UNSPEC, PIPE, RECLASSIFY and unknown actions
    }
}

namespace {

bool is_skb_type(ProgramType type) {
    return type == ProgramType::sched_cls || type == ProgramType::sched_act || type == ProgramType::socket_filter;
}

}  // namespace

PacketHook::PacketHook(const LoadedProgram& program, PacketHookOptions options)
    : program_(program), options_(options) {
    if (program.type() != ProgramType::xdp && !is_skb_type(program.type()))
        throw Error("packet hook: program '" + program.name() + "' (section " + program.section() + ") is " +
                    std::string(program_type_name(program.type())) + ", not xdp, sched_cls, sched_act or socket_filter");
}

PacketResult PacketHook::process(std::span<const uint8_t> packet) {
    if (is_skb_type(program_.type())) return process_skb(packet);
    const size_t frame_size = options_.headroom + packet.size() + options_.tailroom;
    if (frame_.size() < frame_size) frame_.resize(frame_size);
    // Only this packet's frame is handed to the program, so a larger earlier
    // packet never widens what adjust_tail may reach. Headroom and tailroom are
    // zeroed so no byte of an earlier packet can leak into this one.
    std::span<uint8_t> frame(frame_.data(), frame_size);
    std::memset(frame.data(), 0, options_.headroom);
    if (!packet.empty()) std::memcpy(frame.data() + options_.headroom, packet.data(), packet.size());
    std::memset(frame.data() + options_.headroom + packet.size(), 0, options_.tailroom);

    size_t offset = options_.headroom;
    size_t length = packet.size();
    ++stats_.packets;
    stats_.bytes += packet.size();
    const auto start = std::chrono::steady_clock::now();
    uint64_t verdict;
    try {
        verdict = program_.run_xdp(frame, offset, length, options_.ingress_ifindex);
    } catch (const Error&) {
        ++stats_.verdicts[static_cast<uint32_t>(XdpVerdict::aborted)];
        throw;
    }
    const auto elapsed = std::chrono::steady_clock::now() - start;
    const auto ns = static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(elapsed).count());
    stats_.program_ns += ns;
    // As Linux: the verdict is the low 32 bits of R0, and a value that is no
    // XDP action is XDP_ABORTED (the packet is dropped), counted as invalid too.
    const uint64_t raw = verdict;
    verdict = static_cast<uint32_t>(verdict);
    if (verdict < kXdpVerdictCount) {
        ++stats_.verdicts[verdict];
    } else {
        ++stats_.verdicts[static_cast<uint32_t>(XdpVerdict::aborted)];
        ++stats_.invalid;
        verdict = static_cast<uint32_t>(XdpVerdict::aborted);
    }
    return PacketResult{verdict, std::span<const uint8_t>(frame.data() + offset, length), ns, raw};
}

// A tc program or socket filter: the packet as a socket buffer received on
// the loopback device (or options_.ingress_ifindex). A frame too short for an
// Ethernet header or too long for a socket buffer never reaches the program:
// it is dropped, as a NIC would.
PacketResult PacketHook::process_skb(std::span<const uint8_t> packet) {
    ++stats_.packets;
    stats_.bytes += packet.size();
    if (packet.size() < SkbPacket::kEthernetHeader || packet.size() > SkbPacket::kMaxLength) {
        ++stats_.verdicts[static_cast<uint32_t>(XdpVerdict::drop)];
        return PacketResult{static_cast<uint64_t>(XdpVerdict::drop), {}, 0, 0};
    }
    skb_ = std::make_unique<SkbPacket>(packet, program_.type());
    skb_->context().ingress_ifindex = options_.ingress_ifindex;
    const auto start = std::chrono::steady_clock::now();
    uint64_t retval;
    try {
        retval = program_.run_skb(*skb_);
    } catch (const Error&) {
        ++stats_.verdicts[static_cast<uint32_t>(XdpVerdict::aborted)];
        throw;
    }
    const auto ns = static_cast<uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - start).count());
    stats_.program_ns += ns;
    std::span<const uint8_t> out = skb_->data();
    XdpVerdict verdict;
    if (program_.type() == ProgramType::socket_filter) {
        // The bytes to keep, from the network header; the frame keeps its Ethernet header.
        const auto keep = static_cast<uint32_t>(retval);
        verdict = keep == 0 ? XdpVerdict::drop : XdpVerdict::pass;
        const size_t network = SkbPacket::kEthernetHeader;
        out = std::span<const uint8_t>(out.data() - network, network + std::min<size_t>(keep, out.size()));
    } else {
        verdict = packet_verdict_of_tc_action(static_cast<int32_t>(retval));
    }
    ++stats_.verdicts[static_cast<uint32_t>(verdict)];
    return PacketResult{static_cast<uint64_t>(verdict), out, ns, retval};
}

}  // namespace ebpf
