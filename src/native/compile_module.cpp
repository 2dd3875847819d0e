// Atomic output files, and `cc` invocation for generated C → shared object.
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "ebpf/error.hpp"
#include "ebpf/native.hpp"

namespace ebpf {

namespace {

std::string errno_text() { return std::strerror(errno); }

// A temp file next to `path`, so rename() stays within one file system.
std::string temp_path_for(const std::string& path) {
    return path + ".tmp." + std::to_string(::getpid());
}

}  // namespace

void write_file_atomically(const std::string& path, std::string_view contents) {
    std::string temp = temp_path_for(path);
    int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) throw Error(path + ": cannot create: " + errno_text());
    size_t done = 0;
    while (done < contents.size()) {
        ssize_t n = ::write(fd, contents.data() + done, contents.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            std::string why = errno_text();
            ::close(fd);
            ::unlink(temp.c_str());
            throw Error(path + ": cannot write: " + why);
        }
        done += static_cast<size_t>(n);
    }
    if (::close(fd) != 0 || ::rename(temp.c_str(), path.c_str()) != 0) {
        std::string why = errno_text();
        ::unlink(temp.c_str());
        throw Error(path + ": cannot write: " + why);
    }
}

void compile_c_to_module(const std::string& c_path, const std::string& so_path, const CompileOptions& options) {
    std::string compiler = options.compiler;
    if (compiler.empty()) {
        const char* env = std::getenv("CC");
        compiler = env != nullptr && *env != '\0' ? env : "cc";
    }
    // The compiler writes a temp file that is renamed on success only.
    std::string temp = temp_path_for(so_path);
    std::vector<std::string> args = {compiler, "-O2", "-fPIC", "-g", "-shared", "-fvisibility=hidden",
                                     "-fno-strict-aliasing", "-o", temp, c_path};
    args.insert(args.end(), options.extra_flags.begin(), options.extra_flags.end());

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
        std::vector<char*> argv;
        for (auto& arg : args) argv.push_back(arg.data());
        argv.push_back(nullptr);
        ::execvp(argv[0], argv.data());
        std::fprintf(stderr, "cannot run %s: %s\n", argv[0], std::strerror(errno));
        ::_exit(127);
    }
    ::close(pipe_fds[1]);
    std::string output;
    char buffer[4096];
    for (;;) {
        ssize_t n = ::read(pipe_fds[0], buffer, sizeof buffer);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        output.append(buffer, static_cast<size_t>(n));
    }
    ::close(pipe_fds[0]);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        ::unlink(temp.c_str());
        throw Error(c_path + ": " + compiler + " failed (exit " +
                    std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : -1) + "):\n" + output);
    }
    if (::rename(temp.c_str(), so_path.c_str()) != 0) {
        std::string why = errno_text();
        ::unlink(temp.c_str());
        throw Error(so_path + ": cannot write: " + why);
    }
}

}  // namespace ebpf
