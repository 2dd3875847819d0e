// The packet hook on a live interface (loopback) and libpcap filters. Live
// capture needs CAP_NET_RAW; without it the test is skipped, saying why.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>

#include "ebpf/error.hpp"
#include "ebpf/hooks.hpp"
#include "hooks_test_support.hpp"

namespace {

using hooks_test::Bytes;
using hooks_test::TempDir;

TEST(PacketFilter, OnlyMatchingPacketsReachTheProgram) {
    TempDir dir;
    hooks_test::write_pcap(dir.file("in.pcap"), {hooks_test::ethernet_frame(0x0806, 28), hooks_test::ipv4_frame(17, 64, 9),
                                                 hooks_test::ipv4_frame(6, 64, 80), hooks_test::ipv4_frame(6, 1, 443)});
    auto object = hooks_test::load_in_mode("xdp_parse", ebpf::ExecMode::interpret, dir);
    ebpf::PacketHook hook(object->program("xdp"));
    ebpf::ReplayOptions options;
    options.filter = "tcp";
    const auto stats = ebpf::replay_pcap(hook, dir.file("in.pcap"), options);
    EXPECT_EQ(stats.packets, 2u);
    EXPECT_EQ(stats.count(ebpf::XdpVerdict::pass), 1u);
    EXPECT_EQ(stats.count(ebpf::XdpVerdict::tx), 1u);

    ebpf::PacketHook other(object->program("xdp"));
    options.filter = "tcp port";  // incomplete expression
    try {
        ebpf::replay_pcap(other, dir.file("in.pcap"), options);
        FAIL() << "a broken filter was accepted";
    } catch (const ebpf::Error& e) {
        EXPECT_NE(std::string(e.what()).find("filter 'tcp port'"), std::string::npos) << e.what();
    }
}

TEST(PacketLive, CapturesLoopbackTraffic) {
    TempDir dir;
    auto object = hooks_test::load_in_mode("xdp_parse", ebpf::ExecMode::jit, dir);
    ebpf::PacketHook hook(object->program("xdp"));
    std::atomic<bool> stop{false};
    ebpf::LiveCaptureOptions options;
    options.interface = "lo";
    // Other tests may use loopback too: only our datagrams to the discard port.
    options.filter = "udp and dst host 127.0.0.1 and dst port 9";
    options.max_packets = 3;
    options.stop = &stop;
    options.output_path = dir.file("out.pcap");

    // Send until the capture is done: it may start after the first datagrams.
    std::atomic<bool> done{false};
    std::thread sender([&] {
        const int fd = socket(AF_INET, SOCK_DGRAM, 0);
        sockaddr_in to{};
        to.sin_family = AF_INET;
        to.sin_port = htons(9);
        to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
        while (!done && std::chrono::steady_clock::now() < deadline) {
            sendto(fd, "discard me", 10, 0, reinterpret_cast<sockaddr*>(&to), sizeof(to));
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        stop = true;  // give up: the capture sees nothing
        close(fd);
    });
    ebpf::PacketStats stats;
    std::string error;
    try {
        stats = ebpf::capture_live(hook, options);
    } catch (const ebpf::Error& e) {
        error = e.what();
    }
    done = true;
    sender.join();
    if (error.find("CAP_NET_RAW") != std::string::npos) GTEST_SKIP() << error;
    if (error.find("Function not implemented") != std::string::npos)  // qemu-user: no SIOCETHTOOL
        GTEST_SKIP() << error << " (the emulator lacks an ioctl live capture needs)";
    ASSERT_EQ(error, "");
    EXPECT_EQ(stats.packets, 3u);
    EXPECT_EQ(stats.count(ebpf::XdpVerdict::drop), 3u);  // xdp_parse drops UDP to port 9
    EXPECT_EQ(stats.written, 0u);
    EXPECT_TRUE(hooks_test::read_pcap(dir.file("out.pcap")).empty());
}

}  // namespace
