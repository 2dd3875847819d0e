// `ebpf sign --key K --cert C prog.so [-o out]`: appends a CMS signature to a
// native module (in place unless -o is given). A signed module stays a
// shared object; signing it again replaces its signature. The key is a PEM
// file or a pkcs11: URI (the key stays in its token).
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
    std::string pkcs11_module;
    std::string module;
    std::string output;
};

int sign_command(const SignArguments& args) {
    const std::vector<uint8_t> bytes = read_file(args.module);
    if (bytes.size() < 4 || bytes[0] != 0x7f || bytes[1] != 'E' || bytes[2] != 'L' || bytes[3] != 'F')
        throw Error(args.module + ": not an ELF shared object; sign the .so that `ebpf build` made");
    std::vector<uint8_t> signed_bytes;
    try {
        const ModuleSigner signer = ModuleSigner::open(args.key, args.cert, {.module_path = args.pkcs11_module});
        signed_bytes = signer.sign(bytes);
    } catch (const Error& e) {
        throw Error(args.module + ": " + e.what());
    }
    const std::string& out = args.output.empty() ? args.module : args.output;
    // Replaced atomically: signing in place never leaves half a module, and a
    // symlink planted at the output is replaced rather than written through.
    write_file_atomically(out, std::string_view(reinterpret_cast<const char*>(signed_bytes.data()), signed_bytes.size()));
    const auto split = split_signed_module(signed_bytes);
    const ModuleDigests digests = module_digests(signed_bytes);
    std::printf("Signed %s: %zu-byte module, %zu-byte signature (CMS, SHA-256)\n", out.c_str(),
                split.module.size(), split.signature.size());
    std::printf("Module digest: %s\nFile digest:   %s\n", digests.module.c_str(), digests.file.c_str());
    return 0;
}

const CommandRegistration registration{Command{
    "sign",
    "Append a CMS signature (SHA-256) to a native module",
    [](CLI::App& app) -> std::function<int()> {
        auto args = std::make_shared<SignArguments>();
        app.add_option("--key", args->key,
                       "Signing key: a PEM file (unencrypted), or a pkcs11: URI of a key in a token "
                       "(PIN: pin-source=file:/path in the URI, or $EBPF_PKCS11_PIN)")
            ->required();
        app.add_option("--cert", args->cert, "Signing certificate, PEM (intermediates may follow it)")->required();
        app.add_option("--pkcs11-module", args->pkcs11_module,
                       "PKCS#11 module for a pkcs11: key (default: module-path= in the URI, $EBPF_PKCS11_MODULE, "
                       "p11-kit's proxy)");
        app.add_option("module", args->module, "Native module (.so) to sign")->required();
        app.add_option("-o,--output", args->output, "Write the signed module here instead of in place");
        return [args] { return sign_command(*args); };
    }}};

}  // namespace
}  // namespace ebpf::tools
