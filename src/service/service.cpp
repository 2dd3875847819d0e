// `ebpf serve`: the HTTP API over the build sandbox, the signer, the module
// store and the audit log (docs/service.md).
//   POST /v1/builds                    object in → 201 report | 4xx why
//   GET  /v1/modules/{digest}          the signed module
//   GET  /v1/modules/{digest}/report   its build report
//   GET  /healthz, GET /metrics
#include <httplib.h>
#include <openssl/opensslv.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <sys/socket.h>

#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fmt/format.h>

#include "ebpf/ebpf.h"
#include "ebpf/error.hpp"
#include "ebpf/input_file.hpp"
#include "ebpf/native.hpp"
#include "ebpf/printable.hpp"
#include "ebpf/service.hpp"
#include "ebpf/signing.hpp"
#include "service_state.hpp"

namespace ebpf::service {
namespace {

constexpr const char* kJson = "application/json";
constexpr const char* kModuleMediaType = "application/vnd.ebpf-native.module";

std::string utc_now() {
    const std::time_t now = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&now, &tm);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return text;
}

std::string digest_of(std::span<const uint8_t> bytes) { return "sha256:" + to_hex(sha256(bytes)); }

std::string x509_name(X509_NAME* name) {
    BIO* bio = BIO_new(BIO_s_mem());
    X509_NAME_print_ex(bio, name, 0, XN_FLAG_ONELINE & ~ASN1_STRFLGS_ESC_MSB);
    char* data = nullptr;
    const long size = BIO_get_mem_data(bio, &data);
    std::string out(data, static_cast<size_t>(size));
    BIO_free(bio);
    return out;
}

struct CertificateNames {
    std::string subject;
    std::string issuer;
};
CertificateNames certificate_names(const std::string& pem) {
    BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
    X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
    BIO_free(bio);
    if (cert == nullptr) throw Error("signing certificate: no PEM certificate");
    CertificateNames names{x509_name(X509_get_subject_name(cert)), x509_name(X509_get_issuer_name(cert))};
    X509_free(cert);
    return names;
}

// The object's file name as the client gave it, for diagnostics only: a
// plain name, never a path.
bool is_plain_file_name(const std::string& name) {
    if (name.empty() || name.size() > 128 || name == "." || name == "..") return false;
    for (char c : name)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-')) return false;
    return true;
}

void reply_json(httplib::Response& res, int status, const nlohmann::json& body) {
    res.status = status;
    res.set_content(json_text(body, 2) + "\n", kJson);
}

void reply_error(httplib::Response& res, int status, const std::string& message) {
    reply_json(res, status, {{"error", message}});
}

}  // namespace

struct Service::Impl {
    ServiceConfig config;
    std::optional<AccessList> access;
    std::optional<ModuleSigner> module_signer;  // a PEM key or a key in a PKCS#11 token
    CertificateNames signer;
    nlohmann::json toolchain;
    std::unique_ptr<AuditLog> audit;
    Metrics metrics;
    BuildGate gate;
    RateLimiter limiter;
    std::unique_ptr<httplib::Server> server;
    int port = -1;
    std::atomic<bool> stopping{false};

    explicit Impl(ServiceConfig c)
        : config(std::move(c)),
          gate(config.max_concurrent_builds, config.max_queued_builds, metrics),
          limiter(config.builds_per_minute, config.burst) {}

    std::string module_path(const std::string& digest, const char* extension) const {
        // Only called with is_valid_digest() names: "sha256:" + hex.
        return config.store_dir + "/modules/" + digest.substr(7) + extension;
    }

