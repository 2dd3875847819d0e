// Hook hosts built on the embedding API (runtime.hpp):
//  * the packet hook: runs an XDP program over packets from a pcap file or a
//    live libpcap capture, with Linux XDP frame layout (headroom before the
//    packet so bpf_xdp_adjust_head can grow it, tailroom after it for
//    bpf_xdp_adjust_tail) and XDP verdicts;
//  * the sock_addr policy: runs cgroup/bind4|bind6|connect4|connect6 programs
//    over a socket address the way Linux does for a cgroup, for the
//    LD_PRELOAD bind/connect shim (tools/bind_shim) or any host that wants
//    the same decision.
// Like the rest of the library, nothing here prints or exits.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <sys/socket.h>

#include "ebpf/runtime.hpp"

namespace ebpf {

// --- packet hook -----------------------------------------------------------------

// XDP verdicts, numbered as Linux enum xdp_action.
enum class XdpVerdict : uint32_t { aborted = 0, drop = 1, pass = 2, tx = 3, redirect = 4 };
inline constexpr size_t kXdpVerdictCount = 5;
// "aborted", "drop", "pass", "tx", "redirect"; "invalid" for anything else.
std::string_view xdp_verdict_name(uint64_t verdict);

// Linux XDP_PACKET_HEADROOM.
inline constexpr size_t kXdpHeadroom = 256;
// Room after the packet for bpf_xdp_adjust_tail to grow it.
inline constexpr size_t kXdpDefaultTailroom = 256;

// A tc program's action (Linux TC_ACT_*) as the packet host's verdict:
// TC_ACT_OK (0), TC_ACT_UNSPEC (-1, the default classification), TC_ACT_PIPE
// (3) and TC_ACT_RECLASSIFY (1) let the packet pass; TC_ACT_SHOT (2),
// TC_ACT_STOLEN (4), TC_ACT_QUEUED (5) and TC_ACT_TRAP (8) take it off the
// path (drop: nothing is written); TC_ACT_REDIRECT (7) is redirect. Any other
// value passes, as Linux's sch_handle_ingress/egress treat unknown actions.
XdpVerdict packet_verdict_of_tc_action(int32_t action);

struct PacketHookOptions {
    size_t headroom = kXdpHeadroom;
    size_t tailroom = kXdpDefaultTailroom;
    uint32_t ingress_ifindex = 0;  // what the program reads as ctx->ingress_ifindex
};

// One packet after the program: the verdict and the packet as the program
// left it (after any head/tail adjustment and rewrite). `packet` points into
// the hook's frame buffer and stays valid until the next process() call.
struct PacketResult {
    uint64_t verdict = 0;          // XDP: the program's action (an unknown one becomes aborted, as Linux);
                                   // tc and socket filters: as XdpVerdict (packet_verdict_of_tc_action)
    std::span<const uint8_t> packet;
    uint64_t duration_ns = 0;      // time spent in the program
    uint64_t retval = 0;           // the program's return value
};

struct PacketStats {
    uint64_t packets = 0;
    uint64_t bytes = 0;                                // input bytes (captured)
    uint64_t verdicts[kXdpVerdictCount] = {};          // indexed by XdpVerdict
    uint64_t invalid = 0;                              // unknown actions (> 4): counted as aborted too, as Linux
    uint64_t written = 0;                              // packets written to the output (PASS and TX)
    uint64_t injected = 0;                             // TX packets sent back out (live capture only)
    uint64_t program_ns = 0;                           // total time in the program
    uint64_t count(XdpVerdict verdict) const { return verdicts[static_cast<uint32_t>(verdict)]; }
    uint64_t mean_ns() const { return packets ? program_ns / packets : 0; }
};

// Runs one XDP, tc (sched_cls, sched_act) or socket-filter program over
// packets. tc programs see each packet as a socket buffer (SkbPacket) and
// their action becomes a verdict (packet_verdict_of_tc_action); a socket
// filter's return value is how many bytes to keep (0: drop; the packet passes
// cut to that length). Not thread-safe (one frame buffer); use one
// PacketHook per thread.
class PacketHook {
public:
    // Throws ebpf::Error when `program` is of another type.
    explicit PacketHook(const LoadedProgram& program, PacketHookOptions options = {});

    // Copies `packet` into a frame with headroom and tailroom, runs the
    // program and updates stats(). Throws ebpf::Error when the program
    // faults (the packet is then counted as aborted first).
    PacketResult process(std::span<const uint8_t> packet);

