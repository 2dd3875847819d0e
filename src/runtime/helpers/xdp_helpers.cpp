// bpf_xdp_adjust_head / bpf_xdp_adjust_tail over XdpRuntimeContext: data and
// data_end move within [frame_start, frame_end), keeping at least an Ethernet
// header (14 bytes) of packet, as Linux. Metadata (data_meta..data) moves with
// the head. Room a program adds (a negative head delta, a positive tail delta)
// is zeroed, so no engine shows it whatever the frame held there before.
#include <cerrno>

#include "ebpf/abi.hpp"
#include "helper_registry.hpp"

namespace ebpf::runtime_detail {
namespace {

constexpr int64_t kEthernetHeader = 14;

uint64_t xdp_adjust_head(uint64_t ctx, uint64_t delta, uint64_t, uint64_t, uint64_t) {
    auto* xdp = as_pointer<XdpRuntimeContext>(ctx);
    auto offset = static_cast<int64_t>(static_cast<int32_t>(delta));
    int64_t meta_length = static_cast<int64_t>(xdp->data - xdp->data_meta);
    int64_t data = static_cast<int64_t>(xdp->data) + offset;
    if (data - meta_length < static_cast<int64_t>(xdp->frame_start) ||
        data > static_cast<int64_t>(xdp->data_end) - kEthernetHeader)
        return from_errno(-EINVAL);
    if (meta_length > 0)
        std::memmove(as_pointer<void>(xdp->data_meta + offset), as_pointer<void>(xdp->data_meta),
                     static_cast<size_t>(meta_length));
    xdp->data_meta += offset;
    // Room added in front of the packet reads as zeros, whatever the host's
    // headroom held (or what the moved metadata left there).
    if (offset < 0) std::memset(as_pointer<void>(data), 0, static_cast<size_t>(-offset));
    xdp->data = static_cast<uint64_t>(data);
    return 0;
}

uint64_t xdp_adjust_tail(uint64_t ctx, uint64_t delta, uint64_t, uint64_t, uint64_t) {
    auto* xdp = as_pointer<XdpRuntimeContext>(ctx);
    auto offset = static_cast<int64_t>(static_cast<int32_t>(delta));
    int64_t data_end = static_cast<int64_t>(xdp->data_end) + offset;
    if (data_end > static_cast<int64_t>(xdp->frame_end) ||
        data_end - static_cast<int64_t>(xdp->data) < kEthernetHeader)
        return from_errno(-EINVAL);
    if (offset > 0) std::memset(as_pointer<void>(xdp->data_end), 0, static_cast<size_t>(offset));  // as Linux
    xdp->data_end = static_cast<uint64_t>(data_end);
    return 0;
}

}  // namespace

void register_xdp_helpers(HelperTable& table) {
    table.set(helper_id::xdp_adjust_head, xdp_adjust_head);
    table.set(helper_id::xdp_adjust_tail, xdp_adjust_tail);
}

}  // namespace ebpf::runtime_detail
