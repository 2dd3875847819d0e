// Every helper, through eBPF C programs (tests/programs/runtime_helpers.c)
// and, where a program cannot reach an edge case, called directly.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <set>

#include "ebpf/error.hpp"
#include "ebpf/socket_scope.hpp"
#include "test_support.hpp"

using namespace runtime_test;

namespace {

uint64_t now_ns(clockid_t clock) {
    timespec t{};
    clock_gettime(clock, &t);
    return static_cast<uint64_t>(t.tv_sec) * 1'000'000'000ull + static_cast<uint64_t>(t.tv_nsec);
}

class Helpers : public ::testing::Test {
protected:
    static void SetUpTestSuite() { object = load("runtime_helpers").release(); }
    static void TearDownTestSuite() {
        delete object;
        object = nullptr;
    }
    static uint64_t run(const char* name, size_t len = 8) {
        std::vector<uint8_t> buffer(len);
        return object->program(name).run(buffer.data(), buffer.size());
    }
    static ebpf::LoadedObject* object;
};
ebpf::LoadedObject* Helpers::object = nullptr;

TEST_F(Helpers, Snprintf) {
    EXPECT_EQ(run("hook/snprintf", 5), std::string("v=-42 x=ff len=5").size() + 1);
    auto text = object->map("strings").lookup(bytes_of(uint32_t{0}));
    EXPECT_STREQ(reinterpret_cast<const char*>(text->data()), "v=-42 x=ff len=5");
}

TEST_F(Helpers, CsumDiffAsLinux) {
    // As Linux 6.13+: the one's-complement sum of `to` with the seed minus the
    // sum of `from`, folded to 16 bits (checked against the 6.18 kernel).
    auto add = [](uint32_t a, uint32_t b) {
        const uint32_t r = a + b;
        return r + (r < b);
    };
    const uint32_t to = add(add(7, 0x05060708u), 0x0e0f1011u), from = add(0x01020304u, 0x0a0b0c0du);
    uint32_t sum = add(to, ~from);
    sum = (sum & 0xffff) + (sum >> 16);
    sum = (sum & 0xffff) + (sum >> 16);
    EXPECT_EQ(run("hook/csum"), sum);
    EXPECT_LE(sum, 0xffffu);
    auto csum = ebpf::helper_table().find(ebpf::helper_id::csum_diff);
    EXPECT_EQ(static_cast<int64_t>(csum(0, 3, 0, 0, 0)), -EINVAL);  // not a multiple of 4
}

TEST_F(Helpers, Strncmp) { EXPECT_EQ(run("hook/strncmp"), 7u); }

TEST_F(Helpers, Clocks) {
    uint64_t before = now_ns(CLOCK_MONOTONIC);
    uint64_t mono = run("hook/ktime");
    uint64_t after = now_ns(CLOCK_MONOTONIC);
    EXPECT_GE(mono, before);
    EXPECT_LE(mono, after);
    before = now_ns(CLOCK_BOOTTIME);
    uint64_t boot = run("hook/boottime");
    EXPECT_GE(boot, before);
    EXPECT_LE(boot, now_ns(CLOCK_BOOTTIME));
}

TEST_F(Helpers, PidTgidIsTheCallingThread) {
    uint64_t value = run("hook/pid");
    EXPECT_EQ(value >> 32, static_cast<uint64_t>(getpid()));
    EXPECT_EQ(value & 0xffffffff, static_cast<uint64_t>(syscall(SYS_gettid)));
}

TEST_F(Helpers, SmpProcessorIdIsACpuSlot) { EXPECT_LT(run("hook/cpu"), ebpf::possible_cpus()); }

TEST_F(Helpers, RandomVaries) {
    std::set<uint64_t> seen;
    for (int i = 0; i < 16; ++i) {
        uint64_t v = run("hook/random");
        EXPECT_LE(v, 0xffffffffu);
        seen.insert(v);
    }
    EXPECT_GT(seen.size(), 8u);
}

TEST_F(Helpers, ForEachMapElem) { EXPECT_EQ(run("hook/for_each"), 10004u); }

TEST_F(Helpers, LoopStopsWhenTheCallbackSaysSo) {
    EXPECT_EQ(run("hook/loop_stop"), 15006u);
    auto loop = ebpf::helper_table().find(ebpf::helper_id::loop);
    EXPECT_EQ(static_cast<int64_t>(loop((1ull << 23) + 1, 0, 0, 0, 0)), -E2BIG);
    EXPECT_EQ(static_cast<int64_t>(loop(1, 0, 0, 1, 0)), -EINVAL);
}

TEST_F(Helpers, RingbufOutputReserveDiscardSubmitQuery) {
    EXPECT_EQ(run("hook/ringbuf", 12), 48u);
    std::vector<uint64_t> values;
    ebpf::ringbuf_consume(object->map("ring"), [&](std::span<const uint8_t> record) {
        values.push_back(value_of<uint64_t>({record.begin(), record.end()}));
    });
    EXPECT_EQ(values, (std::vector<uint64_t>{0x1122334455667788, 12}));
}

TEST_F(Helpers, MapErrorsReachProgramsAsNegativeErrno) {
    uint64_t result = run("hook/errors");
    EXPECT_EQ(result & 0xff, 0u);
    EXPECT_EQ((result >> 8) & 0xff, static_cast<uint64_t>(EEXIST));
    EXPECT_EQ((result >> 16) & 0xff, static_cast<uint64_t>(ENOENT));
    EXPECT_EQ((result >> 24) & 0xff, static_cast<uint64_t>(E2BIG));
    EXPECT_EQ((result >> 32) & 0xff, static_cast<uint64_t>(ENOENT));
    EXPECT_EQ((result >> 40) & 0xff, static_cast<uint64_t>(E2BIG));
    EXPECT_EQ((result >> 48) & 0xff, static_cast<uint64_t>(ENOENT));
}

TEST_F(Helpers, XdpAdjustHeadAndTail) {
    std::vector<uint8_t> frame(256 + 64, 0xab);
    size_t offset = 256, length = 64;
    EXPECT_EQ(object->program("xdp").run_xdp(frame, offset, length), 2u);  // XDP_PASS
    EXPECT_EQ(offset, 256u + 14);
    EXPECT_EQ(length, 64u - 14 - 4);
    // Too short to keep an Ethernet header after the adjustments.
    offset = 256;
    length = 20;
    EXPECT_EQ(object->program("xdp").run_xdp(frame, offset, length), 0u);  // XDP_ABORTED
}

TEST(HelpersDirect, XdpAdjustStaysInsideTheFrame) {
    // As Linux: the first 40 bytes of the headroom (struct xdp_frame) stay
    // out of reach; 32 bytes of headroom remain after them.
    std::vector<uint8_t> frame(168);
    auto base = reinterpret_cast<uint64_t>(frame.data());
    ebpf::XdpRuntimeContext ctx{};
    ctx.frame_start = base;
    ctx.frame_end = base + 168;
    ctx.data = ctx.data_meta = base + 72;
    ctx.data_end = base + 136;
    auto head = ebpf::helper_table().find(ebpf::helper_id::xdp_adjust_head);
    auto tail = ebpf::helper_table().find(ebpf::helper_id::xdp_adjust_tail);
    auto ctx_address = reinterpret_cast<uint64_t>(&ctx);
    EXPECT_EQ(static_cast<int64_t>(head(ctx_address, static_cast<uint64_t>(-33), 0, 0, 0)), -EINVAL);
    EXPECT_EQ(head(ctx_address, static_cast<uint64_t>(-32), 0, 0, 0), 0u);  // grow headroom to the reserve
    EXPECT_EQ(ctx.data, base + 40);
    EXPECT_EQ(static_cast<int64_t>(tail(ctx_address, 33, 0, 0, 0)), -EINVAL);
    frame[140] = 0xff;
    EXPECT_EQ(tail(ctx_address, 32, 0, 0, 0), 0u);
    EXPECT_EQ(ctx.data_end, base + 168);
    EXPECT_EQ(frame[140], 0);  // grown tail is zeroed, as Linux
}

TEST(HelpersDirect, TailCallContract) {
    ebpf::CpuScope scope;
    auto tail_call = ebpf::helper_table().find(ebpf::helper_id::tail_call);
    auto prog_array = ebpf::create_map(definition(ebpf::MapType::prog_array, 4, 4, 2));
    auto address = reinterpret_cast<uint64_t>(prog_array.get());
    EXPECT_EQ(static_cast<int64_t>(tail_call(0, address, 0, 0, 0)), -ENOENT);  // empty slot falls through
    EXPECT_EQ(static_cast<int64_t>(tail_call(0, address, 5, 0, 0)), -ENOENT);  // out of range
    EXPECT_EQ(ebpf::run_state().tail_call_target, nullptr);
}

// The cookies of cgroup_sock_addr programs: the socket the policy hook names
// (SocketScope) and this process's network namespace, as the kernel numbers them.
TEST(HelpersDirect, SocketAndNetnsCookies) {
    auto socket_cookie = ebpf::helper_table().find(46);
    auto netns_cookie = ebpf::helper_table().find(122);
    ASSERT_NE(socket_cookie, nullptr);
    ASSERT_NE(netns_cookie, nullptr);
    EXPECT_EQ(socket_cookie(0, 0, 0, 0, 0), 0u);  // no socket: a test run
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    ASSERT_GE(fd, 0);
    uint64_t expected = 0, netns = 0;
    socklen_t length = sizeof expected;
    if (getsockopt(fd, SOL_SOCKET, 57 /* SO_COOKIE */, &expected, &length) != 0) {
        const int error = errno;
        close(fd);
        // qemu-user does not emulate SO_COOKIE (the helper then answers 0, as without a socket).
        GTEST_SKIP() << "getsockopt(SO_COOKIE) fails here: " << std::strerror(error);
    }
    {
        ebpf::SocketScope scope(fd);
        EXPECT_EQ(socket_cookie(0, 0, 0, 0, 0), expected);
        EXPECT_NE(expected, 0u);
    }
    EXPECT_EQ(socket_cookie(0, 0, 0, 0, 0), 0u);  // the scope ended
    length = sizeof netns;
    if (getsockopt(fd, SOL_SOCKET, 71 /* SO_NETNS_COOKIE */, &netns, &length) == 0) {
        EXPECT_EQ(netns_cookie(0, 0, 0, 0, 0), netns);
    } else {
        EXPECT_EQ(netns_cookie(0, 0, 0, 0, 0), 0u);  // a kernel before 5.14
    }
    close(fd);
}

// Helpers of types the runtime only verifies (kprobe, sock_ops, ...) may
// have a prototype alone; every helper a type we run allows must run.
TEST(HelpersDirect, EveryHelperOfARunnableTypeHasAnImplementation) {
    for (ebpf::ProgramType type : {ebpf::ProgramType::xdp, ebpf::ProgramType::cgroup_sock_addr,
                                   ebpf::ProgramType::hook, ebpf::ProgramType::raw_memory}) {
        for (int32_t id : ebpf::program_type_info(type).helpers) {
            const ebpf::HelperPrototype* proto = ebpf::helper_prototype(id);
            ASSERT_NE(proto, nullptr) << "helper " << id << " of " << ebpf::program_type_name(type);
            EXPECT_NE(ebpf::helper_table().find(id), nullptr) << proto->name << " in " << ebpf::program_type_name(type);
        }
    }
}

}  // namespace