    const PacketStats& stats() const { return stats_; }
    PacketStats& stats() { return stats_; }
    const LoadedProgram& program() const { return program_; }

private:
    PacketResult process_skb(std::span<const uint8_t> packet);
    const LoadedProgram& program_;
    PacketHookOptions options_;
    std::vector<uint8_t> frame_;
    std::unique_ptr<SkbPacket> skb_;  // tc and socket filters: the last packet
    PacketStats stats_;
};

// Which packets go to the output file: PASS and TX (the packets that would
// continue up the stack or go back out), with their adjusted contents.
inline bool xdp_verdict_forwards(uint64_t verdict) {
    return verdict == static_cast<uint64_t>(XdpVerdict::pass) || verdict == static_cast<uint64_t>(XdpVerdict::tx);
}

struct ReplayOptions {
    // pcap file to write PASS/TX packets to (empty: none), with the input's link type.
    std::string output_path;
    // Stop after this many packets (0: the whole file / forever for live capture).
    uint64_t max_packets = 0;
    // A libpcap filter expression (tcpdump syntax, e.g. "udp port 53"):
    // only matching packets reach the program; empty: all.
    std::string filter;
    // Called every `progress_every` packets with the stats so far.
    std::function<void(const PacketStats&)> progress;
    uint64_t progress_every = 65536;
    // Set from another thread or a signal handler to stop early.
    const std::atomic<bool>* stop = nullptr;
};

// Replays a pcap file through the hook and returns hook.stats() (which add
// up over every packet the hook has processed). Throws ebpf::Error "path: why" for a
// file libpcap cannot read, and for a program fault ("path: packet N: why").
PacketStats replay_pcap(PacketHook& hook, const std::string& input_path, const ReplayOptions& options = {});

struct LiveCaptureOptions : ReplayOptions {
    std::string interface;
    // Send TX packets back out of the interface with pcap_inject.
    bool inject_tx = false;
    int snaplen = 65535;
    bool promiscuous = false;
    int timeout_ms = 100;  // how often `stop` is looked at while no packet arrives
};

// Captures on a live interface (needs CAP_NET_RAW) and runs the hook on each
// packet until max_packets or *stop. Throws ebpf::Error "iface: why" when
// the capture cannot start.
PacketStats capture_live(PacketHook& hook, const LiveCaptureOptions& options);

// --- the multi-port packet host ---------------------------------------------------
//
// Several ports (devices with an ifindex) and one XDP program that runs on
// every frame any port receives, with Linux's verdicts carried out:
//  * XDP_TX: the frame leaves the port it came in on;
//  * XDP_REDIRECT: to the target of the program's last bpf_redirect /
//    bpf_redirect_map: a port by ifindex (bpf_redirect, devmap, devmap_hash;
//    BPF_F_BROADCAST sends a copy to every entry, BPF_F_EXCLUDE_INGRESS skips
//    the port it came from; a devmap entry's program runs first, with
//    egress_ifindex set, and only XDP_PASS lets the frame out), a CPU
//    (cpumap: the entry's program, if any, runs on the frame, then XDP_PASS
//    hands it to the stack, XDP_REDIRECT redirects again, anything else drops
//    it; see docs/hooks.md), or an AF_XDP-like socket (xskmap: XskSocket).
//    A redirect to a port, slot or socket that is not there drops the frame
//    and counts it, as Linux;
//  * XDP_PASS: the frame goes to the host's stack (the port's pass sink).
// Not thread-safe: one router per thread.
struct PortStats {
    uint64_t received = 0;     // frames that arrived on the port
    uint64_t transmitted = 0;  // frames that left it (TX, redirects to it)
    uint64_t passed = 0;       // frames of the port given to the stack
};

struct RouterStats {
    uint64_t packets = 0;
    uint64_t bytes = 0;
    uint64_t verdicts[kXdpVerdictCount] = {};  // of the attached program
    uint64_t invalid = 0;                      // return value > 4: dropped
    uint64_t redirect_dropped = 0;             // no target, a missing port/slot/socket, a full or foreign socket
    uint64_t egress_dropped = 0;               // a devmap entry's program did not return XDP_PASS
    uint64_t cpu_passed = 0;                   // frames redirected to a cpumap entry that reached the stack
    uint64_t xsk_delivered = 0;                // frames delivered to an AF_XDP-like socket
    uint64_t program_ns = 0;
    uint64_t mean_ns() const { return packets ? program_ns / packets : 0; }
};

class PacketRouter {
public:
    using Sink = std::function<void(std::span<const uint8_t> frame)>;
    // Throws ebpf::Error when `program` is not an XDP program.
    explicit PacketRouter(const LoadedProgram& program, PacketHookOptions options = {});
    ~PacketRouter();  // unregisters its ports
    PacketRouter(const PacketRouter&) = delete;
    PacketRouter& operator=(const PacketRouter&) = delete;

    // Adds a port: registers the device (register_device) so devmaps accept
    // it. `transmit` gets the frames that leave the port, `pass` (may be
    // empty) those the program passes to the stack. Throws ebpf::Error for
    // ifindex 0 or a port that exists already.
    void add_port(uint32_t ifindex, Sink transmit, Sink pass = {});
    bool has_port(uint32_t ifindex) const;

