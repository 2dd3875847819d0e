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

PacketHook::PacketHook(const LoadedProgram& program, PacketHookOptions options)
    : program_(program), options_(options) {
    if (program.type() != ProgramType::xdp)
        throw Error("packet hook: program '" + program.name() + "' (section " + program.section() + ") is " +
                    std::string(program_type_name(program.type())) + ", not xdp");
}

PacketResult PacketHook::process(std::span<const uint8_t> packet) {
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
    verdict = static_cast<uint32_t>(verdict);
    if (verdict < kXdpVerdictCount) {
        ++stats_.verdicts[verdict];
    } else {
        ++stats_.verdicts[static_cast<uint32_t>(XdpVerdict::aborted)];
        ++stats_.invalid;
        verdict = static_cast<uint32_t>(XdpVerdict::aborted);
    }
    return PacketResult{verdict, std::span<const uint8_t>(frame.data() + offset, length), ns};
}

}  // namespace ebpf
