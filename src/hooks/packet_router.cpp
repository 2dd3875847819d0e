// The multi-port packet host's core (hooks.hpp, PacketRouter): runs the XDP
// program on a frame from one port and carries out the verdict — TX, PASS,
// and XDP_REDIRECT to ports (bpf_redirect, devmap, devmap_hash), CPUs
// (cpumap) and AF_XDP-like sockets (xskmap) — as Linux's xdp_do_redirect.
#include <chrono>
#include <cstring>

#include "ebpf/error.hpp"
#include "ebpf/hooks.hpp"

namespace ebpf {
namespace {

constexpr uint64_t kPass = 2, kTx = 3, kRedirect = 4;
// A cpumap entry's program may redirect again; Linux acts on that redirect
// once (from the CPU's kthread), and so does the router.
constexpr int kMaxRedirectDepth = 1;

}  // namespace

PacketRouter::PacketRouter(const LoadedProgram& program, PacketHookOptions options)
    : program_(program), options_(options) {
    if (program.type() != ProgramType::xdp)
        throw Error("packet host: program '" + program.name() + "' (section " + program.section() + ") is " +
                    std::string(program_type_name(program.type())) + ", not xdp");
}

PacketRouter::~PacketRouter() {
    for (const auto& [ifindex, port] : ports_) unregister_device(ifindex);
}

void PacketRouter::add_port(uint32_t ifindex, Sink transmit, Sink pass) {
    if (ifindex == 0) throw Error("packet host: a port needs a non-zero ifindex");
    if (ports_.contains(ifindex)) throw Error("packet host: port " + std::to_string(ifindex) + " exists already");
    ports_[ifindex] = Port{std::move(transmit), std::move(pass), {}};
    register_device(ifindex);
}

bool PacketRouter::has_port(uint32_t ifindex) const { return ports_.contains(ifindex); }

PortStats PacketRouter::port_stats(uint32_t ifindex) const {
    auto it = ports_.find(ifindex);
    return it == ports_.end() ? PortStats{} : it->second.stats;
}

uint64_t PacketRouter::run(const LoadedProgram& program, std::span<const uint8_t> input, std::vector<uint8_t>& frame,
                           size_t& offset, size_t& length, uint32_t ingress, uint32_t rx_queue, uint32_t egress) {
    // A fresh frame per run: headroom and tailroom zeroed, so nothing of an
    // earlier frame can reach this one.
    frame.assign(options_.headroom + input.size() + options_.tailroom, 0);
    if (!input.empty()) std::memcpy(frame.data() + options_.headroom, input.data(), input.size());
    offset = options_.headroom;
    length = input.size();
    return program.run_xdp(frame, offset, length, ingress, rx_queue, egress);
}

uint64_t PacketRouter::receive(uint32_t ifindex, std::span<const uint8_t> input, uint32_t rx_queue) {
    auto port = ports_.find(ifindex);
    if (port == ports_.end()) throw Error("packet host: no port " + std::to_string(ifindex));
    ++port->second.stats.received;
    ++stats_.packets;
    stats_.bytes += input.size();
    std::vector<uint8_t> frame;
    size_t offset = 0, length = 0;
    const auto start = std::chrono::steady_clock::now();
    uint64_t verdict;
    try {
        verdict = run(program_, input, frame, offset, length, ifindex, rx_queue, 0);
    } catch (const Error&) {
        ++stats_.verdicts[0];
        throw;
    }
    stats_.program_ns += static_cast<uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - start).count());
    // Read before anything else runs on this thread (a devmap program would reset it).
    const RedirectTarget target = verdict == kRedirect ? last_redirect() : RedirectTarget{};
    if (verdict < kXdpVerdictCount)
        ++stats_.verdicts[verdict];
    else
        ++stats_.invalid;  // as Linux: an unknown action drops the frame
    const std::span<const uint8_t> packet(frame.data() + offset, length);
    if (verdict == kTx) transmit(ifindex, packet);
    if (verdict == kPass) pass(ifindex, packet);
    if (verdict == kRedirect) redirect(target, packet, ifindex, rx_queue, 0);
    return verdict;
}

void PacketRouter::transmit(uint32_t ifindex, std::span<const uint8_t> frame) {
    auto port = ports_.find(ifindex);
    if (port == ports_.end()) {
        ++stats_.redirect_dropped;  // a device that is no port of this host
        return;
    }
    ++port->second.stats.transmitted;
    if (port->second.transmit) port->second.transmit(frame);
}

