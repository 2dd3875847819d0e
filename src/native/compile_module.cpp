// Output files and `cc`: generated C → shared object, so that nobody else
// can change what is compiled, what is signed or what lands at the output.
//
//  * Intermediates live only in a private directory (mkdtemp: 0700, a fresh
//    random name), never under predictable names in shared places; the
//    compiler's own temporary files go there too ($TMPDIR of the child).
//  * The module's bytes are read back from that directory right after the
//    compiler exits, and those bytes are what the caller signs or loads.
//  * Output files are replaced atomically: a temporary file created next to
//    the output with O_CREAT|O_EXCL (a random name; never an existing file,
//    never through a symlink), then rename(), which replaces a planted
//    symlink itself instead of writing where it points.
#include <elf.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "ebpf/error.hpp"
#include "ebpf/input_file.hpp"
#include "ebpf/native.hpp"
#include "ebpf/policy.hpp"

extern char** environ;

namespace ebpf {

namespace {

std::string errno_text() { return std::strerror(errno); }

// The process's umask without changing it (umask() would race with other threads).
mode_t process_umask() {
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line)) {
        if (line.rfind("Umask:", 0) == 0) return static_cast<mode_t>(std::strtoul(line.c_str() + 6, nullptr, 8));
    }
    return 022;
}

void write_all(int fd, std::string_view contents, const std::string& path) {
    size_t done = 0;
    while (done < contents.size()) {
        ssize_t n = ::write(fd, contents.data() + done, contents.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) throw Error(path + ": cannot write: " + errno_text());
        done += static_cast<size_t>(n);
    }
}

// Reads a file of the private directory (O_NOFOLLOW: it must be the file the
// compiler wrote, not a link to anything).
std::vector<uint8_t> read_private_file(const std::string& path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) throw Error(path + ": cannot open: " + errno_text());
    struct stat st {};
    std::vector<uint8_t> bytes;
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        ::close(fd);
        throw Error(path + ": not a regular file");
    }
    uint8_t buffer[65536];
    for (;;) {
        ssize_t n = ::read(fd, buffer, sizeof buffer);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            std::string why = errno_text();
            ::close(fd);
            throw Error(path + ": cannot read: " + why);
        }
        if (n == 0) break;
        bytes.insert(bytes.end(), buffer, buffer + n);
    }
    ::close(fd);
    return bytes;
}

// The targets a module can be built for: the machines the module loader
// and reader know (module_image.cpp). The module ABI is the same on both
// (LP64, little-endian); only the machine code differs.
struct ModuleTarget {
    std::string_view triplet;
    uint16_t machine;
    std::string_view name;
};
constexpr ModuleTarget kTargets[] = {{"x86_64-linux-gnu", EM_X86_64, "x86-64"},
                                     {"aarch64-linux-gnu", EM_AARCH64, "AArch64"}};

const ModuleTarget& module_target(const std::string& triplet) {
    for (const ModuleTarget& target : kTargets)
        if (target.triplet == triplet) return target;
    throw Error("unknown module target '" + triplet + "' (known: x86_64-linux-gnu, aarch64-linux-gnu)");
}

std::string compiler_name(const CompileOptions& options) {
    if (!options.compiler.empty()) return options.compiler;
    if (!options.target.empty()) return std::string(module_target(options.target).triplet) + "-gcc";
    const char* env = std::getenv("CC");
    return env != nullptr && *env != '\0' ? env : "cc";
}

bool builds_for_aarch64(const CompileOptions& options) {
    if (!options.target.empty()) return module_target(options.target).machine == EM_AARCH64;
#if defined(__aarch64__)
    return true;
#else
    return false;
#endif
}

// A module built for a target must be that target's: a compiler that built
// for another machine (a wrong --target compiler, a misconfigured $CC) fails
// here rather than at load time on the other machine.
void check_target_machine(const std::vector<uint8_t>& bytes, const CompileOptions& options) {
    if (options.target.empty()) return;
    const ModuleTarget& target = module_target(options.target);
    Elf64_Ehdr header;
    if (bytes.size() < sizeof header) throw Error("module.so: not an ELF file");
    std::memcpy(&header, bytes.data(), sizeof header);
    if (header.e_machine != target.machine)
        throw Error("module.so: " + compiler_name(options) + " built it for ELF machine " +
                    std::to_string(header.e_machine) + ", not " + std::string(target.name) + " (--target " +
                    options.target + ")");
}

