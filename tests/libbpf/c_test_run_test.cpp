// The C API's test run (ebpf_program_test_run in include/ebpf/ebpf.h): every
// program type from plain bytes, sizes checked, outputs as Linux's
// BPF_PROG_TEST_RUN; and the old entry point, which took a caller's buffer as
// the runtime's XDP context, refuses XDP instead of crashing.
#include <gtest/gtest.h>
#include <arpa/inet.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "ebpf/ebpf.h"

namespace {

std::string test_program(const std::string& name) { return std::string(EBPF_TEST_PROGRAMS_DIR) + "/" + name + ".o"; }
const std::string kXdpCounter = std::string(LIBBPF_TEST_DIR) + "/xdp_counter.o";
const std::string kXdpAdjust = std::string(EBPF_TEST_PROGRAMS_DIR) + "/libbpf_hooks_xdp_adjust.o";

struct Loaded {
    ebpf_object* object = nullptr;
    ebpf_program* program = nullptr;
    Loaded(const std::string& path, const char* program_name, const char* mode = "interpret") {
        object = ebpf_object_load(path.c_str(), mode);
        EXPECT_NE(object, nullptr) << ebpf_last_error();
        if (object) program = ebpf_object_find_program(object, program_name);
        EXPECT_NE(program, nullptr) << ebpf_last_error();
    }
    ~Loaded() { ebpf_object_close(object); }
};

ebpf_test_run_opts opts_with_packet(const std::vector<uint8_t>& packet) {
    ebpf_test_run_opts opts{};
    opts.sz = sizeof opts;
    opts.data_in = packet.data();
    opts.data_size_in = packet.size();
    return opts;
}

// Issue 15: a 56-byte buffer (sizeof the runtime's XDP context) passed to
// ebpf_program_run was taken as that context, its bytes as packet pointers,
// and the program read through them: the process died. It must refuse.
TEST(CTestRun, OldEntryPointRefusesXdpInsteadOfCrashing) {
    pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        ebpf_object* object = ebpf_object_load(kXdpAdjust.c_str(), "interpret");
        if (!object) _exit(3);
        ebpf_program* program = ebpf_object_find_program(object, "xdp_adjust");
        // 56 bytes a host might pass as "the packet"; as the runtime's context
        // they read data = 0x10000 (unmapped), data_end 64 bytes further,
        // and the frame around them: every check of the pointers passed and
        // the program's packet read faulted.
        uint64_t buffer[7] = {0x10000, 0x10040, 0x10000, 0, 0, 0x10000, 0x10040};
        uint64_t result = 0;
        int rc = ebpf_program_run(program, buffer, sizeof buffer, &result);
        _exit(rc == -EINVAL && std::strstr(ebpf_last_error(), "ebpf_program_test_run") ? 0 : 4);
    }
    int status = 0;
    ASSERT_EQ(waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFEXITED(status)) << "the child died of signal " << WTERMSIG(status);
    EXPECT_EQ(WEXITSTATUS(status), 0);
}

TEST(CTestRun, XdpPacketInAndOut) {
    for (const char* mode : {"interpret", "jit"}) {
        Loaded xdp(kXdpAdjust, "xdp_adjust", mode);
        // First byte 0: 4 bytes "EBPF" pushed in front, 2 cut at the end; XDP_PASS.
        // As in Linux, the 3 runs of the repeat share the packet: the later
        // runs see "EBPF" first and return XDP_DROP without changing it
        // (bpftool prog run ... repeat 3 gives the same retval and packet).
        std::vector<uint8_t> packet(64, 0x5a);
        packet[0] = 0;
        std::vector<uint8_t> out(128), ctx_out(24);
        ebpf_test_run_opts opts = opts_with_packet(packet);
        opts.data_out = out.data();
        opts.data_size_out = out.size();
        opts.ctx_out = ctx_out.data();
        opts.ctx_size_out = ctx_out.size();
        opts.repeat = 3;
        ASSERT_EQ(ebpf_program_test_run(xdp.program, &opts), 0) << ebpf_last_error();
        EXPECT_EQ(opts.retval, 1u) << mode;  // XDP_DROP, from the last run
        ASSERT_EQ(opts.data_size_out, 66u);
        EXPECT_EQ(std::memcmp(out.data(), "EBPF", 4), 0);
        EXPECT_EQ(std::memcmp(out.data() + 4, packet.data(), 62), 0);
        uint32_t md[6];
        std::memcpy(md, ctx_out.data(), sizeof md);
        EXPECT_EQ(opts.ctx_size_out, 24u);
        // Without an xdp_md in, Linux 6.18 reports data and data_end as the
        // metadata length (none here); with one, data_end is the length after the run.
        EXPECT_EQ(md[0], 0u);
        EXPECT_EQ(md[1], 0u);
    }
}

