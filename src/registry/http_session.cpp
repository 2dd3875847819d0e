// HTTP for the registry client over cpp-httplib. The library does the
// protocol and TLS; this file decides what may be said to whom: plain HTTP
// only for loopback, credentials only to the registry's own origin, request
// targets from the registry (Location headers) only in printable ASCII so
// they cannot inject header lines, bodies bounded as they arrive, and one
// deadline per request, redirects included.
#include "http_session.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <map>
#include <nlohmann/json.hpp>
#include <vector>

#include "ebpf/error.hpp"
#include "ebpf/printable.hpp"

namespace ebpf::registry {

uint64_t tcp_bytes_received(int fd);  // tcp_bytes.cpp

namespace {

// What the status line and headers of one answer may take, TLS included.
constexpr uint64_t kMaxHeaderBytes = 1 << 20;

std::string lowercase(std::string_view text) {
    std::string result(text);
    std::transform(result.begin(), result.end(), result.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return result;
}

bool is_printable_ascii(std::string_view text) {
    return std::all_of(text.begin(), text.end(), [](char c) { return c > 0x20 && c < 0x7f; });
}

bool is_loopback_host(std::string_view host) {
    return host == "localhost" || host == "127.0.0.1" || host == "[::1]";
}

std::string base64(std::string_view text) {
    std::vector<unsigned char> out(4 * ((text.size() + 2) / 3) + 1);
    const int length = EVP_EncodeBlock(out.data(), reinterpret_cast<const unsigned char*>(text.data()),
                                       static_cast<int>(text.size()));
    return {reinterpret_cast<const char*>(out.data()), static_cast<size_t>(length)};
}

// Up to 300 printable characters of text a registry sent.
std::string shown(std::string_view text) {
    std::string shown = printable(text.substr(0, 300));
    if (text.size() > 300) shown += "...";
    return shown;
}

// The "errors" of an OCI error body, as "CODE: message; ...". Empty when the
// body is not one.
std::string oci_error_details(const std::string& body) {
    const auto json = nlohmann::json::parse(body, nullptr, false);
    if (json.is_discarded() || !json.is_object() || !json.contains("errors") || !json["errors"].is_array())
        return {};
    std::string details;
    for (const auto& entry : json["errors"]) {
        if (!entry.is_object()) continue;
        std::string item;
        if (entry.contains("code") && entry["code"].is_string()) item = entry["code"].get<std::string>();
        if (entry.contains("message") && entry["message"].is_string())
            item += (item.empty() ? "" : ": ") + entry["message"].get<std::string>();
        if (item.empty()) continue;
        details += (details.empty() ? "" : "; ") + item;
        if (details.size() > 300) break;
    }
    return shown(details);
}

std::string transport_failure(httplib::Error error, const Url& url, bool has_ca_file) {
    switch (error) {
    case httplib::Error::Connection:
    case httplib::Error::ConnectionTimeout:
        return "cannot connect to the registry at " + url.origin() + " (is it running and reachable?)";
    case httplib::Error::SSLConnection:
        return "TLS handshake with " + url.authority() + " failed (is it an HTTPS registry?)";
    case httplib::Error::SSLLoadingCerts:
        return has_ca_file ? "cannot load the CA file" : "cannot load the system's CA certificates";
    case httplib::Error::SSLServerVerification:
        return "the certificate of " + url.authority() +
               " is not trusted or not for that host name (a private CA: --ca-file)";
    case httplib::Error::Read:
        return "the connection to " + url.authority() + " failed while reading the answer (closed or timed out)";
    case httplib::Error::Write:
        return "the connection to " + url.authority() + " failed while sending the request";
    default:
        return "request to " + url.authority() + " failed: " + httplib::to_string(error);
    }
}

// key="value" pairs of a `WWW-Authenticate: Bearer ...` challenge (values
// may hold commas: scope="repository:a:pull,push"). Empty when the challenge
// is not Bearer.
std::map<std::string, std::string> bearer_challenge(std::string_view header) {
    std::map<std::string, std::string> params;
    if (header.size() < 7 || lowercase(header.substr(0, 7)) != "bearer ") return params;
    size_t i = 7;
    while (i < header.size()) {
        while (i < header.size() && (header[i] == ' ' || header[i] == ',')) ++i;
        const size_t equals = header.find('=', i);
        if (equals == std::string_view::npos) break;
        const std::string key = lowercase(header.substr(i, equals - i));
        i = equals + 1;
        std::string value;
        if (i < header.size() && header[i] == '"') {
            for (++i; i < header.size() && header[i] != '"'; ++i) {
                if (header[i] == '\\' && i + 1 < header.size()) ++i;
                value += header[i];
            }
            ++i;  // the closing quote
        } else {
            while (i < header.size() && header[i] != ',') value += header[i++];
        }
        params[key] = value;
    }
    return params;
}

// Percent-encoding for a query value: everything but RFC 3986's unreserved.
std::string query_encode(std::string_view text) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string result;
    for (const char c : text) {
        if (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_' || c == '~') {
            result += c;
        } else {
            result += '%';
            result += kHex[static_cast<unsigned char>(c) >> 4];
            result += kHex[static_cast<unsigned char>(c) & 15];
        }
    }
    return result;
}

// A token as RFC 6750 allows it (token68 characters), at most 16 KiB.
bool is_valid_token(std::string_view token) {
    return !token.empty() && token.size() <= 16 * 1024 && std::all_of(token.begin(), token.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || std::string_view("-._~+/=").find(c) != std::string_view::npos;
    });
}

}  // namespace

