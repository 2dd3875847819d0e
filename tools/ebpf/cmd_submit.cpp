// `ebpf submit --server URL prog.o -o prog.so`: `ebpf build --sign` through
// an `ebpf serve` service. A rejected program prints exactly what `ebpf
// verify` prints (the service returns the verifier's JSON) and exits 1.
#include <httplib.h>

#include <csignal>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "command.hpp"
#include "ebpf/error.hpp"
#include "ebpf/native.hpp"
#include "ebpf/printable.hpp"
#include "ebpf/service.hpp"
#include "ebpf/signing.hpp"

namespace ebpf::tools {
namespace {

struct SubmitArguments {
    std::string server;
    std::string token_file;
    std::string cacert;
    std::string client_cert;
    std::string client_key;
    std::string input;
    std::string output;
    std::string report;
    std::string section;
    std::string type;
    int timeout = 600;
};

std::string trimmed(std::string text) {
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.pop_back();
    size_t start = 0;
    while (start < text.size() && std::isspace(static_cast<unsigned char>(text[start]))) ++start;
    return text.substr(start);
}

// The object's base name as the service accepts it (diagnostics only).
std::string plain_name(const std::string& path) {
    std::string name = path.substr(path.find_last_of('/') == std::string::npos ? 0 : path.find_last_of('/') + 1);
    for (char& c : name)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-')) c = '_';
    if (name.empty() || name == "." || name == "..") name = "prog.o";
    return name.substr(0, 128);
}

std::string server_message(const httplib::Result& res) {
    auto body = nlohmann::json::parse(res->body, nullptr, false);
    if (body.is_object() && body.contains("error") && body["error"].is_string())
        return printable(body["error"].get<std::string>());
    return printable(res->body.substr(0, 512));
}

int run_submit(const SubmitArguments& args) {
    signal(SIGPIPE, SIG_IGN);  // a server that hangs up is an error message, not a dead process
    const std::vector<uint8_t> object = read_file(args.input);
    std::unique_ptr<httplib::Client> client;
    if (!args.client_cert.empty() || !args.client_key.empty()) {
        if (args.client_cert.empty() || args.client_key.empty())
            throw Error("ebpf submit: --client-cert and --client-key go together");
        client = std::make_unique<httplib::Client>(args.server, args.client_cert, args.client_key);
    } else {
        client = std::make_unique<httplib::Client>(args.server);
    }
    if (!client->is_valid()) throw Error("ebpf submit: --server: '" + args.server + "' is not http(s)://HOST[:PORT]");
    if (!args.cacert.empty()) client->set_ca_cert_path(args.cacert.c_str());
    client->enable_server_certificate_verification(true);
    client->set_connection_timeout(std::chrono::seconds(10));
    client->set_read_timeout(std::chrono::seconds(args.timeout));
    client->set_write_timeout(std::chrono::seconds(60));
    if (!args.token_file.empty()) client->set_bearer_token_auth(trimmed(read_text_file(args.token_file)));

    httplib::Params params{{"name", plain_name(args.input)}};
    if (!args.section.empty()) params.emplace("section", args.section);
    if (!args.type.empty()) params.emplace("type", args.type);
    const std::string path = httplib::append_query_params("/v1/builds", params);
    auto res = client->Post(path, reinterpret_cast<const char*>(object.data()), object.size(), "application/octet-stream");
    if (!res) throw Error("ebpf submit: " + args.server + ": " + httplib::to_string(res.error()));

    if (res->status == 422) {
        auto body = nlohmann::json::parse(res->body, nullptr, false);
        if (body.is_array()) {
            for (const auto& verdict : verification_from_json(body)) print_verdict_text(args.input, verdict, 0);
            return 1;
        }
    }
    if (res->status != 201) throw Error("ebpf submit: " + args.input + ": the service answered " +
                                        std::to_string(res->status) + ": " + server_message(res));

    const auto report = nlohmann::json::parse(res->body, nullptr, false);
    if (!report.is_object() || !report.contains("module")) throw Error("ebpf submit: the service's report is not JSON");
    const std::string url = report["module"].value("url", "");
    const std::string digest = report["module"].value("digest", "");
    const std::string signed_digest = report["module"].value("signed_digest", "");
    if (!service::is_valid_digest(digest) || url != "/v1/modules/" + digest)
        throw Error("ebpf submit: the service's report names no module digest");
    auto module = client->Get(url);
    if (!module) throw Error("ebpf submit: " + args.server + url + ": " + httplib::to_string(module.error()));
    if (module->status != 200)
        throw Error("ebpf submit: " + url + ": the service answered " + std::to_string(module->status) + ": " +
                    server_message(module));
    // Both digests are checked: the file is what was signed, and what was
    // signed is the module the report describes.
    const std::span<const uint8_t> bytes(reinterpret_cast<const uint8_t*>(module->body.data()), module->body.size());
    if ("sha256:" + to_hex(sha256(bytes)) != signed_digest)
        throw Error("ebpf submit: the module downloaded from " + url + " does not match the report's signed digest");
    if ("sha256:" + to_hex(sha256(split_signed_module(bytes).module)) != digest)
        throw Error("ebpf submit: the module downloaded from " + url + " does not match the report's module digest");
    write_file_atomically(args.output, module->body);
    if (!args.report.empty()) write_file_atomically(args.report, res->body);
    std::fprintf(stderr, "ebpf submit: %s -> %s (%s, signed by %s)\n", args.input.c_str(), args.output.c_str(),
                 digest.c_str(), printable(report["signer"].value("subject", "?")).c_str());
    return 0;
}

const CommandRegistration registration{Command{
    "submit", "Build and sign a native module through an `ebpf serve` service (verify -> bpf2c -> cc -> sign)",
    [](CLI::App& app) -> std::function<int()> {
        auto args = std::make_shared<SubmitArguments>();
        app.add_option("object", args->input, "eBPF ELF object (clang -target bpf -O2 -g)")->required();
        app.add_option("-o,--output", args->output, "signed module to write")->required();
        app.add_option("--server", args->server, "the service, https://HOST:PORT")->required()->envname("EBPF_BUILD_SERVER");
        app.add_option("--token-file", args->token_file, "file holding the bearer token");
        app.add_option("--cacert", args->cacert, "CA certificates to check the server's certificate with");
        app.add_option("--client-cert", args->client_cert, "TLS client certificate (mTLS), PEM");
        app.add_option("--client-key", args->client_key, "TLS client key, PEM");
        app.add_option("--report", args->report, "write the service's build report (JSON) here");
        app.add_option("--section", args->section, "only the program with this section or function name");
        app.add_option("--type", args->type, "program type for every selected program (e.g. xdp)");
        app.add_option("--timeout", args->timeout, "seconds to wait for the build")->capture_default_str();
        return [args] { return run_submit(*args); };
    }}};

}  // namespace
}  // namespace ebpf::tools
