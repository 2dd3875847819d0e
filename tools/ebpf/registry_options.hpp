// Options `ebpf push` and `ebpf pull` share: credentials from files, a CA
// file for a private registry, and the per-request timeout.
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <string>

#include "ebpf/registry.hpp"

namespace ebpf::tools {

struct RegistryArguments {
    std::string token_file;
    std::string basic_auth_file;
    std::string ca_file;
    unsigned timeout_seconds = 120;
};

void add_registry_options(CLI::App& app, RegistryArguments& args);
// The client options they describe (reads the credential files).
registry::ClientOptions registry_client_options(const RegistryArguments& args);

}  // namespace ebpf::tools
