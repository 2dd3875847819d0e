// The code-integrity policy: where run-time code generation is forbidden,
// only signed native modules run (the Linux counterpart of eBPF for Windows
// under HVCI).
//
// In code-integrity mode (enable_code_integrity(), or EBPF_CODE_INTEGRITY=1)
//   - the process has prctl(PR_SET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN): no memory
//     that was writable can become executable (so no JIT can work, for
//     anyone in the process, for good: the kernel never clears it);
//   - the interpreter and the JIT are refused (check_engine_policy), and
//     nothing is compiled on the host (check_host_compilation_policy);
//   - the module loader itself checks every module's signature against the
//     process trust store (check_module_under_mode) on the sealed memfd it
//     then maps; a caller's hook may only add checks;
//   - the runtime runs only programs loaded that way in the mode;
//   - a program's SHA-256 recorded in the module must match the bytecode it
//     was built from, wherever that bytecode is at hand (check_bytecode_hash).
// docs/signing.md has the threat model and the routes.
// Outside the mode, an unsigned (or not trusted) module loads with a warning
// that the library returns to the caller; the library never prints.
#pragma once

#include <atomic>
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
// True once the mode is on in this process: enable_code_integrity()
// succeeded, or the environment switch asked for it. The switch,
// EBPF_CODE_INTEGRITY (kCodeIntegrityEnvironment), is read once, at the first
// call of this function (every route that loads or builds code calls it):
//   unset, "" or "0"       off (enable_code_integrity() may still turn it on);
//   "1"                    on, with MDWE; when the kernel refuses MDWE the
//                          mode is on and fails closed: every load and every
//                          engine is refused with the reason;
//   "allow-without-mdwe"   on, without kernel enforcement if the kernel lacks MDWE;
//   anything else          on and failing closed, naming the bad value.
namespace policy_detail {
// The answer of code_integrity_enabled() once known, for its inline fast path
// (every program run asks): unknown until the environment switch was read.
inline constexpr uint8_t kStateUnknown = 0, kStateOff = 1, kStateOn = 2;
extern std::atomic<uint8_t> g_code_integrity_state;
bool code_integrity_enabled_slow();
}  // namespace policy_detail
inline bool code_integrity_enabled() {
    const uint8_t state = policy_detail::g_code_integrity_state.load(std::memory_order_acquire);
    return state == policy_detail::kStateUnknown ? policy_detail::code_integrity_enabled_slow()
                                                 : state == policy_detail::kStateOn;
}
inline constexpr const char* kCodeIntegrityEnvironment = "EBPF_CODE_INTEGRITY";
// Throws ebpf::Error "code-integrity policy: ..." when the mode was asked
// for but could not be set up (the switch's value, MDWE refused); the
// policy's checks call it, so nothing loads in that state.
void check_code_integrity_setup();
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

// Code-integrity mode forbids producing machine code in the process: bpf2c
// output is not compiled (compile_c_to_module, compile_native_engine) and an
// eBPF object never becomes an engine; only signed modules built elsewhere
// load. Throws ebpf::Error "code-integrity policy: WHAT is disabled; ..."
// when the mode is on; `what` names the refused route.
void check_host_compilation_policy(std::string_view what);

// --- the process trust store ----------------------------------------------
//
// Under the mode, every module is checked against one trust store for the
// whole process, read once: the one given to set_process_trust_store(), else
// the one EBPF_TRUST_STORE names, read at first use. A check a caller adds
// (ModuleLoadOptions::check_signature, PolicyOptions::trust) comes on top of
// it, never instead of it.

// Reads the trust store now and makes it the process's. Throws ebpf::Error
// when it cannot be read, or when the process already has one (it is read
// once: a second store would make the first check meaningless).
void set_process_trust_store(const std::filesystem::path& dir_or_file);
void set_process_trust_store(std::shared_ptr<const TrustStore> trust);
// The process trust store (reading EBPF_TRUST_STORE the first time it is
// needed, when none was set). Throws ebpf::Error naming how to give one.
std::shared_ptr<const TrustStore> process_trust_store();

// The check the module loader itself runs on every module while the mode is
// on, whatever its caller asks: the signature over `bytes` must chain to the
// process trust store. Throws ebpf::Error "code-integrity policy: ..."; does
// nothing outside the mode.
void check_module_under_mode(std::span<const uint8_t> bytes);

// How modules are checked before they are loaded.
struct PolicyOptions {
    // Require a valid signature (also implied by code_integrity_enabled()).
    bool code_integrity = false;
    // Trusted roots: a directory or PEM file; unset = the process trust
    // store (set_process_trust_store, else EBPF_TRUST_STORE, read once).
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
