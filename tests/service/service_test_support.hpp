// A service on a free port of 127.0.0.1 for one test, with development keys,
// an access list and its own store and audit log in a temporary directory.
#pragma once

#include <httplib.h>

#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "ebpf/service.hpp"

namespace ebpf::service::test {

inline constexpr const char* kAdminToken = "admin-token-0123456789";
inline constexpr const char* kXdpToken = "xdp-only-token-0123456789";

std::vector<uint8_t> read_bytes(const std::string& path);
std::string program_path(const std::string& name);  // SERVICE_PROGRAMS_DIR/service_NAME.o

class TempDir {
public:
    TempDir();
    ~TempDir();
    const std::filesystem::path& path() const { return path_; }
    std::string file(const std::string& name) const { return (path_ / name).string(); }

private:
    std::filesystem::path path_;
};

// access file: admin (any type), xdp-bot (xdp only), and certificate
// identity "build-agent" (hook only).
std::string write_access_file(const TempDir& dir);

class TestService {
public:
    // A config with keys, access list, store and audit log in `dir`; plain
    // HTTP unless the caller sets TLS; the worker is the real `ebpf`.
    static ServiceConfig default_config(const TempDir& dir);
    // Starts serving on a free port; skips the test (GTEST_SKIP in the
    // caller via bound()) when no port can be bound.
    explicit TestService(ServiceConfig config);
    ~TestService();
    bool bound() const { return service_ != nullptr; }
    const std::string& why_not_bound() const { return why_; }
    int port() const { return service_->port(); }
    Service& service() { return *service_; }
    void stop();
    httplib::Client client(const std::string& token = kAdminToken) const;
    const ServiceConfig& config() const { return config_; }

private:
    ServiceConfig config_;
    std::unique_ptr<Service> service_;
    std::thread thread_;
    std::string why_;
};

#define START_SERVICE(name, config)                                        \
    ::ebpf::service::test::TestService name(config);                      \
    if (!name.bound()) GTEST_SKIP() << "cannot listen: " << name.why_not_bound()

}  // namespace ebpf::service::test