bool HttpSession::obtain_token(const HttpResponse& challenge_response) const {
    // A token given by the user is what it is; the exchange is for registries
    // that hand out their own.
    if (!options_.bearer_token.empty()) return false;
    const auto challenge = bearer_challenge(challenge_response.header("WWW-Authenticate"));
    const auto realm = challenge.find("realm");
    if (realm == challenge.end()) return false;
    const std::string scope = challenge.contains("scope") ? challenge.at("scope") : std::string();
    // One attempt per scope: a second 401 for it means the credentials do not suffice.
    if (!token_authorization_.empty() && scope == token_scope_) return false;
    Url url;
    try {
        url = parse_url(realm->second);
    } catch (const Error& e) {
        throw error("the registry's token service: " + std::string(e.what()));
    }
    // Plain HTTP only on loopback, and never from a registry spoken to over HTTPS.
    if (url.scheme == "http" && (!is_loopback_host(url.host) || base_.scheme == "https"))
        throw error("refusing the token service " + shown(realm->second) + " over plain HTTP");
    url.target += url.target.find('?') == std::string::npos ? "?" : "&";
    url.target += "service=" + query_encode(challenge.contains("service") ? challenge.at("service") : "");
    if (!scope.empty()) url.target += "&scope=" + query_encode(scope);
    HttpRequest request{"GET", url, {}, {}, {}, 64 * 1024, "token from " + url.authority(), {}};
    if (!options_.basic_username.empty()) request.authorization = authorization_;
    const HttpResponse response = send_following_redirects(std::move(request));
    if (response.status != 200) throw status_error(response, "token from " + url.authority());
    const auto json = nlohmann::json::parse(response.body, nullptr, false);
    std::string token;
    for (const char* key : {"token", "access_token"})
        if (token.empty() && json.is_object() && json.contains(key) && json[key].is_string())
            token = json[key].get<std::string>();
    if (!is_valid_token(token))
        throw error("the token service at " + url.authority() + " answered without a usable token");
    token_authorization_ = "Bearer " + token;
    token_scope_ = scope;
    return true;
}

std::string Url::authority() const { return host + ":" + std::to_string(port); }
std::string Url::origin() const { return scheme + "://" + authority(); }

