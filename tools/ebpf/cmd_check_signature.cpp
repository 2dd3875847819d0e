// `ebpf check-signature prog.so [--trust DIR] [--json]`: prints the signer
// chain and the verdict; exits 1 unless the signature is valid.
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "command.hpp"
#include "ebpf/signing.hpp"

namespace ebpf::tools {
namespace {

struct CheckArguments {
    std::string module;
    std::string trust;
    bool json = false;
};

int check_command(const CheckArguments& args) {
    const std::vector<uint8_t> bytes = read_file(args.module);
    const TrustStore trust = TrustStore::from_path_or_environment(
        args.trust.empty() ? std::nullopt : std::optional<std::filesystem::path>(args.trust));
    const SignatureReport report = verify_module_signature(bytes, trust);
    if (args.json) {
        nlohmann::json out = {{"module", args.module},
                              {"verdict", signature_verdict_name(report.verdict)},
                              {"valid", report.ok()},
                              {"chain", report.chain},
                              {"trust_store", trust.description()}};
        if (!report.reason.empty()) out["reason"] = report.reason;
        if (!report.signer_not_after.empty()) {
            out["signer_not_before"] = report.signer_not_before;
            out["signer_not_after"] = report.signer_not_after;
        }
        std::printf("%s\n", out.dump(2).c_str());
    } else {
        std::printf("Module: %s\n", args.module.c_str());
        if (!report.chain.empty()) {
            std::printf("Signer chain:\n");
            for (size_t i = 0; i < report.chain.size(); ++i)
                std::printf("  %zu: %s\n", i, report.chain[i].c_str());
            std::printf("Signer valid: %s to %s\n", report.signer_not_before.c_str(),
                        report.signer_not_after.c_str());
        }
        std::printf("Trust store: %s\n", trust.description().c_str());
        std::printf("Verdict: %s%s%s\n", signature_verdict_name(report.verdict), report.ok() ? "" : ": ",
                    report.reason.c_str());
    }
    return report.ok() ? 0 : 1;
}

const CommandRegistration registration{Command{
    "check-signature",
    "Check a native module's signature against a trust store; print the signer chain and verdict",
    [](CLI::App& app) -> std::function<int()> {
        auto args = std::make_shared<CheckArguments>();
        app.add_option("module", args->module, "Native module (.so)")->required();
        app.add_option("--trust", args->trust,
                       std::string("Trusted root certificates: a directory of PEM files or one PEM file "
                                   "(default: $") + kTrustStoreEnvironment + ")");
        app.add_flag("--json", args->json, "Print the report as JSON");
        return [args] { return check_command(*args); };
    }}};

}  // namespace
}  // namespace ebpf::tools