    // Who is asking: a bearer token, or a verified TLS client certificate.
    std::optional<Identity> authenticate(const httplib::Request& req, std::string& why) const {
        if (config.allow_anonymous && !access) return Identity{"anonymous", true, {}};
        const std::string authorization = req.get_header_value("Authorization");
        if (!authorization.empty()) {
            constexpr std::string_view scheme = "Bearer ";
            if (authorization.size() <= scheme.size() || authorization.compare(0, scheme.size(), scheme) != 0) {
                why = "the Authorization header must be 'Bearer TOKEN'";
                return std::nullopt;
            }
            if (auto identity = access->for_token(std::string_view(authorization).substr(scheme.size()))) return identity;
            why = "unknown token";
            return std::nullopt;
        }
        if (req.ssl != nullptr) {
            X509* peer = SSL_get1_peer_certificate(req.ssl);
            if (peer != nullptr) {
                std::string common_name;
                char cn[256] = {};
                const int length = X509_NAME_get_text_by_NID(X509_get_subject_name(peer), NID_commonName, cn, sizeof cn);
                if (length > 0) common_name.assign(cn, static_cast<size_t>(length));
                X509_free(peer);
                // The handshake already checked the chain (SSL_VERIFY_PEER);
                // this says it succeeded for this connection.
                if (SSL_get_verify_result(req.ssl) == X509_V_OK && !common_name.empty()) {
                    if (auto identity = access->for_certificate(common_name)) return identity;
                    why = "client certificate CN=" + printable(common_name) + " is not in the access list";
                    return std::nullopt;
                }
            }
        }
        why = "authentication required: a bearer token or a TLS client certificate";
        return std::nullopt;
    }

    void handle_build(const httplib::Request& req, httplib::Response& res, const httplib::ContentReader& reader);
    void handle_module(const httplib::Request& req, httplib::Response& res, bool report);
};

