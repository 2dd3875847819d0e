// The code-integrity policy (include/ebpf/policy.hpp). The process-wide flag
// only ever goes from off to on, like the kernel's MDWE bit behind it.
#include "ebpf/policy.hpp"

#include <sys/prctl.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <mutex>

#include "ebpf/error.hpp"

namespace ebpf {
namespace {

const char* const kPolicy = "code-integrity policy: ";

// Why the mode, asked for by the environment, could not be set up; read only
// after the mode is on, written once before it is (under g_environment_once).
std::string g_setup_error;
std::once_flag g_environment_once;

CodeIntegrityStatus enable_mode(const CodeIntegrityOptions& options) {
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
    policy_detail::g_code_integrity_state.store(policy_detail::kStateOn, std::memory_order_release);
    return status;
}

// EBPF_CODE_INTEGRITY, once per process. Any value but "", "0", "1" and
// "allow-without-mdwe" turns the mode on in a state that refuses everything:
// a typo must not leave the process without the policy it asked for.
void read_environment() {
    const char* value = std::getenv(kCodeIntegrityEnvironment);
    if (value == nullptr || *value == '\0' || std::string_view(value) == "0") return;
    const std::string setting = std::string(kCodeIntegrityEnvironment) + "=" + value;
    if (std::string_view(value) == "1" || std::string_view(value) == "allow-without-mdwe") {
        try {
            enable_mode({.allow_without_mdwe = std::string_view(value) != "1"});
        } catch (const Error& e) {
            g_setup_error = setting + ": " + e.what() + " (set " + kCodeIntegrityEnvironment +
                            "=allow-without-mdwe to accept a policy the kernel does not back)";
        }
    } else {
        g_setup_error = setting + ": unknown value (expected 1 or allow-without-mdwe; 0 or unset for off)";
    }
    policy_detail::g_code_integrity_state.store(policy_detail::kStateOn, std::memory_order_release);
}

void read_environment_once() {
    // Every program run asks (code_integrity_enabled): after the first time,
    // one acquire load instead of pthread_once.
    static std::atomic<bool> done{false};
    if (done.load(std::memory_order_acquire)) return;
    std::call_once(g_environment_once, read_environment);
    done.store(true, std::memory_order_release);
}

struct ProcessTrust {
    std::mutex mutex;
    std::shared_ptr<const TrustStore> store;
};
ProcessTrust& process_trust() {
    static ProcessTrust instance;
    return instance;
}

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
    read_environment_once();
    return enable_mode(options);
}

namespace policy_detail {

std::atomic<uint8_t> g_code_integrity_state{kStateUnknown};

bool code_integrity_enabled_slow() {
    read_environment_once();  // may set kStateOn
    // Only ever from off to on: "off" replaces only "unknown", never an "on".
    uint8_t expected = kStateUnknown;
    g_code_integrity_state.compare_exchange_strong(expected, kStateOff, std::memory_order_acq_rel);
    return g_code_integrity_state.load(std::memory_order_acquire) == kStateOn;
}

}  // namespace policy_detail

void check_code_integrity_setup() {
    if (!code_integrity_enabled() || g_setup_error.empty()) return;
    throw Error(std::string(kPolicy) + "the mode was asked for but is not set up, so nothing may load: " +
                g_setup_error);
}

void check_host_compilation_policy(std::string_view what) {
    if (!code_integrity_enabled()) return;
    check_code_integrity_setup();
    throw Error(std::string(kPolicy) + std::string(what) +
                " is disabled: no machine code may be produced in this process; only signed native modules "
                "built elsewhere (ebpf build --sign) may run");
}

void set_process_trust_store(std::shared_ptr<const TrustStore> trust) {
    if (!trust) throw Error("trust store: none given");
    ProcessTrust& process = process_trust();
    std::lock_guard lock(process.mutex);
    if (process.store)
        throw Error("trust store: the process already has one (" + process.store->description() +
                    "); it is set once and never replaced");
    process.store = std::move(trust);
}

void set_process_trust_store(const std::filesystem::path& dir_or_file) {
    set_process_trust_store(std::make_shared<const TrustStore>(TrustStore::from_path(dir_or_file)));
}

std::shared_ptr<const TrustStore> process_trust_store() {
    ProcessTrust& process = process_trust();
    std::lock_guard lock(process.mutex);
    // Only a store that could be read is kept: a missing one may still be set.
    if (!process.store) process.store = std::make_shared<const TrustStore>(TrustStore::from_environment());
    return process.store;
}

void check_engine_policy(ExecMode mode) {
    if (!code_integrity_enabled()) return;
    check_code_integrity_setup();
    switch (mode) {
        case ExecMode::interpret:
            throw Error(std::string(kPolicy) + "the interpreter is disabled; only signed native modules may run");
        case ExecMode::jit:
            throw Error(std::string(kPolicy) + "the JIT is disabled; only signed native modules may run");
        case ExecMode::native:
            return;
    }
}

namespace {

// The roots a PolicyOptions names: its own, its path, else the process's.
std::shared_ptr<const TrustStore> trust_of(const PolicyOptions& options) {
    if (options.trust) return options.trust;
    if (options.trust_store && !options.trust_store->empty())
        return std::make_shared<const TrustStore>(TrustStore::from_path(*options.trust_store));
    return process_trust_store();
}

[[noreturn]] void refuse(const SignatureReport& report) {
    if (report.verdict == SignatureVerdict::unsigned_)
        throw Error(std::string(kPolicy) + "only signed native modules may run; " + report.reason);
    throw Error(std::string(kPolicy) + "module rejected: " + report.reason);
}

}  // namespace

void check_module_under_mode(std::span<const uint8_t> bytes) {
    if (!code_integrity_enabled()) return;
    check_code_integrity_setup();
    std::shared_ptr<const TrustStore> trust;
    try {
        trust = process_trust_store();
    } catch (const Error& e) {
        throw Error(std::string(kPolicy) + e.what());
    }
    SignatureReport report = verify_module_signature(bytes, *trust);
    if (!report.ok()) refuse(report);
}

CheckedModule check_module_policy(std::span<const uint8_t> bytes, const PolicyOptions& options) {
    const bool enforce = options.code_integrity || code_integrity_enabled();
    if (enforce) check_code_integrity_setup();
    CheckedModule checked;

    std::shared_ptr<const TrustStore> trust;
    {
        try {
            trust = trust_of(options);
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
    if (enforce) refuse(report);
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
            options.trust = trust_of(options);
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
