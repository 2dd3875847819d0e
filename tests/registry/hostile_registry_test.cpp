// A registry that lies, floods, loops and stalls (a cpp-httplib server in
// the test): every pull or push against it fails with a clear error, reads
// no more than the limits allow, and returns nothing unverified.
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "artifact.hpp"
#include "ebpf/error.hpp"
#include "ebpf/registry.hpp"
#include "local_registry.hpp"

namespace ebpf::registry {
namespace {

using namespace std::chrono_literals;

const std::vector<uint8_t> kModule = {0x7f, 'E', 'L', 'F', 'm', 'o', 'd', 'u', 'l', 'e'};

ArtifactForPush good_artifact() {
    PushRequest request;
    request.module = kModule;
    request.report_json = R"({"ok":true})";
    request.title = "prog.so";
    return make_artifact(request);
}

// An HTTP server on a free loopback port, run in a thread for the test.
class FakeServer {
public:
    FakeServer() { port_ = server.bind_to_any_port("127.0.0.1"); }
    void start() {
        thread_ = std::thread([this] { server.listen_after_bind(); });
        while (!server.is_running()) std::this_thread::sleep_for(1ms);
    }
    ~FakeServer() {
        server.stop();
        if (thread_.joinable()) thread_.join();
    }
    int port() const { return port_; }
    std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
    Reference reference(const std::string& tail) const { return Reference::parse(address() + "/prog" + tail); }

