// The load-time cost of signed modules: verifying a signature (CMS + chain),
// copying the module into a sealed memfd, and the whole policy check; plus
// signing, for build times. Module sizes from a small bpf2c module (16 KiB)
// to a large one (1 MiB); the bytes are random, which the checks do not mind.
#include <benchmark/benchmark.h>

#include <random>

#include "ebpf/policy.hpp"
#include "ebpf/signing.hpp"

namespace {

struct Fixture {
    ebpf::SigningCredential root;
    ebpf::SigningCredential signer;
    std::shared_ptr<const ebpf::TrustStore> trust;
    Fixture() {
        root = ebpf::issue_certificate({.common_name = "Bench Root", .certificate_authority = true}, nullptr);
        signer = ebpf::issue_certificate({.common_name = "Bench Signer"}, &root);
        trust = std::make_shared<const ebpf::TrustStore>(ebpf::TrustStore::from_pem(root.cert_pem, "bench"));
    }
};

const Fixture& fixture() {
    static const Fixture f;
    return f;
}

std::vector<uint8_t> module_of(size_t size) {
    std::mt19937 rng(7);
    std::vector<uint8_t> bytes(size);
    for (auto& b : bytes) b = static_cast<uint8_t>(rng());
    return bytes;
}

void BM_Sign(benchmark::State& state) {
    auto module = module_of(static_cast<size_t>(state.range(0)));
    for (auto _ : state) benchmark::DoNotOptimize(ebpf::sign_module(module, fixture().signer));
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * state.range(0));
}

void BM_Verify(benchmark::State& state) {
    auto signed_bytes = ebpf::sign_module(module_of(static_cast<size_t>(state.range(0))), fixture().signer);
    for (auto _ : state) {
        auto report = ebpf::verify_module_signature(signed_bytes, *fixture().trust);
        if (!report.ok()) state.SkipWithError(report.reason.c_str());
        benchmark::DoNotOptimize(report);
    }
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * state.range(0));
}

void BM_SealedMemfd(benchmark::State& state) {
    auto module = module_of(static_cast<size_t>(state.range(0)));
    for (auto _ : state) benchmark::DoNotOptimize(ebpf::make_sealed_memfd(module));
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * state.range(0));
}

// What the loader pays before dlopen in code-integrity mode.
void BM_PolicyCheckAndSeal(benchmark::State& state) {
    auto signed_bytes = ebpf::sign_module(module_of(static_cast<size_t>(state.range(0))), fixture().signer);
    ebpf::PolicyOptions options;
    options.code_integrity = true;
    options.trust = fixture().trust;
    for (auto _ : state) benchmark::DoNotOptimize(ebpf::seal_checked_module(signed_bytes, options));
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * state.range(0));
}

BENCHMARK(BM_Sign)->Arg(16 << 10)->Arg(1 << 20)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Verify)->Arg(16 << 10)->Arg(1 << 20)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_SealedMemfd)->Arg(16 << 10)->Arg(1 << 20)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_PolicyCheckAndSeal)->Arg(16 << 10)->Arg(1 << 20)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