TEST(CTestRun, TooSmallOutputGetsTheFirstBytesAndEnospc) {
    Loaded xdp(kXdpAdjust, "xdp_adjust");
    std::vector<uint8_t> packet(64, 0x5a);
    packet[0] = 0;
    std::vector<uint8_t> out(10, 0xee);
    ebpf_test_run_opts opts = opts_with_packet(packet);
    opts.data_out = out.data();
    opts.data_size_out = 8;
    EXPECT_EQ(ebpf_program_test_run(xdp.program, &opts), -ENOSPC);
    EXPECT_EQ(opts.data_size_out, 66u);  // what the run produced
    EXPECT_EQ(opts.retval, 2u);          // the run still happened
    EXPECT_EQ(std::memcmp(out.data(), "EBPF", 4), 0);
    EXPECT_EQ(out[8], 0xee);  // nothing past the 8 bytes given
    // data_size_out 0 with a buffer: no room, never "unbounded".
    opts = opts_with_packet(packet);
    opts.data_out = out.data();
    EXPECT_EQ(ebpf_program_test_run(xdp.program, &opts), -ENOSPC);
}

TEST(CTestRun, XdpContextIsChecked) {
    Loaded xdp(kXdpCounter, "count_packets");
    std::vector<uint8_t> packet(32, 1);
    uint32_t md[8] = {};
    ebpf_test_run_opts opts = opts_with_packet(packet);
    opts.ctx_in = md;
    opts.ctx_size_in = 24;
    md[3] = 7;  // ingress_ifindex
    EXPECT_EQ(ebpf_program_test_run(xdp.program, &opts), 0) << ebpf_last_error();  // data_end 0: as Linux 6.x
    md[1] = 32;
    EXPECT_EQ(ebpf_program_test_run(xdp.program, &opts), 0) << ebpf_last_error();
    md[3] = 0;
    md[4] = 1;  // rx_queue_index without an ingress device
    EXPECT_EQ(ebpf_program_test_run(xdp.program, &opts), -EINVAL);
    md[4] = 0;
    md[3] = 7;
    md[5] = 1;  // egress_ifindex
    EXPECT_EQ(ebpf_program_test_run(xdp.program, &opts), -EINVAL);
    md[5] = 0;
    md[1] = 33;  // data_end past the packet
    EXPECT_EQ(ebpf_program_test_run(xdp.program, &opts), -EINVAL);
    md[1] = 32;
    opts.ctx_size_in = sizeof md;  // longer than struct xdp_md: zeros are fine...
    EXPECT_EQ(ebpf_program_test_run(xdp.program, &opts), 0) << ebpf_last_error();
    md[7] = 1;  // ...a non-zero byte past it is not
    EXPECT_EQ(ebpf_program_test_run(xdp.program, &opts), -E2BIG);
}

TEST(CTestRun, HookBufferAndSockAddrContext) {
    Loaded hook(test_program("hook_buffer"), "header_version");
    const uint8_t header[8] = {0x01, 0x00, 0x9f, 0xeb, 5, 0, 0, 0};  // magic 0xEB9F0001, version 5
    std::vector<uint8_t> out(8);
    ebpf_test_run_opts opts{};
    opts.sz = sizeof opts;
    opts.data_in = header;
    opts.data_size_in = sizeof header;
    opts.data_out = out.data();
    opts.data_size_out = out.size();
    ASSERT_EQ(ebpf_program_test_run(hook.program, &opts), 0) << ebpf_last_error();
    EXPECT_EQ(opts.retval, 5u);
    EXPECT_EQ(std::memcmp(out.data(), header, 8), 0);
    uint8_t ctx[72] = {};
    opts.ctx_in = ctx;
    opts.ctx_size_in = sizeof ctx;
    EXPECT_EQ(ebpf_program_test_run(hook.program, &opts), -EINVAL);  // hook programs take no context struct

    Loaded bind(test_program("sock_addr"), "bind4_policy");
    uint32_t sock[18] = {};
    sock[0] = 2;                // AF_INET
    sock[6] = htons(22) << 0;   // user_port 22, network order
    std::vector<uint8_t> ctx_out(72);
    ebpf_test_run_opts sock_opts{};
    sock_opts.sz = sizeof sock_opts;
    sock_opts.ctx_in = sock;
    sock_opts.ctx_size_in = sizeof sock;
    sock_opts.ctx_out = ctx_out.data();
    sock_opts.ctx_size_out = ctx_out.size();
    ASSERT_EQ(ebpf_program_test_run(bind.program, &sock_opts), 0) << ebpf_last_error();
    EXPECT_EQ(sock_opts.retval, 0u);  // denied
    EXPECT_EQ(sock_opts.ctx_size_out, 72u);
    sock_opts.data_in = header;
    sock_opts.data_size_in = sizeof header;
    EXPECT_EQ(ebpf_program_test_run(bind.program, &sock_opts), -EINVAL);  // sock_addr programs take no data
}