void PacketRouter::pass(uint32_t ifindex, std::span<const uint8_t> frame) {
    auto port = ports_.find(ifindex);
    if (port == ports_.end()) return;
    ++port->second.stats.passed;
    if (port->second.pass) port->second.pass(frame);
}

void PacketRouter::redirect(const RedirectTarget& target, std::span<const uint8_t> frame, uint32_t ingress,
                            uint32_t rx_queue, int depth) {
    switch (target.kind) {
    case RedirectTarget::Kind::none:
        ++stats_.redirect_dropped;  // XDP_REDIRECT without a (successful) redirect helper call
        return;
    case RedirectTarget::Kind::ifindex:
        transmit(target.index, frame);
        return;
    case RedirectTarget::Kind::map: break;
    }
    const Map& map = *target.map;
    if (map.type() == MapType::devmap || map.type() == MapType::devmap_hash) {
        if (target.flags & kRedirectBroadcast) {
            for (const RedirectEntry& entry : redirect_entries(map)) {
                if ((target.flags & kRedirectExcludeIngress) && entry.value == ingress) continue;
                to_device(entry.value, entry.program_id, frame, ingress, rx_queue);
            }
            return;
        }
        auto entry = redirect_entry(map, target.index);
        if (!entry) {
            ++stats_.redirect_dropped;  // deleted since the program looked it up
            return;
        }
        to_device(entry->value, entry->program_id, frame, ingress, rx_queue);
    } else if (map.type() == MapType::cpumap) {
        auto entry = redirect_entry(map, target.index);
        if (!entry) {
            ++stats_.redirect_dropped;
            return;
        }
        to_cpu(target.index, entry->program_id, frame, ingress, rx_queue, depth);
    } else if (map.type() == MapType::xskmap) {
        auto entry = redirect_entry(map, target.index);
        if (entry && entry->socket && entry->socket->deliver(frame, ingress, rx_queue))
            ++stats_.xsk_delivered;
        else
            ++stats_.redirect_dropped;  // no socket, bound elsewhere, or full
    } else {
        ++stats_.redirect_dropped;
    }
}

void PacketRouter::to_device(uint32_t ifindex, uint32_t program_id, std::span<const uint8_t> frame, uint32_t ingress,
                             uint32_t rx_queue) {
    if (program_id == 0) {
        transmit(ifindex, frame);
        return;
    }
    // The entry's program (section xdp/devmap) sees the frame on its way out.
    const LoadedProgram* program = find_program_by_id(program_id);
    if (!program || !ports_.contains(ifindex)) {
        ++stats_.redirect_dropped;
        return;
    }
    std::vector<uint8_t> copy;
    size_t offset = 0, length = 0;
    const uint64_t verdict = run(*program, frame, copy, offset, length, ingress, rx_queue, ifindex);
    if (verdict != kPass) {
        ++stats_.egress_dropped;
        return;
    }
    transmit(ifindex, std::span<const uint8_t>(copy.data() + offset, length));
}

void PacketRouter::to_cpu(uint32_t cpu, uint32_t program_id, std::span<const uint8_t> frame, uint32_t ingress,
                          uint32_t rx_queue, int depth) {
    std::vector<uint8_t> copy;
    std::span<const uint8_t> packet = frame;
    if (program_id != 0) {
        const LoadedProgram* program = find_program_by_id(program_id);
        if (!program) {
            ++stats_.redirect_dropped;
            return;
        }
        size_t offset = 0, length = 0;
        const uint64_t verdict = run(*program, frame, copy, offset, length, ingress, rx_queue, 0);
        packet = std::span<const uint8_t>(copy.data() + offset, length);
        if (verdict == kRedirect && depth < kMaxRedirectDepth) {
            const RedirectTarget again = last_redirect();
            std::vector<uint8_t> kept(packet.begin(), packet.end());
            redirect(again, kept, ingress, rx_queue, depth + 1);
            return;
        }
        if (verdict != kPass) {
            ++stats_.redirect_dropped;  // XDP_DROP, or an action a cpumap program cannot take (TX)
            return;
        }
    }
    ++stats_.cpu_passed;
    ++cpu_counts_[cpu];
    pass(ingress, packet);
}

}  // namespace ebpf
