// Shared pieces of the signing tests: a scratch directory, credentials made
// once per test program, and tiny shared objects compiled on the spot.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "ebpf/signing.hpp"

namespace ebpf::test {

// A fresh directory under the system temp dir, removed at destruction.
class ScratchDir {
public:
    ScratchDir();
    ~ScratchDir();
    ScratchDir(const ScratchDir&) = delete;
    ScratchDir& operator=(const ScratchDir&) = delete;
    const std::filesystem::path& path() const { return path_; }
    std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

private:
    std::filesystem::path path_;
};

// A root CA and a code-signing certificate it issued, made once.
struct Pki {
    SigningCredential root;
    SigningCredential signer;
};
const Pki& pki();
// A trust store holding pki().root only.
const TrustStore& trust();

// Compiles `int answer(void) { return VALUE; }` into a shared object in `dir`
// and returns its bytes (the file is left at dir/NAME.so).
std::vector<uint8_t> build_module(const std::filesystem::path& dir, const std::string& name, int value);

// What a forked child reported: status "PASS", "SKIP" or "FAIL", and the rest.
struct ChildResult {
    std::string status;
    std::string detail;
};
// Runs `body` in a forked child (the code-integrity mode is process-wide and
// cannot be undone); body returns "PASS ...", "SKIP ..." or "FAIL ...".
ChildResult run_in_child(const std::function<std::string()>& body);

std::vector<uint8_t> read_bytes(const std::filesystem::path& path);
void write_bytes(const std::filesystem::path& path, const std::vector<uint8_t>& bytes);

// dlopens `path`, calls answer(), dlcloses; throws with dlerror() on failure.
int call_answer(const std::string& path);

}  // namespace ebpf::test
