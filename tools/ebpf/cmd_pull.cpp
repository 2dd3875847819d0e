// `ebpf pull REGISTRY/REPO@sha256:... -o prog.so [--report-out F]`: fetches a
// native module from an OCI registry, verifying every digest on the way
// (the manifest against the reference, the module against the manifest).
// Outputs are written only after everything verified, each atomically, so a
// failed pull leaves -o as it was.
#include <csignal>
#include <cstdio>
#include <memory>
#include <string>

#include "command.hpp"
#include "ebpf/error.hpp"
#include "ebpf/native.hpp"
#include "ebpf/registry.hpp"
#include "registry_options.hpp"

namespace ebpf::tools {
namespace {

struct PullArguments {
    std::string reference;
    std::string output;
    std::string report_output;
    RegistryArguments registry;
};

int pull_command(const PullArguments& args) {
    // A registry that closes the connection early must give an error, not kill us.
    std::signal(SIGPIPE, SIG_IGN);
    const registry::Reference reference = registry::Reference::parse(args.reference);
    const registry::ClientOptions options = registry_client_options(args.registry);
    const registry::PullResult result = registry::pull(reference, options);
    if (!args.report_output.empty() && !result.report_json)
        throw Error(reference.to_string() + ": the artifact has no report (--report-out was given); nothing written");
    write_file_atomically(args.output,
                          std::string_view(reinterpret_cast<const char*>(result.module.data()), result.module.size()));
    if (!args.report_output.empty()) write_file_atomically(args.report_output, *result.report_json);
    std::fprintf(stderr, "Pulled %s: module %s (%zu bytes) verified, written to %s\n",
                 reference.pinned(result.manifest_digest).to_string().c_str(), result.module_digest.c_str(),
                 result.module.size(), args.output.c_str());
    return 0;
}

const CommandRegistration registration{Command{
    "pull",
    "Fetch a native module from an OCI registry, verifying its digests",
    [](CLI::App& app) -> std::function<int()> {
        auto args = std::make_shared<PullArguments>();
        app.add_option("reference", args->reference, "REGISTRY/REPOSITORY@sha256:DIGEST (or :TAG)")->required();
        app.add_option("-o,--output", args->output, "Write the module here")->required();
        app.add_option("--report-out", args->report_output, "Write the module's build report here");
        add_registry_options(app, args->registry);
        return [args] { return pull_command(*args); };
    }}};

}  // namespace
}  // namespace ebpf::tools
