// The bind/connect shim: an LD_PRELOAD library that puts cgroup/bind4,
// bind6, connect4 and connect6 programs in front of bind() and connect(),
// like a cgroup sock_addr attachment on Linux or the bind monitor of eBPF
// for Windows. A program returning 1 allows the call (with any rewrite of
// address and port it made); 0 fails it with EPERM.
//
// Configuration (environment, read once on the first bind/connect):
//   EBPF_BIND_PROGRAM   the object (.o) or signed native module (.so)
//   EBPF_BIND_SECTION   comma-separated program names or sections to load
//                       (default: every cgroup sock_addr program in it)
//   EBPF_MODE           interpret (default) | jit | native
//   EBPF_TRUST_STORE    trusted roots for a native module's signature
//   EBPF_CODE_INTEGRITY=1  code-integrity mode: only a signed native module
//                       loads (the runtime's loader checks it against
//                       EBPF_TRUST_STORE); anything else fails closed
//   EBPF_BIND_LOG=1     one line on stderr per decision
// Anything that keeps the programs from loading fails closed: the error is
// printed once and every IPv4/IPv6 bind() and connect() is denied, so a
// broken policy never silently allows. Other address families (AF_UNIX...)
// are never looked at.
//
// This is a tool, not the library: printing to stderr is its way to report.
#include <arpa/inet.h>
#include <dlfcn.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "ebpf/error.hpp"
#include "ebpf/hooks.hpp"
#include "ebpf/policy.hpp"
#include "ebpf/runtime.hpp"

