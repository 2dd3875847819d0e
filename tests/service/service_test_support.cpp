#include "service_test_support.hpp"

#include <fstream>

#include "ebpf/error.hpp"
#include "ebpf/signing.hpp"

namespace ebpf::service::test {

std::vector<uint8_t> read_bytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::string program_path(const std::string& name) { return std::string(SERVICE_PROGRAMS_DIR) + "/service_" + name + ".o"; }

TempDir::TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "ebpf-service-test-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) throw Error("mkdtemp failed");
    path_ = pattern;
}

TempDir::~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
}

std::string write_access_file(const TempDir& dir) {
    const std::string path = dir.file("access");
    std::ofstream out(path);
    out << "# test identities\n"
        << "token " << token_hash_line(kAdminToken) << " admin *\n"
        << "token " << token_hash_line(kXdpToken) << " xdp-bot xdp\n"
        << "cert build-agent build-agent hook\n";
    return path;
}

ServiceConfig TestService::default_config(const TempDir& dir) {
    if (!std::filesystem::exists(dir.path() / "keys")) write_development_keys(dir.path() / "keys");
    ServiceConfig config;
    config.listen_host = "127.0.0.1";
    config.port = 0;
    config.insecure_http = true;
    config.access_file = write_access_file(dir);
    config.signing_key = dir.file("keys/signing-key.pem");
    config.signing_cert = dir.file("keys/signing-cert.pem");
    config.store_dir = dir.file("store");
    config.audit_log = dir.file("audit.jsonl");
    config.work_dir = dir.path().string();
    config.worker.argv = {EBPF_TOOL, "build-worker"};
    config.read_timeout = std::chrono::seconds(2);
    config.limits.wall_clock = std::chrono::seconds(60);
    return config;
}

TestService::TestService(ServiceConfig config) : config_(std::move(config)) {
    try {
        service_ = std::make_unique<Service>(config_);
    } catch (const Error& e) {
        why_ = e.what();
        if (why_.find("cannot listen") == std::string::npos) throw;  // only a port problem skips
        return;
    }
    thread_ = std::thread([this] { service_->run(); });
}

TestService::~TestService() { stop(); }

void TestService::stop() {
    if (!service_) return;
    service_->stop();
    if (thread_.joinable()) thread_.join();
}

httplib::Client TestService::client(const std::string& token) const {
    httplib::Client client("127.0.0.1", service_->port());
    client.set_read_timeout(std::chrono::seconds(60));
    if (!token.empty()) client.set_bearer_token_auth(token);
    return client;
}

}  // namespace ebpf::service::test
