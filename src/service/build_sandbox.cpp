// The service's side of a build: a private directory, a child process in its
// own process group with rlimits and a clean environment, a wall-clock
// deadline, and whatever the child leaves behind read back with bounds.
// Nothing the child does can take the service down: a crash, a hang or a
// limit fails this build only.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "ebpf/error.hpp"
#include "ebpf/input_file.hpp"
#include "ebpf/native.hpp"
#include "ebpf/service.hpp"

namespace ebpf::service {
namespace {

// mkdtemp under `root` (0700), removed with its contents at the end.
class BuildDirectory {
public:
    explicit BuildDirectory(const std::string& root) {
        std::string base = root;
        if (base.empty()) {
            std::error_code ec;
            base = std::filesystem::temp_directory_path(ec).string();
            if (ec) base = "/tmp";
        }
        std::string pattern = base + "/ebpf-serve-build-XXXXXX";
        if (::mkdtemp(pattern.data()) == nullptr)
            throw Error("cannot create a build directory in " + base + ": " + std::strerror(errno));
        path_ = pattern;
    }
    ~BuildDirectory() {
        std::error_code ignored;
        std::filesystem::remove_all(path_, ignored);
    }
    BuildDirectory(const BuildDirectory&) = delete;
    BuildDirectory& operator=(const BuildDirectory&) = delete;
    const std::string& path() const { return path_; }

private:
    std::string path_;
};

// Everything execve() needs, built before fork(): the child of a threaded
// process may only make async-signal-safe calls.
struct ExecPlan {
    std::vector<std::string> strings;
    std::vector<char*> argv;
    std::vector<std::string> env_strings;
    std::vector<char*> envp;
};

ExecPlan make_plan(const WorkerCommand& worker, const std::string& dir) {
    ExecPlan plan;
    plan.strings = worker.argv;
    plan.strings.push_back(dir);
    for (auto& s : plan.strings) plan.argv.push_back(s.data());
    plan.argv.push_back(nullptr);
    for (const char* name : {"PATH", "CC", "ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS"})
        if (const char* value = std::getenv(name)) plan.env_strings.push_back(std::string(name) + "=" + value);
    if (std::getenv("PATH") == nullptr) plan.env_strings.emplace_back("PATH=/usr/bin:/bin");
    plan.env_strings.push_back("TMPDIR=" + dir);
    plan.env_strings.emplace_back("LC_ALL=C");
    for (auto& s : plan.env_strings) plan.envp.push_back(s.data());
    plan.envp.push_back(nullptr);
    return plan;
}

[[noreturn]] void exec_child(const ExecPlan& plan, const std::string& dir, const std::string& log,
                             const SandboxLimits& limits) {
    // Async-signal-safe calls only from here on.
    setpgid(0, 0);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    struct sigaction dfl {};
    dfl.sa_handler = SIG_DFL;
    sigaction(SIGPIPE, &dfl, nullptr);
    if (chdir(dir.c_str()) != 0) _exit(126);
    int in = open("/dev/null", O_RDONLY);
    int out = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (in < 0 || out < 0 || dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(out, 2) < 0) _exit(126);
    // No socket, log or key of the service reaches the build.
    syscall(SYS_close_range, 3U, ~0U, 0U);
    auto limit = [](int resource, uint64_t value) {
        if (value == 0) return;
        struct rlimit r {static_cast<rlim_t>(value), static_cast<rlim_t>(value)};
        if (setrlimit(resource, &r) != 0) _exit(126);
    };
    limit(RLIMIT_CPU, limits.cpu_seconds);
#if !defined(__SANITIZE_ADDRESS__)
    limit(RLIMIT_AS, limits.memory_bytes);
#else
    // An ASan build of the worker reserves terabytes of address space for
    // its shadow memory: RLIMIT_AS would stop every build (tests only).
#endif
    limit(RLIMIT_FSIZE, limits.file_bytes);
    struct rlimit no_core {0, 0};
    setrlimit(RLIMIT_CORE, &no_core);
    execve(plan.argv[0], plan.argv.data(), plan.envp.data());
    _exit(127);
}

// Waits for `pid` until `deadline`; kills its whole process group (the
// compiler included) when time is up. Returns the wait status and whether
// the deadline hit.
std::pair<int, bool> wait_with_deadline(pid_t pid, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    int pidfd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
    bool timed_out = false;
    for (;;) {
        siginfo_t info{};
        // WNOWAIT: the child stays a zombie, so its pid (and process group
        // id) cannot be reused before the group is killed below.
        if (waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 && info.si_pid == pid) break;
        const auto now = std::chrono::steady_clock::now();
        if (now >= deadline) {
            timed_out = true;
            break;
        }
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now).count();
        if (pidfd >= 0) {
            struct pollfd p {pidfd, POLLIN, 0};
            poll(&p, 1, static_cast<int>(std::min<int64_t>(left, 1000)));
        } else {
            usleep(2000);
        }
    }
    kill(-pid, SIGKILL);  // the group: a compiler left behind dies with the worker
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (pidfd >= 0) close(pidfd);
    return {status, timed_out};
}

std::string describe_death(int status, const SandboxLimits& limits) {
    if (WIFSIGNALED(status)) {
        const int sig = WTERMSIG(status);
        if (sig == SIGXCPU || sig == SIGKILL)
            return "the build was stopped by its CPU time limit (" + std::to_string(limits.cpu_seconds) + " s) or killed";
        if (sig == SIGXFSZ) return "the build wrote more than its file size limit (" + std::to_string(limits.file_bytes) + " bytes)";
        return std::string("the build process died of signal ") + std::to_string(sig) + " (" + strsignal(sig) + ")";
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 127) return "the build worker could not be started";
    return "the build process exited with status " + std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}

BuildOutcome::Status status_named(const std::string& name) {
    if (name == "built") return BuildOutcome::Status::built;
    if (name == "rejected") return BuildOutcome::Status::rejected;
    if (name == "invalid") return BuildOutcome::Status::invalid;
    return BuildOutcome::Status::failed;
}

}  // namespace

