// `ebpf serve`: the verification and signing service (docs/service.md), its
// build worker (`ebpf build-worker DIR`, started by the service for every
// build, never by hand) and `ebpf check-audit LOG`.
#include <pthread.h>
#include <signal.h>

#include <cstdio>
#include <thread>

#include "command.hpp"
#include "ebpf/error.hpp"
#include "ebpf/native.hpp"
#include "ebpf/registry.hpp"
#include "ebpf/service.hpp"
#include "registry_options.hpp"

namespace ebpf::tools {
namespace {

struct ServeArguments {
    std::string listen = "127.0.0.1:8443";
    std::string port_file;
    uint64_t build_timeout = 120;
    std::string push;  // REGISTRY/REPO: every signed module goes there
    RegistryArguments registry;
    service::ServiceConfig config;
};

// --push REGISTRY/REPO: each signed module, with its report, is pushed as
// REGISTRY/REPO:sha256-<module digest hex>; the report names the pinned
// reference REGISTRY/REPO@<manifest digest> that hosts pull.
void configure_push(ServeArguments& args) {
    if (args.push.empty()) return;
    const auto colon = args.push.rfind(':');
    if (args.push.find('@') != std::string::npos || (colon != std::string::npos && colon > args.push.rfind('/')))
        throw Error("--push: REGISTRY/REPO without a tag or digest (each module is tagged with its digest)");
    // Parsed with a placeholder tag: a reference needs one.
    registry::Reference repository = registry::Reference::parse(args.push + ":tag");
    repository.tag.clear();
    const registry::ClientOptions options = registry_client_options(args.registry);
    args.config.publish = [repository, options](const std::string& digest, std::span<const uint8_t> module,
                                                const std::string& report, const std::vector<std::string>& programs) {
        registry::Reference reference = repository;
        reference.tag = "sha256-" + digest.substr(std::string_view("sha256:").size());
        registry::PushRequest request;
        request.module = module;
        request.report_json = report;
        request.title = reference.tag + ".so";
        request.program_names = programs;
        return registry::push(reference, request, options).pinned.to_string();
    };
}

void parse_listen(const std::string& listen, service::ServiceConfig& config) {
    const auto colon = listen.rfind(':');
    if (colon == std::string::npos) throw Error("--listen: HOST:PORT (port 0: any free port)");
    config.listen_host = listen.substr(0, colon);
    try {
        size_t used = 0;
        const int port = std::stoi(listen.substr(colon + 1), &used);
        if (used != listen.size() - colon - 1 || port < 0 || port > 65535) throw Error("");
        config.port = port;
    } catch (const std::exception&) {
        throw Error("--listen: '" + listen + "' has no valid port");
    }
}

int run_serve(ServeArguments& args) {
    parse_listen(args.listen, args.config);
    configure_push(args);
    args.config.limits.wall_clock = std::chrono::seconds(args.build_timeout);
    // Builds run this same executable as their worker.
    args.config.worker.argv = {"/proc/self/exe", "build-worker"};

    // SIGTERM/SIGINT are taken by one thread (sigwait) that stops the
    // service: blocked here, before any thread exists, so every thread
    // inherits the mask. SIGPIPE: a client that hangs up is not fatal.
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGTERM);
    sigaddset(&stop_signals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
    signal(SIGPIPE, SIG_IGN);

    service::Service service(args.config);
    const bool tls = !args.config.tls_cert.empty();
    if (!args.port_file.empty()) write_file_atomically(args.port_file, std::to_string(service.port()) + "\n");
    std::fprintf(stderr, "ebpf serve: listening on %s://%s:%d (%u concurrent builds, queue %u)\n", tls ? "https" : "http",
                 args.config.listen_host.c_str(), service.port(), args.config.max_concurrent_builds,
                 args.config.max_queued_builds);

    std::thread waiter([&] {
        int signal_number = 0;
        sigwait(&stop_signals, &signal_number);
        std::fprintf(stderr, "ebpf serve: %s: finishing running builds\n", strsignal(signal_number));
        service.stop();
    });
    try {
        service.run();
    } catch (...) {
        pthread_kill(waiter.native_handle(), SIGTERM);
        waiter.join();
        throw;
    }
    waiter.join();
    std::fprintf(stderr, "ebpf serve: stopped\n");
    return 0;
}

const CommandRegistration serve{Command{
    "serve", "The verification and signing service: HTTPS API, ELF in, signed native module out (docs/service.md)",
    [](CLI::App& app) -> std::function<int()> {
        auto args = std::make_shared<ServeArguments>();
        auto& c = args->config;
        app.add_option("--listen", args->listen, "HOST:PORT to listen on (port 0: any free port)")->capture_default_str();
        app.add_option("--port-file", args->port_file, "write the port listened on to this file");
        app.add_option("--tls-cert", c.tls_cert, "server certificate chain, PEM");
        app.add_option("--tls-key", c.tls_key, "server private key, PEM");
        app.add_flag("--insecure-http", c.insecure_http, "plain HTTP (behind a TLS-terminating proxy, or tests)");
        app.add_option("--client-ca", c.client_ca, "CA certificates for TLS client certificates (mTLS)");
        app.add_option("--access", c.access_file, "who may submit: hashed tokens and certificate names (docs/service.md)");
        app.add_flag("--allow-anonymous", c.allow_anonymous, "no authentication (development only)");
        app.add_option("--key", c.signing_key, "signing key: PEM file (or pkcs11: URI)")->required();
        app.add_option("--cert", c.signing_cert, "signing certificate, PEM")->required();
        app.add_option("--store", c.store_dir, "directory of signed modules and reports, by digest")->required();
        app.add_option("--audit-log", c.audit_log, "append-only audit log (JSON lines, hash-chained)")->required();
        app.add_option("--work-dir", c.work_dir, "where build directories are made (default $TMPDIR)");
        app.add_option("--push", args->push, "push every signed module (and its report) to this REGISTRY/REPO");
        app.add_option("--registry-token-file", args->registry.token_file, "--push: bearer token for the registry");
        app.add_option("--registry-basic-auth-file", args->registry.basic_auth_file,
                       "--push: USER:PASSWORD for the registry");
        app.add_option("--registry-ca-file", args->registry.ca_file, "--push: CA file for the registry's TLS certificate");
        app.add_option("--max-object-bytes", c.max_object_bytes, "largest object accepted")->capture_default_str();
        app.add_option("--builds", c.max_concurrent_builds, "builds at once")->capture_default_str();
        app.add_option("--queue", c.max_queued_builds, "builds waiting for a slot; more get 429")->capture_default_str();
        app.add_option("--rate", c.builds_per_minute, "builds per minute per identity (0: unlimited)")->capture_default_str();
        app.add_option("--burst", c.burst, "builds at once per identity under --rate")->capture_default_str();
        app.add_option("--build-timeout", args->build_timeout, "wall-clock seconds per build")->capture_default_str();
        app.add_option("--build-cpu", c.limits.cpu_seconds, "CPU seconds per build (RLIMIT_CPU)")->capture_default_str();
        app.add_option("--build-memory", c.limits.memory_bytes, "address space per build (RLIMIT_AS; 0: none)")
            ->capture_default_str();
        app.add_option("--build-file-size", c.limits.file_bytes, "largest file a build may write (RLIMIT_FSIZE)")
            ->capture_default_str();
        app.add_option("--max-insns", c.budget.complexity_limit, "verifier budget: instructions processed")
            ->capture_default_str();
        app.add_option("--max-states", c.budget.max_states, "verifier budget: states stored")->capture_default_str();
        app.add_option("--max-seconds", c.budget.max_seconds, "verifier budget: wall time (0: none)")->capture_default_str();
        app.footer("API: POST /v1/builds (body: the ELF object; query: name, section, type) -> 201 report | 422 diagnostics;\n"
                   "GET /v1/modules/sha256:HEX[/report], /healthz, /metrics. SIGTERM finishes running builds.");
        return [args] { return run_serve(*args); };
    }}};

const CommandRegistration worker{Command{
    "build-worker", "",  // internal: one build of `ebpf serve`, in its sandbox
    [](CLI::App& app) -> std::function<int()> {
        auto dir = std::make_shared<std::string>();
        app.add_option("dir", *dir)->required();
        app.group("");  // hidden from --help
        return [dir] { return service::run_build_worker(*dir); };
    }}};

const CommandRegistration check_audit{Command{
    "check-audit", "Check the hash chain of an `ebpf serve` audit log",
    [](CLI::App& app) -> std::function<int()> {
        auto path = std::make_shared<std::string>();
        app.add_option("log", *path, "audit log (JSON lines)")->required();
        return [path] {
            const auto check = service::check_audit_log(*path);
            if (!check.ok) throw Error(check.problem);
            std::printf("%s: %llu %s, chain intact\n", path->c_str(), static_cast<unsigned long long>(check.entries),
                        check.entries == 1 ? "entry" : "entries");
            return 0;
        };
    }}};

}  // namespace
}  // namespace ebpf::tools