TEST(CTestRun, OptsAreChecked) {
    Loaded xdp(kXdpCounter, "count_packets");
    std::vector<uint8_t> packet(32, 1);
    EXPECT_EQ(ebpf_program_test_run(xdp.program, nullptr), -EINVAL);
    EXPECT_EQ(ebpf_program_test_run(nullptr, nullptr), -EINVAL);

    // A newer caller's larger struct: zeros past ours are fine, anything else is not.
    struct Bigger {
        ebpf_test_run_opts known;
        uint64_t future;
    } bigger{};
    bigger.known = opts_with_packet(packet);
    bigger.known.sz = sizeof bigger;
    EXPECT_EQ(ebpf_program_test_run(xdp.program, &bigger.known), 0) << ebpf_last_error();
    bigger.future = 1;
    EXPECT_EQ(ebpf_program_test_run(xdp.program, &bigger.known), -EINVAL);
    bigger.known.sz = size_t{1} << 40;  // garbage: refused without reading that far
    EXPECT_EQ(ebpf_program_test_run(xdp.program, &bigger.known), -EINVAL);

    ebpf_test_run_opts opts = opts_with_packet(packet);
    opts.sz = 4;
    EXPECT_EQ(ebpf_program_test_run(xdp.program, &opts), -EINVAL);
    // An older caller's smaller struct: the missing fields are zero.
    opts = opts_with_packet(packet);
    opts.sz = offsetof(ebpf_test_run_opts, data_out);
    EXPECT_EQ(ebpf_program_test_run(xdp.program, &opts), 0) << ebpf_last_error();

    opts = opts_with_packet(packet);
    opts.flags = 1;
    EXPECT_EQ(ebpf_program_test_run(xdp.program, &opts), -EINVAL);
    opts = opts_with_packet(packet);
    opts.data_in = nullptr;
    EXPECT_EQ(ebpf_program_test_run(xdp.program, &opts), -EINVAL);
    opts = opts_with_packet(packet);
    opts.data_size_out = 16;  // a size without a buffer: not wanted (a reused struct holds the last size)
    EXPECT_EQ(ebpf_program_test_run(xdp.program, &opts), 0);
    EXPECT_EQ(opts.data_size_out, packet.size());
    opts = opts_with_packet(packet);
    opts.data_size_in = size_t{1} << 40;  // more than the limit: refused before reading
    EXPECT_EQ(ebpf_program_test_run(xdp.program, &opts), -EINVAL);
}

}  // namespace

namespace {

// ebpf_object_load_opts: resource limits and the signature requirement from C.
TEST(CApiLoad, LimitsAndSignatureFromC) {
    ebpf_load_opts opts{};
    opts.sz = sizeof opts;
    opts.max_maps = 1;  // xdp_counter has three
    EXPECT_EQ(ebpf_object_load_opts(kXdpCounter.c_str(), &opts), nullptr);
    EXPECT_NE(std::string(ebpf_last_error()).find("map"), std::string::npos) << ebpf_last_error();
    opts.max_maps = 0;
    opts.max_object_bytes = 100;  // the file is larger
    EXPECT_EQ(ebpf_object_load_opts(kXdpCounter.c_str(), &opts), nullptr);
    opts.max_object_bytes = 0;
    opts.mode = "jit";
    ebpf_object* object = ebpf_object_load_opts(kXdpCounter.c_str(), &opts);
    EXPECT_NE(object, nullptr) << ebpf_last_error();
    ebpf_object_close(object);

    // An unsigned module when a signature is required (no trust store is even set here).
    ebpf_load_opts native{};
    native.sz = sizeof native;
    native.mode = "native";
    native.require_signature = 1;
    EXPECT_EQ(ebpf_object_load_opts((std::string(LIBBPF_TEST_DIR) + "/xdp_counter.so").c_str(), &native), nullptr);
    native.require_signature = 0;
    native.bytecode_object = kXdpCounter.c_str();  // the module was built from it: hashes match
    object = ebpf_object_load_opts((std::string(LIBBPF_TEST_DIR) + "/xdp_counter.so").c_str(), &native);
    EXPECT_NE(object, nullptr) << ebpf_last_error();
    ebpf_object_close(object);
    const std::string other = test_program("xdp_parse");
    native.bytecode_object = other.c_str();  // not built from this one
    EXPECT_EQ(ebpf_object_load_opts((std::string(LIBBPF_TEST_DIR) + "/xdp_counter.so").c_str(), &native), nullptr);

    struct {
        ebpf_load_opts known;
        uint64_t future;
    } bigger{};
    bigger.known.sz = sizeof bigger;
    bigger.future = 1;
    EXPECT_EQ(ebpf_object_load_opts(kXdpCounter.c_str(), &bigger.known), nullptr);
    EXPECT_EQ(ebpf_object_load_opts(nullptr, nullptr), nullptr);
}

}  // namespace
