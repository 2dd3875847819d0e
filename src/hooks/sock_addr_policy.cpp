// cgroup/bind4|bind6|connect4|connect6 programs over a socket address, with
// the context Linux gives them (struct bpf_sock_addr): the address and port
// in network byte order as the caller passed them, the socket's family, type
// and protocol, and the program's rewrite of address and port applied.
#include <linux/bpf.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstring>

#include "ebpf/error.hpp"
#include "ebpf/hooks.hpp"
#include "ebpf/socket_scope.hpp"

namespace ebpf {
namespace {

static_assert(sizeof(bpf_sock_addr) == 72, "struct bpf_sock_addr as the runtime's cgroup_sock_addr context");

bool is_ipv6(SockAddrHook hook) { return hook == SockAddrHook::bind6 || hook == SockAddrHook::connect6; }

uint32_t socket_option(int fd, int option) {
    int value = 0;
    socklen_t length = sizeof(value);
    if (fd < 0 || getsockopt(fd, SOL_SOCKET, option, &value, &length) != 0) return 0;
    return static_cast<uint32_t>(value);
}

bpf_sock_addr make_context(SockAddrHook hook, int fd, const sockaddr* address, socklen_t length) {
    const std::string where = "sock_addr " + std::string(sock_addr_hook_name(hook));
    if (address == nullptr) throw Error(where + ": no address");
    bpf_sock_addr ctx{};
    if (is_ipv6(hook)) {
        if (length < static_cast<socklen_t>(sizeof(sockaddr_in6)) || address->sa_family != AF_INET6)
            throw Error(where + ": needs an AF_INET6 address of " + std::to_string(sizeof(sockaddr_in6)) + " bytes");
        sockaddr_in6 in6;
        std::memcpy(&in6, address, sizeof(in6));
        ctx.user_family = AF_INET6;
        std::memcpy(ctx.user_ip6, &in6.sin6_addr, sizeof(ctx.user_ip6));
        ctx.user_port = in6.sin6_port;  // network byte order in the low 16 bits, as Linux
    } else {
        if (length < static_cast<socklen_t>(sizeof(sockaddr_in)) || address->sa_family != AF_INET)
            throw Error(where + ": needs an AF_INET address of " + std::to_string(sizeof(sockaddr_in)) + " bytes");
        sockaddr_in in4;
        std::memcpy(&in4, address, sizeof(in4));
        ctx.user_family = AF_INET;
        ctx.user_ip4 = in4.sin_addr.s_addr;
        ctx.user_port = in4.sin_port;
    }
    const uint32_t domain = socket_option(fd, SO_DOMAIN);
    ctx.family = domain ? domain : ctx.user_family;
    ctx.type = socket_option(fd, SO_TYPE);
    ctx.protocol = socket_option(fd, SO_PROTOCOL);
    return ctx;
}

}  // namespace

std::string_view sock_addr_hook_name(SockAddrHook hook) {
    switch (hook) {
        case SockAddrHook::bind4: return "bind4";
        case SockAddrHook::bind6: return "bind6";
        case SockAddrHook::connect4: return "connect4";
        case SockAddrHook::connect6: return "connect6";
    }
    return "unknown";
}

std::optional<SockAddrHook> sock_addr_hook_from_name(std::string_view name) {
    for (SockAddrHook hook : {SockAddrHook::bind4, SockAddrHook::bind6, SockAddrHook::connect4, SockAddrHook::connect6})
        if (sock_addr_hook_name(hook) == name) return hook;
    return std::nullopt;
}

void SockAddrPolicy::add(const LoadedProgram& program) {
    const auto hook = sock_addr_hook_from_name(program.attach());
    if (program.type() != ProgramType::cgroup_sock_addr || !hook)
        throw Error("sock_addr policy: program '" + program.name() + "' (section " + program.section() +
                    ") is not a cgroup/bind4, bind6, connect4 or connect6 program");
    programs_.push_back({*hook, &program});
}

size_t SockAddrPolicy::add(const LoadedObject& object) {
    size_t added = 0;
    for (const auto& program : object.programs()) {
        if (program->type() != ProgramType::cgroup_sock_addr || !sock_addr_hook_from_name(program->attach())) continue;
        add(*program);
        ++added;
    }
    return added;
}

bool SockAddrPolicy::has(SockAddrHook hook) const {
    for (const auto& entry : programs_)
        if (entry.hook == hook) return true;
    return false;
}

SockAddrDecision SockAddrPolicy::decide(SockAddrHook hook, int fd, const sockaddr* address, socklen_t length) const {
    SockAddrDecision decision;
    bpf_sock_addr ctx = make_context(hook, fd, address, length);
    const bpf_sock_addr original = ctx;
    for (const auto& entry : programs_) {
        if (entry.hook != hook) continue;
        uint64_t verdict;
        try {
            SocketScope socket(fd);  // bpf_get_socket_cookie reads this socket's cookie
            verdict = entry.program->run(&ctx, sizeof(ctx));
        } catch (const Error& e) {
            throw Error("sock_addr " + std::string(sock_addr_hook_name(hook)) + ": program '" + entry.program->name() +
                        "': " + e.what());
        }
        if (verdict != 1) {
            decision.allow = false;
            break;
        }
    }
    // The caller's address with the programs' rewrite of address and port;
    // every other field (flow info, scope id) stays as given.
    const size_t copy = std::min(static_cast<size_t>(length), sizeof(decision.address));
    std::memcpy(&decision.address, address, copy);
    decision.address_length = static_cast<socklen_t>(copy);
    if (is_ipv6(hook)) {
        auto* in6 = reinterpret_cast<sockaddr_in6*>(&decision.address);
        std::memcpy(&in6->sin6_addr, ctx.user_ip6, sizeof(ctx.user_ip6));
        in6->sin6_port = static_cast<in_port_t>(ctx.user_port);
        decision.rewritten = std::memcmp(ctx.user_ip6, original.user_ip6, sizeof(ctx.user_ip6)) != 0 ||
                             in6->sin6_port != static_cast<in_port_t>(original.user_port);
    } else {
        auto* in4 = reinterpret_cast<sockaddr_in*>(&decision.address);
        in4->sin_addr.s_addr = ctx.user_ip4;
        in4->sin_port = static_cast<in_port_t>(ctx.user_port);
        decision.rewritten =
            ctx.user_ip4 != original.user_ip4 || in4->sin_port != static_cast<in_port_t>(original.user_port);
    }
    return decision;
}

}  // namespace ebpf