void Service::Impl::handle_build(const httplib::Request& req, httplib::Response& res,
                                 const httplib::ContentReader& content_reader) {
    const auto started = std::chrono::steady_clock::now();
    nlohmann::json entry = {{"time", utc_now()}, {"remote", req.remote_addr}, {"input", nlohmann::json::object()}};
    auto finish = [&](const std::string& verdict, int status, double seconds) {
        entry["verdict"] = verdict;
        entry["status"] = status;
        metrics.count_build(verdict, seconds);
        audit->append(entry);  // before the answer: an unaudited signature is never handed out
    };
    auto refuse = [&](const std::string& verdict, int status, const std::string& message) {
        entry["error"] = message;
        reply_error(res, status, message);
        finish(verdict, status, -1);
    };
    // A declared length above the limit is refused unread. Other refusals
    // before the object is needed read the body and drop it (bounded by the
    // same limit), so the client sees the answer rather than a reset.
    const std::string too_large = "the object is larger than this service accepts (" +
                                  std::to_string(config.max_object_bytes) + " bytes)";
    bool declared_too_large = false;
    if (req.has_header("Content-Length")) {
        const std::string length = req.get_header_value("Content-Length");
        declared_too_large = length.size() > 19 || length.find_first_not_of("0123456789") != std::string::npos ||
                             std::stoull("0" + length) > config.max_object_bytes;
    }
    auto refuse_unread = [&](const std::string& verdict, int status, const std::string& message) {
        if (!declared_too_large) {
            uint64_t seen = 0;
            content_reader([&](const char*, size_t length) { return (seen += length) <= config.max_object_bytes; });
        }
        refuse(verdict, status, message);
    };

    // Who is asking, from the headers alone: nothing of the body is read
    // for an unauthenticated client.
    std::string why;
    const auto identity = authenticate(req, why);
    if (identity) entry["who"] = identity->name;
    else entry["who"] = nullptr;
    if (!identity) {
        res.set_header("WWW-Authenticate", "Bearer");
        return refuse_unread("unauthenticated", 401, why);
    }

    // Options: query parameters only; the body is the object itself.
    BuildOptions options;
    options.budget = config.budget;
    for (const auto& [key, value] : req.params) {
        if (key == "name") options.name = value;
        else if (key == "section") options.section = value;
        else if (key == "type") options.type = value;
        else return refuse_unread("invalid", 400, "unknown parameter '" + printable(key) + "' (name, section, type)");
    }
    entry["input"]["name"] = options.name;
    entry["options"] = {{"section", options.section}, {"type", options.type}};
    if (!is_plain_file_name(options.name))
        return refuse_unread("invalid", 400, "name: a plain file name of letters, digits, '.', '_' and '-' (at most 128)");
    if (options.section.size() > 1024 || !is_valid_utf8(options.section))
        return refuse_unread("invalid", 400, "section: at most 1024 bytes of UTF-8");
    if (!options.type.empty()) {
        auto type = program_type_by_name(options.type);
        if (!type) return refuse_unread("invalid", 400, "type: unknown program type '" + printable(options.type) + "'");
        if (!identity->allows(*type))
            return refuse_unread("forbidden", 403, identity->name + " may not get " + options.type + " programs signed");
    }
    const std::string content_type = req.get_header_value("Content-Type");
    if (!content_type.empty() && content_type != "application/octet-stream" && content_type != "application/x-elf")
        return refuse_unread("invalid", 415,
                             "send the object as the request body (application/octet-stream); options go in the query");

    // The body, bounded: a declared length above the limit is refused
    // unread; a chunked body is cut off as soon as it passes the limit.
    if (declared_too_large) return refuse_unread("invalid", 413, too_large);
    std::string body;
    bool over_limit = false;
    const bool complete = content_reader([&](const char* data, size_t length) {
        if (body.size() + length > config.max_object_bytes) {
            over_limit = true;
            return false;
        }
        body.append(data, length);
        return true;
    });
    if (over_limit) return refuse("invalid", 413, too_large);
    if (!complete) return refuse("invalid", 400, "the request body could not be read");
    const std::span<const uint8_t> object(reinterpret_cast<const uint8_t*>(body.data()), body.size());
    entry["input"]["digest"] = digest_of(object);
    entry["input"]["size"] = object.size();
    if (object.size() < 4 || object[0] != 0x7f || object[1] != 'E' || object[2] != 'L' || object[3] != 'F')
        return refuse("invalid", 400, "the body is not an ELF object");
    if (!limiter.allow(identity->name)) {
        res.set_header("Retry-After", "60");
        return refuse("throttled", 429, identity->name + " is over its rate limit; try again later");
    }
    if (!gate.enter()) {
        res.set_header("Retry-After", "5");
        return refuse("throttled", 429, "the build queue is full; try again later");
    }
    BuildOutcome outcome;
    try {
        outcome = run_sandboxed_build(config.worker, config.work_dir, object, options, config.limits);
    } catch (...) {
        gate.leave();
        throw;
    }
    gate.leave();
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    entry["seconds"] = seconds;
    auto fail = [&](const std::string& verdict, int status, const nlohmann::json& body) {
        if (body.is_object() && body.contains("error")) entry["error"] = body["error"];
        reply_json(res, status, body);
        finish(verdict, status, seconds);
    };

    // Program types are checked on what the object really holds, before
    // anything is signed — also for programs the verifier rejected.
    for (const auto& program : outcome.programs) {
        auto type = program_type_by_name(program.type);
        // A type we do not know (a section the loader cannot place) is for
        // identities allowed any type; the verifier then has its say.
        if (type ? !identity->allows(*type) : !identity->any_type)
            return fail("forbidden", 403,
                        {{"error", identity->name + " may not get " + program.type + " programs signed (program '" +
                                       program.name + "')"}});
    }
    switch (outcome.status) {
        case BuildOutcome::Status::invalid: return fail("invalid", 400, {{"error", outcome.error}});
        case BuildOutcome::Status::rejected: return fail("rejected", 422, outcome.verification);
        case BuildOutcome::Status::failed: return fail("failed", 422, {{"error", outcome.error}});
        case BuildOutcome::Status::built: break;
    }
    if (outcome.module.empty()) return fail("failed", 422, {{"error", "the build produced no module"}});

    // Only a verified, built module reaches the signer.
    const std::vector<uint8_t> signed_module = module_signer->sign(outcome.module);
    const std::string digest = digest_of(outcome.module);
    const std::string signed_digest = digest_of(signed_module);
    nlohmann::json programs = nlohmann::json::array();
    for (size_t i = 0; i < outcome.programs.size(); ++i) {
        const auto& p = outcome.programs[i];
        nlohmann::json program = {{"name", p.name}, {"section", p.section}, {"type", p.type},
                                  {"instructions", p.instructions}, {"bytecode_sha256", p.bytecode_sha256}};
        if (i < outcome.verification.size()) program["verifier"] = outcome.verification[i]["stats"];
        programs.push_back(program);
    }
    const std::string url = "/v1/modules/" + digest;
    nlohmann::json report = {
        {"module", {{"digest", digest}, {"size", outcome.module.size()}, {"signed_digest", signed_digest},
                    {"signed_size", signed_module.size()}, {"url", url}, {"report_url", url + "/report"}}},
        {"input", entry["input"]},
        {"options", entry["options"]},
        {"programs", programs},
        {"toolchain", toolchain},
        {"signer", {{"subject", signer.subject}, {"issuer", signer.issuer}, {"key", module_signer->key_description()},
                    {"key_in_token", module_signer->key_in_token()}}},
        {"submitter", identity->name},
        {"time", utc_now()}};
    entry["output"] = {{"module", digest}, {"signed", signed_digest}};
    entry["signer"] = signer.subject;
    if (config.publish) {
        std::vector<std::string> names;
        for (const auto& p : outcome.programs) names.push_back(p.name);
        try {
            const std::string where = config.publish(digest, signed_module, json_text(report, 2) + "\n", names);
            report["registry"] = {{"reference", where}};
            entry["output"]["registry"] = where;
        } catch (const std::exception& e) {
            return fail("failed", 502, {{"error", std::string("signed, but publishing failed: ") + e.what()}});
        }
    }
    const std::string report_text = json_text(report, 2) + "\n";
    write_file_atomically(module_path(digest, ".so"),
                          std::string_view(reinterpret_cast<const char*>(signed_module.data()), signed_module.size()));
    write_file_atomically(module_path(digest, ".json"), report_text);
    res.set_header("Location", url);
    res.status = 201;
    res.set_content(report_text, kJson);
    finish("signed", 201, seconds);
}

