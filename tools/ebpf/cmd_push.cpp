// `ebpf push prog.so REGISTRY/REPO:TAG [--report report.json]`: stores a
// native module (and its build report) in an OCI registry and prints the
// reference pinned to the manifest's digest, which is what hosts pull.
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "command.hpp"
#include "ebpf/error.hpp"
#include "ebpf/printable.hpp"
#include "ebpf/registry.hpp"
#include "registry_options.hpp"

namespace ebpf::tools {
namespace {

struct PushArguments {
    std::string module;
    std::string reference;
    std::string report;
    std::string title;
    RegistryArguments registry;
};

// Program names for the manifest's annotation, from a build report that
// lists them ("programs": [{"name": ...}, ...]); none otherwise. The module
// itself is not loaded for this: pushing never runs any of its code.
std::vector<std::string> program_names_from_report(const std::string& report_json) {
    std::vector<std::string> names;
    const auto report = nlohmann::json::parse(report_json, nullptr, false);
    if (!report.is_object() || !report.contains("programs") || !report["programs"].is_array()) return names;
    for (const auto& program : report["programs"])
        if (program.is_object() && program.contains("name") && program["name"].is_string())
            names.push_back(program["name"].get<std::string>());
    return names;
}

int push_command(const PushArguments& args) {
    // A registry that closes the connection mid-upload must give an error, not kill us.
    std::signal(SIGPIPE, SIG_IGN);
    const registry::Reference reference = registry::Reference::parse(args.reference);
    const registry::ClientOptions options = registry_client_options(args.registry);
    const std::vector<uint8_t> module = read_file(args.module);
    if (module.size() < 4 || module[0] != 0x7f || module[1] != 'E' || module[2] != 'L' || module[3] != 'F')
        throw Error(args.module + ": not an ELF shared object; push the .so that `ebpf build` made");
    registry::PushRequest request;
    request.module = module;
    request.title = args.title.empty() ? std::filesystem::path(args.module).filename().string() : args.title;
    if (!args.report.empty()) {
        request.report_json = read_text_file(args.report);
        if (nlohmann::json::parse(*request.report_json, nullptr, false).is_discarded())
            throw Error(args.report + ": not valid JSON");
        request.program_names = program_names_from_report(*request.report_json);
    }
    const registry::PushResult result = registry::push(reference, request, options);
    std::fprintf(stderr, "Pushed %s (%zu bytes, module %s) to %s: %zu blob(s) uploaded, %zu already present\n",
                 printable(args.module).c_str(), module.size(), result.module_digest.c_str(),
                 reference.to_string().c_str(), result.blobs_uploaded, result.blobs_present);
    std::printf("%s\n", result.pinned.to_string().c_str());
    return 0;
}

const CommandRegistration registration{Command{
    "push",
    "Store a native module (and its build report) in an OCI registry; prints REGISTRY/REPO@sha256:...",
    [](CLI::App& app) -> std::function<int()> {
        auto args = std::make_shared<PushArguments>();
        app.add_option("module", args->module, "Native module (.so) to push")->required();
        app.add_option("reference", args->reference, "Where: REGISTRY/REPOSITORY:TAG")->required();
        app.add_option("--report", args->report, "A JSON build report to store with the module");
        app.add_option("--title", args->title, "The module's title annotation (default: its file name)");
        add_registry_options(app, args->registry);
        return [args] { return push_command(*args); };
    }}};

}  // namespace
}  // namespace ebpf::tools