Url parse_url(std::string_view text) {
    if (!is_printable_ascii(text)) throw Error("URL '" + shown(text) + "': not printable ASCII");
    const size_t scheme_end = text.find("://");
    if (scheme_end == std::string_view::npos) throw Error("URL '" + shown(text) + "': no scheme");
    Url url;
    url.scheme = lowercase(text.substr(0, scheme_end));
    if (url.scheme != "http" && url.scheme != "https")
        throw Error("URL '" + shown(text) + "': only http and https are spoken");
    std::string_view rest = text.substr(scheme_end + 3);
    const size_t authority_end = std::min(rest.find_first_of("/?#"), rest.size());
    const std::string_view authority = rest.substr(0, authority_end);
    rest = rest.substr(authority_end);
    if (authority.find('@') != std::string_view::npos)
        throw Error("URL '" + shown(text) + "': user information in URLs is refused");
    std::string_view port;
    if (authority.starts_with('[')) {
        const size_t close = authority.find(']');
        if (close == std::string_view::npos) throw Error("URL '" + shown(text) + "': unterminated IPv6 address");
        url.host = std::string(authority.substr(0, close + 1));
        if (close + 1 < authority.size()) {
            if (authority[close + 1] != ':') throw Error("URL '" + shown(text) + "': bad authority");
            port = authority.substr(close + 2);
        }
    } else {
        const size_t colon = authority.find(':');
        url.host = lowercase(authority.substr(0, colon));
        if (colon != std::string_view::npos) port = authority.substr(colon + 1);
    }
    if (url.host.empty()) throw Error("URL '" + shown(text) + "': no host");
    if (port.empty()) {
        url.port = url.scheme == "https" ? 443 : 80;
    } else {
        const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), url.port);
        if (ec != std::errc() || end != port.data() + port.size() || url.port < 1 || url.port > 65535)
            throw Error("URL '" + shown(text) + "': bad port");
    }
    rest = rest.substr(0, rest.find('#'));
    url.target = rest.empty() ? "/" : rest.starts_with('?') ? "/" + std::string(rest) : std::string(rest);
    return url;
}

Url resolve_location(const Url& base, std::string_view location) {
    if (location.empty()) throw Error("empty Location header");
    if (!is_printable_ascii(location)) throw Error("Location header '" + shown(location) + "': not printable ASCII");
    if (location.find("://") != std::string_view::npos) return parse_url(location);
    if (location.starts_with("//")) return parse_url(base.scheme + ":" + std::string(location));
    Url url = base;
    if (location.starts_with('/')) {
        url.target = std::string(location.substr(0, location.find('#')));
    } else {
        // Relative to the directory of the base path (its query dropped).
        const std::string path = base.target.substr(0, base.target.find('?'));
        url.target = path.substr(0, path.rfind('/') + 1) + std::string(location.substr(0, location.find('#')));
    }
    return url;
}

std::string HttpResponse::header(const std::string& name) const {
    for (const auto& [key, value] : headers)
        if (lowercase(key) == lowercase(name)) return value;
    return {};
}

HttpSession::HttpSession(const Reference& reference, const ClientOptions& options)
    : where_(reference.to_string()), options_(options) {
    base_ = parse_url(std::string(reference.is_loopback() ? "http" : "https") + "://" + reference.registry + "/v2/" +
                      reference.repository + "/");
    if (!options.basic_username.empty() && !options.bearer_token.empty())
        throw error("give either basic credentials or a bearer token, not both");
    if (!options.bearer_token.empty()) {
        authorization_ = "Bearer " + options.bearer_token;
    } else if (!options.basic_username.empty()) {
        authorization_ = "Basic " + base64(options.basic_username + ":" + options.basic_password);
    }
}

Url HttpSession::repository_url(std::string_view suffix) const {
    Url url = base_;
    url.target += suffix;
    return url;
}

Error HttpSession::error(const std::string& message) const { return Error(where_ + ": " + message); }

Error HttpSession::status_error(const HttpResponse& response, std::string_view what) const {
    std::string message = std::string(what) + ": ";
    switch (response.status) {
    case 401:
        message += authorization_.empty()
                       ? "the registry requires authentication (401; give --token-file or --basic-auth-file)"
                       : "the registry refused the credentials (401 Unauthorized)";
        break;
    case 403: message += "access denied (403 Forbidden)"; break;
    case 404: message += "not found (404)"; break;
    default: message += "the registry answered HTTP " + std::to_string(response.status); break;
    }
    if (const std::string details = oci_error_details(response.body); !details.empty())
        message += " (" + details + ")";
    return error(message);
}

