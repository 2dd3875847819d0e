// test_run (runtime.hpp): the BPF_PROG_TEST_RUN model over LoadedProgram.
// The caller gives packets and context structs as bytes; the context the
// engine sees (XdpRuntimeContext with real pointers, a bpf_sock_addr copy, a
// byte buffer) is built here, so no caller ever hands the runtime a structure
// it would trust. `ebpf run`, the C API (ebpf_program_test_run) and the
// libbpf-compatible bpf_prog_test_run_opts all run programs through it.
#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <net/if.h>
#include <array>

#include "ebpf/runtime.hpp"

namespace ebpf {
namespace {

constexpr size_t kXdpHeadroom = 256;  // Linux XDP_PACKET_HEADROOM
constexpr size_t kXdpTailroom = 256;
constexpr size_t kXdpFrameReserve = 40;  // sizeof(struct xdp_frame), kept at the start of the headroom
constexpr size_t kXdpMdSize = 24;     // struct xdp_md: six u32
constexpr size_t kSockAddrSize = 72;  // struct bpf_sock_addr
constexpr size_t kSkBuffSize = 192;   // struct __sk_buff
constexpr size_t kEthernetHeader = 14;  // ETH_HLEN
constexpr uint32_t kLoopbackIfindex = 1;

// The struct __sk_buff fields a test run takes (Linux convert___skb_to_skb):
// every other byte must be zero.
struct SkbInputField {
    size_t offset, size;
};
constexpr SkbInputField kSkbInputFields[] = {
    {8, 4},    // mark
    {32, 4},   // priority
    {36, 4},   // ingress_ifindex
    {40, 4},   // ifindex
    {48, 20},  // cb[5]
    {152, 8},  // tstamp
    {160, 4},  // wire_len
    {164, 4},  // gso_segs
    {176, 4},  // gso_size
    {184, 8},  // hwtstamp
};
constexpr uint32_t kGsoLegacyMaxSize = 65536, kGsoMaxSegs = 65535;

[[noreturn]] void refuse(int code, const LoadedProgram& program, const std::string& what) {
    throw TestRunRefused(code, "program '" + program.name() + "': " + what);
}

uint32_t u32_at(std::span<const uint8_t> bytes, size_t offset) {
    uint32_t value = 0;
    if (offset + 4 <= bytes.size()) std::memcpy(&value, bytes.data() + offset, 4);
    return value;
}

// A context longer than the struct is fine only when the rest is zero (Linux's
// bpf_check_uarg_tail_zero: a newer caller's fields this runtime does not know).
void check_ctx_size(const LoadedProgram& program, std::span<const uint8_t> ctx, size_t struct_size,
                    const char* struct_name) {
    if (ctx.size() <= struct_size) return;
    if (std::any_of(ctx.begin() + static_cast<ptrdiff_t>(struct_size), ctx.end(), [](uint8_t b) { return b != 0; }))
        refuse(E2BIG, program, std::string("the context is a ") + struct_name + " of " + std::to_string(struct_size) +
                                   " bytes; the " + std::to_string(ctx.size()) + " bytes given have non-zero bytes past it");
}

void refuse_data(const LoadedProgram& program, std::span<const uint8_t> data, const char* type) {
    if (!data.empty())
        refuse(EINVAL, program, std::string(type) + " programs take no data (give the context as ctx)");
}

void refuse_ctx(const LoadedProgram& program, std::span<const uint8_t> ctx, const char* type) {
    if (!ctx.empty())
        refuse(EINVAL, program, std::string(type) + " programs take no context struct (give the buffer as data)");
}

bool interface_exists(uint32_t ifindex) {
    char name[IF_NAMESIZE];
    return if_indextoname(ifindex, name) != nullptr;
}

// Runs `body` `repeat` times and times the batch, as Linux's BPF_PROG_TEST_RUN:
// the clock is read once before and once after, not around every run (two
// clock reads cost more than a short program). As in Linux, each run sees the
// data and context the previous run left (the packet is not restored).
template <typename Body>
uint64_t timed_batch(std::chrono::nanoseconds& total, uint64_t repeat, Body&& body) {
    uint64_t result = 0;
    const auto start = std::chrono::steady_clock::now();
    for (uint64_t run = 0; run < repeat; ++run) result = body();
    total += std::chrono::steady_clock::now() - start;
    return result;
}

uint64_t u64_at(std::span<const uint8_t> bytes, size_t offset) {
    uint64_t value = 0;
    if (offset + 8 <= bytes.size()) std::memcpy(&value, bytes.data() + offset, 8);
    return value;
}

// Linux bpf_prog_test_run_skb: the frame goes in as an Ethernet frame (tc
// programs see it from the Ethernet header, socket filters from the network
// header), the allowed __sk_buff fields of ctx set the socket buffer, and
// out come the packet (for socket filters with the Ethernet header zeroed,
// as Linux) and the fields Linux copies back.
TestRunOutput test_run_skb(const LoadedProgram& program, const TestRunInput& input, uint64_t repeat,
                           std::chrono::nanoseconds& total) {
    const bool tc = program.type() != ProgramType::socket_filter;
    if (input.data.size() < SkbPacket::kEthernetHeader)
        refuse(EINVAL, program, "the packet must be an Ethernet frame of at least 14 bytes, got " +
                                    std::to_string(input.data.size()));
    if (input.data.size() > SkbPacket::kMaxLength)
        refuse(EINVAL, program, "the packet is longer than " + std::to_string(SkbPacket::kMaxLength) + " bytes");
    // Linux 6.18 also wants the whole network header of an IPv4 or IPv6 frame.
    const uint16_t ethertype = static_cast<uint16_t>(input.data[12] << 8 | input.data[13]);
    const size_t network_header = ethertype == 0x0800 ? 20 : ethertype == 0x86dd ? 40 : 0;
    if (input.data.size() < SkbPacket::kEthernetHeader + network_header)
        refuse(EINVAL, program, std::string("the ") + (network_header == 20 ? "IPv4" : "IPv6") + " frame of " +
                                    std::to_string(input.data.size()) + " bytes is shorter than its Ethernet and " +
                                    std::to_string(network_header) + "-byte network headers");
    check_ctx_size(program, input.ctx, kSkBuffSize, "struct __sk_buff");
    std::array<uint8_t, kSkBuffSize> in{};
    std::copy_n(input.ctx.begin(), std::min(input.ctx.size(), kSkBuffSize), in.begin());
    for (size_t offset = 0; offset < kSkBuffSize; ++offset) {
        const bool allowed = std::any_of(std::begin(kSkbInputFields), std::end(kSkbInputFields),
                                         [&](const SkbInputField& f) { return offset >= f.offset && offset < f.offset + f.size; });
        if (!allowed && in[offset] != 0)
            refuse(EINVAL, program, "struct __sk_buff byte " + std::to_string(offset) +
                                        " is not zero: a test run takes only mark, priority, ingress_ifindex, ifindex, "
                                        "cb, tstamp, wire_len, gso_segs, gso_size and hwtstamp");
    }
    const uint32_t ifindex = u32_at(in, 40), wire_len = u32_at(in, 160), gso_segs = u32_at(in, 164);
    // Any other device must exist on this host, as Linux looks it up.
    if (ifindex > kLoopbackIfindex && !interface_exists(ifindex))
        refuse(ENODEV, program, "struct __sk_buff ifindex " + std::to_string(ifindex) + ": no such network interface");
    const size_t length = input.data.size() - (tc ? 0 : SkbPacket::kEthernetHeader);
    if (wire_len != 0 && (wire_len < length || wire_len > kGsoLegacyMaxSize))
        refuse(EINVAL, program, "struct __sk_buff wire_len " + std::to_string(wire_len) + " must be 0 or between the "
                                    "packet length " + std::to_string(length) + " and " + std::to_string(kGsoLegacyMaxSize));
    if (gso_segs > kGsoMaxSegs)
        refuse(EINVAL, program, "struct __sk_buff gso_segs is larger than " + std::to_string(kGsoMaxSegs));
    TestRunOutput out;
    SkbPacket packet(input.data, program.type());
    SkbRuntimeContext& c = packet.context();
    c.mark = u32_at(in, 8);
    c.priority = u32_at(in, 32);
    c.ingress_ifindex = u32_at(in, 36);
    if (ifindex > kLoopbackIfindex) c.ifindex = ifindex;
    std::memcpy(c.cb, in.data() + 48, sizeof c.cb);
    c.tstamp = u64_at(in, 152);
    if (wire_len != 0) c.wire_len = wire_len;
    c.gso_segs = gso_segs;
    c.gso_size = u32_at(in, 176);
    c.hwtstamp = u64_at(in, 184);
    c.flags |= kSkbCallerSocket;  // Linux gives the test run's skb a socket of the caller's
    out.retval = timed_batch(total, repeat, [&] { return program.run_skb(packet); });
    std::span<const uint8_t> data = packet.data();
    if (tc) {
        out.data.assign(data.begin(), data.end());
    } else {
        out.data.assign(SkbPacket::kEthernetHeader, 0);
        out.data.insert(out.data.end(), data.begin(), data.end());
    }
    // Linux convert_skb_to___skb: these fields, the rest zero.
    out.ctx.assign(kSkBuffSize, 0);
    auto put32 = [&](size_t offset, uint32_t v) { std::memcpy(out.ctx.data() + offset, &v, 4); };
    auto put64 = [&](size_t offset, uint64_t v) { std::memcpy(out.ctx.data() + offset, &v, 8); };
    put32(8, c.mark);
    put32(32, c.priority);
    put32(36, c.ingress_ifindex);
    put32(40, c.ifindex);
    std::memcpy(out.ctx.data() + 48, c.cb, sizeof c.cb);
    put64(152, c.tstamp);
    put32(160, c.wire_len);
    put32(164, c.gso_segs);
    put64(184, c.hwtstamp);
    if (c.tunnel.present) out.tunnel = c.tunnel;
    return out;
}

}  // namespace

TestRunOutput test_run(const LoadedProgram& program, const TestRunInput& input) {
    if (input.data.size() > kMaxTestRunBytes || input.ctx.size() > kMaxTestRunBytes)
        refuse(EINVAL, program, "test-run data and context are limited to " + std::to_string(kMaxTestRunBytes) + " bytes");
    const uint64_t repeat = std::max<uint64_t>(input.repeat, 1);
    TestRunOutput out;
    std::chrono::nanoseconds total{0};
    const ProgramTypeInfo& info = program_type_info(program.type());
    switch (program.type()) {
    case ProgramType::xdp: {
        // As Linux: at least an Ethernet header.
        if (input.data.size() < kEthernetHeader)
            refuse(EINVAL, program, "the packet must be an Ethernet frame of at least 14 bytes, got " +
                                        std::to_string(input.data.size()));
        check_ctx_size(program, input.ctx, kXdpMdSize, "struct xdp_md");
        const uint32_t data = u32_at(input.ctx, 0), data_end = u32_at(input.ctx, 4), data_meta = u32_at(input.ctx, 8);
        const uint32_t ingress = u32_at(input.ctx, 12), rx_queue = u32_at(input.ctx, 16), egress = u32_at(input.ctx, 20);
        // xdp_md.data is the length of metadata at the start of the data
        // given (a multiple of 4, at most 32), as Linux.
        if (data_meta != 0) refuse(EINVAL, program, "xdp_md.data_meta must be 0");
        if (data > input.data.size() || data % 4 || data > kXdpHeadroom - kXdpFrameReserve)
            refuse(EINVAL, program, "xdp_md.data (the metadata length) must be a multiple of 4, at most " +
                                        std::to_string(kXdpHeadroom - kXdpFrameReserve) + " and inside the data, got " +
                                        std::to_string(data));
        // Linux 6.x refuses a data_end past the packet and otherwise goes by data_size_in.
        if (data_end > input.data.size())
            refuse(EINVAL, program, "xdp_md.data_end is " + std::to_string(data_end) + ", past the " +
                                        std::to_string(input.data.size()) + "-byte packet");
        if (egress != 0) refuse(EINVAL, program, "xdp_md.egress_ifindex must be 0 on input");
        if (rx_queue != 0 && ingress == 0)
            refuse(EINVAL, program, "xdp_md.rx_queue_index needs an ingress_ifindex");
        std::vector<uint8_t> frame(kXdpHeadroom + input.data.size() + kXdpTailroom, 0);
        // The metadata comes out of the headroom: the packet starts after 256 bytes.
        std::copy(input.data.begin(), input.data.end(), frame.begin() + kXdpHeadroom - data);
        size_t offset = kXdpHeadroom, length = input.data.size() - data, meta = data;
        // Without an ingress_ifindex the packet comes from the loopback
        // device (1), as Linux. The verdict is a u32 (Linux's
        // bpf_prog_run_xdp); an unknown one is reported as it is, as
        // BPF_PROG_TEST_RUN does (the packet host treats it as XDP_ABORTED).
        const uint32_t from = ingress ? ingress : kLoopbackIfindex;
        out.retval = static_cast<uint32_t>(timed_batch(
            total, repeat, [&] { return program.run_xdp(frame, offset, length, from, rx_queue, 0, &meta); }));
        // As Linux 6.18: the data out starts with the metadata; xdp_md.data is
        // its length, data_end the end of the packet after it (without an
        // xdp_md in, the kernel reports data_end as the metadata length too).
        out.data.assign(frame.begin() + static_cast<ptrdiff_t>(offset - meta),
                        frame.begin() + static_cast<ptrdiff_t>(offset + length));
        out.ctx.assign(kXdpMdSize, 0);
        const auto meta32 = static_cast<uint32_t>(meta);
        const uint32_t md[6] = {meta32, input.ctx.empty() ? meta32 : static_cast<uint32_t>(meta + length), 0, ingress,
                                rx_queue, 0};
        std::memcpy(out.ctx.data(), md, sizeof md);
        break;
    }
    case ProgramType::sched_cls:
    case ProgramType::sched_act:
    case ProgramType::socket_filter:
        out = test_run_skb(program, input, repeat, total);
        break;
    case ProgramType::cgroup_sock_addr: {
        refuse_data(program, input.data, "cgroup_sock_addr");
        check_ctx_size(program, input.ctx, kSockAddrSize, "struct bpf_sock_addr");
        out.ctx.assign(kSockAddrSize, 0);
        std::copy_n(input.ctx.begin(), std::min(input.ctx.size(), kSockAddrSize), out.ctx.begin());
        out.retval = timed_batch(total, repeat, [&] { return program.run(out.ctx.data(), out.ctx.size()); });
        break;
    }
    default: {
        if (!info.ctx_is_memory)
            refuse(EOPNOTSUPP, program, "the runtime cannot run " + std::string(info.name) + " programs");
        refuse_ctx(program, input.ctx, std::string(info.name).c_str());
        out.data.assign(input.data.begin(), input.data.end());
        out.retval = timed_batch(total, repeat,
                                 [&] { return program.run(out.data.empty() ? nullptr : out.data.data(), out.data.size()); });
        break;
    }
    }
    out.duration_ns = static_cast<uint64_t>(total.count()) / repeat;
    return out;
}

}  // namespace ebpf
