// bpf_get_socket_cookie and bpf_get_netns_cookie for cgroup_sock_addr
// programs (the policy hook runs them for a real socket, SocketScope):
// - bpf_get_socket_cookie(ctx): the socket's SO_COOKIE (Linux's
//   sock_gen_cookie, the same number `ss -e` shows); 0 without a socket;
// - bpf_get_netns_cookie(ctx or NULL): the cookie of this process's network
//   namespace (SO_NETNS_COOKIE, Linux 5.14+; 0 where unavailable). Linux
//   gives NULL the initial namespace's cookie: the same for a process that
//   runs in it.
#include <sys/socket.h>
#include <unistd.h>

#include "ebpf/socket_scope.hpp"
#include "helper_registry.hpp"

#ifndef SO_COOKIE
#define SO_COOKIE 57
#endif
#ifndef SO_NETNS_COOKIE
#define SO_NETNS_COOKIE 71
#endif

namespace ebpf {
namespace {
thread_local int current_socket = -1;
}  // namespace

SocketScope::SocketScope(int fd) : previous_(current_socket) { current_socket = fd; }
SocketScope::~SocketScope() { current_socket = previous_; }
int SocketScope::current() { return current_socket; }

namespace runtime_detail {
namespace {

constexpr int32_t kGetSocketCookie = 46, kGetNetnsCookie = 122;

uint64_t cookie_of(int fd, int option) {
    uint64_t cookie = 0;
    socklen_t length = sizeof cookie;
    if (fd < 0 || getsockopt(fd, SOL_SOCKET, option, &cookie, &length) != 0 || length != sizeof cookie) return 0;
    return cookie;
}

uint64_t get_socket_cookie(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t) {
    return cookie_of(SocketScope::current(), SO_COOKIE);
}

uint64_t get_netns_cookie(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t) {
    static const uint64_t cookie = [] {
        int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        uint64_t value = cookie_of(fd, SO_NETNS_COOKIE);
        if (fd >= 0) close(fd);
        return value;
    }();
    return cookie;
}

}  // namespace

void register_socket_helpers(HelperTable& table) {
    table.set(kGetSocketCookie, get_socket_cookie);
    table.set(kGetNetnsCookie, get_netns_cookie);
}

}  // namespace runtime_detail
}  // namespace ebpf