    // Runs the program on a frame that arrived on port `ifindex` (rx queue
    // `rx_queue`) and carries out its verdict; returns the verdict. Throws
    // ebpf::Error for an unknown port or a program fault.
    uint64_t receive(uint32_t ifindex, std::span<const uint8_t> frame, uint32_t rx_queue = 0);

    const RouterStats& stats() const { return stats_; }
    PortStats port_stats(uint32_t ifindex) const;
    // Frames that reached the stack through each cpumap entry (by CPU).
    const std::map<uint32_t, uint64_t>& cpu_counts() const { return cpu_counts_; }

private:
    struct Port {
        Sink transmit, pass;
        PortStats stats;
    };
    uint64_t run(const LoadedProgram& program, std::span<const uint8_t> input, std::vector<uint8_t>& frame,
                 size_t& offset, size_t& length, uint32_t ingress, uint32_t rx_queue, uint32_t egress);
    void transmit(uint32_t ifindex, std::span<const uint8_t> frame);
    void pass(uint32_t ifindex, std::span<const uint8_t> frame);
    void redirect(const RedirectTarget& target, std::span<const uint8_t> frame, uint32_t ingress, uint32_t rx_queue,
                  int depth);
    void to_device(uint32_t ifindex, uint32_t program_id, std::span<const uint8_t> frame, uint32_t ingress,
                   uint32_t rx_queue);
    void to_cpu(uint32_t cpu, uint32_t program_id, std::span<const uint8_t> frame, uint32_t ingress, uint32_t rx_queue,
                int depth);

    const LoadedProgram& program_;
    PacketHookOptions options_;
    std::map<uint32_t, Port> ports_;
    std::map<uint32_t, uint64_t> cpu_counts_;
    RouterStats stats_;
};

// One port of run_ports(): where its frames come from and go.
struct PortSpec {
    uint32_t ifindex = 0;
    std::string pcap;          // frames to replay (a pcap file), or
    std::string interface;     // a live interface to capture on (needs CAP_NET_RAW); neither: output only
    std::string output_path;   // pcap file of the frames that leave the port (empty: none)
    std::string pass_path;     // pcap file of the frames passed to the stack (empty: none)
    bool inject = false;       // live: send the frames that leave the port out of the interface
};

// Feeds every port's frames to the router (pcap files merged in timestamp
// order; live ports as frames arrive) until the files end, max_packets or
// *stop, and writes each port's outputs (the input's link type). File and
// live ports cannot be mixed. Throws ebpf::Error "port N: why".
// `on_ready` runs once every port is added to the router (its devices
// exist), before the first frame: where the host fills devmaps.
RouterStats run_ports(PacketRouter& router, const std::vector<PortSpec>& ports, const ReplayOptions& options = {},
                      const std::function<void()>& on_ready = {});

// --- sock_addr policy (bind/connect) ---------------------------------------------

// Which cgroup sock_addr attach point a call goes through.
enum class SockAddrHook { bind4, bind6, connect4, connect6 };
std::string_view sock_addr_hook_name(SockAddrHook hook);  // "bind4", ...
std::optional<SockAddrHook> sock_addr_hook_from_name(std::string_view name);

// What the programs decided for one bind()/connect().
struct SockAddrDecision {
    bool allow = true;
    bool rewritten = false;          // the programs changed the address or port
    sockaddr_storage address{};      // the address to use (the rewrite, or the original)
    socklen_t address_length = 0;
};

// The cgroup/bind*, cgroup/connect* programs of one or more loaded objects.
// Programs attached to the same point all run, in the order added; the call
// is allowed only when every one returns 1, and each sees the address as the
// previous one left it (Linux runs a cgroup's effective programs this way).
class SockAddrPolicy {
public:
    // Adds every cgroup_sock_addr program of `object`; returns how many.
    size_t add(const LoadedObject& object);
    // Adds one program; throws ebpf::Error when it is not a cgroup_sock_addr
    // program with a bind4/bind6/connect4/connect6 attach point.
    void add(const LoadedProgram& program);
    size_t size() const { return programs_.size(); }
    bool has(SockAddrHook hook) const;

    // Runs the programs of `hook` over `address` (AF_INET for *4, AF_INET6
    // for *6). `fd` (may be -1) supplies the socket's family, type and
    // protocol via getsockopt, as the kernel's struct bpf_sock_addr has them.
    // Throws ebpf::Error for an address of the wrong family or length, or
    // when a program faults.
    SockAddrDecision decide(SockAddrHook hook, int fd, const sockaddr* address, socklen_t length) const;

private:
    struct Entry {
        SockAddrHook hook;
        const LoadedProgram* program;
    };
    std::vector<Entry> programs_;
};

}  // namespace ebpf
