// Per-packet cost of the packet hook (copy into an XDP frame, run xdp_parse,
// bookkeeping) and per-call cost of a bind/connect decision (build struct
// bpf_sock_addr, run connect4_policy), in the interpreter and the JIT.
// Native modules are left out: building one needs bpf2c and cc at run time.
#include <arpa/inet.h>
#include <benchmark/benchmark.h>
#include <netinet/in.h>

#include <vector>

#include "ebpf/hooks.hpp"

namespace {

std::unique_ptr<ebpf::LoadedObject> load(const char* name, ebpf::ExecMode mode) {
    ebpf::LoadOptions options;
    options.mode = mode;
    return ebpf::load_object(std::string(EBPF_TEST_PROGRAMS_DIR) + "/" + name, options);
}

// A 64-byte UDP/IPv4 frame to port 53 (xdp_parse: counted, XDP_PASS).
std::vector<uint8_t> udp_frame() {
    std::vector<uint8_t> frame(64, 0);
    frame[12] = 0x08;                     // EtherType IPv4
    frame[14] = 0x45;                     // version 4, ihl 5
    frame[22] = 64;                       // TTL
    frame[23] = 17;                       // UDP
    frame[36] = 0;
    frame[37] = 53;                       // destination port
    return frame;
}

void packet_hook(benchmark::State& state, ebpf::ExecMode mode) {
    auto object = load("xdp_parse.o", mode);
    ebpf::PacketHook hook(object->program("xdp"));
    const auto frame = udp_frame();
    for (auto _ : state) benchmark::DoNotOptimize(hook.process(frame).verdict);
    state.SetItemsProcessed(state.iterations());
}

void sock_addr_decision(benchmark::State& state, ebpf::ExecMode mode) {
    auto object = load("sock_addr.o", mode);
    ebpf::SockAddrPolicy policy;
    policy.add(*object);
    sockaddr_in in{};
    in.sin_family = AF_INET;
    in.sin_port = htons(8080);
    in.sin_addr.s_addr = htonl(0x0a000001);  // 10.0.0.1:8080: rewritten to port 80
    for (auto _ : state) {
        auto decision = policy.decide(ebpf::SockAddrHook::connect4, -1, reinterpret_cast<const sockaddr*>(&in), sizeof(in));
        benchmark::DoNotOptimize(decision.allow);
    }
    state.SetItemsProcessed(state.iterations());
}

BENCHMARK_CAPTURE(packet_hook, interpret, ebpf::ExecMode::interpret);
BENCHMARK_CAPTURE(packet_hook, jit, ebpf::ExecMode::jit);
BENCHMARK_CAPTURE(sock_addr_decision, interpret, ebpf::ExecMode::interpret);
BENCHMARK_CAPTURE(sock_addr_decision, jit, ebpf::ExecMode::jit);

}  // namespace

BENCHMARK_MAIN();
