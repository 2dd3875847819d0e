// HTTPS: a token over TLS, TLS client certificates (mTLS) as identities, a
// certificate from another CA refused in the handshake.
#include <gtest/gtest.h>

#include <fstream>

#include "ebpf/error.hpp"
#include "ebpf/signing.hpp"
#include "service_test_support.hpp"
#include "../cross_exec.hpp"

namespace ebpf::service::test {
namespace {

struct TlsFiles {
    std::string ca, server_cert, server_key;
    std::string agent_cert, agent_key, stranger_cert, stranger_key, rogue_cert, rogue_key;
};

void write(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

TlsFiles make_tls_files(const TempDir& dir) {
    TlsFiles f;
    const auto ca = issue_certificate({.common_name = "test TLS CA", .certificate_authority = true}, nullptr);
    const auto rogue_ca = issue_certificate({.common_name = "rogue CA", .certificate_authority = true}, nullptr);
    auto leaf = [](const std::string& name, const char* usage) {
        return CertificateSpec{.common_name = name, .key_usage = "critical,digitalSignature", .extended_key_usage = usage};
    };
    const auto server = issue_certificate(leaf("localhost", "serverAuth"), &ca);
    const auto agent = issue_certificate(leaf("build-agent", "clientAuth"), &ca);
    const auto stranger = issue_certificate(leaf("stranger", "clientAuth"), &ca);
    const auto rogue = issue_certificate(leaf("build-agent", "clientAuth"), &rogue_ca);
    write(f.ca = dir.file("tls-ca.pem"), ca.cert_pem);
    write(f.server_cert = dir.file("server.pem"), server.cert_pem);
    write(f.server_key = dir.file("server.key"), server.key_pem);
    write(f.agent_cert = dir.file("agent.pem"), agent.cert_pem);
    write(f.agent_key = dir.file("agent.key"), agent.key_pem);
    write(f.stranger_cert = dir.file("stranger.pem"), stranger.cert_pem);
    write(f.stranger_key = dir.file("stranger.key"), stranger.key_pem);
    write(f.rogue_cert = dir.file("rogue.pem"), rogue.cert_pem);
    write(f.rogue_key = dir.file("rogue.key"), rogue.key_pem);
    return f;
}

httplib::Result submit(httplib::SSLClient& client, const std::string& program) {
    const auto object = read_bytes(program_path(program));
    return client.Post("/v1/builds", reinterpret_cast<const char*>(object.data()), object.size(),
                       "application/octet-stream");
}

std::unique_ptr<httplib::SSLClient> tls_client(int port, const TlsFiles& f, const std::string& cert = "",
                                               const std::string& key = "") {
    auto client = cert.empty() ? std::make_unique<httplib::SSLClient>("localhost", port)
                               : std::make_unique<httplib::SSLClient>("localhost", port, cert, key);
    client->set_ca_cert_path(f.ca.c_str());
    client->enable_server_certificate_verification(true);
    client->set_read_timeout(std::chrono::seconds(60));
    return client;
}

TEST(ServiceTls, TokensAndClientCertificates) {
    EBPF_SKIP_UNLESS_STARTABLE(EBPF_TOOL);
    TempDir dir;
    const TlsFiles f = make_tls_files(dir);
    auto config = TestService::default_config(dir);
    config.insecure_http = false;
    config.tls_cert = f.server_cert;
    config.tls_key = f.server_key;
    config.client_ca = f.ca;
    START_SERVICE(service, config);

    auto token_client = tls_client(service.port(), f);
    token_client->set_bearer_token_auth(kAdminToken);
    auto res = submit(*token_client, "accepted");
    ASSERT_TRUE(res) << httplib::to_string(res.error());
    EXPECT_EQ(res->status, 201) << res->body;

    // build-agent (listed, hook programs only).
    auto agent = tls_client(service.port(), f, f.agent_cert, f.agent_key);
    res = submit(*agent, "accepted");
    ASSERT_TRUE(res) << httplib::to_string(res.error());
    EXPECT_EQ(res->status, 201) << res->body;
    EXPECT_EQ(nlohmann::json::parse(res->body)["submitter"], "build-agent");
    res = submit(*agent, "xdp_pass");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 403) << res->body;

    // A valid certificate whose name is not in the access list.
    auto stranger = tls_client(service.port(), f, f.stranger_cert, f.stranger_key);
    res = submit(*stranger, "accepted");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 401);
    EXPECT_NE(res->body.find("CN=stranger is not in the access list"), std::string::npos) << res->body;

    // The same name from another CA: refused in the handshake.
    auto rogue = tls_client(service.port(), f, f.rogue_cert, f.rogue_key);
    res = submit(*rogue, "accepted");
    EXPECT_FALSE(res && res->status == 201);

    // Plain HTTP to the TLS port is no way in either.
    httplib::Client plain("127.0.0.1", service.port());
    plain.set_bearer_token_auth(kAdminToken);
    auto health = plain.Get("/healthz");
    EXPECT_FALSE(health && health->status == 200);
    EXPECT_EQ(token_client->Get("/healthz")->status, 200);
}

TEST(ServiceTls, RefusesToStartWithoutTlsOrAuthentication) {
    TempDir dir;
    auto config = TestService::default_config(dir);
    config.insecure_http = false;
    EXPECT_THROW(Service{config}, ebpf::Error);
    config = TestService::default_config(dir);
    config.access_file.clear();
    EXPECT_THROW(Service{config}, ebpf::Error);
    config.tls_cert = dir.file("missing.pem");
    config.tls_key = dir.file("missing.key");
    config.access_file = write_access_file(dir);
    EXPECT_THROW(Service{config}, ebpf::Error);
}

}  // namespace
}  // namespace ebpf::service::test