HttpResponse HttpSession::send(HttpRequest request) const {
    HttpResponse response = send_following_redirects(request);
    if (response.status == 401 && obtain_token(response)) response = send_following_redirects(std::move(request));
    return response;
}

HttpResponse HttpSession::send_following_redirects(HttpRequest request) const {
    const auto deadline = std::chrono::steady_clock::now() + options_.request_timeout;
    const bool may_redirect = request.method == "GET" || request.method == "HEAD";
    for (unsigned hops = 0;; ++hops) {
        if (request.url.scheme == "http" && !is_loopback_host(request.url.host))
            throw error(request.what + ": refusing plain HTTP to " + request.url.authority() +
                        " (plain HTTP is only for localhost, 127.0.0.1 and [::1])");
        bool redirected = false;
        HttpResponse response = send_once(request, deadline, redirected);
        if (!redirected || !may_redirect) return response;
        if (hops >= options_.max_redirects)
            throw error(request.what + ": more than " + std::to_string(options_.max_redirects) +
                        " redirects (a redirect loop?), last to " + shown(request.url.to_string()));
        Url next;
        try {
            next = resolve_location(request.url, response.header("Location"));
        } catch (const Error& e) {
            throw error(request.what + ": bad redirect: " + e.what());
        }
        if (request.url.scheme == "https" && next.scheme == "http")
            throw error(request.what + ": refusing a redirect from HTTPS to plain HTTP (" + shown(next.to_string()) +
                        ")");
        if (next.origin() != request.url.origin()) request.authorization.clear();
        request.url = std::move(next);
    }
}

