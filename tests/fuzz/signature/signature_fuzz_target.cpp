// libFuzzer entry point for signature checking: any bytes, as a signed
// module, must give a verdict — valid, or not valid with a reason — and
// never crash, throw or leak. The trust store is the root that make_seeds
// generated with the seeds (its path is compiled in), so mutated seeds reach
// the chain and certificate-rule checks, not only the parsers.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <span>
#include <string>

#include "ebpf/error.hpp"
#include "ebpf/signing.hpp"

namespace {

const ebpf::TrustStore& trust() {
    static const ebpf::TrustStore store = [] {
        std::ifstream in(EBPF_SIGNATURE_FUZZ_ROOT, std::ios::binary);
        std::string pem{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
        return ebpf::TrustStore::from_pem(pem, "fuzz root");
    }();
    return store;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::span<const uint8_t> bytes(data, size);
    const ebpf::SignatureReport report = ebpf::verify_module_signature(bytes, trust());
    // A verdict always explains itself, and only a signed input can be valid.
    if (report.ok() != report.reason.empty()) std::abort();
    if (report.ok() && !ebpf::has_module_signature(bytes)) std::abort();
    try {
        const ebpf::SplitModule split = ebpf::split_signed_module(bytes);
        if (split.module.size() + split.signature.size() > size) std::abort();
    } catch (const ebpf::Error&) {
        if (report.ok()) std::abort();  // valid, yet the trailer does not split
    }
    return 0;
}
