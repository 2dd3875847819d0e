// Whether a test can start another program of this build. In a cross build
// (the `aarch64` preset) the tests run under qemu-user: a program a test
// starts itself is an AArch64 executable that the host kernel runs only with
// binfmt_misc registered for qemu (execve fails with ENOEXEC otherwise). Such
// tests skip with that reason; they run in the native builds and on AArch64.
//
//   EBPF_SKIP_UNLESS_STARTABLE(EBPF_TOOL_PATH);
#pragma once

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <map>
#include <mutex>
#include <string>

namespace ebpf_test {

inline std::string cannot_start(const std::string& program) {
    static std::mutex lock;
    static std::map<std::string, std::string> known;
    std::lock_guard<std::mutex> hold(lock);
    if (auto found = known.find(program); found != known.end()) return found->second;
    std::string why;
    const pid_t pid = fork();
    if (pid == 0) {
        const int null = open("/dev/null", O_RDWR);
        dup2(null, 0);
        dup2(null, 1);
        dup2(null, 2);
        execl(program.c_str(), program.c_str(), "--version", static_cast<char*>(nullptr));
        _exit(errno == ENOEXEC ? 126 : 127);
    }
    int status = 0;
    if (pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 126)
        why = program + " cannot be started from a test here (exec format error: a cross build under qemu-user "
              "without binfmt_misc for the emulator)";
    known[program] = why;
    return why;
}

}  // namespace ebpf_test

#define EBPF_SKIP_UNLESS_STARTABLE(program)                                                       \
    if (const std::string ebpf_cannot_start_ = ::ebpf_test::cannot_start(program); !ebpf_cannot_start_.empty()) \
    GTEST_SKIP() << ebpf_cannot_start_
