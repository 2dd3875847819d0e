// ring_buffer__* (include/bpf/libbpf.h) over the runtime's ring buffer maps.
// The user-mode runtime has no epoll-able wakeup, so __poll checks the rings
// and, when nothing is ready, sleeps in steps of at most a millisecond until
// a record comes or the timeout passes.
#include <algorithm>
#include <chrono>
#include <climits>
#include <thread>
#include <vector>

#include "diagnostics.hpp"
#include "fd_table.hpp"
#include "hooks/opts.hpp"

namespace {

struct Ring {
    std::shared_ptr<ebpf::Map> map;  // kept alive while the ring_buffer exists
    ring_buffer_sample_fn sample = nullptr;
    void* ctx = nullptr;
};

}  // namespace

struct ring_buffer {
    std::vector<Ring> rings;
};

using namespace ebpf::libbpf_detail;

namespace {

int add_ring(ring_buffer& rb, int map_fd, ring_buffer_sample_fn sample, void* ctx) {
    if (!sample) return fail(EINVAL, "ring_buffer: no sample callback");
    auto handle = find(map_fd);
    if (!handle || !handle->map) return fail(EBADF, "ring_buffer: fd " + std::to_string(map_fd) + " is not a map fd");
    if (handle->map->type() != ebpf::MapType::ringbuf)
        return fail(EINVAL, "ring_buffer: map '" + handle->map->name() + "' is not a ring buffer");
    rb.rings.push_back({handle->map, sample, ctx});
    return 0;
}

// Consumes every ring once; the count, or the first negative callback result.
int consume_all(ring_buffer& rb) {
    int64_t total = 0;
    for (Ring& ring : rb.rings) {
        int error = 0;
        size_t count = ebpf::ringbuf_consume_until(*ring.map, [&](std::span<const uint8_t> record) {
            // libbpf hands the callback a mutable pointer; the callback gets a copy
            // of nothing: it reads the record in place, as from the kernel's ring.
            int rc = ring.sample(ring.ctx, const_cast<uint8_t*>(record.data()), record.size());
            if (rc < 0) error = rc;
            return rc >= 0;
        });
        if (error < 0) return error;
        total += static_cast<int64_t>(count);
    }
    return static_cast<int>(std::min<int64_t>(total, INT_MAX));
}

}  // namespace

extern "C" {

ring_buffer* ring_buffer__new(int map_fd, ring_buffer_sample_fn sample_cb, void* ctx, const ring_buffer_opts* opts) {
    ring_buffer* created = nullptr;
    int error = guarded([&] {
        if (opts) {
            ring_buffer_opts known{};
            if (int e = ebpf::c_api::read_opts(opts, &known, "struct ring_buffer_opts",
                                               [](int c, const std::string& m) { return fail(c, m); }))
                return e;
        }
        auto rb = std::make_unique<ring_buffer>();
        if (int e = add_ring(*rb, map_fd, sample_cb, ctx)) return e;
        created = rb.release();
        return 0;
    });
    if (error != 0) {
        errno = -error;
        return nullptr;
    }
    return created;
}

int ring_buffer__add(ring_buffer* rb, int map_fd, ring_buffer_sample_fn sample_cb, void* ctx) {
    if (!rb) return fail(EINVAL);
    return guarded([&] { return add_ring(*rb, map_fd, sample_cb, ctx); });
}

int ring_buffer__consume(ring_buffer* rb) {
    if (!rb) return fail(EINVAL);
    return guarded([&] {
        int n = consume_all(*rb);
        return n < 0 ? result(n) : n;
    });
}

int ring_buffer__poll(ring_buffer* rb, int timeout_ms) {
    if (!rb) return fail(EINVAL);
    return guarded([&] {
        using clock = std::chrono::steady_clock;
        const auto deadline = clock::now() + std::chrono::milliseconds(std::max(timeout_ms, 0));
        auto pause = std::chrono::microseconds(50);
        for (;;) {
            int n = consume_all(*rb);
            if (n != 0) return n < 0 ? result(n) : n;
            const auto now = clock::now();
            if (timeout_ms >= 0 && now >= deadline) return 0;
            auto step = std::chrono::duration_cast<std::chrono::microseconds>(
                timeout_ms < 0 ? pause : std::min<clock::duration>(pause, deadline - now));
            std::this_thread::sleep_for(step);
            pause = std::min(pause * 2, std::chrono::microseconds(1000));
        }
    });
}

void ring_buffer__free(ring_buffer* rb) { delete rb; }

}  // extern "C"