HttpResponse HttpSession::send_once(const HttpRequest& request, std::chrono::steady_clock::time_point deadline,
                                    bool& redirected) const {
    const Url& url = request.url;
    std::string host = url.host;
    if (host.starts_with('[')) host = host.substr(1, host.size() - 2);
    std::unique_ptr<httplib::ClientImpl> client;
    if (url.scheme == "https") {
        auto tls = std::make_unique<httplib::SSLClient>(host, url.port);
        if (options_.ca_file) tls->set_ca_cert_path(options_.ca_file->string());
        tls->enable_server_certificate_verification(true);
        client = std::move(tls);
    } else {
        client = std::make_unique<httplib::ClientImpl>(host, url.port);
    }
    const auto set_timeout = [](std::chrono::milliseconds ms, auto&& setter) {
        setter(static_cast<time_t>(ms.count() / 1000), static_cast<time_t>((ms.count() % 1000) * 1000));
    };
    // No single wait may outlast the request's deadline (the wait for the
    // status line calls none of the callbacks that check it).
    const auto left = std::max(std::chrono::duration_cast<std::chrono::milliseconds>(
                                   deadline - std::chrono::steady_clock::now()),
                               std::chrono::milliseconds(1));
    set_timeout(std::min(options_.connect_timeout, left),
                [&](time_t s, time_t us) { client->set_connection_timeout(s, us); });
    set_timeout(std::min(options_.io_timeout, left), [&](time_t s, time_t us) { client->set_read_timeout(s, us); });
    set_timeout(std::min(options_.io_timeout, left), [&](time_t s, time_t us) { client->set_write_timeout(s, us); });
    client->set_follow_location(false);
    client->set_url_encode(false);  // targets are built or checked here; the library must not rewrite them
    client->set_decompress(false);  // the digest is over the bytes sent; no Accept-Encoding is asked for
    client->set_keep_alive(false);
    client->set_tcp_nodelay(true);  // headers and body go in separate writes: no Nagle delay between them

    httplib::Request req;
    req.method = request.method;
    req.path = url.target;
    req.headers = request.headers;
    req.headers.emplace("Host", url.authority());
    req.headers.emplace("User-Agent", "ebpf-native");
    // Credentials go to the registry itself, never to storage a redirect names.
    if (!request.authorization.empty()) {
        req.headers.emplace("Authorization", request.authorization);
    } else if (url.origin() == base_.origin()) {
        const std::string& authorization = token_authorization_.empty() ? authorization_ : token_authorization_;
        if (!authorization.empty()) req.headers.emplace("Authorization", authorization);
    }
    if (!request.body.empty() || request.method == "PUT" || request.method == "POST") {
        req.body = request.body;
        req.headers.emplace("Content-Type", request.content_type.empty() ? "application/octet-stream"
                                                                         : request.content_type);
    }

    // The socket, for the watchdog below to count what it received.
    std::atomic<int> socket_fd{-1};
    client->set_socket_options([&socket_fd](socket_t fd) { socket_fd = fd; });

    HttpResponse response;
    response.url = url;
    bool too_large = false;
    std::atomic<bool> timed_out{false};
    std::atomic<bool> headers_done{false};
    std::atomic<bool> headers_too_large{false};
    const auto past_deadline = [&] {
        if (std::chrono::steady_clock::now() < deadline) return false;
        timed_out = true;
        return true;
    };
    req.response_handler = [&](const httplib::Response& head) {
        headers_done = true;
        response.status = head.status;
        response.headers = head.headers;
        if (head.status >= 300 && head.status < 400 && head.has_header("Location")) {
            redirected = true;
            return false;  // the body of a redirect is not needed
        }
        if (head.has_header("Content-Length")) {
            const std::string length = head.get_header_value("Content-Length");
            uint64_t value = 0;
            const auto [end, ec] = std::from_chars(length.data(), length.data() + length.size(), value);
            if (ec == std::errc() && end == length.data() + length.size() && value > request.max_body &&
                request.method != "HEAD") {
                too_large = true;
                return false;
            }
        }
        return !past_deadline();
    };
    req.content_receiver = [&](const char* data, size_t length, uint64_t, uint64_t) {
        if (response.body.size() + length > request.max_body) {
            too_large = true;
            return false;
        }
        response.body.append(data, length);
        return !past_deadline();
    };
    req.progress = [&](uint64_t, uint64_t) { return !past_deadline(); };

    httplib::Response raw;
    httplib::Error failure = httplib::Error::Success;
    // The watchdog: the callbacks above check the deadline only while a body
    // arrives; waiting for the status line, or a registry sending header
    // lines without end, calls none of them. It stops the client at the
    // deadline, or once more than kMaxHeaderBytes arrived before the headers
    // were complete.
    std::mutex mutex;
    std::condition_variable wake;
    bool finished = false;
    std::thread watchdog([&] {
        std::unique_lock lock(mutex);
        while (!finished) {
            const auto now = std::chrono::steady_clock::now();
            if (now >= deadline) {
                timed_out = true;
                client->stop();
                return;
            }
            if (!headers_done && tcp_bytes_received(socket_fd) > kMaxHeaderBytes) {
                headers_too_large = true;
                client->stop();
                return;
            }
            wake.wait_until(lock, std::min(deadline, now + std::chrono::milliseconds(50)));
        }
    });
    const bool ok = client->send(req, raw, failure);
    {
        std::lock_guard lock(mutex);
        finished = true;
    }
    wake.notify_one();
    watchdog.join();
    if (headers_too_large)
        throw error(request.what + ": the registry sent more than " + std::to_string(kMaxHeaderBytes) +
                    " bytes without finishing its response headers; refused");
    if (redirected) return response;
    if (too_large)
        throw error(request.what + ": the registry sent more than " + std::to_string(request.max_body) +
                    " bytes (the limit for it); refused");
    if (timed_out)
        throw error(request.what + ": no complete answer within " +
                    std::to_string(options_.request_timeout.count()) + " ms; gave up");
    if (!ok) throw error(request.what + ": " + transport_failure(failure, url, options_.ca_file.has_value()));
    response.status = raw.status;
    response.headers = raw.headers;
    return response;
}

}  // namespace ebpf::registry
