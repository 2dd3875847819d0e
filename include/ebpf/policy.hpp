// The code-integrity policy: where run-time code generation is forbidden,
// only signed native modules run (the Linux counterpart of eBPF for Windows
// under HVCI).
//
// In code-integrity mode
//   - the process has prctl(PR_SET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN): no memory
//     that was writable can become executable (so no JIT can work, for
//     anyone in the process, for good: the kernel never clears it);
//   - the interpreter and the JIT are refused (check_engine_policy);
//   - a native module loads only when its signature chains to the trust
//     store (check_module_policy), and the loader maps exactly the checked
//     bytes from a sealed memfd;
//   - a program's SHA-256 recorded in the module must match the bytecode it
//     was built from, wherever that bytecode is at hand (check_bytecode_hash).
// Outside the mode, an unsigned (or not trusted) module loads with a warning
// that the library returns to the caller; the library never prints.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ebpf/exec.hpp"
#include "ebpf/signing.hpp"

namespace ebpf {

// prctl numbers (include/uapi/linux/prctl.h, Linux 6.3), defined here because
// older headers lack them.
inline constexpr int kPrSetMdwe = 65;
inline constexpr int kPrGetMdwe = 66;
inline constexpr unsigned long kPrMdweRefuseExecGain = 1;

struct CodeIntegrityOptions {
    // When the kernel lacks PR_SET_MDWE (before 6.3, or a seccomp filter
    // refuses it): false = enable_code_integrity() throws; true = the policy
    // is still enforced by the library (interpreter, JIT and unsigned modules
    // refused) and the result carries a warning that the kernel does not back it.
    bool allow_without_mdwe = false;
};

struct CodeIntegrityStatus {
    bool mdwe = false;          // the kernel refuses W→X for this process
    std::string warning;        // non-empty when running without MDWE
};

// Turns the mode on for the whole process, for good (MDWE cannot be undone).
// Throws ebpf::Error naming the reason when the kernel refuses and
// `allow_without_mdwe` is false. Calling it again is harmless.
CodeIntegrityStatus enable_code_integrity(const CodeIntegrityOptions& options = {});
// True once enable_code_integrity() succeeded in this process.
bool code_integrity_enabled();
// True when the kernel reports PR_MDWE_REFUSE_EXEC_GAIN for this process
// (set by us or inherited from a parent).
bool mdwe_active();
// True when this kernel knows PR_GET_MDWE (a cheap probe, changes nothing).
bool mdwe_supported();

// Throws ebpf::Error "code-integrity policy: the interpreter is disabled; only
// signed native modules may run" (or "... the JIT is disabled ...") when the
// mode is on and `mode` is not native. Engines' callers use it before
// building an engine, so the refusal names the policy rather than an mmap error.
void check_engine_policy(ExecMode mode);

// How modules are checked before they are loaded.
struct PolicyOptions {
    // Require a valid signature (also implied by code_integrity_enabled()).
    bool code_integrity = false;
    // Trusted roots: a directory or PEM file; unset = EBPF_TRUST_STORE.
    // Outside code-integrity mode, a missing trust store only adds a warning.
    std::optional<std::filesystem::path> trust_store;
    // Already loaded roots (take precedence over trust_store when set).
    std::shared_ptr<const TrustStore> trust;
};

// What the loader may map, once the policy is satisfied.
struct CheckedModule {
    std::vector<uint8_t> module;      // the module bytes, the signature cut off
    SignatureReport signature;        // the signature check, verdict and chain
    std::vector<std::string> warnings;
};

// The one check the module loader runs before dlopen, on the bytes it read
// once. Throws ebpf::Error "code-integrity policy: ..." naming the failed
// check when the module may not load; otherwise returns the bytes to load
// (the caller puts them in make_sealed_memfd) and any warnings.
CheckedModule check_module_policy(std::span<const uint8_t> bytes, const PolicyOptions& options);

// check_module_policy plus make_sealed_memfd: an fd whose "/proc/self/fd/N"
// path dlopen loads; the file the bytes came from is never opened again.
struct SealedModule {
    SealedMemfd memfd;
    SignatureReport signature;
    std::vector<std::string> warnings;
};
SealedModule seal_checked_module(std::span<const uint8_t> bytes, const PolicyOptions& options,
                                 const std::string& name = "ebpf-module");

// check_module_policy as the module loader's signature hook
// (ModuleLoadOptions::check_signature in native.hpp): throws to refuse the
// bytes; appends any warning to `*warnings` when given (it must outlive the
// hook). The trust store is read once, here, not at every load.
std::function<void(std::span<const uint8_t>)> module_policy_hook(PolicyOptions options,
                                                                 std::vector<std::string>* warnings = nullptr);

// Compares a program's SHA-256 recorded in the module
// (ebpf_native_program.bytecode_sha256) with the bytecode at hand (the
// instructions as the object had them, 8 bytes each). Throws ebpf::Error
// naming the program and both hashes when they differ.
void check_bytecode_hash(std::string_view program_name, const uint8_t (&recorded)[32],
                         std::span<const uint8_t> bytecode);
void check_bytecode_hash(std::string_view program_name, const uint8_t (&recorded)[32],
                         std::span<const Instruction> bytecode);

}  // namespace ebpf