namespace {

// The deterministic helper programs give the same results in every mode
// (the helper table is shared; callbacks go through each engine).
TEST(HelpersAllModes, SameResultsAsTheInterpreter) {
    const char* programs[] = {"hook/snprintf", "hook/csum",  "hook/strncmp", "hook/for_each",
                              "hook/loop_stop", "hook/ringbuf", "hook/errors"};
    for (ebpf::ExecMode mode : {ebpf::ExecMode::jit, ebpf::ExecMode::native}) {
        auto reference = load("runtime_helpers", ebpf::ExecMode::interpret);  // fresh maps for each comparison
        auto object = load("runtime_helpers", mode);
        for (const char* name : programs) {
            std::vector<uint8_t> a(8), b(8);
            EXPECT_EQ(object->program(name).run(a.data(), a.size()), reference->program(name).run(b.data(), b.size()))
                << name << " in " << ebpf::exec_mode_name(mode);
        }
        EXPECT_EQ(object->map("strings").lookup(bytes_of(uint32_t{0})), reference->map("strings").lookup(bytes_of(uint32_t{0})));
        std::vector<uint8_t> frame(320, 0xab);
        size_t offset = 256, length = 64;
        EXPECT_EQ(object->program("xdp").run_xdp(frame, offset, length), 2u) << ebpf::exec_mode_name(mode);
        EXPECT_EQ(offset, 270u);
        EXPECT_EQ(length, 46u);
    }
}

// The 400-byte sieve the verifier once gave up on (tests/verifier/programs/
// verifier_sieve.c): the same count of primes below 400 in every engine.
TEST(VerifierPrograms, SieveCountsThePrimesInEveryMode) {
    for (ebpf::ExecMode mode : {ebpf::ExecMode::interpret, ebpf::ExecMode::jit, ebpf::ExecMode::native}) {
        auto object = load("verifier_sieve", mode);
        std::vector<uint8_t> frame(64, 0);
        size_t offset = 0, length = frame.size();
        EXPECT_EQ(object->program("sieve").run_xdp(frame, offset, length), 2u) << ebpf::exec_mode_name(mode);
        EXPECT_EQ(object->map("sieve_result").lookup(bytes_of(uint32_t{0})), bytes_of(uint64_t{78}))
            << ebpf::exec_mode_name(mode);
    }
}

}  // namespace
