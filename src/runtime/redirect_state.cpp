// User-mode network devices, AF_XDP-like sockets, and the per-thread state of
// the redirect helpers (Linux's per-CPU bpf_redirect_info): what a program
// asked for, read by the host after the run.
#include <net/if.h>

#include <algorithm>
#include <map>

#include "ebpf/error.hpp"
#include "ebpf/runtime.hpp"
#include "redirect_state.hpp"

namespace ebpf {
namespace {

struct Devices {
    std::mutex mutex;
    std::map<uint32_t, uint32_t> registered;  // ifindex -> registrations
};
Devices& devices() {
    static Devices instance;
    return instance;
}

struct Sockets {
    std::mutex mutex;
    uint32_t next_id = 1;
    std::map<uint32_t, std::weak_ptr<XskSocket>> by_id;
};
Sockets& sockets() {
    static Sockets instance;
    return instance;
}

thread_local RedirectTarget t_redirect;
thread_local std::vector<ClonedFrame> t_cloned;

}  // namespace

void register_device(uint32_t ifindex) {
    std::lock_guard lock(devices().mutex);
    ++devices().registered[ifindex];
}

void unregister_device(uint32_t ifindex) {
    std::lock_guard lock(devices().mutex);
    auto it = devices().registered.find(ifindex);
    if (it != devices().registered.end() && --it->second == 0) devices().registered.erase(it);
}

bool device_exists(uint32_t ifindex) {
    if (ifindex == 0) return false;
    {
        std::lock_guard lock(devices().mutex);
        if (devices().registered.contains(ifindex)) return true;
    }
    char name[IF_NAMESIZE];
    return if_indextoname(ifindex, name) != nullptr;
}

XskSocket::XskSocket(uint32_t id, uint32_t ifindex, uint32_t queue_id, size_t capacity)
    : id_(id), ifindex_(ifindex), queue_id_(queue_id), capacity_(std::max<size_t>(capacity, 1)) {}

std::optional<std::vector<uint8_t>> XskSocket::receive() {
    std::lock_guard lock(mutex_);
    if (frames_.empty()) return std::nullopt;
    std::vector<uint8_t> frame = std::move(frames_.front());
    frames_.pop_front();
    return frame;
}

size_t XskSocket::pending() const {
    std::lock_guard lock(mutex_);
    return frames_.size();
}

bool XskSocket::deliver(std::span<const uint8_t> frame, uint32_t ifindex, uint32_t queue_id) {
    {
        std::lock_guard lock(mutex_);
        // As AF_XDP: a socket receives from the device and queue it is bound to.
        if (ifindex == ifindex_ && queue_id == queue_id_ && frames_.size() < capacity_) {
            frames_.emplace_back(frame.begin(), frame.end());
            delivered_.fetch_add(1, std::memory_order_relaxed);
            return true;
        }
    }
    dropped_.fetch_add(1, std::memory_order_relaxed);
    return false;
}

std::shared_ptr<XskSocket> create_xsk_socket(uint32_t ifindex, uint32_t queue_id, size_t capacity) {
    std::lock_guard lock(sockets().mutex);
    const uint32_t id = sockets().next_id++;
    auto socket = std::make_shared<XskSocket>(id, ifindex, queue_id, capacity);
    sockets().by_id[id] = socket;
    std::erase_if(sockets().by_id, [](const auto& entry) { return entry.second.expired(); });
    return socket;
}

std::shared_ptr<XskSocket> find_xsk_socket(uint32_t id) {
    std::lock_guard lock(sockets().mutex);
    auto it = sockets().by_id.find(id);
    return it == sockets().by_id.end() ? nullptr : it->second.lock();
}

RedirectTarget last_redirect() { return t_redirect; }

std::vector<ClonedFrame> take_cloned_frames() {
    std::vector<ClonedFrame> out;
    out.swap(t_cloned);
    return out;
}

namespace runtime_detail {

constinit thread_local bool redirect_pending = false;

RedirectTarget& redirect_slot() {
    redirect_pending = true;
    return t_redirect;
}

void clear_redirect() {
    t_redirect = RedirectTarget{};
    redirect_pending = false;
}

void add_cloned_frame(ClonedFrame frame) {
    // Bounded: a program in a loop cannot make the host hold unbounded copies.
    if (t_cloned.size() < kMaxClonedFrames) t_cloned.push_back(std::move(frame));
}

bool cloned_frames_full() { return t_cloned.size() >= kMaxClonedFrames; }

}  // namespace runtime_detail
}  // namespace ebpf
