// The code-integrity policy (include/ebpf/policy.hpp). The process-wide flag
// only ever goes from off to on, like the kernel's MDWE bit behind it.
#include "ebpf/policy.hpp"

#include <sys/prctl.h>

#include <atomic>
#include <cerrno>
#include <cstring>

#include "ebpf/error.hpp"

namespace ebpf {
namespace {

std::atomic<bool> g_code_integrity{false};

const char* const kPolicy = "code-integrity policy: ";

}  // namespace

bool mdwe_supported() {
    errno = 0;
    return ::prctl(kPrGetMdwe, 0L, 0L, 0L, 0L) >= 0;
}

bool mdwe_active() {
    int flags = ::prctl(kPrGetMdwe, 0L, 0L, 0L, 0L);
    return flags >= 0 && (static_cast<unsigned long>(flags) & kPrMdweRefuseExecGain) != 0;
}

CodeIntegrityStatus enable_code_integrity(const CodeIntegrityOptions& options) {
    CodeIntegrityStatus status;
    if (::prctl(kPrSetMdwe, kPrMdweRefuseExecGain, 0L, 0L, 0L) == 0 || mdwe_active()) {
        status.mdwe = true;
    } else {
        const int saved = errno;
        std::string why = std::string("prctl(PR_SET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN) failed: ") +
                          std::strerror(saved) +
                          (saved == EINVAL ? " (the kernel predates Linux 6.3 or lacks MDWE)" : "");
        if (!options.allow_without_mdwe)
            throw Error(std::string(kPolicy) + why +
                        "; enable it without kernel enforcement only by allowing the fallback explicitly");
        status.warning = std::string(kPolicy) + why +
                         "; running without kernel enforcement: the library still refuses the interpreter, "
                         "the JIT and unsigned modules, but other code in the process can map W+X memory";
    }
    g_code_integrity.store(true);
    return status;
}

bool code_integrity_enabled() { return g_code_integrity.load(); }

void check_engine_policy(ExecMode mode) {
    if (!code_integrity_enabled()) return;
    switch (mode) {
        case ExecMode::interpret:
            throw Error(std::string(kPolicy) + "the interpreter is disabled; only signed native modules may run");
        case ExecMode::jit:
            throw Error(std::string(kPolicy) + "the JIT is disabled; only signed native modules may run");
        case ExecMode::native:
            return;
    }
}

CheckedModule check_module_policy(std::span<const uint8_t> bytes, const PolicyOptions& options) {
    const bool enforce = options.code_integrity || code_integrity_enabled();
    CheckedModule checked;

    std::shared_ptr<const TrustStore> trust = options.trust;
    if (!trust) {
        try {
            trust = std::make_shared<const TrustStore>(TrustStore::from_path_or_environment(options.trust_store));
        } catch (const Error& e) {
            if (enforce) throw Error(std::string(kPolicy) + e.what());
            if (has_module_signature(bytes))
                checked.warnings.push_back(std::string("module signature not checked: ") + e.what());
        }
    }

    if (trust) {
        checked.signature = verify_module_signature(bytes, *trust);
    } else {
        checked.signature.verdict = SignatureVerdict::unsigned_;
        checked.signature.reason = "no trust store to check the signature against";
    }

    const SignatureReport& report = checked.signature;
    if (report.ok()) {
        auto module = split_signed_module(bytes).module;
        checked.module.assign(module.begin(), module.end());
        return checked;
    }
    if (enforce) {
        if (report.verdict == SignatureVerdict::unsigned_)
            throw Error(std::string(kPolicy) + "only signed native modules may run; " + report.reason);
        throw Error(std::string(kPolicy) + "module rejected: " + report.reason);
    }
    // Outside the mode: load anyway, but say why it is not trusted. A signed
    // module whose signature is bad still loads its module part only.
    if (report.verdict == SignatureVerdict::unsigned_ && !has_module_signature(bytes))
        checked.warnings.push_back("loading an unsigned module (signatures are required only in code-integrity mode)");
    else if (trust)
        checked.warnings.push_back("loading a module whose signature is not valid: " + report.reason);
    std::span<const uint8_t> module = bytes;
    if (has_module_signature(bytes)) {
        try {
            module = split_signed_module(bytes).module;
        } catch (const Error&) {
            // A broken trailer: keep every byte; dlopen ignores what follows the ELF contents.
        }
    }
    checked.module.assign(module.begin(), module.end());
    return checked;
}

SealedModule seal_checked_module(std::span<const uint8_t> bytes, const PolicyOptions& options,
                                 const std::string& name) {
    CheckedModule checked = check_module_policy(bytes, options);
    return {make_sealed_memfd(checked.module, name), std::move(checked.signature), std::move(checked.warnings)};
}

std::function<void(std::span<const uint8_t>)> module_policy_hook(PolicyOptions options,
                                                                 std::vector<std::string>* warnings) {
    const bool enforce = options.code_integrity || code_integrity_enabled();
    if (!options.trust) {
        try {
            options.trust =
                std::make_shared<const TrustStore>(TrustStore::from_path_or_environment(options.trust_store));
        } catch (const Error& e) {
            if (enforce) throw Error(std::string(kPolicy) + e.what());
            // Outside the mode, check_module_policy reports the missing store as a warning.
        }
    }
    return [options = std::move(options), warnings](std::span<const uint8_t> bytes) {
        CheckedModule checked = check_module_policy(bytes, options);
        if (warnings != nullptr)
            warnings->insert(warnings->end(), checked.warnings.begin(), checked.warnings.end());
    };
}

void check_bytecode_hash(std::string_view program_name, const uint8_t (&recorded)[32],
                         std::span<const uint8_t> bytecode) {
    auto actual = sha256(bytecode);
    if (std::memcmp(actual.data(), recorded, actual.size()) != 0)
        throw Error(std::string(kPolicy) + "program '" + std::string(program_name) +
                    "': the module was built from different bytecode (SHA-256 recorded in the module " +
                    to_hex(recorded) + ", of the object's bytecode " + to_hex(actual) + ")");
}

void check_bytecode_hash(std::string_view program_name, const uint8_t (&recorded)[32],
                         std::span<const Instruction> bytecode) {
    // The encoding bpf2c hashes: 8 little-endian bytes per instruction.
    check_bytecode_hash(program_name, recorded, std::span<const uint8_t>(instructions_to_bytes(bytecode)));
}

}  // namespace ebpf
