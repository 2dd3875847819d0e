// bpf_xdp_adjust_head / bpf_xdp_adjust_tail over XdpRuntimeContext: data and
// data_end move within [frame_start, frame_end) (the headroom's first 40 bytes
// stay for Linux's struct xdp_frame, so as many are free), keeping at least an Ethernet
// header (14 bytes) of packet, as Linux. Metadata (data_meta..data) moves with
// the head. Room a program adds (a negative head delta, a positive tail delta)
// is zeroed, so no engine shows it whatever the frame held there before.
#include <cerrno>
#include <cstring>

#include "ebpf/abi.hpp"
#include "helper_registry.hpp"

namespace ebpf::runtime_detail {
namespace {

constexpr int64_t kEthernetHeader = 14;
constexpr uint64_t kXdpFrameReserve = 40;  // sizeof(struct xdp_frame): the headroom's first bytes stay Linux's

uint64_t xdp_adjust_head(uint64_t ctx, uint64_t delta, uint64_t, uint64_t, uint64_t) {
    auto* xdp = as_pointer<XdpRuntimeContext>(ctx);
    auto offset = static_cast<int64_t>(static_cast<int32_t>(delta));
    int64_t meta_length = static_cast<int64_t>(xdp->data - xdp->data_meta);
    int64_t data = static_cast<int64_t>(xdp->data) + offset;
    if (data - meta_length < static_cast<int64_t>(xdp->frame_start + kXdpFrameReserve) ||
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

// Metadata (data_meta .. data) grows or shrinks in front of the packet: a
// multiple of 4 bytes (at most 255, the most an skb keeps), not into the
// struct xdp_frame Linux keeps at the start of the headroom (Linux 6.18
// bpf_xdp_adjust_meta).
uint64_t xdp_adjust_meta(uint64_t ctx, uint64_t delta, uint64_t, uint64_t, uint64_t) {
    auto* xdp = as_pointer<XdpRuntimeContext>(ctx);
    const int64_t meta = static_cast<int64_t>(xdp->data_meta) + static_cast<int32_t>(delta);
    if (meta < static_cast<int64_t>(xdp->frame_start + kXdpFrameReserve) || meta > static_cast<int64_t>(xdp->data))
        return from_errno(-EINVAL);
    const uint64_t meta_len = xdp->data - static_cast<uint64_t>(meta);
    if (meta_len % 4 || meta_len > 255) return from_errno(-EACCES);
    xdp->data_meta = static_cast<uint64_t>(meta);
    return 0;
}

// bpf_xdp_load_bytes / store_bytes: offset and length from the program,
// checked against the packet (one buffer: no fragments). Linux leaves the
// buffer as it was on an error; here it is zeroed, so a failed load never
// shows stack bytes the verifier now counts as written.
uint64_t xdp_load_bytes(uint64_t ctx, uint64_t offset, uint64_t buf, uint64_t len, uint64_t) {
    const auto* xdp = as_pointer<XdpRuntimeContext>(ctx);
    const auto off = static_cast<uint32_t>(offset), size = static_cast<uint32_t>(len);
    int64_t err = 0;
    if (off > 0xffff || size > 0xffff) err = -EFAULT;
    else if (uint64_t{off} + size > xdp->data_end - xdp->data) err = -EINVAL;
    if (err) {
        std::memset(as_pointer<void>(buf), 0, size);
        return from_errno(err);
    }
    std::memmove(as_pointer<void>(buf), as_pointer<void>(xdp->data + off), size);
    return 0;
}

uint64_t xdp_store_bytes(uint64_t ctx, uint64_t offset, uint64_t buf, uint64_t len, uint64_t) {
    const auto* xdp = as_pointer<XdpRuntimeContext>(ctx);
    const auto off = static_cast<uint32_t>(offset), size = static_cast<uint32_t>(len);
    if (off > 0xffff || size > 0xffff) return from_errno(-EFAULT);
    if (uint64_t{off} + size > xdp->data_end - xdp->data) return from_errno(-EINVAL);
    std::memmove(as_pointer<void>(xdp->data + off), as_pointer<void>(buf), size);
    return 0;
}

uint64_t xdp_get_buff_len(uint64_t ctx, uint64_t, uint64_t, uint64_t, uint64_t) {
    const auto* xdp = as_pointer<XdpRuntimeContext>(ctx);
    return xdp->data_end - xdp->data;
}

}  // namespace

void register_xdp_helpers(HelperTable& table) {
    table.set(helper_id::xdp_adjust_head, xdp_adjust_head);
    table.set(helper_id::xdp_adjust_tail, xdp_adjust_tail);
    table.set(helper_id::xdp_adjust_meta, xdp_adjust_meta);
    table.set(helper_id::xdp_load_bytes, xdp_load_bytes);
    table.set(helper_id::xdp_store_bytes, xdp_store_bytes);
    table.set(helper_id::xdp_get_buff_len, xdp_get_buff_len);
}

}  // namespace ebpf::runtime_detail
