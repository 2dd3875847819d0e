// `ebpf attach packet` and `ebpf attach bind` as a user runs them.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <string>

#include "hooks_test_support.hpp"
#include "../cross_exec.hpp"

namespace {

using hooks_test::Bytes;
using hooks_test::TempDir;

class AttachCli : public ::testing::Test {
protected:
    hooks_test::ProcessResult ebpf(std::vector<std::string> args, const std::map<std::string, std::string>& env = {}) {
        args.insert(args.begin(), EBPF_TOOL_PATH);
        return hooks_test::run_process(args, env, dir_);
    }
    void write_input() {
        Bytes bad_ihl = hooks_test::ipv4_frame(17, 64, 53);
        bad_ihl[14] = 0x44;
        hooks_test::write_pcap(dir_.file("in.pcap"),
                               {hooks_test::ethernet_frame(0x0806, 28), hooks_test::ipv4_frame(17, 64, 9),
                                hooks_test::ipv4_frame(17, 1, 53), hooks_test::ipv4_frame(6, 64, 80), bad_ihl});
    }
    TempDir dir_;
};

TEST_F(AttachCli, PacketJsonSummaryOutputAndMaps) {
    EBPF_SKIP_UNLESS_STARTABLE(EBPF_TOOL_PATH);
    write_input();
    for (const char* mode : {"interpret", "jit"}) {
        const std::string out = dir_.file(std::string("out-") + mode + ".pcap");
        const auto result = ebpf({"attach", "packet", hooks_test::program_path("xdp_parse"), "--pcap", dir_.file("in.pcap"),
                                  "--write-pcap", out, "--mode", mode, "--json", "--dump-maps"});
        ASSERT_EQ(result.exit_code, 0) << result.err;
        const auto summary = nlohmann::json::parse(result.out);
        EXPECT_EQ(summary["mode"], mode);
        EXPECT_EQ(summary["program"], "xdp_parse");
        EXPECT_EQ(summary["packets"], 5);
        EXPECT_EQ(summary["verdicts"]["pass"], 2);
        EXPECT_EQ(summary["verdicts"]["drop"], 1);
        EXPECT_EQ(summary["verdicts"]["tx"], 1);
        EXPECT_EQ(summary["verdicts"]["aborted"], 1);
        EXPECT_EQ(summary["verdicts"]["redirect"], 0);
        EXPECT_EQ(summary["written"], 3);
        EXPECT_EQ(hooks_test::read_pcap(out).size(), 3u);
        // proto_count: UDP (17) twice, TCP (6) once; 254 zero slots hidden.
        // maps: an array in the shape of tools/ebpf/map_format.hpp, shared by every command.
        ASSERT_TRUE(summary["maps"].is_array());
        nlohmann::json counts;
        for (const auto& map : summary["maps"])
            if (map["name"] == "proto_count") counts = map;
        ASSERT_TRUE(counts.is_object()) << summary["maps"];
        EXPECT_EQ(counts["type"], "array");
        EXPECT_EQ(counts["zero_entries_hidden"], 254);
        ASSERT_EQ(counts["entries"].size(), 2u);
        EXPECT_EQ(counts["entries"][0]["key"], "06000000");
        EXPECT_EQ(counts["entries"][0]["value"], "0100000000000000");
        EXPECT_EQ(counts["entries"][1]["key"], "11000000");
        EXPECT_EQ(counts["entries"][1]["value"], "0200000000000000");
        // Formatted with the map's BTF types (__u32 key, __u64 value).
        EXPECT_EQ(counts["entries"][0]["formatted"]["key"], 6);
        EXPECT_EQ(counts["entries"][0]["formatted"]["value"], 1);
        EXPECT_EQ(counts["entries"][1]["formatted"]["value"], 2);
    }
}

// Two ports (pcap files) and an output-only one: the xdp-forward-style program
// forwards port 1's frames to port 2 through a devmap, sends TTL-1 frames back
// out of their own port (XDP_TX), and passes port 3's (no devmap entry: the
// fallback action in the flags); each port's --port out= file holds exactly
// the frames that left it. Every frame also sends a perf sample.
TEST_F(AttachCli, MultiPortRedirectWritesEachPortsOutput) {
    EBPF_SKIP_UNLESS_STARTABLE(EBPF_TOOL_PATH);
    const Bytes forwarded = hooks_test::ipv4_frame(17, 64, 53), bounced = hooks_test::ipv4_frame(17, 1, 53);
    const Bytes passed = hooks_test::ipv4_frame(6, 64, 80);
    hooks_test::write_pcap(dir_.file("in1.pcap"), {forwarded, bounced});
    hooks_test::write_pcap(dir_.file("in3.pcap"), {passed});
    {
        std::ofstream devmap(dir_.file("forward.txt"));
        devmap << "01000000 02000000  # port 1 -> port 2\n";
    }
    for (const char* mode : {"interpret", "jit", "native"}) {
        const std::string program = std::string(mode) == "native"
                                        ? hooks_test::build_native_module("xdp_forward", dir_)
                                        : hooks_test::program_path("xdp_forward");
        const std::string out1 = dir_.file(std::string("out1-") + mode + ".pcap");
        const std::string out2 = dir_.file(std::string("out2-") + mode + ".pcap");
        const std::string pass3 = dir_.file(std::string("pass3-") + mode + ".pcap");
        const auto result = ebpf({"attach", "packet", program, "--mode", mode, "--json", "--port",
                                  dir_.file("in1.pcap") + ",out=" + out1, "--port", "none,out=" + out2, "--port",
                                  dir_.file("in3.pcap") + ",pass=" + pass3, "--map", "forward=" + dir_.file("forward.txt")});
        ASSERT_EQ(result.exit_code, 0) << result.err;
        const auto summary = nlohmann::json::parse(result.out);
        EXPECT_EQ(summary["packets"], 3);
        EXPECT_EQ(summary["verdicts"]["redirect"], 1);
        EXPECT_EQ(summary["verdicts"]["tx"], 1);
        EXPECT_EQ(summary["verdicts"]["pass"], 1);
        EXPECT_EQ(summary["redirect_dropped"], 0);
        ASSERT_EQ(summary["ports"].size(), 3u);
        EXPECT_EQ(summary["ports"][0]["ifindex"], 1);
        EXPECT_EQ(summary["ports"][0]["transmitted"], 1);
        EXPECT_EQ(summary["ports"][1]["transmitted"], 1);
        EXPECT_EQ(summary["ports"][2]["passed"], 1);
        const auto left1 = hooks_test::read_pcap(out1), left2 = hooks_test::read_pcap(out2);
        ASSERT_EQ(left2.size(), 1u);
        EXPECT_EQ(left2[0].data, forwarded);
        ASSERT_EQ(left1.size(), 1u);
        EXPECT_EQ(left1[0].data, bounced);
        ASSERT_EQ(hooks_test::read_pcap(pass3).size(), 1u);
        // xdpdump-style samples: {ifindex, length} and the Ethernet header.
        ASSERT_EQ(summary["perf_samples"].size(), 3u) << result.out;
        const std::string first = summary["perf_samples"][0]["sample"];
        EXPECT_EQ(first.substr(0, 8), "01000000");
        EXPECT_EQ(first.size(), 2u * 28);  // 8 + 14 bytes, padded as perf pads raw samples
    }
    // A redirect to a device that is no port of the host (lo, ifindex 1, from
    // port 7) is dropped and counted; a devmap refuses an ifindex no device has.
    {
        std::ofstream devmap(dir_.file("forward-lo.txt"));
        devmap << "07000000 01000000\n";
        std::ofstream bad(dir_.file("forward-bad.txt"));
        bad << "07000000 00093d00\n";  // ifindex 4000000
    }
    const auto dropped = ebpf({"attach", "packet", hooks_test::program_path("xdp_forward"), "--json", "--port",
                               dir_.file("in1.pcap") + ",ifindex=7", "--map", "forward=" + dir_.file("forward-lo.txt")});
    ASSERT_EQ(dropped.exit_code, 0) << dropped.err;
    const auto dropped_summary = nlohmann::json::parse(dropped.out);
    EXPECT_EQ(dropped_summary["verdicts"]["redirect"], 1);
    EXPECT_EQ(dropped_summary["redirect_dropped"], 1);
    const auto refused = ebpf({"attach", "packet", hooks_test::program_path("xdp_forward"), "--port",
                               dir_.file("in1.pcap") + ",ifindex=7", "--map", "forward=" + dir_.file("forward-bad.txt")});
    EXPECT_NE(refused.exit_code, 0);
    EXPECT_NE(refused.err.find("EINVAL"), std::string::npos) << refused.err;
    const auto bad_port = ebpf({"attach", "packet", hooks_test::program_path("xdp_forward"), "--port", "x.pcap,speed=9"});
    EXPECT_NE(bad_port.exit_code, 0);
    EXPECT_NE(bad_port.err.find("unknown part 'speed=9'"), std::string::npos) << bad_port.err;
}

TEST_F(AttachCli, PacketTextSummary) {
    EBPF_SKIP_UNLESS_STARTABLE(EBPF_TOOL_PATH);
    write_input();
    const auto result = ebpf({"attach", "packet", hooks_test::program_path("xdp_parse"), "--pcap", dir_.file("in.pcap")});
    ASSERT_EQ(result.exit_code, 0) << result.err;
    EXPECT_NE(result.out.find("packets: 5"), std::string::npos) << result.out;
    EXPECT_NE(result.out.find("verdicts: aborted 1 drop 1 pass 2 tx 1 redirect 0"), std::string::npos) << result.out;
    EXPECT_NE(result.out.find("ns per packet"), std::string::npos) << result.out;
}

TEST_F(AttachCli, PacketErrorsAreClear) {
    EBPF_SKIP_UNLESS_STARTABLE(EBPF_TOOL_PATH);
    write_input();
    const auto no_xdp = ebpf({"attach", "packet", hooks_test::program_path("hook_buffer"), "--pcap", dir_.file("in.pcap")});
    EXPECT_EQ(no_xdp.exit_code, 1);
    EXPECT_NE(no_xdp.err.find("no xdp program"), std::string::npos) << no_xdp.err;

    const auto no_source = ebpf({"attach", "packet", hooks_test::program_path("xdp_parse")});
    EXPECT_NE(no_source.exit_code, 0);
    EXPECT_NE(no_source.err.find("--pcap"), std::string::npos) << no_source.err;

    const auto missing = ebpf({"attach", "packet", hooks_test::program_path("xdp_parse"), "--pcap", dir_.file("nope.pcap")});
    EXPECT_EQ(missing.exit_code, 1);
    EXPECT_NE(missing.err.find("nope.pcap"), std::string::npos) << missing.err;
}

TEST_F(AttachCli, BindRunsTheCommandUnderTheShim) {
    EBPF_SKIP_UNLESS_STARTABLE(EBPF_TOOL_PATH);
    for (const char* mode : {"interpret", "jit"}) {
        const auto denied = ebpf({"attach", "bind", hooks_test::program_path("hooks_sock_addr"), "--mode", mode, "--shim",
                                  EBPF_BIND_SHIM_PATH, "--", HOOKS_SOCK_CLIENT, "bind4", "4242"});
        EXPECT_EQ(denied.exit_code, 1) << denied.err;
        EXPECT_EQ(denied.out, "EPERM\n") << denied.err;
    }
    // Found without --shim (next to the tool or in its build tree), and --log.
    const auto allowed = ebpf({"attach", "bind", hooks_test::program_path("hooks_sock_addr"), "--log", "--",
                               HOOKS_SOCK_CLIENT, "bind4", "0"});
    EXPECT_EQ(allowed.exit_code, 0) << allowed.err;
    EXPECT_EQ(allowed.out, "ok\n");
    EXPECT_NE(allowed.err.find("bind4 127.0.0.1:0: allowed"), std::string::npos) << allowed.err;
}

TEST_F(AttachCli, BindErrorsAreReportedBeforeTheCommandRuns) {
    EBPF_SKIP_UNLESS_STARTABLE(EBPF_TOOL_PATH);
    const auto wrong = ebpf({"attach", "bind", hooks_test::program_path("xdp_parse"), "--", HOOKS_SOCK_CLIENT, "bind4", "0"});
    EXPECT_EQ(wrong.exit_code, 1);
    EXPECT_EQ(wrong.out, "");  // the command never ran
    EXPECT_NE(wrong.err.find("no cgroup/bind4"), std::string::npos) << wrong.err;

    const auto bad_shim = ebpf({"attach", "bind", hooks_test::program_path("hooks_sock_addr"), "--shim",
                                dir_.file("nope.so"), "--", HOOKS_SOCK_CLIENT, "bind4", "0"});
    EXPECT_EQ(bad_shim.exit_code, 1);
    EXPECT_NE(bad_shim.err.find("nope.so"), std::string::npos) << bad_shim.err;

    const auto no_command = ebpf({"attach", "bind", hooks_test::program_path("hooks_sock_addr")});
    EXPECT_NE(no_command.exit_code, 0);
}

}  // namespace