void Service::Impl::handle_module(const httplib::Request& req, httplib::Response& res, bool report) {
    const std::string digest = req.matches[1];
    if (!is_valid_digest(digest)) return reply_error(res, 400, "a module digest is sha256: and 64 lower-case hex digits");
    const std::string path = module_path(digest, report ? ".json" : ".so");
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) return reply_error(res, 404, "no module " + digest);
    const auto bytes = read_input_file(path);
    res.status = 200;
    res.set_content(std::string(bytes.begin(), bytes.end()), report ? kJson : kModuleMediaType);
}

Service::Service(ServiceConfig config) : impl_(std::make_unique<Impl>(std::move(config))) {
    Impl& s = *impl_;
    const ServiceConfig& c = s.config;
    if (c.signing_key.empty() || c.signing_cert.empty()) throw Error("serve: a signing key and certificate are required");
    if (c.store_dir.empty()) throw Error("serve: a module store directory is required");
    if (c.audit_log.empty()) throw Error("serve: an audit log file is required");
    if (c.worker.argv.empty()) throw Error("serve: no build worker");
    if (c.max_concurrent_builds == 0) throw Error("serve: at least one concurrent build");
    if (!c.access_file.empty()) s.access = AccessList::from_file(c.access_file);
    if (!s.access && !c.allow_anonymous)
        throw Error("serve: no access list (--access FILE); --allow-anonymous only for development");
    if (c.tls_cert.empty() != c.tls_key.empty()) throw Error("serve: TLS needs both a certificate and a key");
    if (c.tls_cert.empty() && !c.insecure_http) throw Error("serve: HTTPS needs --tls-cert and --tls-key (or --insecure-http)");
    if (!c.client_ca.empty() && c.tls_cert.empty()) throw Error("serve: client certificates need TLS");

    // The key stays where it is (a file, or its token); this process signs.
    s.module_signer = ModuleSigner::open(c.signing_key, c.signing_cert);
    const auto cert_pem = read_input_file(c.signing_cert, 1 << 20);
    s.signer = certificate_names(std::string(cert_pem.begin(), cert_pem.end()));
    s.signer.subject = s.module_signer->subject();  // as `ebpf check-signature` prints it
    s.toolchain = {{"ebpf_native", ebpf_version()},
                   {"compiler", compiler_version()},
                   {"openssl", OpenSSL_version(OPENSSL_VERSION)}};
    std::filesystem::create_directories(c.store_dir + "/modules");
    s.audit = std::make_unique<AuditLog>(c.audit_log);

    if (!c.tls_cert.empty()) {
        std::string tls_error;
        auto server = std::make_unique<httplib::SSLServer>([&](SSL_CTX& ctx) {
            SSL_CTX_set_min_proto_version(&ctx, TLS1_2_VERSION);
            if (SSL_CTX_use_certificate_chain_file(&ctx, c.tls_cert.c_str()) != 1 ||
                SSL_CTX_use_PrivateKey_file(&ctx, c.tls_key.c_str(), SSL_FILETYPE_PEM) != 1 ||
                SSL_CTX_check_private_key(&ctx) != 1) {
                tls_error = "cannot use the TLS certificate " + c.tls_cert + " and key " + c.tls_key;
                return false;
            }
            if (!c.client_ca.empty()) {
                // Client certificates are optional (token users have none);
                // one that is presented must chain to the CA.
                STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(c.client_ca.c_str());
                if (names == nullptr || SSL_CTX_load_verify_locations(&ctx, c.client_ca.c_str(), nullptr) != 1) {
                    tls_error = "cannot read client CA certificates from " + c.client_ca;
                    return false;
                }
                SSL_CTX_set_client_CA_list(&ctx, names);
                SSL_CTX_set_verify(&ctx, SSL_VERIFY_PEER, nullptr);
            }
            return true;
        });
        if (!server->is_valid()) throw Error("serve: " + (tls_error.empty() ? std::string("TLS set-up failed") : tls_error));
        s.server = std::move(server);
    } else {
        s.server = std::make_unique<httplib::Server>();
    }
    httplib::Server& server = *s.server;
    const size_t threads = c.http_threads ? c.http_threads : c.max_concurrent_builds + c.max_queued_builds + 4;
    server.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
    server.set_payload_max_length(c.max_object_bytes);  // handle_build enforces it for chunked bodies too
    server.set_read_timeout(c.read_timeout);
    server.set_write_timeout(c.write_timeout);
    server.set_keep_alive_timeout(std::min<time_t>(5, c.read_timeout.count()));
    // One request per connection: a refusal that leaves the body unread must
    // close the connection (httplib 0.11 does not honour a response's
    // "Connection: close"), or the body would be parsed as the next request.
    server.set_keep_alive_max_count(1);
    server.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr error) {
        std::string message = "internal error";
        try {
            std::rethrow_exception(error);
        } catch (const std::exception& e) {
            message += std::string(": ") + e.what();
        } catch (...) {
        }
        reply_error(res, 500, message);
    });
    server.Post("/v1/builds", [&s](const httplib::Request& req, httplib::Response& res,
                                   const httplib::ContentReader& reader) { s.handle_build(req, res, reader); });
    // httplib reads any other request's body into memory, a chunked one
    // without bound: only POST /v1/builds takes a body, and reads it itself.
    server.set_pre_routing_handler([](const httplib::Request& req, httplib::Response& res) {
        if (req.method == "POST" && req.path == "/v1/builds") return httplib::Server::HandlerResponse::Unhandled;
        const bool has_body = req.has_header("Transfer-Encoding") ||
                              (req.has_header("Content-Length") && req.get_header_value("Content-Length") != "0");
        if (!has_body) return httplib::Server::HandlerResponse::Unhandled;
        res.set_header("Connection", "close");
        reply_error(res, 400, "only POST /v1/builds takes a request body");
        return httplib::Server::HandlerResponse::Handled;
    });
    server.Get(R"(/v1/modules/([^/]+))",
               [&s](const httplib::Request& req, httplib::Response& res) { s.handle_module(req, res, false); });
    server.Get(R"(/v1/modules/([^/]+)/report)",
               [&s](const httplib::Request& req, httplib::Response& res) { s.handle_module(req, res, true); });
    server.Get("/healthz", [&s](const httplib::Request&, httplib::Response& res) {
        if (s.stopping) return reply_json(res, 503, {{"status", "stopping"}});
        reply_json(res, 200, {{"status", "ok"}});
    });
    server.Get("/metrics", [&s](const httplib::Request&, httplib::Response& res) {
        res.set_content(s.metrics.text(), "text/plain; version=0.0.4");
    });

    // httplib listens with a backlog of 5: a burst of clients beyond it
    // would see their connections dropped. The listening socket is taken
    // here and its backlog raised once it listens.
    int listen_fd = -1;
    server.set_socket_options([&listen_fd](int fd) {
        int yes = 1;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
        listen_fd = fd;
    });
    if (c.port == 0) {
        s.port = server.bind_to_any_port(c.listen_host);
    } else {
        s.port = server.bind_to_port(c.listen_host, c.port) ? c.port : -1;
    }
    if (s.port < 0) throw Error(fmt::format("serve: cannot listen on {}:{}", c.listen_host, c.port));
    if (listen_fd >= 0) ::listen(listen_fd, SOMAXCONN);
}

Service::~Service() = default;

int Service::port() const { return impl_->port; }

void Service::run() {
    if (!impl_->server->listen_after_bind() && !impl_->stopping) throw Error("serve: the server stopped unexpectedly");
}

void Service::stop() {
    impl_->stopping = true;
    impl_->server->stop();
}

}  // namespace ebpf::service
