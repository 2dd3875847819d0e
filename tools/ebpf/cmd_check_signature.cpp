// `ebpf check-signature prog.so [--trust DIR] [--json]`: prints the signer
// chain and the verdict, and for a valid module each program's bytecode
// SHA-256 (what `ebpf run --object` compares); exits 1 unless the signature
// is valid.
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "command.hpp"
#include "ebpf/error.hpp"
#include "ebpf/native.hpp"
#include "ebpf/policy.hpp"
#include "ebpf/runtime.hpp"
#include "ebpf/signing.hpp"

namespace ebpf::tools {
namespace {

struct CheckArguments {
    std::string module;
    std::string trust;
    bool json = false;
};

// The programs a valid module holds, read from its metadata in the file
// (read_module_metadata): nothing of the module is loaded or run.
std::vector<NativeProgramInfo> module_programs(const std::vector<uint8_t>& bytes, const std::string& name) {
    return read_module_metadata(bytes, helper_table(), name).programs;
}

int check_command(const CheckArguments& args) {
    const std::vector<uint8_t> bytes = read_file(args.module);
    // Also the process trust store: in code-integrity mode (EBPF_CODE_INTEGRITY=1)
    // the loader that reads the programs below checks against it.
    const auto trust_store = std::make_shared<const TrustStore>(TrustStore::from_path_or_environment(
        args.trust.empty() ? std::nullopt : std::optional<std::filesystem::path>(args.trust)));
    set_process_trust_store(trust_store);
    const TrustStore& trust = *trust_store;
    const SignatureReport report = verify_module_signature(bytes, trust);
    std::vector<NativeProgramInfo> programs;
    std::string programs_error;  // a validly signed file that is no loadable module (e.g. not from bpf2c)
    if (report.ok()) {
        try {
            programs = module_programs(bytes, args.module);
        } catch (const Error& e) {
            programs_error = e.what();
        }
    }
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
        if (!programs_error.empty()) out["programs_error"] = programs_error;
        if (report.ok()) {
            out["programs"] = nlohmann::json::array();
            for (const auto& program : programs)
                out["programs"].push_back({{"name", program.name},
                                           {"section", program.section},
                                           {"bytecode_sha256", to_hex(program.bytecode_sha256)}});
        }
        std::printf("%s\n", json_text(out, 2).c_str());
    } else {
        std::printf("Module: %s\n", args.module.c_str());
        if (!report.chain.empty()) {
            std::printf("Signer chain:\n");
            for (size_t i = 0; i < report.chain.size(); ++i)
                std::printf("  %zu: %s\n", i, printable(report.chain[i]).c_str());
            std::printf("Signer valid: %s to %s\n", report.signer_not_before.c_str(),
                        report.signer_not_after.c_str());
        }
        std::printf("Trust store: %s\n", trust.description().c_str());
        std::printf("Verdict: %s%s%s\n", signature_verdict_name(report.verdict), report.ok() ? "" : ": ",
                    printable(report.reason).c_str());
        if (!programs_error.empty()) std::printf("Programs: not readable: %s\n", printable(programs_error).c_str());
        if (!programs.empty()) {
            std::printf("Programs (bytecode SHA-256):\n");
            for (const auto& program : programs)
                std::printf("  %s (%s): %s\n", printable(program.name).c_str(), printable(program.section).c_str(),
                            to_hex(program.bytecode_sha256).c_str());
        }
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
