// Credentials from files (a bearer token, or USER:PASSWORD), so they never
// appear on a command line where `ps` shows them.
#include <fstream>
#include <iterator>

#include "ebpf/error.hpp"
#include "ebpf/registry.hpp"

namespace ebpf::registry {

std::string read_secret_file(const std::filesystem::path& path) {
    constexpr size_t kMaxSecretBytes = 64 * 1024;
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec))
        throw Error(path.string() + ": not a regular file (a credentials file is expected)");
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error(path.string() + ": cannot read");
    std::string secret(kMaxSecretBytes + 1, '\0');
    in.read(secret.data(), static_cast<std::streamsize>(secret.size()));
    secret.resize(static_cast<size_t>(in.gcount()));
    if (secret.size() > kMaxSecretBytes) throw Error(path.string() + ": more than 64 KiB; not a credentials file");
    while (!secret.empty() && (secret.back() == '\n' || secret.back() == '\r')) secret.pop_back();
    if (secret.empty()) throw Error(path.string() + ": empty");
    for (const char c : secret)
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
            throw Error(path.string() + ": control characters (one line expected)");
    return secret;
}

void set_basic_credentials(ClientOptions& options, std::string_view user_colon_password) {
    const size_t colon = user_colon_password.find(':');
    if (colon == std::string_view::npos || colon == 0)
        throw Error("basic credentials must be USER:PASSWORD");
    options.basic_username = std::string(user_colon_password.substr(0, colon));
    options.basic_password = std::string(user_colon_password.substr(colon + 1));
}

}  // namespace ebpf::registry
