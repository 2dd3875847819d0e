// tc and socket-filter programs: the socket-buffer test run (Linux
// net/bpf/test_run.c conventions, checked against the 6.18 kernel), the
// __sk_buff helpers under hostile offsets and sizes, XDP's test-run
// conventions, and bpf_fib_lookup against the runtime's table. The kernel
// comparison of whole programs is tests/realworld/skb.
#include <gtest/gtest.h>
#include <sys/socket.h>

#include <cerrno>

#include "ebpf/runtime.hpp"
#include "test_support.hpp"

namespace {

using namespace runtime_test;
using Bytes = std::vector<uint8_t>;

// Ethernet 02:..:02 <- 02:..:01, IPv4 10.0.0.1 -> 10.0.0.2, UDP 1234 -> 53.
const Bytes kUdpFrame = {0x02, 0, 0, 0, 0, 0x02, 0x02, 0, 0, 0, 0, 0x01, 0x08, 0x00,
                         0x45, 0, 0, 0x1c, 0, 1, 0, 0, 0x40, 0x11, 0x7c, 0xbe, 10, 0, 0, 1, 10, 0, 0, 2,
                         0x04, 0xd2, 0, 0x35, 0, 8, 0, 0};

uint32_t u32(const Bytes& bytes, size_t offset) {
    uint32_t v;
    std::memcpy(&v, bytes.data() + offset, 4);
    return v;
}

int refused_code(const ebpf::LoadedProgram& program, const Bytes& data, const Bytes& ctx = {}) {
    try {
        ebpf::test_run(program, {.data = data, .ctx = ctx});
    } catch (const ebpf::TestRunRefused& e) {
        return e.code();
    }
    return 0;
}

class Skb : public ::testing::TestWithParam<ebpf::ExecMode> {
protected:
    void SetUp() override { object = load("runtime_skb", GetParam()); }
    const ebpf::LoadedProgram& program(const std::string& name) { return object->program(name); }
    std::unique_ptr<ebpf::LoadedObject> object;
};

TEST_P(Skb, TcSeesTheFrameAsLinuxBuildsIt) {
    Bytes ctx(192, 0);
    const uint32_t mark = 0x1234, ingress = 7;
    std::memcpy(ctx.data() + 8, &mark, 4);
    std::memcpy(ctx.data() + 36, &ingress, 4);
    const ebpf::TestRunOutput out = ebpf::test_run(program("skb_fields"), {.data = kUdpFrame, .ctx = ctx});
    EXPECT_EQ(out.retval, mark);
    EXPECT_EQ(out.data, kUdpFrame);
    ASSERT_EQ(out.ctx.size(), 192u);
    EXPECT_EQ(u32(out.ctx, 48), kUdpFrame.size());  // len: from the Ethernet header
    EXPECT_EQ(u32(out.ctx, 52), 0x0008u);           // protocol: ETH_P_IP in network order
    EXPECT_EQ(u32(out.ctx, 56), 3u);                // PACKET_OTHERHOST: not the loopback's address
    EXPECT_EQ(u32(out.ctx, 60), 1u);                // ifindex: the loopback device
    EXPECT_EQ(u32(out.ctx, 64), ingress);
    EXPECT_EQ(u32(out.ctx, 32), kUdpFrame.size());  // priority = wire_len, as the program set it
    EXPECT_EQ(u32(out.ctx, 40), 1u);
    EXPECT_EQ(u32(out.ctx, 160), kUdpFrame.size());  // wire_len
}

TEST_P(Skb, SocketFilterSeesTheNetworkHeaderAndGetsTheEthernetHeaderZeroed) {
    const ebpf::TestRunOutput out = ebpf::test_run(program("skb_socket"), {.data = kUdpFrame});
    EXPECT_EQ(out.retval, kUdpFrame.size() - 14);
    EXPECT_EQ(u32(out.ctx, 48), 0x45u);  // the first byte it reads is the IP header's
    Bytes expected = kUdpFrame;
    std::fill(expected.begin(), expected.begin() + 14, 0);
    EXPECT_EQ(out.data, expected);
}

TEST_P(Skb, TestRunRefusesWhatLinuxRefuses) {
    const auto& tc = program("skb_fields");
    EXPECT_EQ(refused_code(tc, Bytes(13, 0)), EINVAL);  // shorter than an Ethernet header
    EXPECT_EQ(refused_code(tc, Bytes(kUdpFrame.begin(), kUdpFrame.begin() + 33)), EINVAL);  // IPv4 header cut
    Bytes ctx(192, 0);
    ctx[0] = 1;  // len may not be given
    EXPECT_EQ(refused_code(tc, kUdpFrame, ctx), EINVAL);
    ctx.assign(196, 0);
    ctx[195] = 1;  // junk past struct __sk_buff
    EXPECT_EQ(refused_code(tc, kUdpFrame, ctx), E2BIG);
    ctx.assign(192, 0);
    const uint32_t no_such_device = 0x7ffffff0;
    std::memcpy(ctx.data() + 40, &no_such_device, 4);
    EXPECT_EQ(refused_code(tc, kUdpFrame, ctx), ENODEV);
    ctx.assign(192, 0);
    const uint32_t short_wire_len = 10;
    std::memcpy(ctx.data() + 160, &short_wire_len, 4);
    EXPECT_EQ(refused_code(tc, kUdpFrame, ctx), EINVAL);
    // A non-IP frame needs only its Ethernet header.
    Bytes arp(14, 0);
    arp[12] = 0x08;
    arp[13] = 0x06;
    EXPECT_EQ(refused_code(tc, arp), 0);
}

TEST_P(Skb, XdpIngressIfindexDefaultsToLoopback) {
    const ebpf::TestRunOutput out = ebpf::test_run(program("xdp_ifindex"), {.data = kUdpFrame});
    EXPECT_EQ(out.retval, 2u);  // XDP_PASS
    Bytes md(24, 0);
    const uint32_t ingress = 1, data_end = static_cast<uint32_t>(kUdpFrame.size());
    std::memcpy(md.data() + 4, &data_end, 4);
    std::memcpy(md.data() + 12, &ingress, 4);
    EXPECT_EQ(ebpf::test_run(program("xdp_ifindex"), {.data = kUdpFrame, .ctx = md}).retval, 2u);
    EXPECT_EQ(refused_code(program("xdp_ifindex"), Bytes(13, 0)), EINVAL);  // shorter than an Ethernet header
}

TEST_P(Skb, FibLookupUsesTheRuntimeTable) {
    ebpf::set_fib_table(std::make_shared<const ebpf::FibTable>(ebpf::parse_fib_table(
        "10.1.0.0/16 via 10.0.0.254 dev 3 smac 02:00:00:00:00:aa dmac 02:00:00:00:00:bb mtu 1400\n"
        "10.1.2.0/24 dev 4 smac 02:00:00:00:00:cc  # no neighbour\n"
        "10.9.0.0/16 blackhole\n",
        "test")));
    auto lookup = [&](const char* prog, uint8_t a, uint8_t b, uint8_t c, uint8_t d) {
        Bytes frame(60, 0);
        frame[0] = a, frame[1] = b, frame[2] = c, frame[3] = d;
        ebpf::test_run(program(prog), {.data = frame});
        auto value = object->map("fib_result").lookup(bytes_of(uint32_t{0}));
        return value ? *value : Bytes{};
    };
    Bytes out = lookup("xdp_fib", 10, 1, 9, 9);
    EXPECT_EQ(out[0], 0);  // BPF_FIB_LKUP_RET_SUCCESS
    EXPECT_EQ(out[1], 3);
    EXPECT_EQ(out[7], 0xbb);
    EXPECT_EQ(out[13], 0xaa);
    EXPECT_EQ(Bytes(out.begin() + 14, out.begin() + 18), (Bytes{10, 0, 0, 254}));  // the gateway
    EXPECT_EQ(out[18] | out[19] << 8, 1400);                                       // mtu_result
    EXPECT_EQ(lookup("xdp_fib", 10, 1, 2, 3)[0], 7);  // the longer prefix has no neighbour: NO_NEIGH
    EXPECT_EQ(lookup("xdp_fib", 10, 9, 0, 1)[0], 1);  // BLACKHOLE
    EXPECT_EQ(lookup("xdp_fib", 192, 0, 2, 1)[0], 4);  // no route: NOT_FWDED
    // tc with BPF_FIB_LOOKUP_SKIP_NEIGH: success without a neighbour.
    Bytes tc = lookup("tc_fib", 10, 1, 2, 3);
    EXPECT_EQ(tc[0], 0);
    EXPECT_EQ(tc[1], 4);
    ebpf::set_fib_table(nullptr);
    EXPECT_EQ(lookup("xdp_fib", 10, 1, 9, 9)[0], 4);
}

// The tunnel key a program set comes out of the test run (the kernel keeps it
// to itself); a packet without one has none.
TEST_P(Skb, TestRunGivesTheTunnelKeyTheProgramSet) {
    const ebpf::TestRunOutput out = ebpf::test_run(program("tc_tunnel"), {.data = kUdpFrame});
    EXPECT_EQ(out.retval, 0u);  // read back as received: remote and local swapped
    ASSERT_TRUE(out.tunnel);
    EXPECT_EQ(out.tunnel->id, 5000u);
    EXPECT_TRUE(out.tunnel->ipv6);
    EXPECT_EQ(out.tunnel->ttl, 64);
    EXPECT_EQ(out.tunnel->label, 0x12345u);
    EXPECT_EQ(out.tunnel->dst[0], 0x20);
    EXPECT_EQ(out.tunnel->dst[15], 9);
    EXPECT_EQ(out.tunnel->flags, ebpf::kTunnelKey | ebpf::kTunnelCsum | ebpf::kTunnelNoCache |
                                     ebpf::kTunnelDontFragment | ebpf::kTunnelOptionsPresent);
    ASSERT_EQ(out.tunnel->options_length, 4u);
    EXPECT_EQ(out.tunnel->options[0], 0x02);
    EXPECT_FALSE(ebpf::test_run(program("skb_fields"), {.data = kUdpFrame}).tunnel);
}

INSTANTIATE_TEST_SUITE_P(Modes, Skb,
                         ::testing::Values(ebpf::ExecMode::interpret, ebpf::ExecMode::jit, ebpf::ExecMode::native),
                         [](const auto& info) { return std::string(ebpf::exec_mode_name(info.param)); });

TEST(FibTable, BadLinesAreNamed) {
    EXPECT_THROW(ebpf::parse_fib_table("10.0.0.0 dev 1\n", "t"), ebpf::Error);       // no prefix length
    EXPECT_THROW(ebpf::parse_fib_table("10.0.0.0/33 dev 1\n", "t"), ebpf::Error);    // too long
    EXPECT_THROW(ebpf::parse_fib_table("10.0.0.0/8\n", "t"), ebpf::Error);           // no device
    EXPECT_THROW(ebpf::parse_fib_table("10.0.0.0/8 dev 1 via fd00::1\n", "t"), ebpf::Error);
    EXPECT_THROW(ebpf::parse_fib_table("10.0.0.0/8 dev 1 dmac 02:00\n", "t"), ebpf::Error);
    EXPECT_THROW(ebpf::parse_fib_table("10.0.0.0/8 dev\n", "t"), ebpf::Error);
    try {
        ebpf::parse_fib_table("# routes\n\n10.0.0.0/8 dev 1 colour blue\n", "routes.txt");
        FAIL();
    } catch (const ebpf::Error& e) {
        EXPECT_NE(std::string(e.what()).find("routes.txt:3"), std::string::npos) << e.what();
    }
    const ebpf::FibTable table = ebpf::parse_fib_table("fd00::/8 dev 2 dmac 02:00:00:00:00:01\n", "t");
    ASSERT_EQ(table.routes.size(), 1u);
    EXPECT_EQ(table.routes[0].family, AF_INET6);
}

// The helpers straight from the helper table, with the offsets and sizes a
// hostile program may pass (the verifier checks only the memory arguments).
class SkbHelpers : public ::testing::Test {
protected:
    uint64_t call(int32_t id, uint64_t a2 = 0, uint64_t a3 = 0, uint64_t a4 = 0, uint64_t a5 = 0) {
        return ebpf::helper_table().find(id)(reinterpret_cast<uintptr_t>(&packet.context()), a2, a3, a4, a5);
    }
    int64_t err(int32_t id, uint64_t a2 = 0, uint64_t a3 = 0, uint64_t a4 = 0, uint64_t a5 = 0) {
        return static_cast<int64_t>(call(id, a2, a3, a4, a5));
    }
    uint64_t address(void* p) { return reinterpret_cast<uintptr_t>(p); }
    ebpf::SkbPacket packet{kUdpFrame, ebpf::ProgramType::sched_cls};
};

namespace id = ebpf::helper_id;

TEST_F(SkbHelpers, LoadAndStoreStayInsideThePacket) {
    uint8_t buffer[16];
    std::memset(buffer, 0x55, sizeof buffer);
    EXPECT_EQ(err(id::skb_load_bytes, kUdpFrame.size() - 4, address(buffer), 8), -EFAULT);
    EXPECT_EQ(buffer[0], 0);  // cleared on failure, as Linux
    EXPECT_EQ(err(id::skb_load_bytes, 0xffffffffu, address(buffer), 4), -EFAULT);
    EXPECT_EQ(err(id::skb_load_bytes, 0x7fffffffu, address(buffer), 16), -EFAULT);
    EXPECT_EQ(err(id::skb_load_bytes, 0, address(buffer), 16), 0);
    EXPECT_EQ(buffer[0], 0x02);
    EXPECT_EQ(err(id::skb_store_bytes, kUdpFrame.size() - 3, address(buffer), 4, 0), -EFAULT);
    EXPECT_EQ(err(id::skb_store_bytes, 0, address(buffer), 4, 4), -EINVAL);  // unknown flag
    EXPECT_EQ(err(id::skb_load_bytes_relative, 0xffffu, address(buffer), 16, 1), -EFAULT);
    EXPECT_EQ(err(id::skb_load_bytes_relative, 0, address(buffer), 4, 2), -EFAULT);  // unknown start
    EXPECT_EQ(err(id::skb_load_bytes_relative, 0, address(buffer), 4, 1), 0);
    EXPECT_EQ(buffer[0], 0x45);
    EXPECT_EQ(err(id::l3_csum_replace, kUdpFrame.size() - 1, 0, 0, 2), -EFAULT);
    EXPECT_EQ(err(id::l4_csum_replace, 0x10000, 0, 0, 2), -EFAULT);
    EXPECT_EQ(err(id::l4_csum_replace, 24, 0, 0, 3), -EINVAL);
    EXPECT_EQ(packet.data().size(), kUdpFrame.size());
}

TEST_F(SkbHelpers, GrowingHelpersStopAtTheLargestPacket) {
    const uint32_t max = ebpf::SkbPacket::kMaxLength;
    EXPECT_EQ(err(id::skb_change_tail, max + 1, 0), -EINVAL);
    EXPECT_EQ(err(id::skb_change_tail, 13, 0), -EINVAL);  // below the network header
    EXPECT_EQ(err(id::skb_change_head, 0xffffffffu, 0), -EINVAL);
    // Grow at the head in steps until full: the packet moves within its buffer.
    uint32_t grown = 0;
    while (err(id::skb_change_head, 4096, 0) == 0) grown += 4096;
    EXPECT_GT(grown, 60000u);
    EXPECT_LE(packet.data().size(), max);
    EXPECT_EQ(err(id::skb_change_tail, max, 0), 0);
    EXPECT_EQ(packet.data().size(), max);
    EXPECT_EQ(err(id::skb_change_head, 1, 0), -EINVAL);
    EXPECT_EQ(packet.data().back(), 0);  // grown room is zeroed
    // VLAN tags past the buffer's room fail instead of writing past it.
    int pushed = 0;
    while (err(id::skb_vlan_push, 0x0081, 1) == 0 && pushed < 100) ++pushed;
    EXPECT_LT(pushed, 100);
    EXPECT_EQ(err(id::skb_adjust_room, 0x1000, 1, 0), -EFAULT);  // more than 0xfff at once
    EXPECT_EQ(err(id::skb_adjust_room, 0xfff, 1, 0), -524);      // ENOTSUPP: not IP any more, or past max_len
    EXPECT_EQ(err(id::skb_adjust_room, 8, 1, uint64_t{1} << 40), -EINVAL);
}

TEST_F(SkbHelpers, ShrinkingHelpersKeepTheHeaders) {
    EXPECT_EQ(err(id::skb_adjust_room, static_cast<uint64_t>(-100), 1, 0), -524);  // ENOTSUPP
    EXPECT_EQ(err(id::skb_adjust_room, static_cast<uint64_t>(-8), 0, 0), 0);  // the UDP header after the IP header
    EXPECT_EQ(packet.data().size(), kUdpFrame.size() - 8);
    EXPECT_EQ(err(id::skb_vlan_pop), 0);  // nothing to pop
    EXPECT_EQ(err(id::skb_change_proto, 0xdd86, 0), 0);  // to IPv6: 20 more bytes
    EXPECT_EQ(packet.data().size(), kUdpFrame.size() + 12);
    EXPECT_EQ(err(id::skb_change_proto, 0xdd86, 0), -524);
    EXPECT_EQ(err(id::skb_change_type, 4), -EINVAL);
    EXPECT_EQ(err(id::skb_pull_data, 100000), -ENOMEM);
    const uint32_t hash = static_cast<uint32_t>(call(id::get_hash_recalc));
    EXPECT_NE(hash, 0u);
    EXPECT_EQ(packet.context().hash, hash);
}

// The tunnel helpers straight from the table: the sizes are u32 (a 64-bit
// register's high bits do not count, as Linux's BPF_CALL), unknown flags and
// layouts fail with the buffer zeroed, and a key set is read back as received.
TEST_F(SkbHelpers, TunnelKeysTakeOnlyLinuxsLayoutsAndFlags) {
    uint8_t key[48], options[256];
    std::memset(key, 0x55, sizeof key);
    EXPECT_EQ(err(id::skb_get_tunnel_key, address(key), 44, 0), -EINVAL);  // no metadata yet
    EXPECT_EQ(key[0], 0);
    EXPECT_EQ(key[43], 0);
    EXPECT_EQ(key[44], 0x55);  // only `size` bytes are touched
    EXPECT_EQ(err(id::skb_get_tunnel_opt, address(options), 8), -ENOENT);
    EXPECT_EQ(err(id::skb_set_tunnel_opt, address(options), 8), -EINVAL);  // no key to hang them on
    std::memset(key, 0, sizeof key);
    key[0] = 42;                                       // tunnel_id
    key[4] = 2, key[5] = 0, key[6] = 0, key[7] = 10;   // remote_ipv4 = 10.0.0.2 (host order)
    key[28] = 1, key[29] = 0, key[30] = 0, key[31] = 10;  // local_ipv4 = 10.0.0.1
    key[21] = 64;
    for (uint64_t size : {0ull, 4ull, 12ull, 40ull, 43ull, 45ull, 0xffffffffull})
        EXPECT_EQ(err(id::skb_set_tunnel_key, address(key), size, 0), -EINVAL) << size;
    EXPECT_EQ(err(id::skb_set_tunnel_key, address(key), 44, uint64_t{1} << 5), -EINVAL);
    EXPECT_EQ(err(id::skb_set_tunnel_key, address(key), 44, uint64_t{1} << 63), -EINVAL);
    EXPECT_FALSE(packet.context().tunnel.present);
    EXPECT_EQ(err(id::skb_set_tunnel_key, address(key), (uint64_t{1} << 32) | 44, 0), 0);  // the size is a u32
    const ebpf::SkbTunnelInfo& info = packet.context().tunnel;
    ASSERT_TRUE(info.present);
    EXPECT_EQ(info.id, 42u);
    EXPECT_EQ(Bytes(info.dst, info.dst + 4), (Bytes{10, 0, 0, 2}));  // transmit view: dst is the remote
    EXPECT_EQ(Bytes(info.src, info.src + 4), (Bytes{10, 0, 0, 1}));
    EXPECT_EQ(info.flags, ebpf::kTunnelKey | ebpf::kTunnelCsum | ebpf::kTunnelNoCache);
    uint8_t out[48];
    EXPECT_EQ(err(id::skb_get_tunnel_key, address(out), 44, 0), 0);
    EXPECT_EQ(out[4], 1);   // read as received: remote and local swapped
    EXPECT_EQ(out[28], 2);
    EXPECT_EQ(err(id::skb_get_tunnel_key, address(out), 44, 1), -EPROTO);  // BPF_F_TUNINFO_IPV6
    EXPECT_EQ(err(id::skb_get_tunnel_key, address(out), 44, 1 << 5), -EINVAL);
    EXPECT_EQ(err(id::skb_get_tunnel_key, address(out), 44, 1 << 4), 0);   // BPF_F_TUNINFO_FLAGS
    EXPECT_EQ(out[22], 0x20);  // TUNNEL_NOCACHE | TUNNEL_KEY | TUNNEL_CSUM, big-endian
    EXPECT_EQ(out[23], 0x05);
    // Options: multiples of 4 up to 255 bytes; the buffer must hold them.
    std::memset(options, 7, sizeof options);
    EXPECT_EQ(err(id::skb_set_tunnel_opt, address(options), 6), -EINVAL);
    EXPECT_EQ(err(id::skb_set_tunnel_opt, address(options), 256), -ENOMEM);
    EXPECT_EQ(err(id::skb_set_tunnel_opt, address(options), (uint64_t{1} << 32) | 252), 0);
    EXPECT_EQ(err(id::skb_get_tunnel_opt, address(out), 16), -ENOMEM);
    EXPECT_EQ(out[0], 0);
    uint8_t all[256];
    EXPECT_EQ(err(id::skb_get_tunnel_opt, address(all), 256), 252);
    EXPECT_EQ(all[251], 7);
    EXPECT_EQ(all[252], 0);  // the rest of the buffer is zeroed
    // A new key drops the options; an IPv6 key keeps 20 bits of flow label.
    key[24] = 0xff, key[25] = 0xff, key[26] = 0xff, key[27] = 0xff;
    EXPECT_EQ(err(id::skb_set_tunnel_key, address(key), 44, 0), -EINVAL);  // a label on an IPv4 key
    EXPECT_EQ(err(id::skb_get_tunnel_opt, address(all), 256), 252);          // failed sets change nothing
    EXPECT_EQ(err(id::skb_set_tunnel_key, address(key), 44, 1), 0);
    EXPECT_EQ(info.label, 0xfffffu);
    EXPECT_EQ(err(id::skb_get_tunnel_opt, address(all), 256), -ENOENT);
    EXPECT_EQ(err(id::skb_get_tunnel_key, address(out), 8, 1), -EINVAL);  // the IPv4-only layout
}

// Without a socket (a packet from a device, as the packet host's) the answer
// is -ENOENT, whatever the map holds; a test run's packet has the caller's.
TEST_F(SkbHelpers, UnderCgroupNeedsASocket) {
    auto cgroups = ebpf::create_map(runtime_test::definition(ebpf::MapType::cgroup_array, 4, 4, 2));
    const uint64_t map = address(cgroups.get());
    EXPECT_EQ(err(id::skb_under_cgroup, map, 0), -ENOENT);
    packet.context().flags |= ebpf::kSkbCallerSocket;
    EXPECT_EQ(err(id::skb_under_cgroup, map, 0), -EAGAIN);  // empty slot
    EXPECT_EQ(err(id::skb_under_cgroup, map, 2), -E2BIG);
    EXPECT_EQ(err(id::skb_under_cgroup, map, 0xffffffffu), -E2BIG);
    EXPECT_EQ(err(id::skb_under_cgroup, map, uint64_t{1} << 32), -EAGAIN);  // the index is a u32: slot 0
}

TEST_F(SkbHelpers, XdpBytesStayInsideThePacket) {
    Bytes frame(256 + 64 + 256, 0);
    size_t offset = 256, length = 64;
    ebpf::XdpRuntimeContext ctx{};
    ctx.frame_start = address(frame.data());
    ctx.frame_end = ctx.frame_start + frame.size();
    ctx.data = ctx.data_meta = ctx.frame_start + offset;
    ctx.data_end = ctx.data + length;
    auto xdp = [&](int32_t id_, uint64_t a2 = 0, uint64_t a3 = 0, uint64_t a4 = 0) {
        return static_cast<int64_t>(ebpf::helper_table().find(id_)(address(&ctx), a2, a3, a4, 0));
    };
    uint8_t buffer[8] = {1, 1, 1, 1, 1, 1, 1, 1};
    EXPECT_EQ(xdp(id::xdp_load_bytes, 60, address(buffer), 8), -EINVAL);
    EXPECT_EQ(buffer[0], 0);
    EXPECT_EQ(xdp(id::xdp_load_bytes, 0x10000, address(buffer), 1), -EFAULT);
    EXPECT_EQ(xdp(id::xdp_store_bytes, 0xffffffffu, address(buffer), 8), -EFAULT);
    EXPECT_EQ(xdp(id::xdp_store_bytes, 56, address(buffer), 8), 0);
    EXPECT_EQ(xdp(id::xdp_get_buff_len), 64);
    EXPECT_EQ(xdp(id::xdp_adjust_meta, static_cast<uint64_t>(-6)), -EACCES);  // not a multiple of 4
    EXPECT_EQ(xdp(id::xdp_adjust_meta, static_cast<uint64_t>(-220)), -EINVAL);  // into struct xdp_frame
    EXPECT_EQ(xdp(id::xdp_adjust_meta, static_cast<uint64_t>(-216)), 0);
    EXPECT_EQ(xdp(id::xdp_adjust_head, static_cast<uint64_t>(-4)), -EINVAL);  // no room left for the head
    EXPECT_EQ(xdp(id::xdp_adjust_meta, 1), -EACCES);
    EXPECT_EQ(xdp(id::xdp_adjust_meta, 300), -EINVAL);  // past data
}

}  // namespace