BuildOutcome run_sandboxed_build(const WorkerCommand& worker, const std::string& work_root,
                                 std::span<const uint8_t> object, const BuildOptions& options,
                                 const SandboxLimits& limits) {
    if (worker.argv.empty()) throw Error("service: no build worker configured");
    BuildDirectory dir(work_root);
    write_file_atomically(dir.path() + "/object.o",
                          std::string_view(reinterpret_cast<const char*>(object.data()), object.size()));
    const nlohmann::json request = {{"name", options.name},
                                    {"section", options.section},
                                    {"type", options.type},
                                    {"max_insns", options.budget.complexity_limit},
                                    {"max_states", options.budget.max_states},
                                    {"max_memory", options.budget.max_memory_bytes},
                                    {"max_seconds", options.budget.max_seconds}};
    write_file_atomically(dir.path() + "/options.json", json_text(request));

    const ExecPlan plan = make_plan(worker, dir.path());
    const std::string log = dir.path() + "/worker.log";
    const pid_t pid = fork();
    if (pid < 0) throw Error(std::string("service: fork: ") + std::strerror(errno));
    if (pid == 0) exec_child(plan, dir.path(), log, limits);
    setpgid(pid, pid);  // also here: no window in which a kill of the group misses it
    const auto [status, timed_out] = wait_with_deadline(pid, limits.wall_clock);

    BuildOutcome outcome;
    if (timed_out) {
        outcome.error = "the build took longer than its wall-clock limit (" +
                        std::to_string(limits.wall_clock.count() / 1000.0).substr(0, 6) + " s)";
        return outcome;
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        outcome.error = describe_death(status, limits);
        return outcome;
    }
    nlohmann::json result;
    try {
        const auto bytes = read_input_file(dir.path() + "/outcome.json", 64 << 20);
        result = nlohmann::json::parse(bytes.begin(), bytes.end());
        outcome.status = status_named(result.at("status").get<std::string>());
        if (result.contains("error")) outcome.error = result["error"].get<std::string>();
        if (result.contains("verification")) outcome.verification = result["verification"];
        if (result.contains("programs")) {
            for (const auto& p : result["programs"])
                outcome.programs.push_back({p.at("name").get<std::string>(), p.at("section").get<std::string>(),
                                            p.at("type").get<std::string>(), p.at("instructions").get<uint64_t>(),
                                            p.at("bytecode_sha256").get<std::string>()});
        }
        if (outcome.status == BuildOutcome::Status::built)
            outcome.module = read_input_file(dir.path() + "/module.so", limits.file_bytes ? limits.file_bytes : 256 << 20);
    } catch (const std::exception& e) {
        outcome = BuildOutcome{};
        outcome.error = std::string("the build worker left no usable result: ") + e.what();
    }
    return outcome;
}

}  // namespace ebpf::service
