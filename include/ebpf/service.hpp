// The verification and signing service (`ebpf serve`): eBPF ELF objects in,
// verified and signed native modules out, over a small versioned HTTPS API
// (docs/service.md). Builds run in child processes (build_sandbox), callers
// are identified by hashed bearer tokens or TLS client certificates (access
// list) and every request is recorded in a hash-chained audit log.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ebpf/abi.hpp"
#include "ebpf/verifier.hpp"

namespace ebpf {

// --- JSON that no object-derived name can break ------------------------------

// `value` as JSON text; strings and keys that are not valid UTF-8 are escaped
// with printable() first, so names from an object never make dump() throw.
// indent < 0: one line.
std::string json_text(const nlohmann::json& value, int indent = -1);

// --- the verifier's report as JSON (`ebpf verify --json`, the service's 422) --

struct ProgramVerdict {
    std::string name;
    std::string section;
    std::string type;
    VerifyResult result;
};
// The array `ebpf verify --json` prints: one object per program with file,
// program, section, type, verified, stats, errors (and log when with_log).
nlohmann::json verification_json(const std::string& file, const std::vector<ProgramVerdict>& verdicts,
                                 bool with_log = false);
// The inverse, for clients that print a remote verdict as `ebpf verify` does.
// Throws ebpf::Error when `json` is not such an array.
std::vector<ProgramVerdict> verification_from_json(const nlohmann::json& json);

// Program type by its name ("xdp", "socket_filter", ...); nullopt if unknown.
std::optional<ProgramType> program_type_by_name(std::string_view name);

namespace service {

// --- who may submit ---------------------------------------------------------

struct Identity {
    std::string name;
    bool any_type = true;
    std::vector<ProgramType> allowed_types;  // when !any_type
    bool allows(ProgramType type) const;
};

// The access file, one identity per line ('#' starts a comment):
//   token sha256:<64 hex digits of SHA-256(token)> NAME TYPES
//   cert  COMMON-NAME                               NAME TYPES
// TYPES is '*' or a comma-separated list of program type names. Only hashes
// of tokens are stored; a presented token is hashed and compared with every
// entry in constant time.
class AccessList {
public:
    static AccessList from_file(const std::string& path);
    static AccessList from_text(std::string_view text, const std::string& description);
    std::optional<Identity> for_token(std::string_view token) const;
    std::optional<Identity> for_certificate(std::string_view common_name) const;
    size_t size() const { return tokens_.size() + certificates_.size(); }

private:
    struct TokenEntry {
        std::array<uint8_t, 32> hash;
        Identity identity;
    };
    std::vector<TokenEntry> tokens_;
    std::vector<std::pair<std::string, Identity>> certificates_;
};

// "sha256:<hex>" of a token, the form the access file stores.
std::string token_hash_line(std::string_view token);

// --- the audit log ----------------------------------------------------------

// Append-only JSON lines; each entry carries "prev": the SHA-256 (hex) of the
// previous line's bytes (64 zeros for the first), so removing, reordering or
// editing an entry breaks the chain at that point. Reopening continues the
// chain from the file's last line. Appends take an exclusive flock(), so
// several processes may share one file.
class AuditLog {
public:
    explicit AuditLog(const std::string& path);
    ~AuditLog();
    AuditLog(const AuditLog&) = delete;
    AuditLog& operator=(const AuditLog&) = delete;
    // Adds "prev" (and "seq") to `entry` and appends it as one line, synced.
    void append(nlohmann::json entry);
    const std::string& path() const { return path_; }

private:
    std::string path_;
    int fd_ = -1;
    std::mutex mutex_;
    std::string last_hash_;
    uint64_t last_seq_ = 0;
    uint64_t known_size_ = 0;
};

struct AuditCheck {
    bool ok = false;
    uint64_t entries = 0;
    std::string problem;  // "line N: why" when !ok
};
// Reads the whole log and checks every link of the chain.
AuditCheck check_audit_log(const std::string& path);

// --- one build, in a child process -------------------------------------------

struct SandboxLimits {
    uint64_t cpu_seconds = 60;                       // RLIMIT_CPU (0: none)
    uint64_t memory_bytes = uint64_t{2} << 30;       // RLIMIT_AS (0: none)
    uint64_t file_bytes = uint64_t{64} << 20;        // RLIMIT_FSIZE
    std::chrono::milliseconds wall_clock{120'000};   // then the process group is killed
};

// What the client asked for, besides the object.
struct BuildOptions {
    std::string name = "prog.o";  // the object's file name, for diagnostics
    std::string section;          // only this program (section or function name)
    std::string type;             // override every selected program's type
    VerifyOptions budget;         // the verifier's limits
};

struct BuiltProgram {
    std::string name;
    std::string section;
    std::string type;
    uint64_t instructions = 0;
    std::string bytecode_sha256;  // hex
};

struct BuildOutcome {
    enum class Status { built, rejected, invalid, failed } status = Status::failed;
    // invalid: the input is not a usable object or options (400);
    // rejected: the verifier said no (422, `verification` holds why);
    // failed: verified but bpf2c/cc or a sandbox limit stopped it (422).
    std::string error;
    nlohmann::json verification;          // `ebpf verify --json` array (built/rejected)
    std::vector<BuiltProgram> programs;   // after type overrides; also when rejected
    std::vector<uint8_t> module;          // the unsigned module (built)
    std::string compiler;                 // `cc --version`, first line (built)
};

// Where the worker is: an executable and the arguments before the build
// directory (e.g. {"/usr/bin/ebpf", "build-worker"}).
struct WorkerCommand {
    std::vector<std::string> argv;
};

// Runs one build in a child process: a private directory under `work_root`
// (0700, removed afterwards) holding the object and options; the child runs
// in its own process group with `limits` and a clean environment (PATH, CC,
// TMPDIR = that directory); whatever it does, the caller gets an outcome.
BuildOutcome run_sandboxed_build(const WorkerCommand& worker, const std::string& work_root,
                                 std::span<const uint8_t> object, const BuildOptions& options,
                                 const SandboxLimits& limits);

// The child's side, in `dir`: object.o + options.json → outcome.json
// (+ module.so): open → type overrides → verify every program → bpf2c → cc.
// Returns the process exit status (0 when outcome.json was written).
int run_build_worker(const std::string& dir);

// --- the service -------------------------------------------------------------

struct ServiceConfig {
    std::string listen_host = "127.0.0.1";
    int port = 8443;                  // 0: any free port (Service::port() says which)
    // TLS: server certificate chain and key (PEM). Empty = plain HTTP, only
    // when insecure_http is set (behind a TLS-terminating proxy, or tests).
    std::string tls_cert;
    std::string tls_key;
    bool insecure_http = false;
    std::string client_ca;            // CA file for client certificates (mTLS); optional
    std::string access_file;          // tokens and certificate identities
    bool allow_anonymous = false;     // no authentication at all (development)

