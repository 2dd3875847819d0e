// Seeds for the signature fuzz target, made at build time so their
// certificates never expire: a root (written as root.pem, the target's trust
// store, outside the seed directory) and modules signed in the ways the
// checker must tell apart — valid (P-256, RSA-2048, via an intermediate), by
// an untrusted root, by a CA:TRUE leaf, by an RSA-1024 key, with a wrong
// purpose — plus an unsigned module.
//   signature_fuzz_make_seeds ROOT_PEM SEED_DIR
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "ebpf/signing.hpp"

namespace {

void write(const std::filesystem::path& path, const std::vector<uint8_t>& bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    if (!out) throw std::runtime_error("cannot write " + path.string());
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 3) {
        std::fprintf(stderr, "usage: %s ROOT_PEM SEED_DIR\n", argv[0]);
        return 2;
    }
    using ebpf::issue_certificate;
    const std::filesystem::path seeds = argv[2];
    std::filesystem::create_directories(seeds);
    // Module bytes: an ELF header's worth, the checker does not parse them.
    std::vector<uint8_t> module(64, 0);
    module[0] = 0x7f, module[1] = 'E', module[2] = 'L', module[3] = 'F';

    const auto root = issue_certificate({.common_name = "Fuzz Root", .certificate_authority = true}, nullptr);
    std::ofstream(argv[1], std::ios::trunc) << root.cert_pem;
    const auto signer = issue_certificate({.common_name = "Fuzz Signer"}, &root);
    const auto rsa = issue_certificate({.common_name = "Fuzz RSA", .key_algorithm = "RSA-2048"}, &root);
    const auto weak = issue_certificate({.common_name = "Fuzz Weak", .key_algorithm = "RSA-1024"}, &root);
    const auto ca_leaf = issue_certificate({.common_name = "Fuzz CA Leaf", .certificate_authority = true,
                                            .key_usage = "critical,digitalSignature,keyCertSign",
                                            .extended_key_usage = "codeSigning"},
                                           &root);
    const auto server = issue_certificate({.common_name = "Fuzz Server", .code_signing_usage = false}, &root);
    const auto intermediate =
        issue_certificate({.common_name = "Fuzz Intermediate", .certificate_authority = true}, &root);
    auto via = issue_certificate({.common_name = "Fuzz Via Intermediate"}, &intermediate);
    via.cert_pem += intermediate.cert_pem;
    const auto stranger_root = issue_certificate({.common_name = "Stranger", .certificate_authority = true}, nullptr);
    const auto stranger = issue_certificate({.common_name = "Stranger Signer"}, &stranger_root);

    write(seeds / "valid.bin", ebpf::sign_module(module, signer));
    write(seeds / "valid_rsa.bin", ebpf::sign_module(module, rsa));
    write(seeds / "valid_intermediate.bin", ebpf::sign_module(module, via));
    write(seeds / "weak_rsa.bin", ebpf::sign_module(module, weak));
    write(seeds / "ca_leaf.bin", ebpf::sign_module(module, ca_leaf));
    write(seeds / "server_purpose.bin", ebpf::sign_module(module, server));
    write(seeds / "untrusted.bin", ebpf::sign_module(module, stranger));
    write(seeds / "unsigned.bin", module);
    return 0;
}
