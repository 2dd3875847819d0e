// How many bytes a TCP socket has received so far (TCP_INFO), so a watchdog
// can stop a response whose headers never end: cpp-httplib reads header
// lines without a count limit and calls back only once they are complete.
// Its own file: <linux/tcp.h> and the <netinet/tcp.h> that httplib.h brings
// both define struct tcp_info.
#include <linux/tcp.h>
#include <netinet/in.h>  // IPPROTO_TCP
#include <sys/socket.h>

#include <cstddef>
#include <cstdint>

namespace ebpf::registry {

uint64_t tcp_bytes_received(int fd) {
    tcp_info info{};
    socklen_t length = sizeof info;
    if (fd < 0 || getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &length) != 0) return 0;
    // Kernels older than 4.1 fill less of the structure: no count then.
    if (length < offsetof(struct tcp_info, tcpi_bytes_received) + sizeof info.tcpi_bytes_received) return 0;
    return info.tcpi_bytes_received;
}

}  // namespace ebpf::registry