struct ProgramRun {
    int status = 0;      // waitpid status
    std::string output;  // stdout and stderr together
    bool ok() const { return WIFEXITED(status) && WEXITSTATUS(status) == 0; }
};

// Runs argv[0] (found on $PATH) in `cwd` with $TMPDIR = `tmpdir` (when not
// empty), the rest of the environment inherited, and collects its output.
ProgramRun run_program(std::vector<std::string> args, const std::string& cwd, const std::string& tmpdir) {
    // Built before fork: the child only calls async-signal-safe functions.
    std::vector<std::string> environment;
    for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
        if (tmpdir.empty() || std::strncmp(*entry, "TMPDIR=", 7) != 0) environment.emplace_back(*entry);
    }
    if (!tmpdir.empty()) environment.push_back("TMPDIR=" + tmpdir);
    std::vector<char*> argv;
    for (auto& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    std::vector<char*> envp;
    for (auto& entry : environment) envp.push_back(entry.data());
    envp.push_back(nullptr);

    int pipe_fds[2];
    if (::pipe2(pipe_fds, O_CLOEXEC) != 0) throw Error("compile: pipe: " + errno_text());
    pid_t pid = ::fork();
    if (pid < 0) {
        ::close(pipe_fds[0]);
        ::close(pipe_fds[1]);
        throw Error("compile: fork: " + errno_text());
    }
    if (pid == 0) {
        ::dup2(pipe_fds[1], STDOUT_FILENO);
        ::dup2(pipe_fds[1], STDERR_FILENO);
        if (!cwd.empty() && ::chdir(cwd.c_str()) != 0) {
            static const char message[] = "cannot enter the build directory\n";
            (void)!::write(STDERR_FILENO, message, sizeof message - 1);
            ::_exit(127);
        }
        ::execvpe(argv[0], argv.data(), envp.data());
        static const char message[] = "cannot run the C compiler\n";
        (void)!::write(STDERR_FILENO, message, sizeof message - 1);
        ::_exit(127);
    }
    ::close(pipe_fds[1]);
    ProgramRun run;
    char buffer[4096];
    for (;;) {
        ssize_t n = ::read(pipe_fds[0], buffer, sizeof buffer);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        run.output.append(buffer, static_cast<size_t>(n));
    }
    ::close(pipe_fds[0]);
    while (::waitpid(pid, &run.status, 0) < 0 && errno == EINTR) {
    }
    return run;
}

// Compiles `dir`/module.c into `dir`/module.so. The compiler runs inside the
// private directory (its current directory and $TMPDIR) on relative names,
// and that directory's random name is mapped away (-ffile-prefix-map: debug
// info, __FILE__, the compilation directory), so the module's bytes depend
// only on the C text, the flags and the compiler: not on the directory, the
// caller's current directory or the time (reproducible modules,
// docs/signing.md). The build ID is a SHA-1 over the linked content.
void run_compiler(const std::string& dir, const CompileOptions& options, const std::string& name_for_errors) {
    const std::string compiler = compiler_name(options);
    // -nostartfiles -nostdlib: no crti/crtbegin (no _init, no frame_dummy
    // constructor) and no DT_NEEDED: the module runs no code while it is
    // loaded (the loader refuses modules that would). memcpy and the like
    // bind to the host's libc at load time.
    std::vector<std::string> args = {compiler, "-O2", "-fPIC", "-g", "-shared", "-nostartfiles", "-nostdlib",
                                     "-fvisibility=hidden", "-fno-strict-aliasing",
                                     "-ffile-prefix-map=" + dir + "=ebpf-build", "-Wl,--build-id=sha1",
                                     "-o", "module.so", "module.c"};
    // AArch64: GCC calls libgcc's __aarch64_ldadd8_acq_rel & co. for atomics
    // unless told otherwise (outline atomics), and a module links no library;
    // inline exclusive-load/store loops run on every ARMv8 core.
    if (builds_for_aarch64(options)) args.insert(args.end() - 3, "-mno-outline-atomics");
    args.insert(args.end(), options.extra_flags.begin(), options.extra_flags.end());
    const ProgramRun run = run_program(std::move(args), dir, dir);
    if (!run.ok()) {
        throw Error(name_for_errors + ": " + compiler + " failed (exit " +
                    std::to_string(WIFEXITED(run.status) ? WEXITSTATUS(run.status) : -1) + "):\n" + run.output);
    }
}