namespace {

using BindFunction = int (*)(int, const sockaddr*, socklen_t);

// True while this thread is inside the shim: any bind/connect made while the
// runtime loads or runs goes straight to libc instead of recursing.
thread_local bool inside_shim = false;

struct ShimGuard {
    ShimGuard() { inside_shim = true; }
    ~ShimGuard() { inside_shim = false; }
};

BindFunction next_function(const char* name) {
    auto function = reinterpret_cast<BindFunction>(dlsym(RTLD_NEXT, name));
    if (function == nullptr) {
        std::fprintf(stderr, "ebpf bind shim: cannot find the next %s() (%s)\n", name, dlerror());
        std::abort();  // no real bind/connect to call: nothing sensible is left to do
    }
    return function;
}

BindFunction real_bind() {
    static const BindFunction function = next_function("bind");
    return function;
}

BindFunction real_connect() {
    static const BindFunction function = next_function("connect");
    return function;
}

std::string environment(const char* name) {
    const char* value = std::getenv(name);
    return value ? value : "";
}

std::vector<std::string> split_commas(const std::string& text) {
    std::vector<std::string> parts;
    size_t start = 0;
    while (start <= text.size()) {
        size_t end = text.find(',', start);
        if (end == std::string::npos) end = text.size();
        if (end > start) parts.push_back(text.substr(start, end - start));
        start = end + 1;
    }
    return parts;
}

ebpf::ExecMode mode_from_name(const std::string& name) {
    if (name.empty() || name == "interpret") return ebpf::ExecMode::interpret;
    if (name == "jit") return ebpf::ExecMode::jit;
    if (name == "native") return ebpf::ExecMode::native;
    throw ebpf::Error("EBPF_MODE=" + name + ": expected interpret, jit or native");
}

// The loaded policy, or why there is none.
struct Shim {
    std::unique_ptr<ebpf::LoadedObject> object;
    ebpf::SockAddrPolicy policy;
    std::string error;  // non-empty: fail closed
    bool log = false;
};

Shim* load_shim() {
    auto* shim = new Shim;
    shim->log = environment("EBPF_BIND_LOG") == "1";
    const std::string path = environment("EBPF_BIND_PROGRAM");
    try {
        if (path.empty()) throw ebpf::Error("EBPF_BIND_PROGRAM is not set: no program to run");
        ebpf::LoadOptions options;
        options.mode = mode_from_name(environment("EBPF_MODE"));
        options.programs = split_commas(environment("EBPF_BIND_SECTION"));
        std::vector<std::string> warnings;
        options.check_signature = ebpf::module_policy_hook(ebpf::PolicyOptions{}, &warnings);
        shim->object = ebpf::load_object(path, options);
        for (const auto& warning : warnings) std::fprintf(stderr, "ebpf bind shim: warning: %s: %s\n", path.c_str(), warning.c_str());
        if (shim->policy.add(*shim->object) == 0)
            throw ebpf::Error(path + ": no cgroup/bind4, bind6, connect4 or connect6 program to attach");
    } catch (const std::exception& e) {
        shim->error = e.what();
        std::fprintf(stderr, "ebpf bind shim: %s; denying every IPv4/IPv6 bind() and connect() (fail closed)\n",
                     shim->error.c_str());
    }
    return shim;
}

// Loaded on first use and never freed: threads may still call bind/connect
// while the process exits, after static destructors would have run.
Shim& shim() {
    static Shim* const instance = load_shim();
    return *instance;
}

std::string describe(const sockaddr* address) {
    char text[INET6_ADDRSTRLEN] = "?";
    if (address->sa_family == AF_INET) {
        const auto* in4 = reinterpret_cast<const sockaddr_in*>(address);
        inet_ntop(AF_INET, &in4->sin_addr, text, sizeof(text));
        return std::string(text) + ":" + std::to_string(ntohs(in4->sin_port));
    }
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(address);
    inet_ntop(AF_INET6, &in6->sin6_addr, text, sizeof(text));
    return "[" + std::string(text) + "]:" + std::to_string(ntohs(in6->sin6_port));
}

int deny() {
    errno = EPERM;
    return -1;
}

int intercept(bool is_bind, int fd, const sockaddr* address, socklen_t length, BindFunction next) {
    if (inside_shim || address == nullptr || length < static_cast<socklen_t>(sizeof(sa_family_t)))
        return next(fd, address, length);
    const int family = address->sa_family;
    // Too short an address: the kernel's EINVAL is the right answer.
    if ((family == AF_INET && length < static_cast<socklen_t>(sizeof(sockaddr_in))) ||
        (family == AF_INET6 && length < static_cast<socklen_t>(sizeof(sockaddr_in6))) ||
        (family != AF_INET && family != AF_INET6))
        return next(fd, address, length);

    const ebpf::SockAddrHook hook = family == AF_INET ? (is_bind ? ebpf::SockAddrHook::bind4 : ebpf::SockAddrHook::connect4)
                                                      : (is_bind ? ebpf::SockAddrHook::bind6 : ebpf::SockAddrHook::connect6);
    ebpf::SockAddrDecision decision;
    {
        ShimGuard guard;
        Shim& state = shim();
        if (!state.error.empty()) return deny();
        if (!state.policy.has(hook)) return next(fd, address, length);
        try {
            decision = state.policy.decide(hook, fd, address, length);
        } catch (const std::exception& e) {
            std::fprintf(stderr, "ebpf bind shim: %s; denied\n", e.what());
            return deny();
        }
        if (state.log) {
            const auto* used = reinterpret_cast<const sockaddr*>(&decision.address);
            std::fprintf(stderr, "ebpf bind shim: %s %s%s%s: %s\n", std::string(ebpf::sock_addr_hook_name(hook)).c_str(),
                         describe(address).c_str(), decision.rewritten ? " -> " : "",
                         decision.rewritten ? describe(used).c_str() : "", decision.allow ? "allowed" : "denied");
        }
    }
    if (!decision.allow) return deny();
    if (decision.rewritten)
        return next(fd, reinterpret_cast<const sockaddr*>(&decision.address), decision.address_length);
    return next(fd, address, length);
}

}  // namespace

extern "C" __attribute__((visibility("default"))) int bind(int fd, const sockaddr* address, socklen_t length) {
    return intercept(true, fd, address, length, real_bind());
}

extern "C" __attribute__((visibility("default"))) int connect(int fd, const sockaddr* address, socklen_t length) {
    return intercept(false, fd, address, length, real_connect());
}
