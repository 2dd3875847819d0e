// The redirect and sample maps (perf_event_array, stack_trace, cgroup_array,
// devmap, devmap_hash, cpumap, xskmap): creation rules and host semantics as
// the Linux kernel gives them (checked with libbpf's bpf_map_create on Linux
// 6.x), the helpers that use them in every mode, and the multi-port packet
// host carrying out XDP_TX and XDP_REDIRECT.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <sstream>
#include <string>

#include "ebpf/hooks.hpp"
#include "ebpf/runtime.hpp"
#include "test_support.hpp"

namespace {

using ebpf::MapType;
using runtime_test::bytes_of;
using runtime_test::definition;
using runtime_test::value_of;
using Bytes = std::vector<uint8_t>;

Bytes u32(uint32_t v) { return bytes_of(v); }
Bytes pair(uint32_t a, uint32_t b) {
    Bytes out = u32(a);
    Bytes second = u32(b);
    out.insert(out.end(), second.begin(), second.end());
    return out;
}

// The message of the error `body` throws ("" when it does not).
template <typename Body>
std::string error_of(Body&& body) {
    try {
        body();
    } catch (const ebpf::Error& e) {
        return e.what();
    }
    return "";
}

ebpf::MapDefinition with_flags(ebpf::MapDefinition d, uint32_t flags) {
    d.map_flags = flags;
    return d;
}

// Linux (bpf_map_create) accepts or refuses each of these; so do we.
TEST(RedirectMaps, CreationRulesAsLinux) {
    struct Case {
        ebpf::MapDefinition definition;
        bool ok;
    } cases[] = {
        {definition(MapType::devmap, 4, 4, 4), true},
        {definition(MapType::devmap, 4, 8, 4), true},
        {definition(MapType::devmap, 8, 4, 4), false},
        {definition(MapType::devmap, 4, 12, 4), false},
        {definition(MapType::devmap, 4, 8, 0), false},
        {with_flags(definition(MapType::devmap, 4, 4, 4), ebpf::kMapFlagRdonlyProg), false},
        {with_flags(definition(MapType::devmap, 4, 4, 4), ebpf::kMapFlagNumaNode), true},
        {definition(MapType::devmap_hash, 4, 8, 4), true},
        {definition(MapType::devmap_hash, 4, 2, 4), false},
        {definition(MapType::cpumap, 4, 4, 4), true},
        {definition(MapType::cpumap, 4, 4, 100000), false},
        {with_flags(definition(MapType::cpumap, 4, 4, 4), ebpf::kMapFlagRdonly), false},
        {definition(MapType::xskmap, 4, 4, 4), true},
        {definition(MapType::xskmap, 4, 8, 4), false},
        {definition(MapType::perf_event_array, 4, 4, 2), true},
        {definition(MapType::perf_event_array, 4, 4, 0), true},  // libbpf: one per CPU
        {definition(MapType::perf_event_array, 4, 8, 2), false},
        {definition(MapType::stack_trace, 4, 1016, 4), true},
        {definition(MapType::stack_trace, 4, 12, 4), false},
        {definition(MapType::stack_trace, 4, 1024, 4), false},
        {definition(MapType::stack_trace, 4, 8, 0), false},
        {definition(MapType::cgroup_array, 4, 4, 4), true},
        {definition(MapType::cgroup_array, 4, 8, 4), false},
        {definition(MapType::cgroup_array, 4, 4, 0), false},
    };
    for (const auto& c : cases) {
        const std::string error = error_of([&] { ebpf::create_map(c.definition); });
        EXPECT_EQ(error.empty(), c.ok) << ebpf::map_type_name(c.definition.type) << " key " << c.definition.key_size
                                       << " value " << c.definition.value_size << " entries "
                                       << c.definition.max_entries << ": " << error;
        if (!c.ok) {
            EXPECT_NE(error.find("map 'test_map': "), std::string::npos) << error;
        }
    }
}

// A port the test owns, so the result does not depend on the machine's interfaces.
struct Device {
    uint32_t ifindex;
    explicit Device(uint32_t i) : ifindex(i) { ebpf::register_device(i); }
    ~Device() { ebpf::unregister_device(ifindex); }
};

TEST(RedirectMaps, DevmapHostSemantics) {
    Device port(4242);
    auto map = ebpf::create_map(definition(MapType::devmap, 4, 8, 4));
    // An ifindex that does not exist is refused (EINVAL), as Linux.
    EXPECT_NE(error_of([&] { map->update(u32(0), pair(4000000000u, 0)); }).find("EINVAL"), std::string::npos);
    EXPECT_FALSE(ebpf::device_exists(4000000000u));
    map->update(u32(0), pair(4242, 0));
    EXPECT_EQ(map->lookup(u32(0)), pair(4242, 0));
    EXPECT_NE(error_of([&] { map->update(u32(0), pair(4242, 0), ebpf::kUpdateNoExist); }).find("EEXIST"), std::string::npos);
    EXPECT_NE(error_of([&] { map->update(u32(9), pair(4242, 0)); }).find("E2BIG"), std::string::npos);
    // A program id that is no xdp/devmap program, and an fd with ifindex 0.
    EXPECT_NE(error_of([&] { map->update(u32(1), pair(4242, 999999)); }).find("EINVAL"), std::string::npos);
    EXPECT_NE(error_of([&] { map->update(u32(1), pair(0, 5)); }).find("EINVAL"), std::string::npos);
    map->update(u32(0), pair(0, 0));  // ifindex 0 empties the slot
    EXPECT_FALSE(map->lookup(u32(0)));
    EXPECT_TRUE(map->remove(u32(1)));  // Linux: deleting an empty slot succeeds
    EXPECT_NE(error_of([&] { map->remove(u32(9)); }).find("EINVAL"), std::string::npos);
    EXPECT_EQ(map->keys().size(), 4u);
}

TEST(RedirectMaps, DevmapHashHostSemantics) {
    Device port(4243);
    auto map = ebpf::create_map(definition(MapType::devmap_hash, 4, 8, 4));
    EXPECT_NE(error_of([&] { map->update(u32(77), pair(0, 0)); }).find("EINVAL"), std::string::npos);
    for (uint32_t key : {77u, 1u, 2u, 3u}) map->update(u32(key), pair(4243, 0));
    EXPECT_NE(error_of([&] { map->update(u32(4), pair(4243, 0)); }).find("E2BIG"), std::string::npos);
    EXPECT_NE(error_of([&] { map->update(u32(1), pair(4243, 0), ebpf::kUpdateNoExist); }).find("EEXIST"), std::string::npos);
    EXPECT_FALSE(map->remove(u32(55)));  // ENOENT
    EXPECT_TRUE(map->remove(u32(2)));
    map->update(u32(9), pair(4243, 0));  // the freed slot is reused
    auto keys = map->keys();
    ASSERT_EQ(keys.size(), 4u);
    EXPECT_EQ(value_of<uint32_t>(keys[0]), 1u);
    EXPECT_EQ(value_of<uint32_t>(keys[3]), 77u);
    auto entry = ebpf::redirect_entry(*map, 9);
    ASSERT_TRUE(entry);
    EXPECT_EQ(entry->value, 4243u);
    EXPECT_FALSE(ebpf::redirect_entry(*map, 2));
}

TEST(RedirectMaps, CpumapXskmapCgroupArrayHostSemantics) {
    auto cpus = ebpf::create_map(definition(MapType::cpumap, 4, 4, 4096));
    EXPECT_NE(error_of([&] { cpus->update(u32(0), u32(20000)); }).find("EOVERFLOW"), std::string::npos);
    EXPECT_NE(error_of([&] { cpus->update(u32(4000), u32(192)); }).find("ENODEV"), std::string::npos);
    EXPECT_NE(error_of([&] { cpus->update(u32(5000), u32(192)); }).find("E2BIG"), std::string::npos);
    cpus->update(u32(0), u32(192));
    EXPECT_EQ(cpus->lookup(u32(0)), u32(192));
    cpus->update(u32(0), u32(0));  // qsize 0 empties it
    EXPECT_FALSE(cpus->lookup(u32(0)));

    auto xsks = ebpf::create_map(definition(MapType::xskmap, 4, 4, 4));
    EXPECT_NE(error_of([&] { xsks->update(u32(0), u32(1000000)); }).find("ENOTSOCK"), std::string::npos);
    auto socket = ebpf::create_xsk_socket(7, 3);
    xsks->update(u32(1), u32(socket->id()));
    EXPECT_NE(error_of([&] { xsks->lookup(u32(1)); }).find("EOPNOTSUPP"), std::string::npos);
    auto entry = ebpf::redirect_entry(*xsks, 1);
    ASSERT_TRUE(entry);
    EXPECT_EQ(entry->value, 3u);  // what a program reads: struct bpf_xdp_sock.queue_id
    EXPECT_EQ(entry->socket, socket);
    EXPECT_TRUE(xsks->remove(u32(1)));
    EXPECT_FALSE(ebpf::redirect_entry(*xsks, 1));

    auto cgroups = ebpf::create_map(definition(MapType::cgroup_array, 4, 4, 2));
    EXPECT_NE(error_of([&] { cgroups->update(u32(0), u32(5), ebpf::kUpdateNoExist); }).find("EINVAL"), std::string::npos);
    EXPECT_NE(error_of([&] { cgroups->update(u32(2), u32(5)); }).find("E2BIG"), std::string::npos);
    EXPECT_FALSE(cgroups->remove(u32(0)));  // ENOENT, as Linux's fd arrays
    EXPECT_THROW(ebpf::redirect_entry(*cgroups, 0), ebpf::Error);
}

// As Linux: a cgroup_array slot takes a cgroup v2 directory's fd (EBADF for
// any other fd: a file, a directory elsewhere, a closed fd) and cannot be read
// back by the host (ENOTSUPP); the runtime keeps the cgroup's id.
TEST(RedirectMaps, CgroupArrayTakesCgroupDirectoryFds) {
    auto cgroups = ebpf::create_map(definition(MapType::cgroup_array, 4, 4, 2));
    const int tmp = ::open("/tmp", O_RDONLY | O_DIRECTORY);
    ASSERT_GE(tmp, 0);
    EXPECT_NE(error_of([&] { cgroups->update(u32(0), u32(static_cast<uint32_t>(tmp))); }).find("EBADF"), std::string::npos);
    ::close(tmp);
    EXPECT_NE(error_of([&] { cgroups->update(u32(0), u32(0xfffffff0u)); }).find("EBADF"), std::string::npos);
    EXPECT_NE(error_of([&] { cgroups->update(u32(0), u32(0)); }).find("EBADF"), std::string::npos);  // stdin
    EXPECT_FALSE(ebpf::cgroup_array_id(*cgroups, 0));
    EXPECT_FALSE(ebpf::cgroup_array_id(*cgroups, 7));
    auto array = ebpf::create_map(definition(MapType::array, 4, 4, 2));
    EXPECT_THROW(ebpf::cgroup_array_id(*array, 0), ebpf::Error);

    // A cgroup v2 directory: the mount's root.
    std::ifstream mountinfo("/proc/self/mountinfo");
    std::string line, root;
    while (std::getline(mountinfo, line)) {
        const size_t dash = line.find(" - cgroup2 ");
        if (dash == std::string::npos) continue;
        std::istringstream fields(line.substr(0, dash));
        std::string skip;
        fields >> skip >> skip >> skip >> skip >> root;
        break;
    }
    if (root.empty()) GTEST_SKIP() << "no cgroup v2 hierarchy is mounted";
    const int fd = ::open(root.c_str(), O_RDONLY | O_DIRECTORY);
    ASSERT_GE(fd, 0) << root;
    struct stat st {};
    ASSERT_EQ(::fstat(fd, &st), 0);
    cgroups->update(u32(1), u32(static_cast<uint32_t>(fd)));
    ::close(fd);  // the slot keeps the cgroup, not the fd
    EXPECT_EQ(ebpf::cgroup_array_id(*cgroups, 1), static_cast<uint64_t>(st.st_ino));
    EXPECT_NE(error_of([&] { cgroups->lookup(u32(1)); }).find("ENOTSUPP"), std::string::npos);
    EXPECT_TRUE(cgroups->remove(u32(1)));
    EXPECT_FALSE(ebpf::cgroup_array_id(*cgroups, 1));
}

TEST(RedirectMaps, PerfEventArrayAndStackTraceHostSemantics) {
    auto perf = ebpf::create_map(definition(MapType::perf_event_array, 4, 4, 0));
    EXPECT_EQ(ebpf::perf_event_slots(*perf), ebpf::possible_cpus());
    EXPECT_NE(error_of([&] { perf->update(u32(0), u32(3)); }).find("EINVAL"), std::string::npos);  // not a power of 2
    EXPECT_NE(error_of([&] { perf->update(u32(0), u32(1), ebpf::kUpdateNoExist); }).find("EINVAL"), std::string::npos);
    EXPECT_NE(error_of([&] { perf->update(u32(ebpf::possible_cpus()), u32(1)); }).find("E2BIG"), std::string::npos);
    EXPECT_FALSE(perf->remove(u32(0)));
    perf->update(u32(0), u32(2));
    EXPECT_EQ(perf->lookup(u32(0)), u32(2));
    EXPECT_TRUE(perf->remove(u32(0)));
    EXPECT_THROW(ebpf::perf_event_open_buffer(*perf, 0, 0), ebpf::Error);
    auto array = ebpf::create_map(definition(MapType::array, 4, 4, 1));
    EXPECT_THROW(ebpf::perf_event_consume(*array, 0, [](std::span<const uint8_t>) {}), ebpf::Error);

    auto stacks = ebpf::create_map(definition(MapType::stack_trace, 4, 64, 5));
    EXPECT_FALSE(stacks->lookup(u32(0)));
    EXPECT_FALSE(stacks->remove(u32(0)));
    EXPECT_NE(error_of([&] { stacks->remove(u32(50)); }).find("E2BIG"), std::string::npos);
    EXPECT_THROW(stacks->update(u32(0), Bytes(64)), ebpf::Error);
    EXPECT_TRUE(stacks->keys().empty());
}

// --- helpers in every mode -----------------------------------------------------

class RedirectHelpers : public ::testing::TestWithParam<ebpf::ExecMode> {
protected:
    void SetUp() override {
        object_ = runtime_test::load("redirect_maps", GetParam());
        program_ = &object_->program("redirect_by_config");
    }
    // Runs with config = {action, target, flags}; returns the verdict.
    uint64_t run(uint32_t action, uint32_t target, uint64_t flags, Bytes packet = Bytes(64, 0x11)) {
        auto& config = object_->map("config");
        config.update(u32(0), u32(action));
        config.update(u32(1), u32(target));
        config.update(u32(2), u32(static_cast<uint32_t>(flags)));
        config.update(u32(3), u32(static_cast<uint32_t>(flags >> 32)));
        return ebpf::test_run(*program_, {.data = packet}).retval;
    }
    int64_t result(uint32_t index) { return value_of<int64_t>(*object_->map("result").lookup(u32(index))); }

