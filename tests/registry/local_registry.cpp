#include "local_registry.hpp"

#include <httplib.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

namespace ebpf::testing {

int free_loopback_port() {
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return 0;
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    int port = 0;
    if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
        getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0)
        port = ntohs(address.sin_port);
    close(fd);
    return port;
}

LocalRegistry::LocalRegistry() {
    const char* binary = "/usr/bin/docker-registry";
    if (access(binary, X_OK) != 0) {
        why_not_ = "docker-registry is not installed (Debian package docker-registry)";
        return;
    }
    std::string pattern = (std::filesystem::temp_directory_path() / "ebpf-registry-XXXXXX").string();
    if (!mkdtemp(pattern.data())) {
        why_not_ = "cannot make a temporary directory";
        return;
    }
    directory_ = pattern;
    storage_ = directory_ + "/storage";
    for (int attempt = 0; attempt < 5 && !running(); ++attempt) {
        const int port = free_loopback_port();
        if (port != 0) start_on(port);
    }
    if (!running() && why_not_.empty()) why_not_ = "docker-registry did not start on a free port";
}

bool LocalRegistry::start_on(int port) {
    const std::string config = directory_ + "/config.yml";
    std::ofstream(config) << "version: 0.1\n"
                             "log:\n  level: error\n  accesslog:\n    disabled: true\n"
                             "storage:\n  filesystem:\n    rootdirectory: "
                          << storage_ << "\n  delete:\n    enabled: true\n"
                          << "http:\n  addr: 127.0.0.1:" << port << "\n";
    const std::string log = directory_ + "/registry.log";
    const pid_t parent = getpid();
    const pid_t pid = fork();
    if (pid < 0) return false;
    if (pid == 0) {
        // Dies with the test, even when the test crashes.
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (getppid() != parent) _exit(127);
        if (FILE* out = std::freopen(log.c_str(), "w", stdout)) dup2(fileno(out), STDERR_FILENO);
        execl("/usr/bin/docker-registry", "docker-registry", "serve", config.c_str(), static_cast<char*>(nullptr));
        _exit(127);
    }
    pid_ = pid;
    httplib::Client client("127.0.0.1", port);
    client.set_connection_timeout(0, 200'000);
    client.set_read_timeout(1, 0);
    for (int i = 0; i < 100; ++i) {
        int status = 0;
        if (waitpid(pid_, &status, WNOHANG) == pid_) {  // died: port taken?
            pid_ = -1;
            return false;
        }
        if (auto answer = client.Get("/v2/"); answer && answer->status == 200) {
            address_ = "127.0.0.1:" + std::to_string(port);
            return true;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    stop();
    return false;
}

void LocalRegistry::stop() {
    if (pid_ > 0) {
        kill(pid_, SIGTERM);
        int status = 0;
        waitpid(pid_, &status, 0);
    }
    pid_ = -1;
}

LocalRegistry::~LocalRegistry() {
    stop();
    if (!directory_.empty()) {
        std::error_code ec;
        std::filesystem::remove_all(directory_, ec);
    }
}

}  // namespace ebpf::testing