// Writes the C into a new module.c of the private directory (O_EXCL: never an
// existing file or a link), compiles it, and reads module.so back.
std::vector<uint8_t> compile_in_private_directory(std::string_view c_source, const CompileOptions& options,
                                                  const std::string& name_for_errors) {
    PrivateDirectory dir("ebpf-build");
    const std::string c_path = dir.file("module.c");
    int fd = ::open(c_path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) throw Error(c_path + ": cannot create: " + errno_text());
    try {
        write_all(fd, c_source, c_path);
    } catch (...) {
        ::close(fd);
        throw;
    }
    if (::close(fd) != 0) throw Error(c_path + ": cannot write: " + errno_text());
    run_compiler(dir.path(), options, name_for_errors);
    return read_private_file(dir.file("module.so"));
}

}  // namespace

PrivateDirectory::PrivateDirectory(std::string_view purpose) {
    std::error_code ec;
    std::filesystem::path base = std::filesystem::temp_directory_path(ec);
    if (ec) base = "/tmp";
    std::string pattern = (base / (std::string(purpose) + "-XXXXXX")).string();
    // mkdtemp: a new directory (never an existing one or a link), mode 0700.
    if (::mkdtemp(pattern.data()) == nullptr)
        throw Error(std::string(purpose) + ": cannot create a private directory in " + base.string() + ": " +
                    errno_text());
    path_ = pattern;
}

PrivateDirectory::~PrivateDirectory() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
}

std::string PrivateDirectory::file(std::string_view name) const { return path_ + "/" + std::string(name); }

void write_file_atomically(const std::string& path, std::string_view contents) {
    std::string temp = path + ".XXXXXX";
    // mkostemp opens with O_CREAT|O_EXCL: a name nobody could have planted.
    int fd = ::mkostemp(temp.data(), O_CLOEXEC);
    if (fd < 0) throw Error(path + ": cannot create a temporary file next to it: " + errno_text());
    try {
        if (::fchmod(fd, 0666 & ~process_umask()) != 0) throw Error(path + ": cannot set permissions: " + errno_text());
        write_all(fd, contents, path);
    } catch (...) {
        ::close(fd);
        ::unlink(temp.c_str());
        throw;
    }
    if (::close(fd) != 0 || ::rename(temp.c_str(), path.c_str()) != 0) {
        std::string why = errno_text();
        ::unlink(temp.c_str());
        throw Error(path + ": cannot write: " + why);
    }
}

std::string module_compiler(const CompileOptions& options) { return compiler_name(options); }

std::vector<uint8_t> build_module_bytes(std::string_view c_source, const CompileOptions& options) {
    check_host_compilation_policy("compiling a native module");
    std::vector<uint8_t> bytes = compile_in_private_directory(c_source, options, "module.c");
    check_target_machine(bytes, options);
    return bytes;
}

void compile_c_to_module(const std::string& c_path, const std::string& so_path, const CompileOptions& options) {
    check_host_compilation_policy("compiling a native module");
    // Compiled from a copy in the private directory, like build_module_bytes:
    // the same C gives the same module whatever its file is called.
    const std::vector<uint8_t> c_bytes = read_input_file(c_path);
    const std::vector<uint8_t> bytes = compile_in_private_directory(
        std::string_view(reinterpret_cast<const char*>(c_bytes.data()), c_bytes.size()), options, c_path);
    check_target_machine(bytes, options);
    write_file_atomically(so_path, std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

std::string compiler_version(const CompileOptions& options) {
    const ProgramRun run = run_program({compiler_name(options), "--version"}, "", "");
    if (!run.ok()) throw Error(compiler_name(options) + " --version failed: " + run.output);
    return run.output.substr(0, run.output.find('\n'));
}

}  // namespace ebpf
