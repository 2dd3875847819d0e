// test_run (runtime.hpp): the BPF_PROG_TEST_RUN model over LoadedProgram.
// The caller gives packets and context structs as bytes; the context the
// engine sees (XdpRuntimeContext with real pointers, a bpf_sock_addr copy, a
// byte buffer) is built here, so no caller ever hands the runtime a structure
// it would trust. `ebpf run`, the C API (ebpf_program_test_run) and the
// libbpf-compatible bpf_prog_test_run_opts all run programs through it.
#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>

#include "ebpf/runtime.hpp"

namespace ebpf {
namespace {

constexpr size_t kXdpHeadroom = 256;  // Linux XDP_PACKET_HEADROOM
constexpr size_t kXdpTailroom = 256;
constexpr size_t kXdpMdSize = 24;     // struct xdp_md: six u32
constexpr size_t kSockAddrSize = 72;  // struct bpf_sock_addr

[[noreturn]] void refuse(int code, const LoadedProgram& program, const std::string& what) {
    throw TestRunRefused(code, "program '" + program.name() + "': " + what);
}

uint32_t u32_at(std::span<const uint8_t> bytes, size_t offset) {
    uint32_t value = 0;
    if (offset + 4 <= bytes.size()) std::memcpy(&value, bytes.data() + offset, 4);
    return value;
}

// A context longer than the struct is fine only when the rest is zero (Linux's
// bpf_check_uarg_tail_zero: a newer caller's fields this runtime does not know).
void check_ctx_size(const LoadedProgram& program, std::span<const uint8_t> ctx, size_t struct_size,
                    const char* struct_name) {
    if (ctx.size() <= struct_size) return;
    if (std::any_of(ctx.begin() + static_cast<ptrdiff_t>(struct_size), ctx.end(), [](uint8_t b) { return b != 0; }))
        refuse(E2BIG, program, std::string("the context is a ") + struct_name + " of " + std::to_string(struct_size) +
                                   " bytes; the " + std::to_string(ctx.size()) + " bytes given have non-zero bytes past it");
}

void refuse_data(const LoadedProgram& program, std::span<const uint8_t> data, const char* type) {
    if (!data.empty())
        refuse(EINVAL, program, std::string(type) + " programs take no data (give the context as ctx)");
}

void refuse_ctx(const LoadedProgram& program, std::span<const uint8_t> ctx, const char* type) {
    if (!ctx.empty())
        refuse(EINVAL, program, std::string(type) + " programs take no context struct (give the buffer as data)");
}

// Runs `body` `repeat` times and times the batch, as Linux's BPF_PROG_TEST_RUN:
// the clock is read once before and once after, not around every run (two
// clock reads cost more than a short program). As in Linux, each run sees the
// data and context the previous run left (the packet is not restored).
template <typename Body>
uint64_t timed_batch(std::chrono::nanoseconds& total, uint64_t repeat, Body&& body) {
    uint64_t result = 0;
    const auto start = std::chrono::steady_clock::now();
    for (uint64_t run = 0; run < repeat; ++run) result = body();
    total += std::chrono::steady_clock::now() - start;
    return result;
}

}  // namespace

TestRunOutput test_run(const LoadedProgram& program, const TestRunInput& input) {
    if (input.data.size() > kMaxTestRunBytes || input.ctx.size() > kMaxTestRunBytes)
        refuse(EINVAL, program, "test-run data and context are limited to " + std::to_string(kMaxTestRunBytes) + " bytes");
    const uint64_t repeat = std::max<uint64_t>(input.repeat, 1);
    TestRunOutput out;
    std::chrono::nanoseconds total{0};
    const ProgramTypeInfo& info = program_type_info(program.type());
    switch (program.type()) {
    case ProgramType::xdp: {
        check_ctx_size(program, input.ctx, kXdpMdSize, "struct xdp_md");
        const uint32_t data = u32_at(input.ctx, 0), data_end = u32_at(input.ctx, 4), data_meta = u32_at(input.ctx, 8);
        const uint32_t ingress = u32_at(input.ctx, 12), rx_queue = u32_at(input.ctx, 16), egress = u32_at(input.ctx, 20);
        if (data != 0 || data_meta != 0)
            refuse(EINVAL, program, "xdp_md.data and data_meta must be 0 (packet metadata is not supported)");
        // Linux 6.x refuses a data_end past the packet and otherwise goes by data_size_in.
        if (data_end > input.data.size())
            refuse(EINVAL, program, "xdp_md.data_end is " + std::to_string(data_end) + ", past the " +
                                        std::to_string(input.data.size()) + "-byte packet");
        if (egress != 0) refuse(EINVAL, program, "xdp_md.egress_ifindex must be 0 on input");
        if (rx_queue != 0 && ingress == 0)
            refuse(EINVAL, program, "xdp_md.rx_queue_index needs an ingress_ifindex");
        std::vector<uint8_t> frame(kXdpHeadroom + input.data.size() + kXdpTailroom, 0);
        std::copy(input.data.begin(), input.data.end(), frame.begin() + kXdpHeadroom);
        size_t offset = kXdpHeadroom, length = input.data.size();
        // The verdict is a u32 (Linux's bpf_prog_run_xdp); an unknown one is
        // reported as it is, as BPF_PROG_TEST_RUN does (the packet host
        // treats it as XDP_ABORTED).
        out.retval = static_cast<uint32_t>(
            timed_batch(total, repeat, [&] { return program.run_xdp(frame, offset, length, ingress, rx_queue); }));
        out.data.assign(frame.begin() + static_cast<ptrdiff_t>(offset),
                        frame.begin() + static_cast<ptrdiff_t>(offset + length));
        out.ctx.assign(kXdpMdSize, 0);
        const uint32_t md[6] = {0, static_cast<uint32_t>(length), 0, ingress, rx_queue, 0};
        std::memcpy(out.ctx.data(), md, sizeof md);
        break;
    }
    case ProgramType::cgroup_sock_addr: {
        refuse_data(program, input.data, "cgroup_sock_addr");
        check_ctx_size(program, input.ctx, kSockAddrSize, "struct bpf_sock_addr");
        out.ctx.assign(kSockAddrSize, 0);
        std::copy_n(input.ctx.begin(), std::min(input.ctx.size(), kSockAddrSize), out.ctx.begin());
        out.retval = timed_batch(total, repeat, [&] { return program.run(out.ctx.data(), out.ctx.size()); });
        break;
    }
    default: {
        if (!info.ctx_is_memory)
            refuse(EOPNOTSUPP, program, "the runtime cannot run " + std::string(info.name) + " programs");
        refuse_ctx(program, input.ctx, std::string(info.name).c_str());
        out.data.assign(input.data.begin(), input.data.end());
        out.retval = timed_batch(total, repeat,
                                 [&] { return program.run(out.data.empty() ? nullptr : out.data.data(), out.data.size()); });
        break;
    }
    }
    out.duration_ns = static_cast<uint64_t>(total.count()) / repeat;
    return out;
}

}  // namespace ebpf
