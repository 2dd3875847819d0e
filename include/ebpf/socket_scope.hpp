// The socket a cgroup_sock_addr program runs for, on the calling thread:
// the policy hook (ebpf::SockAddrPolicy) names it around each run so that
// bpf_get_socket_cookie can read its SO_COOKIE. Outside such a scope (a test
// run through ebpf::test_run) there is no socket and the cookie is 0.
#pragma once

namespace ebpf {

class SocketScope {
public:
    explicit SocketScope(int fd);
    ~SocketScope();
    SocketScope(const SocketScope&) = delete;
    SocketScope& operator=(const SocketScope&) = delete;
    // The socket of the innermost scope on this thread, or -1.
    static int current();

private:
    int previous_;
};

}  // namespace ebpf
