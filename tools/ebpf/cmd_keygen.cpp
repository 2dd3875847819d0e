// `ebpf keygen --out DIR`: a development root CA and a code-signing
// certificate it issued, for trying the signing workflow. Not for production:
// the keys are written unencrypted and the CA is made on this machine.
#include <cstdio>
#include <memory>
#include <string>

#include "command.hpp"
#include "ebpf/signing.hpp"

namespace ebpf::tools {
namespace {

int keygen_command(const std::string& out) {
    const DevelopmentKeys keys = write_development_keys(out);
    std::fprintf(stderr,
                 "ebpf: warning: these keys are for development only: the private keys are not encrypted "
                 "and the root CA was made on this machine. Use your organisation's code-signing PKI for "
                 "production.\n");
    std::printf("Root CA certificate (trust store): %s\n", keys.root_cert.c_str());
    std::printf("Root CA key:                       %s\n", keys.root_key.c_str());
    std::printf("Code-signing certificate:          %s\n", keys.signing_cert.c_str());
    std::printf("Code-signing key:                  %s\n", keys.signing_key.c_str());
    std::printf("\nSign:   ebpf sign --key %s --cert %s prog.so\n", keys.signing_key.c_str(),
                keys.signing_cert.c_str());
    std::printf("Check:  ebpf check-signature prog.so --trust %s\n", keys.root_cert.parent_path().c_str());
    return 0;
}

const CommandRegistration registration{Command{
    "keygen",
    "Create a development root CA and code-signing certificate and key (development only)",
    [](CLI::App& app) -> std::function<int()> {
        auto out = std::make_shared<std::string>();
        app.add_option("--out", *out,
                       "Directory to create them in: trust/root-ca.pem, private/root-ca-key.pem, "
                       "signing-cert.pem, signing-key.pem (never overwritten)")
            ->required();
        return [out] { return keygen_command(*out); };
    }}};

}  // namespace
}  // namespace ebpf::tools
