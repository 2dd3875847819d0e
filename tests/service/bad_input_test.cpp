// Hostile clients: garbage and truncated objects, a 1 GiB upload, slowloris,
// path-traversal digests, bad options. Each gets a clear 4xx; the service
// stays up and its audit log stays consistent.
#include <arpa/inet.h>
#include <cerrno>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "service_test_support.hpp"
#include "../cross_exec.hpp"

namespace ebpf::service::test {
namespace {

int status_of(const httplib::Result& res) { return res ? res->status : -1; }

httplib::Result post(httplib::Client& client, const std::string& body, const std::string& query = "",
                     const std::string& type = "application/octet-stream") {
    return client.Post("/v1/builds" + query, body, type);
}

int connect_to(int port) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

// Reads until the peer closes or `timeout_ms` passes.
std::string read_all(int fd, int timeout_ms) {
    std::string out;
    char buffer[4096];
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    while (std::chrono::steady_clock::now() < deadline) {
        pollfd p{fd, POLLIN, 0};
        if (poll(&p, 1, 100) <= 0) continue;
        const ssize_t n = recv(fd, buffer, sizeof buffer, 0);
        if (n <= 0) break;
        out.append(buffer, static_cast<size_t>(n));
    }
    return out;
}

TEST(ServiceBadInput, GarbageTruncatedAndEmptyBodies) {
    EBPF_SKIP_UNLESS_STARTABLE(EBPF_TOOL);
    TempDir dir;
    START_SERVICE(service, TestService::default_config(dir));
    auto client = service.client();
    EXPECT_EQ(status_of(post(client, "")), 400);
    EXPECT_EQ(status_of(post(client, std::string(4096, 'A'))), 400);
    auto res = post(client, "\x7f" "ELF garbage after a magic");
    EXPECT_EQ(status_of(res), 400);
    const auto object = read_bytes(program_path("accepted"));
    for (size_t cut : {size_t{16}, size_t{64}, object.size() / 2, object.size() - 1}) {
        res = post(client, std::string(object.begin(), object.begin() + static_cast<std::ptrdiff_t>(cut)));
        EXPECT_EQ(status_of(res), 400) << "cut at " << cut << ": " << (res ? res->body : "");
        if (res) {
            EXPECT_NE(res->body.find("\"error\""), std::string::npos);
        }
    }
    // Options.
    const std::string elf(object.begin(), object.end());
    EXPECT_EQ(status_of(post(client, elf, "?frobnicate=1")), 400);
    EXPECT_EQ(status_of(post(client, elf, "?name=../../etc/passwd")), 400);
    EXPECT_EQ(status_of(post(client, elf, "?type=kprobe")), 400);
    EXPECT_EQ(status_of(post(client, elf, "?section=nonexistent")), 400);
    EXPECT_EQ(status_of(post(client, elf, "", "multipart/form-data; boundary=x")), 415);
    EXPECT_EQ(status_of(client.Get("/healthz")), 200);
    service.stop();
    const auto check = check_audit_log(dir.file("audit.jsonl"));
    ASSERT_TRUE(check.ok) << check.problem;
    EXPECT_EQ(check.entries, 12u);
}

// Sends up to `limit` bytes of body (in 4 KiB chunks when `chunked`) until
// the server stops reading (no progress for a second) or hangs up; returns
// how much the kernel took.
size_t push_body(int fd, size_t limit, bool chunked) {
    const std::string data(4096, '\x7f');
    const std::string piece = chunked ? "1000\r\n" + data + "\r\n" : data;
    size_t sent = 0, offset = 0;
    while (sent < limit) {
        pollfd p{fd, POLLOUT, 0};
        if (poll(&p, 1, 1000) <= 0 || (p.revents & (POLLERR | POLLHUP))) break;
        const ssize_t n = send(fd, piece.data() + offset, piece.size() - offset, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n < 0) {
            if (errno == EAGAIN) continue;
            break;
        }
        sent += static_cast<size_t>(n);
        offset = (offset + static_cast<size_t>(n)) % piece.size();
    }
    return sent;
}

TEST(ServiceBadInput, HugeUploadIsRefusedWithoutReadingIt) {
    TempDir dir;
    auto config = TestService::default_config(dir);
    config.max_object_bytes = 1 << 20;
    START_SERVICE(service, config);
    const std::string head = "POST /v1/builds HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + std::string(kAdminToken) +
                             "\r\nContent-Type: application/octet-stream\r\n";
    constexpr size_t kGiB = size_t{1} << 30;
    for (const bool chunked : {false, true}) {
        const int fd = connect_to(service.port());
        ASSERT_GE(fd, 0);
        const std::string headers =
            head + (chunked ? "Transfer-Encoding: chunked\r\n\r\n" : "Content-Length: 1073741824\r\n\r\n");
        ASSERT_EQ(send(fd, headers.data(), headers.size(), MSG_NOSIGNAL), static_cast<ssize_t>(headers.size()));
        const size_t sent = push_body(fd, kGiB, chunked);
        const std::string answer = read_all(fd, 3000);
        close(fd);
        // The server stopped reading soon after the limit: what it took is
        // the limit plus what socket buffers hold, far from 1 GiB.
        EXPECT_LT(sent, size_t{64} << 20) << (chunked ? "chunked" : "Content-Length");
        EXPECT_NE(answer.find("HTTP/1.1 413"), std::string::npos) << (chunked ? "chunked: " : "") << answer.substr(0, 200);
    }
    auto client = service.client();
    EXPECT_EQ(status_of(client.Get("/healthz")), 200);

    // Other routes take no body at all (httplib would read a chunked one into memory).
    const int fd = connect_to(service.port());
    ASSERT_GE(fd, 0);
    const std::string get = "GET /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
    send(fd, get.data(), get.size(), MSG_NOSIGNAL);
    EXPECT_LT(push_body(fd, kGiB, true), size_t{64} << 20);
    EXPECT_NE(read_all(fd, 3000).find("HTTP/1.1 400"), std::string::npos);
    close(fd);
    service.stop();
    const auto check = check_audit_log(dir.file("audit.jsonl"));
    ASSERT_TRUE(check.ok) << check.problem;
    EXPECT_EQ(check.entries, 2u);
}

TEST(ServiceBadInput, SlowlorisIsDroppedAndOthersAreServed) {
    EBPF_SKIP_UNLESS_STARTABLE(EBPF_TOOL);
    TempDir dir;
    auto config = TestService::default_config(dir);
    config.read_timeout = std::chrono::seconds(1);
    config.http_threads = 4;
    START_SERVICE(service, config);
    std::vector<int> slow;
    for (int i = 0; i < 3; ++i) {
        int fd = connect_to(service.port());
        ASSERT_GE(fd, 0);
        const std::string partial = "POST /v1/builds HTTP/1.1\r\nHost: x\r\nContent-Le";
        send(fd, partial.data(), partial.size(), MSG_NOSIGNAL);
        slow.push_back(fd);
    }
    auto client = service.client();
    EXPECT_EQ(status_of(client.Get("/healthz")), 200);
    for (int fd : slow) {
        const auto started = std::chrono::steady_clock::now();
        read_all(fd, 5000);  // returns when the server closes the connection
        EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(4500));
        close(fd);
    }
    const auto object = read_bytes(program_path("accepted"));
    EXPECT_EQ(status_of(post(client, std::string(object.begin(), object.end()))), 201);
}

TEST(ServiceBadInput, PathTraversalDigestsNeverReadFiles) {
    TempDir dir;
    START_SERVICE(service, TestService::default_config(dir));
    auto client = service.client("");
    for (const std::string& path : std::vector<std::string>{"/v1/modules/..%2F..%2F..%2Fetc%2Fpasswd", "/v1/modules/sha256:..%2F..%2Faudit.jsonl",
          "/v1/modules/sha256:" + std::string(63, 'a') + "/", "/v1/modules/sha256:" + std::string(64, 'A'),
          "/v1/modules/sha256:" + std::string(62, 'a') + "..", "/v1/modules/%2e%2e/report",
          "/v1/modules/../../audit.jsonl", "/v1/modules/sha512:" + std::string(128, 'a')}) {
        auto res = client.Get(path);
        ASSERT_TRUE(res) << path;
        EXPECT_TRUE(res->status == 400 || res->status == 404) << path << " -> " << res->status;
        EXPECT_EQ(res->body.find("seq"), std::string::npos) << path;  // no audit entry leaked
    }
    EXPECT_EQ(status_of(client.Get("/healthz")), 200);
}

}  // namespace
}  // namespace ebpf::service::test
