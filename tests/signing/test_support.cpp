#include "test_support.hpp"

#include <dlfcn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <stdexcept>

namespace ebpf::test {

ScratchDir::ScratchDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "ebpf-signing-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
}

ScratchDir::~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
}

const Pki& pki() {
    static const Pki value = [] {
        Pki p;
        p.root = issue_certificate({.common_name = "Test Root CA", .certificate_authority = true}, nullptr);
        p.signer = issue_certificate({.common_name = "Test Code Signer"}, &p.root);
        return p;
    }();
    return value;
}

const TrustStore& trust() {
    static const TrustStore store = TrustStore::from_pem(pki().root.cert_pem, "test-roots");
    return store;
}

std::vector<uint8_t> build_module(const std::filesystem::path& dir, const std::string& name, int value) {
    auto source = dir / (name + ".c");
    auto object = dir / (name + ".so");
    {
        std::ofstream out(source);
        out << "int answer(void) { return " << value << "; }\n";
    }
    std::string command = std::string(EBPF_TEST_C_COMPILER) + " -shared -fPIC -O1 -o '" + object.string() +
                          "' '" + source.string() + "'";
    if (std::system(command.c_str()) != 0) throw std::runtime_error("cannot compile: " + command);
    return read_bytes(object);
}

std::vector<uint8_t> read_bytes(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + path.string());
    return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

void write_bytes(const std::filesystem::path& path, const std::vector<uint8_t>& bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    if (!out) throw std::runtime_error("cannot write " + path.string());
}

int call_answer(const std::string& path) {
    void* handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (handle == nullptr) throw std::runtime_error(std::string("dlopen: ") + ::dlerror());
    auto fn = reinterpret_cast<int (*)()>(::dlsym(handle, "answer"));
    if (fn == nullptr) {
        ::dlclose(handle);
        throw std::runtime_error("dlsym(answer) failed");
    }
    int value = fn();
    ::dlclose(handle);
    return value;
}

ChildResult run_in_child(const std::function<std::string()>& body) {
    int fds[2];
    if (::pipe(fds) != 0) return {"FAIL", "pipe failed"};
    pid_t pid = ::fork();
    if (pid < 0) return {"FAIL", "fork failed"};
    if (pid == 0) {
        ::close(fds[0]);
        std::string report;
        try {
            report = body();
        } catch (const std::exception& e) {
            report = std::string("FAIL unexpected exception: ") + e.what();
        }
        (void)!::write(fds[1], report.data(), report.size());
        ::_exit(0);
    }
    ::close(fds[1]);
    std::string text;
    char buf[512];
    ssize_t n;
    while ((n = ::read(fds[0], buf, sizeof buf)) > 0) text.append(buf, static_cast<size_t>(n));
    ::close(fds[0]);
    int status = 0;
    ::waitpid(pid, &status, 0);
    if (!WIFEXITED(status)) return {"FAIL", "child crashed: " + text};
    auto space = text.find(' ');
    return {text.substr(0, space), space == std::string::npos ? "" : text.substr(space + 1)};
}

}  // namespace ebpf::test