    std::string signing_key;          // PEM file or pkcs11: URI (the key stays in its token)
    std::string signing_cert;         // PEM
    std::string store_dir;            // modules/, by digest
    std::string audit_log;            // JSON lines
    std::string work_dir;             // parent of build directories ("" = $TMPDIR or /tmp)
    WorkerCommand worker;

    uint64_t max_object_bytes = uint64_t{16} << 20;
    unsigned max_concurrent_builds = 2;
    unsigned max_queued_builds = 8;   // beyond running + queued: 429
    double builds_per_minute = 0;     // per identity; 0: unlimited
    unsigned burst = 10;              // per identity, with builds_per_minute
    std::chrono::seconds read_timeout{5};
    std::chrono::seconds write_timeout{10};
    unsigned http_threads = 0;        // 0: builds + queue + 4
    SandboxLimits limits;
    VerifyOptions budget;

    // Called once a module is signed, before it is stored and answered (e.g.
    // to push it and its report to a registry); returns where it went (a
    // pinned reference), which the report then names under "registry". An
    // exception fails the request with 502; it is audited, nothing stored.
    std::function<std::string(const std::string& digest, std::span<const uint8_t> signed_module,
                              const std::string& report, const std::vector<std::string>& program_names)>
        publish;
};

class Service {
public:
    // Reads the credentials, access list and store; throws ebpf::Error when
    // something is missing or unusable. Binds the port.
    explicit Service(ServiceConfig config);
    ~Service();
    Service(const Service&) = delete;
    Service& operator=(const Service&) = delete;

    int port() const;
    // Serves until stop(); returns after running builds have finished.
    void run();
    // Stops accepting connections; running and queued builds finish. Safe
    // from another thread (not from a signal handler).
    void stop();

    struct Impl;

private:
    std::unique_ptr<Impl> impl_;
};

// A digest as the API spells it: "sha256:" + 64 lower-case hex digits.
bool is_valid_digest(std::string_view digest);

}  // namespace service
}  // namespace ebpf
