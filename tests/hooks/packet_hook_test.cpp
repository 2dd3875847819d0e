// The packet hook over pcap files: verdict counts, the output file (PASS and
// TX packets as the program left them), head/tail adjustment, progress and
// limits, and clear errors for bad input — in every execution mode.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <string>

#include "ebpf/error.hpp"
#include "ebpf/hooks.hpp"
#include "hooks_test_support.hpp"

namespace {

using hooks_test::Bytes;
using hooks_test::TempDir;

// xdp_parse (tests/programs/README.md) sees: ARP, a 10-byte runt, UDP to the
// discard port, UDP with TTL 1, TCP, an IPv4 header with ihl 4, and IPv4 cut
// after 6 bytes of its header.
std::vector<Bytes> parse_packets() {
    Bytes bad_ihl = hooks_test::ipv4_frame(17, 64, 53);
    bad_ihl[14] = 0x44;
    Bytes cut = hooks_test::ethernet_frame(0x0800, 6);
    return {hooks_test::ethernet_frame(0x0806, 28),  // pass
            Bytes(10, 0xab),                         // pass: shorter than Ethernet
            hooks_test::ipv4_frame(17, 64, 9),       // drop: UDP discard
            hooks_test::ipv4_frame(17, 1, 53),       // tx: TTL 1
            hooks_test::ipv4_frame(6, 64, 80),       // pass
            bad_ihl,                                 // aborted
            cut};                                    // aborted
}

uint64_t array_u64(const ebpf::Map& map, uint32_t index) {
    const uint8_t* key = reinterpret_cast<const uint8_t*>(&index);
    auto value = map.lookup(std::span<const uint8_t>(key, sizeof(index)));
    if (!value || value->size() < sizeof(uint64_t)) return ~uint64_t{0};
    uint64_t result;
    std::memcpy(&result, value->data(), sizeof(result));
    return result;
}

class PacketHookModes : public ::testing::TestWithParam<ebpf::ExecMode> {
protected:
    TempDir dir;
};

TEST_P(PacketHookModes, ReplayCountsVerdictsAndWritesPassAndTx) {
    const auto packets = parse_packets();
    hooks_test::write_pcap(dir.file("in.pcap"), packets);
    auto object = hooks_test::load_in_mode("xdp_parse", GetParam(), dir);
    ebpf::PacketHook hook(object->program("xdp"));
    ebpf::ReplayOptions options;
    options.output_path = dir.file("out.pcap");
    const ebpf::PacketStats stats = ebpf::replay_pcap(hook, dir.file("in.pcap"), options);

    EXPECT_EQ(stats.packets, 7u);
    EXPECT_EQ(stats.count(ebpf::XdpVerdict::pass), 3u);
    EXPECT_EQ(stats.count(ebpf::XdpVerdict::drop), 1u);
    EXPECT_EQ(stats.count(ebpf::XdpVerdict::tx), 1u);
    EXPECT_EQ(stats.count(ebpf::XdpVerdict::aborted), 2u);
    EXPECT_EQ(stats.count(ebpf::XdpVerdict::redirect), 0u);
    EXPECT_EQ(stats.written, 4u);
    size_t bytes = 0;
    for (const auto& packet : packets) bytes += packet.size();
    EXPECT_EQ(stats.bytes, bytes);

    const auto written = hooks_test::read_pcap(dir.file("out.pcap"));
    ASSERT_EQ(written.size(), 4u);
    EXPECT_EQ(written[0].data, packets[0]);
    EXPECT_EQ(written[1].data, packets[1]);
    EXPECT_EQ(written[2].data, packets[3]);
    EXPECT_EQ(written[3].data, packets[4]);

    // The program's own bookkeeping: two UDP and one TCP packet got that far.
    const ebpf::Map& counts = object->map("proto_count");
    EXPECT_EQ(array_u64(counts, 17), 2u);
    EXPECT_EQ(array_u64(counts, 6), 1u);
}

TEST_P(PacketHookModes, AdjustedHeadAndTailReachTheOutput) {
    Bytes grow(64), redirect(64), pop(64), extend(64), drop(64);
    for (size_t i = 0; i < 64; ++i) grow[i] = redirect[i] = pop[i] = extend[i] = drop[i] = static_cast<uint8_t>(i);
    grow[0] = 0x00;
    redirect[0] = 0x01;
    pop[0] = 0x02;
    extend[0] = 0x03;
    drop[0] = 0x04;
    hooks_test::write_pcap(dir.file("in.pcap"), {grow, redirect, pop, extend, drop, Bytes(10, 0)});
    auto object = hooks_test::load_in_mode("hooks_xdp_adjust", GetParam(), dir);
    ebpf::PacketHook hook(object->program("xdp"));
    ebpf::ReplayOptions options;
    options.output_path = dir.file("out.pcap");
    const auto stats = ebpf::replay_pcap(hook, dir.file("in.pcap"), options);

    EXPECT_EQ(stats.count(ebpf::XdpVerdict::pass), 2u);
    EXPECT_EQ(stats.count(ebpf::XdpVerdict::redirect), 1u);
    EXPECT_EQ(stats.count(ebpf::XdpVerdict::tx), 1u);
    EXPECT_EQ(stats.count(ebpf::XdpVerdict::drop), 2u);
    EXPECT_EQ(stats.count(ebpf::XdpVerdict::aborted), 0u);

    const auto written = hooks_test::read_pcap(dir.file("out.pcap"));
    ASSERT_EQ(written.size(), 3u);
    Bytes expected_grow = {'E', 'B', 'P', 'F'};
    expected_grow.insert(expected_grow.end(), grow.begin(), grow.end() - 2);
    EXPECT_EQ(written[0].data, expected_grow);
    EXPECT_EQ(written[0].wire_length, 66u);
    EXPECT_EQ(written[1].data, Bytes(pop.begin() + 14, pop.end()));
    Bytes expected_extend = extend;
    expected_extend.resize(72, 0);
    EXPECT_EQ(written[2].data, expected_extend);
    EXPECT_EQ(written[2].wire_length, 72u);
}

TEST_P(PacketHookModes, ProcessReturnsThePacketAsTheProgramLeftIt) {
    auto object = hooks_test::load_in_mode("hooks_xdp_adjust", GetParam(), dir);
    ebpf::PacketHook hook(object->program("xdp"));
    // A large packet first: its bytes must not show up in a later, smaller frame.
    Bytes big(1500, 0xee);
    big[0] = 0x04;
    EXPECT_EQ(hook.process(big).verdict, static_cast<uint64_t>(ebpf::XdpVerdict::drop));
    Bytes small(20, 0x11);
    small[0] = 0x03;
    const ebpf::PacketResult result = hook.process(small);
    EXPECT_EQ(result.verdict, static_cast<uint64_t>(ebpf::XdpVerdict::pass));
    Bytes expected(28, 0);  // sized once: GCC 12 -O3 gives a false -Warray-bounds on resize() here
    std::copy(small.begin(), small.end(), expected.begin());
    EXPECT_EQ(Bytes(result.packet.begin(), result.packet.end()), expected);
    EXPECT_EQ(hook.stats().packets, 2u);
    EXPECT_EQ(hook.stats().bytes, 1520u);
}

// tc: the action becomes the verdict (TC_ACT_OK passes, TC_ACT_SHOT drops),
// and what the program wrote is in the packet's socket buffer.
TEST_P(PacketHookModes, TcActionsBecomeVerdicts) {
    auto object = hooks_test::load_in_mode("tc_classifier", GetParam(), dir);
    ebpf::PacketHook hook(object->program("classify"));
    EXPECT_EQ(hook.process(hooks_test::ipv4_frame(6, 64, 80)).verdict, static_cast<uint64_t>(ebpf::XdpVerdict::pass));
    const ebpf::PacketResult shot = hook.process(hooks_test::ipv4_frame(6, 0, 80));  // TTL 0
    EXPECT_EQ(shot.verdict, static_cast<uint64_t>(ebpf::XdpVerdict::drop));
    EXPECT_EQ(shot.retval, 2u);  // TC_ACT_SHOT
    EXPECT_EQ(hook.process(Bytes(10, 0xab)).verdict, static_cast<uint64_t>(ebpf::XdpVerdict::drop));  // runt
    EXPECT_EQ(hook.stats().count(ebpf::XdpVerdict::pass), 1u);
    EXPECT_EQ(hook.stats().count(ebpf::XdpVerdict::drop), 2u);
    EXPECT_EQ(ebpf::packet_verdict_of_tc_action(-1), ebpf::XdpVerdict::pass);  // TC_ACT_UNSPEC
    EXPECT_EQ(ebpf::packet_verdict_of_tc_action(7), ebpf::XdpVerdict::redirect);
    EXPECT_EQ(ebpf::packet_verdict_of_tc_action(4), ebpf::XdpVerdict::drop);  // TC_ACT_STOLEN
    EXPECT_EQ(ebpf::packet_verdict_of_tc_action(1234), ebpf::XdpVerdict::pass);
}

// As Linux: the verdict is the low 32 bits of R0, and one that is no XDP
// action is XDP_ABORTED (dropped; counted as aborted and as invalid).
TEST_P(PacketHookModes, UnknownActionsAreAborted) {
    auto object = hooks_test::load_in_mode("hooks_xdp_verdict", GetParam(), dir);
    ebpf::PacketHook hook(object->program("xdp_verdict"));
    EXPECT_EQ(hook.process(Bytes{7, 0, 0}).verdict, static_cast<uint64_t>(ebpf::XdpVerdict::aborted));
    EXPECT_EQ(hook.process(Bytes{5}).verdict, static_cast<uint64_t>(ebpf::XdpVerdict::aborted));
    EXPECT_EQ(hook.process(Bytes{0xff}).verdict, static_cast<uint64_t>(ebpf::XdpVerdict::pass));
    EXPECT_EQ(hook.process(Bytes{3}).verdict, static_cast<uint64_t>(ebpf::XdpVerdict::tx));
    EXPECT_FALSE(ebpf::xdp_verdict_forwards(hook.process(Bytes{200}).verdict));
    const ebpf::PacketStats& stats = hook.stats();
    EXPECT_EQ(stats.count(ebpf::XdpVerdict::aborted), 3u);
    EXPECT_EQ(stats.invalid, 3u);
    EXPECT_EQ(stats.count(ebpf::XdpVerdict::pass), 1u);
    EXPECT_EQ(stats.count(ebpf::XdpVerdict::tx), 1u);
}

INSTANTIATE_TEST_SUITE_P(Modes, PacketHookModes, ::testing::ValuesIn(hooks_test::all_modes()),
                         [](const auto& info) { return std::string(ebpf::exec_mode_name(info.param)); });

class PacketHookErrors : public ::testing::Test {
protected:
    TempDir dir;
};

TEST_F(PacketHookErrors, RefusesAProgramThatIsNotXdp) {
    auto object = hooks_test::load_in_mode("sock_addr", ebpf::ExecMode::interpret, dir);
    try {
        ebpf::PacketHook hook(object->program("cgroup/bind4"));
        FAIL() << "a cgroup program was accepted as a packet hook";
    } catch (const ebpf::Error& e) {
        EXPECT_NE(std::string(e.what()).find("not xdp"), std::string::npos) << e.what();
    }
}

TEST_F(PacketHookErrors, UnreadableInputNamesTheFile) {
    auto object = hooks_test::load_in_mode("xdp_parse", ebpf::ExecMode::interpret, dir);
    ebpf::PacketHook hook(object->program("xdp"));
    const std::string missing = dir.file("missing.pcap");
    try {
        ebpf::replay_pcap(hook, missing);
        FAIL() << "a missing file was replayed";
    } catch (const ebpf::Error& e) {
        EXPECT_NE(std::string(e.what()).find(missing), std::string::npos) << e.what();
    }
    const std::string garbage = dir.file("garbage.pcap");
    {
        std::FILE* file = std::fopen(garbage.c_str(), "w");
        std::fputs("this is not a capture file at all", file);
        std::fclose(file);
    }
    EXPECT_THROW(ebpf::replay_pcap(hook, garbage), ebpf::Error);
    // A capture cut in the middle of a packet record.
    hooks_test::write_pcap(dir.file("whole.pcap"), parse_packets());
    std::filesystem::copy_file(dir.file("whole.pcap"), dir.file("cut.pcap"));
    std::filesystem::resize_file(dir.file("cut.pcap"), std::filesystem::file_size(dir.file("whole.pcap")) - 5);
    try {
        ebpf::replay_pcap(hook, dir.file("cut.pcap"));
        FAIL() << "a truncated capture was replayed without an error";
    } catch (const ebpf::Error& e) {
        EXPECT_NE(std::string(e.what()).find("cut.pcap"), std::string::npos) << e.what();
    }
}

TEST_F(PacketHookErrors, UnwritableOutputNamesTheFile) {
    hooks_test::write_pcap(dir.file("in.pcap"), parse_packets());
    auto object = hooks_test::load_in_mode("xdp_parse", ebpf::ExecMode::interpret, dir);
    ebpf::PacketHook hook(object->program("xdp"));
    ebpf::ReplayOptions options;
    options.output_path = dir.file("no/such/dir/out.pcap");
    try {
        ebpf::replay_pcap(hook, dir.file("in.pcap"), options);
        FAIL() << "wrote into a missing directory";
    } catch (const ebpf::Error& e) {
        EXPECT_NE(std::string(e.what()).find("no/such/dir/out.pcap"), std::string::npos) << e.what();
    }
}

TEST_F(PacketHookErrors, MissingInterfaceIsAClearError) {
    auto object = hooks_test::load_in_mode("xdp_parse", ebpf::ExecMode::interpret, dir);
    ebpf::PacketHook hook(object->program("xdp"));
    ebpf::LiveCaptureOptions options;
    options.interface = "ebpf-no-such-if0";
    try {
        ebpf::capture_live(hook, options);
        FAIL() << "captured on an interface that does not exist";
    } catch (const ebpf::Error& e) {
        EXPECT_NE(std::string(e.what()).find("ebpf-no-such-if0"), std::string::npos) << e.what();
    }
}

TEST(PacketHookLimits, MaxPacketsAndProgress) {
    TempDir dir;
    std::vector<Bytes> packets(10, hooks_test::ipv4_frame(6, 64, 80));
    hooks_test::write_pcap(dir.file("in.pcap"), packets);
    auto object = hooks_test::load_in_mode("xdp_parse", ebpf::ExecMode::interpret, dir);
    {
        ebpf::PacketHook hook(object->program("xdp"));
        std::vector<uint64_t> seen;
        ebpf::ReplayOptions options;
        options.progress_every = 3;
        options.progress = [&](const ebpf::PacketStats& stats) { seen.push_back(stats.packets); };
        EXPECT_EQ(ebpf::replay_pcap(hook, dir.file("in.pcap"), options).packets, 10u);
        EXPECT_EQ(seen, (std::vector<uint64_t>{3, 6, 9}));
    }
    {
        ebpf::PacketHook hook(object->program("xdp"));
        ebpf::ReplayOptions options;
        options.max_packets = 4;
        const auto stats = ebpf::replay_pcap(hook, dir.file("in.pcap"), options);
        EXPECT_EQ(stats.packets, 4u);
        EXPECT_EQ(stats.count(ebpf::XdpVerdict::pass), 4u);
    }
    {
        ebpf::PacketHook hook(object->program("xdp"));
        std::atomic<bool> stop{true};
        ebpf::ReplayOptions options;
        options.stop = &stop;
        EXPECT_EQ(ebpf::replay_pcap(hook, dir.file("in.pcap"), options).packets, 0u);
    }
}

TEST(PacketHookNames, VerdictNames) {
    EXPECT_EQ(ebpf::xdp_verdict_name(0), "aborted");
    EXPECT_EQ(ebpf::xdp_verdict_name(1), "drop");
    EXPECT_EQ(ebpf::xdp_verdict_name(2), "pass");
    EXPECT_EQ(ebpf::xdp_verdict_name(3), "tx");
    EXPECT_EQ(ebpf::xdp_verdict_name(4), "redirect");
    EXPECT_EQ(ebpf::xdp_verdict_name(5), "invalid");
}

}  // namespace
