// The LD_PRELOAD shim in a real process (hooks_sock_client): a denied bind()
// fails with EPERM, an allowed one succeeds, a connect() rewritten by the
// program reaches the port the program chose, and a policy that cannot load
// fails closed — in every execution mode.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <map>
#include <string>

#include "hooks_test_support.hpp"
#include "../cross_exec.hpp"

namespace {

using hooks_test::TempDir;

constexpr uint16_t kDeniedPort = 4242;  // tests/programs/hooks_sock_addr.c

// A TCP listener on 127.0.0.1 at a kernel-chosen port.
class Listener {
public:
    Listener() {
        fd_ = socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in in{};
        in.sin_family = AF_INET;
        in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (fd_ < 0 || bind(fd_, reinterpret_cast<sockaddr*>(&in), sizeof(in)) != 0 || listen(fd_, 4) != 0) return;
        socklen_t length = sizeof(in);
        getsockname(fd_, reinterpret_cast<sockaddr*>(&in), &length);
        port_ = ntohs(in.sin_port);
    }
    ~Listener() {
        if (fd_ >= 0) close(fd_);
    }
    uint16_t port() const { return port_; }
    // What the first connection sent, or "" when none arrives within a second.
    std::string accept_text() {
        pollfd ready{fd_, POLLIN, 0};
        if (poll(&ready, 1, 1000) != 1) return "";
        const int connection = accept(fd_, nullptr, nullptr);
        if (connection < 0) return "";
        char buffer[256];
        std::string text;
        ssize_t n;
        while ((n = read(connection, buffer, sizeof(buffer))) > 0) text.append(buffer, static_cast<size_t>(n));
        close(connection);
        return text;
    }

private:
    int fd_ = -1;
    uint16_t port_ = 0;
};

// A port nothing listens on right now (bound, then released).
uint16_t free_port() {
    for (;;) {
        Listener probe;
        if (probe.port() != kDeniedPort && probe.port() != 0) return probe.port();
    }
}

class BindShimModes : public ::testing::TestWithParam<ebpf::ExecMode> {
protected:
    void SetUp() override {
        program_ = GetParam() == ebpf::ExecMode::native ? hooks_test::build_native_module("hooks_sock_addr", dir_)
                                                        : hooks_test::program_path("hooks_sock_addr");
    }

    hooks_test::ProcessResult client(const std::vector<std::string>& args,
                                     std::map<std::string, std::string> env = {}) {
        env.emplace("LD_PRELOAD", EBPF_BIND_SHIM_PATH);
        env.emplace("EBPF_BIND_PROGRAM", program_);
        env.emplace("EBPF_MODE", ebpf::exec_mode_name(GetParam()));
        std::vector<std::string> argv = {HOOKS_SOCK_CLIENT};
        argv.insert(argv.end(), args.begin(), args.end());
        return hooks_test::run_process(argv, env, dir_);
    }

