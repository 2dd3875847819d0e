#include "registry_options.hpp"

#include <chrono>

#include "ebpf/error.hpp"

namespace ebpf::tools {

void add_registry_options(CLI::App& app, RegistryArguments& args) {
    app.add_option("--token-file", args.token_file, "Send the bearer token in this file");
    app.add_option("--basic-auth-file", args.basic_auth_file, "Send basic credentials USER:PASSWORD read from this file");
    app.add_option("--ca-file", args.ca_file, "HTTPS: trust this PEM CA file instead of the system's CAs");
    app.add_option("--timeout", args.timeout_seconds, "Give up on a request after this many seconds")
        ->check(CLI::Range(1u, 3600u));
}

registry::ClientOptions registry_client_options(const RegistryArguments& args) {
    registry::ClientOptions options;
    if (!args.token_file.empty() && !args.basic_auth_file.empty())
        throw Error("give --token-file or --basic-auth-file, not both");
    if (!args.token_file.empty()) options.bearer_token = registry::read_secret_file(args.token_file);
    if (!args.basic_auth_file.empty())
        registry::set_basic_credentials(options, registry::read_secret_file(args.basic_auth_file));
    if (!args.ca_file.empty()) options.ca_file = args.ca_file;
    options.request_timeout = std::chrono::seconds(args.timeout_seconds);
    options.io_timeout = std::min(options.io_timeout, options.request_timeout);
    options.connect_timeout = std::min(options.connect_timeout, options.request_timeout);
    return options;
}

}  // namespace ebpf::tools
