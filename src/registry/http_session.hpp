// One conversation with one registry: URLs, the plain-HTTP-for-loopback-only
// rule, credentials for the registry's own origin, bounded bodies, an overall
// deadline per request, and redirects (bounded, never HTTPS → HTTP). Every
// failure is an ebpf::Error that starts with the reference being pushed or
// pulled. Internal to src/registry/.
#pragma once

#include <httplib.h>

#include <chrono>
#include <string>
#include <string_view>

#include "ebpf/error.hpp"
#include "ebpf/registry.hpp"

namespace ebpf::registry {

struct Url {
    std::string scheme;  // "http" or "https"
    std::string host;    // "localhost", "registry.example.com", "[::1]"
    int port = 0;
    std::string target;  // path and query, starting with '/'

    std::string origin() const;     // scheme://host:port
    std::string authority() const;  // host:port, the Host header
    std::string to_string() const { return origin() + target; }
};

// An absolute http(s) URL. Throws ebpf::Error for anything else, for
// user-info, and for characters outside printable ASCII.
Url parse_url(std::string_view text);
// A Location header (absolute URL, "//host/path", "/path" or a relative
// path) resolved against the URL it came from.
Url resolve_location(const Url& base, std::string_view location);

struct HttpResponse {
    int status = 0;
    httplib::Headers headers;
    std::string body;  // at most the request's max_body bytes
    Url url;           // where the answer came from (after redirects)
    std::string header(const std::string& name) const;
};

struct HttpRequest {
    std::string method;  // GET, HEAD, POST, PUT
    Url url;
    httplib::Headers headers;
    std::string body;
    std::string content_type;  // with a body
    size_t max_body = 0;       // the most the answer's body may have
    std::string what;          // for messages: "manifest", "blob sha256:..."
    // When set, sent as the Authorization header to this request's own
    // origin only (the token service's credentials); else the session's
    // credentials go to the registry's origin.
    std::string authorization;
};

class HttpSession {
public:
    HttpSession(const Reference& reference, const ClientOptions& options);

    // https://REGISTRY/v2/<repository>/<suffix> (http:// for loopback).
    Url repository_url(std::string_view suffix) const;

    // Sends `request` (following redirects for GET and HEAD) and returns the
    // answer, whatever its status. Throws ebpf::Error when the registry
    // cannot be reached, TLS fails, the body is over max_body, the deadline
    // passes, or a redirect is refused or loops.
    HttpResponse send(HttpRequest request) const;

    // An error for an unexpected status: "REFERENCE: WHAT: the registry
    // answered 404 Not Found (MANIFEST_UNKNOWN: manifest unknown)".
    Error status_error(const HttpResponse& response, std::string_view what) const;
    // "REFERENCE: message".
    Error error(const std::string& message) const;

    const ClientOptions& options() const { return options_; }

private:
    HttpResponse send_following_redirects(HttpRequest request) const;
    HttpResponse send_once(const HttpRequest& request, std::chrono::steady_clock::time_point deadline,
                           bool& redirected) const;
    // The token flow of registries behind a token service: a 401 with
    // `WWW-Authenticate: Bearer realm=...,service=...,scope=...` sends us to
    // the realm (with the basic credentials, if any) for a token. True when
    // a new token was obtained, so the request is worth repeating.
    bool obtain_token(const HttpResponse& challenge_response) const;

    std::string where_;
    Url base_;
    ClientOptions options_;
    std::string authorization_;  // the header's value, or empty
    // A session serves one push or pull on one thread; tokens obtained on
    // the way are kept for its later requests.
    mutable std::string token_authorization_;  // "Bearer TOKEN" from the token service
    mutable std::string token_scope_;          // the scope it was obtained for
};

}  // namespace ebpf::registry
