// SockAddrPolicy in-process: the struct bpf_sock_addr the programs see
// (address and port in network byte order, the socket's family, type and
// protocol), allow/deny, and rewrites — in every execution mode.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "ebpf/error.hpp"
#include "ebpf/hooks.hpp"
#include "hooks_test_support.hpp"

namespace {

using hooks_test::TempDir;

sockaddr_in ipv4(const char* address, uint16_t port) {
    sockaddr_in in{};
    in.sin_family = AF_INET;
    in.sin_port = htons(port);
    inet_pton(AF_INET, address, &in.sin_addr);
    return in;
}

sockaddr_in6 ipv6(const char* address, uint16_t port) {
    sockaddr_in6 in{};
    in.sin6_family = AF_INET6;
    in.sin6_port = htons(port);
    in.sin6_flowinfo = htonl(0x12345);
    inet_pton(AF_INET6, address, &in.sin6_addr);
    return in;
}

ebpf::SockAddrDecision decide(const ebpf::SockAddrPolicy& policy, ebpf::SockAddrHook hook, const sockaddr_in& in,
                              int fd = -1) {
    return policy.decide(hook, fd, reinterpret_cast<const sockaddr*>(&in), sizeof(in));
}

const sockaddr_in& as_ipv4(const ebpf::SockAddrDecision& decision) {
    return *reinterpret_cast<const sockaddr_in*>(&decision.address);
}

class SockAddrPolicyModes : public ::testing::TestWithParam<ebpf::ExecMode> {
protected:
    TempDir dir;
};

// tests/programs/sock_addr.c: bind4 denies ports 1..1023 other than 80 and
// 443; connect4 denies 192.0.2.0/24 and rewrites 10.0.0.1:8080 to port 80.
TEST_P(SockAddrPolicyModes, BindAndConnectDecisions) {
    auto object = hooks_test::load_in_mode("sock_addr", GetParam(), dir);
    ebpf::SockAddrPolicy policy;
    EXPECT_EQ(policy.add(*object), 2u);
    EXPECT_TRUE(policy.has(ebpf::SockAddrHook::bind4));
    EXPECT_TRUE(policy.has(ebpf::SockAddrHook::connect4));
    EXPECT_FALSE(policy.has(ebpf::SockAddrHook::bind6));

    EXPECT_FALSE(decide(policy, ebpf::SockAddrHook::bind4, ipv4("0.0.0.0", 22)).allow);
    EXPECT_FALSE(decide(policy, ebpf::SockAddrHook::bind4, ipv4("127.0.0.1", 1023)).allow);
    EXPECT_TRUE(decide(policy, ebpf::SockAddrHook::bind4, ipv4("0.0.0.0", 80)).allow);
    EXPECT_TRUE(decide(policy, ebpf::SockAddrHook::bind4, ipv4("0.0.0.0", 443)).allow);
    const auto high = decide(policy, ebpf::SockAddrHook::bind4, ipv4("0.0.0.0", 8080));
    EXPECT_TRUE(high.allow);
    EXPECT_FALSE(high.rewritten);
    EXPECT_EQ(as_ipv4(high).sin_port, htons(8080));

    EXPECT_FALSE(decide(policy, ebpf::SockAddrHook::connect4, ipv4("192.0.2.7", 80)).allow);
    const auto rewritten = decide(policy, ebpf::SockAddrHook::connect4, ipv4("10.0.0.1", 8080));
    EXPECT_TRUE(rewritten.allow);
    EXPECT_TRUE(rewritten.rewritten);
    EXPECT_EQ(as_ipv4(rewritten).sin_port, htons(80));
    EXPECT_EQ(as_ipv4(rewritten).sin_addr.s_addr, ipv4("10.0.0.1", 0).sin_addr.s_addr);
    EXPECT_EQ(rewritten.address_length, sizeof(sockaddr_in));
    const auto untouched = decide(policy, ebpf::SockAddrHook::connect4, ipv4("10.0.0.1", 8081));
    EXPECT_TRUE(untouched.allow);
    EXPECT_FALSE(untouched.rewritten);
}

// tests/programs/hooks_sock_addr.c's connect6 rewrites port 7 to
// type * 1000 + protocol and denies sockets that are not AF_INET6.
TEST_P(SockAddrPolicyModes, ContextCarriesTheSocketsFamilyTypeAndProtocol) {
    auto object = hooks_test::load_in_mode("hooks_sock_addr", GetParam(), dir);
    ebpf::SockAddrPolicy policy;
    EXPECT_EQ(policy.add(*object), 4u);
    const sockaddr_in6 echo = ipv6("2001:db8::1", 7);
    const auto* address = reinterpret_cast<const sockaddr*>(&echo);

    const int tcp = socket(AF_INET6, SOCK_STREAM, 0);
    if (tcp < 0) GTEST_SKIP() << "no IPv6 sockets here: " << std::strerror(errno);
    const auto stream = policy.decide(ebpf::SockAddrHook::connect6, tcp, address, sizeof(echo));
    close(tcp);
    EXPECT_TRUE(stream.allow);
    EXPECT_TRUE(stream.rewritten);
    const auto& stream6 = *reinterpret_cast<const sockaddr_in6*>(&stream.address);
    EXPECT_EQ(ntohs(stream6.sin6_port), 1000 * SOCK_STREAM + IPPROTO_TCP);
    EXPECT_EQ(stream6.sin6_flowinfo, echo.sin6_flowinfo);  // fields the program cannot see stay as given
    EXPECT_EQ(std::memcmp(&stream6.sin6_addr, &echo.sin6_addr, sizeof(echo.sin6_addr)), 0);

    const int udp = socket(AF_INET6, SOCK_DGRAM, 0);
    ASSERT_GE(udp, 0);
    const auto datagram = policy.decide(ebpf::SockAddrHook::connect6, udp, address, sizeof(echo));
    close(udp);
    EXPECT_EQ(ntohs(reinterpret_cast<const sockaddr_in6*>(&datagram.address)->sin6_port),
              1000 * SOCK_DGRAM + IPPROTO_UDP);

    // An IPv4 socket asked to connect to an IPv6 address: family is AF_INET.
    const int v4 = socket(AF_INET, SOCK_STREAM, 0);
    ASSERT_GE(v4, 0);
    EXPECT_FALSE(policy.decide(ebpf::SockAddrHook::connect6, v4, address, sizeof(echo)).allow);
    close(v4);

    const sockaddr_in6 denied = ipv6("::1", 4242);
    EXPECT_FALSE(policy.decide(ebpf::SockAddrHook::bind6, -1, reinterpret_cast<const sockaddr*>(&denied), sizeof(denied)).allow);
}

INSTANTIATE_TEST_SUITE_P(Modes, SockAddrPolicyModes, ::testing::ValuesIn(hooks_test::all_modes()),
                         [](const auto& info) { return std::string(ebpf::exec_mode_name(info.param)); });

TEST(SockAddrPolicyErrors, WrongFamilyOrLengthIsAnError) {
    TempDir dir;
    auto object = hooks_test::load_in_mode("sock_addr", ebpf::ExecMode::interpret, dir);
    ebpf::SockAddrPolicy policy;
    policy.add(*object);
    const sockaddr_in in = ipv4("127.0.0.1", 80);
    EXPECT_THROW(policy.decide(ebpf::SockAddrHook::bind4, -1, reinterpret_cast<const sockaddr*>(&in), 4), ebpf::Error);
    EXPECT_THROW(policy.decide(ebpf::SockAddrHook::bind6, -1, reinterpret_cast<const sockaddr*>(&in), sizeof(in)),
                 ebpf::Error);
    EXPECT_THROW(policy.decide(ebpf::SockAddrHook::bind4, -1, nullptr, 0), ebpf::Error);
}

TEST(SockAddrPolicyErrors, RefusesOtherProgramTypes) {
    TempDir dir;
    auto object = hooks_test::load_in_mode("xdp_parse", ebpf::ExecMode::interpret, dir);
    ebpf::SockAddrPolicy policy;
    EXPECT_EQ(policy.add(*object), 0u);
    try {
        policy.add(object->program("xdp"));
        FAIL() << "an xdp program joined a sock_addr policy";
    } catch (const ebpf::Error& e) {
        EXPECT_NE(std::string(e.what()).find("xdp_parse"), std::string::npos) << e.what();
    }
}

TEST(SockAddrPolicyNames, RoundTrip) {
    for (auto hook : {ebpf::SockAddrHook::bind4, ebpf::SockAddrHook::bind6, ebpf::SockAddrHook::connect4,
                      ebpf::SockAddrHook::connect6})
        EXPECT_EQ(ebpf::sock_addr_hook_from_name(ebpf::sock_addr_hook_name(hook)), hook);
    EXPECT_FALSE(ebpf::sock_addr_hook_from_name("sendmsg4"));
}

}  // namespace
