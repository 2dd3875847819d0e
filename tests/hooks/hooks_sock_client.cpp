// A process for the bind/connect shim to run in (tests/hooks):
//   hooks_sock_client bind4 PORT          bind a TCP socket to 127.0.0.1:PORT
//   hooks_sock_client bind6 PORT          bind a TCP socket to [::1]:PORT
//   hooks_sock_client connect4 PORT TEXT  connect to 127.0.0.1:PORT and send TEXT
//   hooks_sock_client connect6 PORT       connect to [::1]:PORT
// Prints "ok" or the errno name (EPERM, ECONNREFUSED...) and exits 0 on
// success, 1 on failure, 2 on bad usage.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace {

int report(int result) {
    if (result == 0) {
        std::printf("ok\n");
        return 0;
    }
    const int error = errno;
    const char* name = strerrorname_np(error);
    std::printf("%s\n", name ? name : std::to_string(error).c_str());
    return 1;
}

int usage() {
    std::fprintf(stderr, "usage: hooks_sock_client bind4|bind6|connect4|connect6 PORT [TEXT]\n");
    return 2;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 3) return usage();
    const std::string action = argv[1];
    const auto port = static_cast<uint16_t>(std::strtoul(argv[2], nullptr, 10));
    const bool v6 = action.back() == '6';
    const int fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return report(-1);

    sockaddr_in in4{};
    in4.sin_family = AF_INET;
    in4.sin_port = htons(port);
    in4.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    sockaddr_in6 in6{};
    in6.sin6_family = AF_INET6;
    in6.sin6_port = htons(port);
    in6.sin6_addr = in6addr_loopback;
    const auto* address = v6 ? reinterpret_cast<const sockaddr*>(&in6) : reinterpret_cast<const sockaddr*>(&in4);
    const socklen_t length = v6 ? sizeof(in6) : sizeof(in4);

    if (action == "bind4" || action == "bind6") return report(bind(fd, address, length));
    if (action == "connect4" || action == "connect6") {
        if (connect(fd, address, length) != 0) return report(-1);
        if (argc > 3) {
            const std::string text = argv[3];
            if (write(fd, text.data(), text.size()) != static_cast<ssize_t>(text.size())) return report(-1);
        }
        close(fd);
        return report(0);
    }
    return usage();
}