    std::unique_ptr<ebpf::LoadedObject> object_;
    const ebpf::LoadedProgram* program_ = nullptr;
};

TEST_P(RedirectHelpers, RedirectByIfindex) {
    EXPECT_EQ(run(0, 7, 0), 4u);  // XDP_REDIRECT
    auto target = ebpf::last_redirect();
    EXPECT_EQ(target.kind, ebpf::RedirectTarget::Kind::ifindex);
    EXPECT_EQ(target.index, 7u);
    EXPECT_EQ(run(0, 7, 1), 0u);  // XDP: any flag aborts (BPF_F_INGRESS is tc's)
    // A new run starts without the last one's redirect.
    EXPECT_EQ(run(9, 0, 0), 1u);
    EXPECT_EQ(ebpf::last_redirect().kind, ebpf::RedirectTarget::Kind::none);
}

TEST_P(RedirectHelpers, RedirectMapFallbackAndFlags) {
    Device port(4244);
    // Empty slot: the lower two bits of flags are the action (as Linux).
    EXPECT_EQ(run(1, 0, 0), 0u);
    EXPECT_EQ(run(1, 0, 2), 2u);
    EXPECT_EQ(run(1, 0, 3), 3u);
    EXPECT_EQ(ebpf::last_redirect().kind, ebpf::RedirectTarget::Kind::none);
    EXPECT_EQ(run(1, 0, 4), 0u);                               // an unknown flag: XDP_ABORTED
    EXPECT_EQ(run(1, 0, ebpf::kRedirectBroadcast), 4u);        // broadcast needs no entry
    EXPECT_EQ(run(3, 0, ebpf::kRedirectBroadcast), 0u);        // ... and only devmaps take it
    object_->map("ports").update(u32(5), pair(4244, 0));
    EXPECT_EQ(run(1, 5, 2), 4u);
    auto target = ebpf::last_redirect();
    EXPECT_EQ(target.kind, ebpf::RedirectTarget::Kind::map);
    EXPECT_EQ(target.index, 5u);
    EXPECT_EQ(target.map.get(), &object_->map("ports"));
    object_->map("ports_by_key").update(u32(123456), u32(4244));
    EXPECT_EQ(run(2, 123456, 0), 4u);
    EXPECT_EQ(run(2, 1, 1), 1u);
    object_->map("cpus").update(u32(0), pair(64, 0));
    EXPECT_EQ(run(3, 0, 0), 4u);
    EXPECT_EQ(run(3, 1, 2), 2u);
    auto socket = ebpf::create_xsk_socket(1, 0);
    object_->map("xsks").update(u32(2), u32(socket->id()));
    EXPECT_EQ(run(4, 2, 2), 4u);
    EXPECT_EQ(run(4, 3, 2), 2u);
    // Lookups: the devmap entry's ifindex and the socket's queue id.
    EXPECT_EQ(run(6, 2, 0), 2u);
    EXPECT_EQ(result(1), -1);
    EXPECT_EQ(result(0), 0);
    EXPECT_EQ(run(6, 5, 0), 2u);
    EXPECT_EQ(result(1), 4244);
}

TEST_P(RedirectHelpers, PerfEventOutputSamplesAndLost) {
    constexpr uint64_t kCurrentCpu = 0xffffffffULL;
    auto& events = object_->map("events");
    EXPECT_EQ(run(5, 0, kCurrentCpu), 2u);
    EXPECT_EQ(result(0), -ENOENT);  // no buffer open, as Linux's test run
    EXPECT_EQ(run(5, 0, kCurrentCpu | (uint64_t{100} << 32)), 2u);
    EXPECT_EQ(result(0), -EFAULT);  // more packet bytes than the packet has
    EXPECT_EQ(run(5, 0, uint64_t{1} << 52), 2u);
    EXPECT_EQ(result(0), -EINVAL);  // a bit outside index and length
    for (uint32_t cpu = 0; cpu < ebpf::perf_event_slots(events); ++cpu) ebpf::perf_event_open_buffer(events, cpu, 1);
    Bytes packet(64, 0);
    for (size_t i = 0; i < packet.size(); ++i) packet[i] = static_cast<uint8_t>(i);
    EXPECT_EQ(run(5, 0, kCurrentCpu | (uint64_t{4} << 32), packet), 2u);
    EXPECT_EQ(result(0), 0);
    if (ebpf::possible_cpus() > 1) {
        EXPECT_EQ(run(5, 0, ebpf::possible_cpus() - 1, packet), 2u);  // another CPU's buffer, or this one's
        EXPECT_TRUE(result(0) == 0 || result(0) == -EOPNOTSUPP);
    }
    EXPECT_EQ(run(5, 0, 1000), 2u);
    EXPECT_EQ(result(0), -E2BIG);
    std::vector<Bytes> samples;
    uint64_t lost = 0;
    for (uint32_t cpu = 0; cpu < ebpf::perf_event_slots(events); ++cpu)
        ebpf::perf_event_consume(
            events, cpu, [&](std::span<const uint8_t> s) { samples.emplace_back(s.begin(), s.end()); },
            [&](uint64_t n) { lost += n; });
    ASSERT_GE(samples.size(), 1u);
    const Bytes expected = {0x0d, 0xf0, 0xed, 0xfe, 64, 0, 0, 0, 0, 1, 2, 3};
    EXPECT_EQ(samples[0], expected);
    EXPECT_EQ(lost, 0u);
    // A one-page buffer holds 4096 / 24 samples of 12 bytes; the rest are lost, in order.
    size_t accepted = 0, refused = 0;
    for (int i = 0; i < 200; ++i) {
        run(5, 0, kCurrentCpu | (uint64_t{4} << 32), packet);
        (result(0) == 0 ? accepted : refused) += 1;
        EXPECT_TRUE(result(0) == 0 || result(0) == -ENOSPC) << result(0);
    }
    EXPECT_EQ(accepted, 4096u / 24u);
    samples.clear();
    for (uint32_t cpu = 0; cpu < ebpf::perf_event_slots(events); ++cpu)
        ebpf::perf_event_consume(
            events, cpu, [&](std::span<const uint8_t> s) { samples.emplace_back(s.begin(), s.end()); },
            [&](uint64_t n) { lost += n; });
    EXPECT_EQ(samples.size(), accepted);
    EXPECT_EQ(lost, refused);
}

INSTANTIATE_TEST_SUITE_P(Modes, RedirectHelpers,
                         ::testing::Values(ebpf::ExecMode::interpret, ebpf::ExecMode::jit, ebpf::ExecMode::native),
                         [](const auto& info) { return std::string(ebpf::exec_mode_name(info.param)); });

// --- the multi-port packet host --------------------------------------------------

class Router : public ::testing::TestWithParam<ebpf::ExecMode> {
protected:
    void SetUp() override {
        object_ = runtime_test::load("redirect_maps", GetParam());
        router_ = std::make_unique<ebpf::PacketRouter>(object_->program("redirect_by_config"));
        for (uint32_t port : {1u, 2u, 3u})
            router_->add_port(
                port, [this, port](std::span<const uint8_t> f) { sent_[port].emplace_back(f.begin(), f.end()); },
                [this, port](std::span<const uint8_t> f) { passed_[port].emplace_back(f.begin(), f.end()); });
    }
    void configure(uint32_t action, uint32_t target, uint64_t flags) {
        auto& config = object_->map("config");
        config.update(u32(0), u32(action));
        config.update(u32(1), u32(target));
        config.update(u32(2), u32(static_cast<uint32_t>(flags)));
        config.update(u32(3), u32(static_cast<uint32_t>(flags >> 32)));
    }
    std::unique_ptr<ebpf::LoadedObject> object_;
    std::unique_ptr<ebpf::PacketRouter> router_;
    std::map<uint32_t, std::vector<Bytes>> sent_, passed_;
};

TEST_P(Router, RedirectToPortsAndMissingTargetsDropped) {
    const Bytes frame(60, 0x42);
    configure(0, 2, 0);  // bpf_redirect(2)
    EXPECT_EQ(router_->receive(1, frame), 4u);
    ASSERT_EQ(sent_[2].size(), 1u);
    EXPECT_EQ(sent_[2][0], frame);
    configure(0, 9, 0);  // no port 9: dropped and counted
    router_->receive(1, frame);
    EXPECT_EQ(router_->stats().redirect_dropped, 1u);
    configure(1, 0, 0);  // empty devmap slot, fallback XDP_ABORTED
    EXPECT_EQ(router_->receive(1, frame), 0u);
    EXPECT_EQ(router_->port_stats(2).transmitted, 1u);
    EXPECT_EQ(router_->port_stats(1).received, 3u);
    EXPECT_THROW(router_->receive(5, frame), ebpf::Error);
    EXPECT_THROW(router_->add_port(2, {}), ebpf::Error);
}

TEST_P(Router, DevmapEntriesProgramsAndBroadcast) {
    const Bytes frame(60, 0x42);
    auto& ports = object_->map("ports");
    const uint32_t guard = object_->program("egress_guard").id();
    ports.update(u32(0), pair(2, guard));
    ports.update(u32(1), pair(3, guard));
    ports.update(u32(2), pair(1, 0));
    configure(1, 0, 0);
    router_->receive(1, frame);
    ASSERT_EQ(sent_[2].size(), 1u);
    EXPECT_EQ(sent_[2][0][0], 0xee);  // the egress program saw egress_ifindex 2 and marked the frame
    configure(1, 1, 0);
    router_->receive(1, frame);  // the egress program refuses port 3
    EXPECT_TRUE(sent_[3].empty());
    EXPECT_EQ(router_->stats().egress_dropped, 1u);
    // Broadcast: every entry but the ingress port (1).
    configure(1, 0, ebpf::kRedirectBroadcast | ebpf::kRedirectExcludeIngress);
    router_->receive(1, frame);
    EXPECT_EQ(sent_[2].size(), 2u);
    EXPECT_TRUE(sent_[1].empty());
    configure(1, 0, ebpf::kRedirectBroadcast);
    router_->receive(1, frame);
    EXPECT_EQ(sent_[1].size(), 1u);
    // A program of another kind cannot be an entry's program.
    EXPECT_THROW(ports.update(u32(3), pair(2, object_->program("redirect_by_config").id())), ebpf::Error);
}

TEST_P(Router, TxPassCpumapAndXsk) {
    Bytes frame(60, 0x42);
    configure(9, 0, 0);  // XDP_DROP
    router_->receive(2, frame);
    configure(5, 0, 0);  // XDP_PASS (after a perf sample that fails: no buffers)
    router_->receive(2, frame);
    ASSERT_EQ(passed_[2].size(), 1u);
    // cpumap with a program: frames whose first byte is 0 are dropped.
    object_->map("cpus").update(u32(0), pair(16, object_->program("cpu_filter").id()));
    configure(3, 0, 0);
    router_->receive(2, frame);
    EXPECT_EQ(passed_[2].size(), 2u);
    EXPECT_EQ(router_->cpu_counts().at(0), 1u);
    frame[0] = 0;
    router_->receive(2, frame);
    EXPECT_EQ(passed_[2].size(), 2u);
    EXPECT_EQ(router_->stats().redirect_dropped, 1u);
    // xskmap: delivered to the socket bound to (port 2, queue 0) only.
    auto on_two = ebpf::create_xsk_socket(2, 0, 1);
    object_->map("xsks").update(u32(0), u32(on_two->id()));
    configure(4, 0, 0);
    router_->receive(2, frame);
    EXPECT_EQ(on_two->pending(), 1u);
    router_->receive(2, frame);  // full (capacity 1)
    router_->receive(3, frame);  // another port
    EXPECT_EQ(on_two->delivered(), 1u);
    EXPECT_EQ(on_two->dropped(), 2u);
    EXPECT_EQ(router_->stats().xsk_delivered, 1u);
    EXPECT_EQ(on_two->receive(), frame);
    EXPECT_FALSE(on_two->receive());
}

INSTANTIATE_TEST_SUITE_P(Modes, Router,
                         ::testing::Values(ebpf::ExecMode::interpret, ebpf::ExecMode::jit, ebpf::ExecMode::native),
                         [](const auto& info) { return std::string(ebpf::exec_mode_name(info.param)); });

}  // namespace

namespace {

// A Linux map type the runtime cannot provide fails only the programs that use it.
TEST(UnprovidedMapType, OnlyTheProgramsUsingItFail) {
    auto object = runtime_test::load("unprovided_map");
    ASSERT_EQ(object->programs().size(), 1u);
    EXPECT_EQ(object->programs()[0]->name(), "xdp_count");
    EXPECT_EQ(object->find_map("socks"), nullptr);
    EXPECT_NE(object->find_map("seen"), nullptr);
    ebpf::LoadOptions options;
    options.programs = {"xdp_uses_sockmap"};
    const std::string error = error_of([&] { ebpf::load_object(runtime_test::program_path("unprovided_map"), options); });
    EXPECT_NE(error.find("program 'xdp_uses_sockmap': instruction"), std::string::npos) << error;
    EXPECT_NE(error.find("map 'socks' has type sockmap (15), which the runtime cannot provide"), std::string::npos) << error;
    options.programs = {"xdp_count"};
    EXPECT_EQ(ebpf::load_object(runtime_test::program_path("unprovided_map"), options)->programs().size(), 1u);
}

}  // namespace
