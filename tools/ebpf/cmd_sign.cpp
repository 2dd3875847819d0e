// `ebpf sign --key K --cert C prog.so [-o out]`: appends a CMS signature to a
// native module (in place unless -o is given). A signed module stays a
// shared object; signing it again replaces its signature.
#include <cstdio>
#include <memory>
#include <string>

#include "command.hpp"
#include "ebpf/error.hpp"
#include "ebpf/native.hpp"
#include "ebpf/signing.hpp"

namespace ebpf::tools {
namespace {

struct SignArguments {
    std::string key;
    std::string cert;
    std::string module;
    std::string output;
};

int sign_command(const SignArguments& args) {
    const std::vector<uint8_t> bytes = read_file(args.module);
    if (bytes.size() < 4 || bytes[0] != 0x7f || bytes[1] != 'E' || bytes[2] != 'L' || bytes[3] != 'F')
        throw Error(args.module + ": not an ELF shared object; sign the .so that `ebpf build` made");
    std::vector<uint8_t> signed_bytes;
    try {
        signed_bytes = sign_module(bytes, args.key, args.cert);
    } catch (const Error& e) {
        throw Error(args.module + ": " + e.what());
    }
    const std::string& out = args.output.empty() ? args.module : args.output;
    // Replaced atomically: signing in place never leaves half a module, and a
    // symlink planted at the output is replaced rather than written through.
    write_file_atomically(out, std::string_view(reinterpret_cast<const char*>(signed_bytes.data()), signed_bytes.size()));
    const auto split = split_signed_module(signed_bytes);
    std::printf("Signed %s: %zu-byte module, %zu-byte signature (CMS, SHA-256)\n", out.c_str(),
                split.module.size(), split.signature.size());
    return 0;
}

const CommandRegistration registration{Command{
    "sign",
    "Append a CMS signature (SHA-256) to a native module",
    [](CLI::App& app) -> std::function<int()> {
        auto args = std::make_shared<SignArguments>();
        app.add_option("--key", args->key, "Signing private key, PEM (unencrypted)")->required();
        app.add_option("--cert", args->cert, "Signing certificate, PEM (intermediates may follow it)")->required();
        app.add_option("module", args->module, "Native module (.so) to sign")->required();
        app.add_option("-o,--output", args->output, "Write the signed module here instead of in place");
        return [args] { return sign_command(*args); };
    }}};

}  // namespace
}  // namespace ebpf::tools