    TempDir dir_;
    std::string program_;
};

TEST_P(BindShimModes, DeniedBindFailsWithEpermAllowedBindSucceeds) {
    EBPF_SKIP_UNLESS_STARTABLE(HOOKS_SOCK_CLIENT);
    const auto denied = client({"bind4", std::to_string(kDeniedPort)});
    EXPECT_EQ(denied.exit_code, 1) << denied.err;
    EXPECT_EQ(denied.out, "EPERM\n") << denied.err;

    const auto allowed = client({"bind4", std::to_string(free_port())});
    EXPECT_EQ(allowed.exit_code, 0) << allowed.err;
    EXPECT_EQ(allowed.out, "ok\n") << allowed.err;

    // bind6 is decided before the kernel sees the call, so this holds even
    // where IPv6 is disabled.
    const auto denied6 = client({"bind6", std::to_string(kDeniedPort)});
    EXPECT_EQ(denied6.out, "EPERM\n") << denied6.err;
}

TEST_P(BindShimModes, RewrittenConnectReachesTheListener) {
    EBPF_SKIP_UNLESS_STARTABLE(HOOKS_SOCK_CLIENT);
    Listener listener;
    ASSERT_NE(listener.port(), 0);
    if (listener.port() - 1 == kDeniedPort || listener.port() == 1) GTEST_SKIP() << "unlucky port " << listener.port();
    const std::string token = std::string("hello from ") + ebpf::exec_mode_name(GetParam());
    // The program moves every loopback connection to the next port: L - 1 → L.
    const auto result = client({"connect4", std::to_string(listener.port() - 1), token}, {{"EBPF_BIND_LOG", "1"}});
    EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
    EXPECT_EQ(listener.accept_text(), token);
    const std::string log = "connect4 127.0.0.1:" + std::to_string(listener.port() - 1) + " -> 127.0.0.1:" +
                            std::to_string(listener.port()) + ": allowed";
    EXPECT_NE(result.err.find(log), std::string::npos) << result.err;

    const auto denied = client({"connect4", std::to_string(kDeniedPort)});
    EXPECT_EQ(denied.out, "EPERM\n") << denied.err;
}

INSTANTIATE_TEST_SUITE_P(Modes, BindShimModes, ::testing::ValuesIn(hooks_test::all_modes()),
                         [](const auto& info) { return std::string(ebpf::exec_mode_name(info.param)); });

class BindShim : public ::testing::Test {
protected:
    hooks_test::ProcessResult client(const std::vector<std::string>& args, const std::map<std::string, std::string>& env) {
        std::vector<std::string> argv = {HOOKS_SOCK_CLIENT};
        argv.insert(argv.end(), args.begin(), args.end());
        return hooks_test::run_process(argv, env, dir_);
    }
    TempDir dir_;
};

TEST_F(BindShim, SectionSelectsThePrograms) {
    EBPF_SKIP_UNLESS_STARTABLE(HOOKS_SOCK_CLIENT);
    // Only bind4 loaded: connections are not rewritten.
    Listener listener;
    ASSERT_NE(listener.port(), 0);
    const auto result = client({"connect4", std::to_string(listener.port()), "direct"},
                               {{"LD_PRELOAD", EBPF_BIND_SHIM_PATH},
                                {"EBPF_BIND_PROGRAM", hooks_test::program_path("hooks_sock_addr")},
                                {"EBPF_BIND_SECTION", "cgroup/bind4"}});
    EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
    EXPECT_EQ(listener.accept_text(), "direct");
}

TEST_F(BindShim, ProgramThatCannotLoadFailsClosed) {
    EBPF_SKIP_UNLESS_STARTABLE(HOOKS_SOCK_CLIENT);
    const std::string port = std::to_string(free_port());
    const std::string missing = dir_.file("missing.o");
    const auto result = client({"bind4", port}, {{"LD_PRELOAD", EBPF_BIND_SHIM_PATH}, {"EBPF_BIND_PROGRAM", missing}});
    EXPECT_EQ(result.out, "EPERM\n");
    EXPECT_NE(result.err.find(missing), std::string::npos) << result.err;
    EXPECT_NE(result.err.find("fail closed"), std::string::npos) << result.err;

    // An object with no cgroup sock_addr program.
    const auto wrong = client({"bind4", port}, {{"LD_PRELOAD", EBPF_BIND_SHIM_PATH},
                                                {"EBPF_BIND_PROGRAM", hooks_test::program_path("xdp_parse")}});
    EXPECT_EQ(wrong.out, "EPERM\n");
    EXPECT_NE(wrong.err.find("no cgroup/bind4"), std::string::npos) << wrong.err;

    const auto unset = client({"bind4", port}, {{"LD_PRELOAD", EBPF_BIND_SHIM_PATH}});
    EXPECT_EQ(unset.out, "EPERM\n");
    EXPECT_NE(unset.err.find("EBPF_BIND_PROGRAM"), std::string::npos) << unset.err;

    const auto bad_mode = client({"bind4", port}, {{"LD_PRELOAD", EBPF_BIND_SHIM_PATH},
                                                   {"EBPF_BIND_PROGRAM", hooks_test::program_path("hooks_sock_addr")},
                                                   {"EBPF_MODE", "turbo"}});
    EXPECT_EQ(bad_mode.out, "EPERM\n");
    EXPECT_NE(bad_mode.err.find("EBPF_MODE=turbo"), std::string::npos) << bad_mode.err;
}

}  // namespace
