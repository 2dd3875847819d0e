// `ebpf keygen --out DIR`: a development root CA and a code-signing
// certificate it issued, for trying the signing workflow. Not for production:
// the keys are written unencrypted and the CA is made on this machine.
// With --token-key URI the code-signing certificate is issued to a key that
// lives in a PKCS#11 token (scripts/softhsm-key.sh makes one in SoftHSM).
#include <cstdio>
#include <memory>
#include <string>

#include "command.hpp"
#include "ebpf/signing.hpp"

namespace ebpf::tools {
namespace {

struct KeygenArguments {
    std::string out;
    std::string token_key;
    std::string pkcs11_module;
};

int keygen_command(const KeygenArguments& args) {
    const DevelopmentKeys keys =
        args.token_key.empty()
            ? write_development_keys(args.out)
            : write_development_keys(args.out, args.token_key, {.module_path = args.pkcs11_module});
    std::fprintf(stderr,
                 "ebpf: warning: these keys are for development only: the private keys are not encrypted "
                 "and the root CA was made on this machine. Use your organisation's code-signing PKI for "
                 "production.\n");
    const std::string key = keys.signing_key.empty() ? args.token_key : keys.signing_key.string();
    std::printf("Root CA certificate (trust store): %s\n", keys.root_cert.c_str());
    std::printf("Root CA key:                       %s\n", keys.root_key.c_str());
    std::printf("Code-signing certificate:          %s\n", keys.signing_cert.c_str());
    if (keys.signing_key.empty())
        std::printf("Code-signing key:                  in the token (%s)\n", key.c_str());
    else
        std::printf("Code-signing key:                  %s\n", keys.signing_key.c_str());
    std::printf("\nSign:   ebpf sign --key '%s' --cert %s prog.so\n", key.c_str(), keys.signing_cert.c_str());
    std::printf("Check:  ebpf check-signature prog.so --trust %s\n", keys.root_cert.parent_path().c_str());
    return 0;
}

const CommandRegistration registration{Command{
    "keygen",
    "Create a development root CA and code-signing certificate and key (development only)",
    [](CLI::App& app) -> std::function<int()> {
        auto args = std::make_shared<KeygenArguments>();
        app.add_option("--out", args->out,
                       "Directory to create them in: trust/root-ca.pem, private/root-ca-key.pem, "
                       "signing-cert.pem, signing-key.pem (never overwritten)")
            ->required();
        app.add_option("--token-key", args->token_key,
                       "Issue the code-signing certificate to this key in a PKCS#11 token (a pkcs11: URI) "
                       "instead of making signing-key.pem");
        app.add_option("--pkcs11-module", args->pkcs11_module,
                       "PKCS#11 module for --token-key (default: module-path= in the URI, $EBPF_PKCS11_MODULE)");
        return [args] { return keygen_command(*args); };
    }}};

}  // namespace
}  // namespace ebpf::tools