    httplib::Server server;

private:
    int port_ = 0;
    std::thread thread_;
};

// Serves `artifact` as /v2/prog (manifest by tag "v1" and by digest, and
// its blobs) unless a test replaced a route first (first match wins).
void serve_artifact(FakeServer& fake, const ArtifactForPush& artifact) {
    fake.server.Get(R"(/v2/prog/manifests/(.+))", [artifact](const httplib::Request& req, httplib::Response& res) {
        if (req.matches[1] != "v1" && req.matches[1] != artifact.manifest_digest) {
            res.status = 404;
            return;
        }
        res.set_header("Docker-Content-Digest", artifact.manifest_digest);
        res.set_content(artifact.manifest, std::string(kManifestMediaType));
    });
    fake.server.Get(R"(/v2/prog/blobs/(sha256:[0-9a-f]+))", [artifact](const httplib::Request& req, httplib::Response& res) {
        for (const Blob* blob : {&artifact.config, &artifact.module, &*artifact.report}) {
            if (req.matches[1] == blob->descriptor.digest) {
                res.set_content(blob->bytes, "application/octet-stream");
                return;
            }
        }
        res.status = 404;
    });
}

// The message of the Error `f` throws (the test fails when it throws none).
template <typename F>
std::string error_of(F&& f) {
    try {
        f();
    } catch (const Error& e) {
        return e.what();
    }
    ADD_FAILURE() << "no error";
    return {};
}

#define EXPECT_CONTAINS(text, part)                                           \
    do {                                                                      \
        const std::string contains_text_ = (text);                            \
        EXPECT_NE(contains_text_.find(part), std::string::npos) << contains_text_; \
    } while (0)

TEST(HostileRegistry, GoodArtifactPulls) {
    FakeServer fake;
    const auto artifact = good_artifact();
    serve_artifact(fake, artifact);
    fake.start();
    const PullResult result = pull(fake.reference("@" + artifact.manifest_digest));
    EXPECT_EQ(result.module, kModule);
    EXPECT_EQ(result.report_json, R"({"ok":true})");
}

TEST(HostileRegistry, ManifestOtherThanTheDigestAskedFor) {
    FakeServer fake;
    const auto artifact = good_artifact();
    fake.server.Get(R"(/v2/prog/manifests/(.+))", [&](const httplib::Request&, httplib::Response& res) {
        res.set_content(artifact.manifest + " ", std::string(kManifestMediaType));  // one byte more
    });
    fake.start();
    EXPECT_CONTAINS(error_of([&] { pull(fake.reference("@" + artifact.manifest_digest)); }), "digest mismatch");
}

TEST(HostileRegistry, AnnouncedDigestDisagreesWithManifest) {
    FakeServer fake;
    const auto artifact = good_artifact();
    fake.server.Get(R"(/v2/prog/manifests/(.+))", [&](const httplib::Request&, httplib::Response& res) {
        res.set_header("Docker-Content-Digest", "sha256:" + std::string(64, 'b'));
        res.set_content(artifact.manifest, std::string(kManifestMediaType));
    });
    fake.start();
    EXPECT_CONTAINS(error_of([&] { pull(fake.reference(":v1")); }), "the registry announces");
}

TEST(HostileRegistry, BlobWithOtherBytes) {
    FakeServer fake;
    const auto artifact = good_artifact();
    fake.server.Get(R"(/v2/prog/blobs/(.+))", [&](const httplib::Request&, httplib::Response& res) {
        std::string bytes(reinterpret_cast<const char*>(kModule.data()), kModule.size());
        bytes.back() ^= 1;  // same size, other content
        res.set_content(bytes, "application/octet-stream");
    });
    serve_artifact(fake, artifact);
    fake.start();
    const std::string message = error_of([&] { pull(fake.reference(":v1")); });
    EXPECT_CONTAINS(message, "module blob " + artifact.module.descriptor.digest);
    EXPECT_CONTAINS(message, "digest mismatch");
}

TEST(HostileRegistry, BlobShorterThanItsDescriptor) {
    FakeServer fake;
    const auto artifact = good_artifact();
    fake.server.Get(R"(/v2/prog/blobs/(.+))", [&](const httplib::Request&, httplib::Response& res) {
        res.set_content("\x7f" "ELF", "application/octet-stream");
    });
    serve_artifact(fake, artifact);
    fake.start();
    EXPECT_CONTAINS(error_of([&] { pull(fake.reference(":v1")); }), "the registry sent 4 bytes, the manifest says 10");
}

// 1 GiB, in 64 KiB chunks, without or with a Content-Length.
void serve_flood(httplib::Response& res, bool with_length) {
    static const std::string chunk(64 * 1024, 'x');
    constexpr size_t kTotal = size_t{1} << 30;
    auto provider = [](size_t offset, httplib::DataSink& sink) {
        if (offset >= kTotal) {
            sink.done();
            return true;
        }
        return sink.write(chunk.data(), chunk.size());
    };
    if (with_length) {
        res.set_content_provider(kTotal, "application/octet-stream",
                                 [provider](size_t offset, size_t, httplib::DataSink& sink) {
                                     return provider(offset, sink);
                                 });
    } else {
        res.set_chunked_content_provider("application/octet-stream", provider);
    }
}

TEST(HostileRegistry, GigabyteBlobIsCutOffAtItsSize) {
    for (const bool with_length : {false, true}) {
        FakeServer fake;
        const auto artifact = good_artifact();
        fake.server.Get(R"(/v2/prog/blobs/(.+))", [&](const httplib::Request&, httplib::Response& res) {
            serve_flood(res, with_length);
        });
        serve_artifact(fake, artifact);
        fake.start();
        const auto start = std::chrono::steady_clock::now();
        const std::string message = error_of([&] { pull(fake.reference(":v1")); });
        EXPECT_CONTAINS(message, "more than 10 bytes");
        EXPECT_LT(std::chrono::steady_clock::now() - start, 5s) << "read on instead of stopping";
    }
}

TEST(HostileRegistry, GigabyteManifestIsCutOffAtTheLimit) {
    for (const bool with_length : {false, true}) {
        FakeServer fake;
        fake.server.Get(R"(/v2/prog/manifests/(.+))", [&](const httplib::Request&, httplib::Response& res) {
            serve_flood(res, with_length);
        });
        fake.start();
        ClientOptions options;
        options.max_manifest_bytes = 1 << 20;
        const auto start = std::chrono::steady_clock::now();
        EXPECT_CONTAINS(error_of([&] { pull(fake.reference(":v1"), options); }), "more than 1048576 bytes");
        EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
    }
}

TEST(HostileRegistry, DescriptorLargerThanTheBlobLimit) {
    FakeServer fake;
    auto artifact = good_artifact();
    auto manifest = nlohmann::json::parse(artifact.manifest);
    manifest["layers"][0]["size"] = uint64_t{1} << 30;
    artifact.manifest = manifest.dump();
    artifact.manifest_digest = digest_of(std::string_view(artifact.manifest));
    serve_artifact(fake, artifact);
    fake.start();
    EXPECT_CONTAINS(error_of([&] { pull(fake.reference(":v1")); }), "more than the limit of 67108864 bytes");
}

TEST(HostileRegistry, MalformedManifests) {
    for (const std::string& body : {std::string("not json"), std::string(R"({"schemaVersion":2,"layers":[]})"),
                                   std::string(100000, '[')}) {
        FakeServer fake;
        fake.server.Get(R"(/v2/prog/manifests/(.+))", [&](const httplib::Request&, httplib::Response& res) {
            res.set_content(body, std::string(kManifestMediaType));
        });
        fake.start();
        EXPECT_CONTAINS(error_of([&] { pull(fake.reference(":v1")); }), "malformed manifest");
    }
}

TEST(HostileRegistry, RedirectLoop) {
    FakeServer fake;
    const auto artifact = good_artifact();
    fake.server.Get(R"(/v2/prog/blobs/(.+))", [&](const httplib::Request& req, httplib::Response& res) {
        res.set_redirect(req.path, 302);  // to itself
    });
    serve_artifact(fake, artifact);
    fake.start();
    EXPECT_CONTAINS(error_of([&] { pull(fake.reference(":v1")); }), "more than 5 redirects");
}

TEST(HostileRegistry, RedirectToPlainHttpOffThisHost) {
    FakeServer fake;
    const auto artifact = good_artifact();
    fake.server.Get(R"(/v2/prog/blobs/(.+))", [&](const httplib::Request&, httplib::Response& res) {
        res.set_redirect("http://storage.example.com/blob", 307);
    });
    serve_artifact(fake, artifact);
    fake.start();
    EXPECT_CONTAINS(error_of([&] { pull(fake.reference(":v1")); }), "refusing plain HTTP to storage.example.com");
}

// Blob storage elsewhere (another origin): the redirect is followed, the
// bytes are verified, and the registry's credentials stay with the registry.
TEST(HostileRegistry, RedirectToStorageKeepsCredentialsHome) {
    FakeServer storage;
    const auto artifact = good_artifact();
    std::atomic<int> storage_saw_credentials{0};
    storage.server.Get(R"(/blobs/(.+))", [&](const httplib::Request& req, httplib::Response& res) {
        if (req.has_header("Authorization")) ++storage_saw_credentials;
        for (const Blob* blob : {&artifact.module, &*artifact.report})
            if (req.matches[1] == blob->descriptor.digest) res.set_content(blob->bytes, "application/octet-stream");
    });
    storage.start();
    FakeServer fake;
    std::atomic<int> registry_saw_token{0};
    fake.server.set_pre_routing_handler([&](const httplib::Request& req, httplib::Response&) {
        if (req.get_header_value("Authorization") == "Bearer s3cret") ++registry_saw_token;
        return httplib::Server::HandlerResponse::Unhandled;
    });
    fake.server.Get(R"(/v2/prog/blobs/(.+))", [&](const httplib::Request& req, httplib::Response& res) {
        res.set_redirect("http://" + storage.address() + "/blobs/" + req.matches[1].str(), 307);
    });
    serve_artifact(fake, artifact);
    fake.start();
    ClientOptions options;
    options.bearer_token = "s3cret";
    const PullResult result = pull(fake.reference(":v1"), options);
    EXPECT_EQ(result.module, kModule);
    EXPECT_EQ(storage_saw_credentials, 0);
    EXPECT_EQ(registry_saw_token, 3);  // manifest and two blob requests
}

TEST(HostileRegistry, StallingRegistryHitsTheDeadline) {
    FakeServer fake;
    fake.server.Get(R"(/v2/prog/manifests/(.+))", [&](const httplib::Request&, httplib::Response& res) {
        res.set_chunked_content_provider("application/json", [](size_t, httplib::DataSink& sink) {
            std::this_thread::sleep_for(100ms);  // a byte at a time, never done
            return sink.write("{", 1);
        });
    });
    fake.start();
    ClientOptions options;
    options.request_timeout = 1s;
    const auto start = std::chrono::steady_clock::now();
    EXPECT_CONTAINS(error_of([&] { pull(fake.reference(":v1"), options); }), "no complete answer within 1000 ms");
    EXPECT_LT(std::chrono::steady_clock::now() - start, 4s);
}

TEST(HostileRegistry, StatusErrorsAreExplained) {
    FakeServer fake;
    fake.server.Get(R"(/v2/prog/manifests/(.+))", [&](const httplib::Request& req, httplib::Response& res) {
        res.status = req.has_header("Authorization") ? 403 : 401;
        res.set_content(R"({"errors":[{"code":"UNAUTHORIZED","message":"authentication required\u001b[2J"}]})",
                        "application/json");
    });
    fake.start();
    const std::string anonymous = error_of([&] { pull(fake.reference(":v1")); });
    EXPECT_CONTAINS(anonymous, "requires authentication");
    EXPECT_CONTAINS(anonymous, "UNAUTHORIZED: authentication required");
    EXPECT_EQ(anonymous.find('\x1b'), std::string::npos) << "escape sequence passed through";
    ClientOptions options;
    options.bearer_token = "t";
    EXPECT_CONTAINS(error_of([&] { pull(fake.reference(":v1"), options); }), "access denied (403");
}

TEST(HostileRegistry, UnreachableRegistry) {
    const int port = testing::free_loopback_port();  // nobody listens there
    ASSERT_NE(port, 0);
    const auto reference = Reference::parse("127.0.0.1:" + std::to_string(port) + "/prog:v1");
    EXPECT_CONTAINS(error_of([&] { pull(reference); }), "cannot connect to the registry at http://127.0.0.1:");
}

// Accepts connections (the kernel does, from the backlog) and never answers.
TEST(HostileRegistry, SilentRegistry) {
    FakeServer silent;  // bound and listening, but nothing accepts or reads
    ClientOptions options;
    options.io_timeout = 500ms;
    options.request_timeout = 2s;
    const auto start = std::chrono::steady_clock::now();
    EXPECT_CONTAINS(error_of([&] { pull(silent.reference(":v1"), options); }), "failed while reading the answer");
    EXPECT_LT(std::chrono::steady_clock::now() - start, 3s);
    ClientOptions patient;
    patient.request_timeout = 1s;  // shorter than the I/O timeout: the deadline wins
    const auto again = std::chrono::steady_clock::now();
    EXPECT_THROW(pull(silent.reference(":v1"), patient), Error);
    EXPECT_LT(std::chrono::steady_clock::now() - again, 3s);
}

// Push: upload Locations relative and absolute, and a registry that lies
// about what it stored.
struct UploadLog {
    std::mutex mutex;
    std::vector<std::string> puts;  // path?query of each blob PUT
};

void serve_uploads(FakeServer& fake, UploadLog& log, std::string location, std::string manifest_digest_header) {
    fake.server.Get(R"(/v2/prog/blobs/(.+))", [](const httplib::Request&, httplib::Response& res) { res.status = 404; });
    fake.server.Post("/v2/prog/blobs/uploads/", [location, &fake](const httplib::Request&, httplib::Response& res) {
        res.status = 202;
        if (!location.empty())
            res.set_header("Location", location == "absolute" ? "http://" + fake.address() + "/up/load?state=a%3Db"
                                                              : location);
    });
    const auto store = [&log](const httplib::Request& req, httplib::Response& res) {
        std::lock_guard lock(log.mutex);
        const std::string digest = req.get_param_value("digest");
        if (digest != digest_of(std::string_view(req.body))) {
            res.status = 400;
            return;
        }
        log.puts.push_back(req.path + " digest=" + digest);
        res.status = 201;
    };
    fake.server.Put("/up/load", store);
    fake.server.Put(R"(/v2/prog/blobs/uploads/(.+))", store);
    fake.server.Put(R"(/v2/prog/manifests/(.+))", [manifest_digest_header](const httplib::Request& req,
                                                                             httplib::Response& res) {
        res.status = 201;
        res.set_header("Docker-Content-Digest",
                       manifest_digest_header.empty() ? digest_of(std::string_view(req.body)) : manifest_digest_header);
    });
}

PushRequest push_request() {
    PushRequest request;
    request.module = kModule;
    request.title = "prog.so";
    return request;
}

TEST(HostileRegistry, PushFollowsRelativeAndAbsoluteLocations) {
    for (const std::string& location : std::vector<std::string> {"session-1", "/v2/prog/blobs/uploads/session-2?_state=x", "absolute"}) {
        FakeServer fake;
        UploadLog log;
        serve_uploads(fake, log, location, "");
        fake.start();
        const PushResult result = push(fake.reference(":v1"), push_request());
        EXPECT_EQ(result.blobs_uploaded, 2u) << location;  // config and module
        ASSERT_EQ(log.puts.size(), 2u) << location;
        EXPECT_CONTAINS(log.puts[1], "digest=" + digest_of(kModule));
    }
}

TEST(HostileRegistry, PushRefusesAWrongStoredDigest) {
    FakeServer fake;
    UploadLog log;
    serve_uploads(fake, log, "session", "sha256:" + std::string(64, 'c'));
    fake.start();
    EXPECT_CONTAINS(error_of([&] { push(fake.reference(":v1"), push_request()); }), "the registry reports digest");
}

TEST(HostileRegistry, PushNeedsAnUploadLocation) {
    FakeServer fake;
    UploadLog log;
    serve_uploads(fake, log, "", "");
    fake.start();
    EXPECT_CONTAINS(error_of([&] { push(fake.reference(":v1"), push_request()); }), "gave no Location");
}

TEST(HostileRegistry, PushNeedsATag) {
    EXPECT_CONTAINS(error_of([&] {
                        push(Reference::parse("localhost:1/prog@sha256:" + std::string(64, 'a')), push_request());
                    }),
                    "push needs REGISTRY/REPOSITORY:TAG");
}


// A registry behind a token service (Docker Hub, GHCR, Harbor...): 401 with
// a Bearer challenge, a token from the realm for the basic credentials, then
// the request again with the token.
struct TokenRegistry {
    FakeServer fake;
    std::atomic<int> token_requests{0};
    std::string seen_scope, seen_service, seen_credentials;
    std::mutex mutex;

    explicit TokenRegistry(const ArtifactForPush& artifact, std::string realm = "") {
        if (realm.empty()) realm = "http://" + fake.address() + "/token";
        fake.server.Get("/token", [this](const httplib::Request& req, httplib::Response& res) {
            std::lock_guard lock(mutex);
            ++token_requests;
            seen_scope = req.get_param_value("scope");
            seen_service = req.get_param_value("service");
            seen_credentials = req.get_header_value("Authorization");
            res.set_content(R"({"token":"tok-123"})", "application/json");
        });
        fake.server.set_pre_routing_handler([realm](const httplib::Request& req, httplib::Response& res) {
            if (req.path == "/token" || req.get_header_value("Authorization") == "Bearer tok-123")
                return httplib::Server::HandlerResponse::Unhandled;
            res.status = 401;
            res.set_header("WWW-Authenticate",
                           "Bearer realm=\"" + realm + "\",service=\"fake registry\",scope=\"repository:prog:pull\"");
            return httplib::Server::HandlerResponse::Handled;
        });
        serve_artifact(fake, artifact);
        fake.start();
    }
};

TEST(TokenService, PullGetsATokenOnceAndUsesIt) {
    const auto artifact = good_artifact();
    TokenRegistry registry(artifact);
    ClientOptions options;
    set_basic_credentials(options, "alice:pa:ss");
    const PullResult result = pull(registry.fake.reference(":v1"), options);
    EXPECT_EQ(result.module, kModule);
    EXPECT_EQ(registry.token_requests, 1);
    EXPECT_EQ(registry.seen_scope, "repository:prog:pull");
    EXPECT_EQ(registry.seen_service, "fake registry");
    EXPECT_EQ(registry.seen_credentials, "Basic YWxpY2U6cGE6c3M=");  // alice:pa:ss
}

TEST(TokenService, AnonymousTokenWithoutCredentials) {
    const auto artifact = good_artifact();
    TokenRegistry registry(artifact);
    EXPECT_EQ(pull(registry.fake.reference(":v1")).module, kModule);
    EXPECT_EQ(registry.seen_credentials, "");
}

TEST(TokenService, NoPlainHttpTokenServiceOffLoopback) {
    const auto artifact = good_artifact();
    TokenRegistry registry(artifact, "http://auth.example.com/token");
    ClientOptions options;
    set_basic_credentials(options, "alice:secret");
    EXPECT_CONTAINS(error_of([&] { pull(registry.fake.reference(":v1"), options); }),
                    "refusing the token service http://auth.example.com/token over plain HTTP");
}

TEST(TokenService, AUserTokenIsNotExchanged) {
    const auto artifact = good_artifact();
    TokenRegistry registry(artifact);
    ClientOptions options;
    options.bearer_token = "mine";
    EXPECT_CONTAINS(error_of([&] { pull(registry.fake.reference(":v1"), options); }), "refused the credentials");
    EXPECT_EQ(registry.token_requests, 0);
}


// Below HTTP: a server that answers every connection with a status line and
// then header lines without end (cpp-httplib reads headers without a count
// limit and calls none of our callbacks meanwhile). The request deadline
// must still end it.
class EndlessHeaders {
public:
    EndlessHeaders() {
        listener_ = socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t length = sizeof address;
        if (bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 || listen(listener_, 4) != 0 ||
            getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length) != 0)
            return;
        port_ = ntohs(address.sin_port);
        thread_ = std::thread([this] {
            const int connection = accept(listener_, nullptr, nullptr);
            if (connection < 0) return;
            connection_ = connection;
            const std::string status = "HTTP/1.1 200 OK\r\n";
            send(connection, status.data(), status.size(), MSG_NOSIGNAL);
            std::string lines;
            for (int i = 0; i < 1000; ++i) lines += "X-Filler-" + std::to_string(i) + ": yes\r\n";
            while (!stop_ && send(connection, lines.data(), lines.size(), MSG_NOSIGNAL) > 0) {
            }
            close(connection);
        });
    }
    ~EndlessHeaders() {
        stop_ = true;
        shutdown(listener_, SHUT_RDWR);
        if (connection_ >= 0) shutdown(connection_, SHUT_RDWR);  // wakes a send blocked on a full buffer
        if (thread_.joinable()) thread_.join();
        close(listener_);
    }
    int port() const { return port_; }

private:
    int listener_ = -1;
    int port_ = 0;
    std::atomic<bool> stop_{false};
    std::atomic<int> connection_{-1};
    std::thread thread_;
};

TEST(HostileRegistry, EndlessHeadersAreCutOff) {
    {
        // The watchdog counts received bytes with TCP_INFO (tcp_bytes.cpp).
        const int fd = socket(AF_INET, SOCK_STREAM, 0);
        unsigned char info[256];
        socklen_t length = sizeof info;
        // Up to tcpi_bytes_received (offsetof + 8 in <linux/tcp.h>): qemu-user
        // answers TCP_INFO with an int.
        const bool counted = fd >= 0 && getsockopt(fd, IPPROTO_TCP, TCP_INFO, info, &length) == 0 && length >= 136;
        if (fd >= 0) close(fd);
        if (!counted)
            GTEST_SKIP() << "getsockopt(TCP_INFO) is unavailable here (qemu-user does not emulate it): "
                            "the header watchdog cannot count, the request timeout still ends the pull";
    }
    EndlessHeaders server;
    ASSERT_NE(server.port(), 0);
    const auto start = std::chrono::steady_clock::now();
    EXPECT_CONTAINS(error_of([&] {
                        pull(Reference::parse("127.0.0.1:" + std::to_string(server.port()) + "/prog:v1"));
                    }),
                    "without finishing its response headers");
    EXPECT_LT(std::chrono::steady_clock::now() - start, 3s);
}

}  // namespace
}  // namespace ebpf::registry
