// A throw-away OCI registry for tests (the C++ twin of local_registry.sh):
// Debian's docker-registry on a free loopback port with its storage in a
// temporary directory, stopped (and the directory removed) at destruction.
//
//   LocalRegistry registry;
//   if (!registry.running()) GTEST_SKIP() << registry.why_not();
//   push(Reference::parse(registry.address() + "/team/prog:v1"), ...);
#pragma once

#include <string>
#include <sys/types.h>

namespace ebpf::testing {

class LocalRegistry {
public:
    // Starts the registry and waits (up to 10 s) until GET /v2/ answers.
    LocalRegistry();
    ~LocalRegistry();
    LocalRegistry(const LocalRegistry&) = delete;
    LocalRegistry& operator=(const LocalRegistry&) = delete;

    bool running() const { return pid_ > 0; }
    // Why it is not running (for GTEST_SKIP).
    const std::string& why_not() const { return why_not_; }
    // "127.0.0.1:PORT".
    const std::string& address() const { return address_; }
    // The filesystem storage root (docker/registry/v2/... below it), for
    // tests that tamper with what the registry serves.
    const std::string& storage() const { return storage_; }

private:
    bool start_on(int port);
    void stop();

    pid_t pid_ = -1;
    std::string directory_;
    std::string storage_;
    std::string address_;
    std::string why_not_;
};

// A TCP port on 127.0.0.1 that was free a moment ago (0 when none).
int free_loopback_port();

}  // namespace ebpf::testing
