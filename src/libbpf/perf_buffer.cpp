// perf_buffer__* (include/bpf/libbpf.h) over the runtime's perf_event_array
// maps: perf_buffer__new opens one sample buffer per CPU in the map (as
// libbpf opens a perf event per CPU and stores it in the map), __poll and
// __consume hand each sample and each count of lost samples to the callbacks
// in order, __free closes the buffers (their map entries disappear, as when
// libbpf closes the perf events). No wakeup fd: __poll checks the buffers and
// sleeps in steps of at most a millisecond, as ring_buffer__poll.
#include <algorithm>
#include <chrono>
#include <climits>
#include <thread>
#include <vector>

#include "diagnostics.hpp"
#include "fd_table.hpp"
#include "hooks/opts.hpp"

struct perf_buffer {
    std::shared_ptr<ebpf::Map> map;  // kept alive while the perf_buffer exists
    std::vector<uint32_t> cpus;      // the indexes it opened
    perf_buffer_sample_fn sample = nullptr;
    perf_buffer_lost_fn lost = nullptr;
    void* ctx = nullptr;
};

using namespace ebpf::libbpf_detail;

namespace {

int consume_buffer(perf_buffer& pb, uint32_t cpu) {
    size_t count = ebpf::perf_event_consume(
        *pb.map, cpu,
        [&](std::span<const uint8_t> sample) {
            // The callback reads the sample in place (libbpf passes a mutable pointer).
            pb.sample(pb.ctx, static_cast<int>(cpu), const_cast<uint8_t*>(sample.data()), static_cast<__u32>(sample.size()));
        },
        [&](uint64_t lost) {
            if (pb.lost) pb.lost(pb.ctx, static_cast<int>(cpu), lost);
        });
    return static_cast<int>(std::min<size_t>(count, INT_MAX));
}

int consume_all(perf_buffer& pb) {
    int64_t total = 0;
    for (uint32_t cpu : pb.cpus) total += consume_buffer(pb, cpu);
    return static_cast<int>(std::min<int64_t>(total, INT_MAX));
}

}  // namespace

extern "C" {

perf_buffer* perf_buffer__new(int map_fd, size_t page_cnt, perf_buffer_sample_fn sample_cb, perf_buffer_lost_fn lost_cb,
                              void* ctx, const perf_buffer_opts* opts) {
    perf_buffer* created = nullptr;
    int error = guarded([&] {
        if (opts) {
            perf_buffer_opts known{};
            if (int e = ebpf::c_api::read_opts(opts, &known, "struct perf_buffer_opts",
                                               [](int c, const std::string& m) { return fail(c, m); }))
                return e;
        }
        if (!sample_cb) return fail(EINVAL, "perf_buffer: no sample callback");
        if (page_cnt == 0 || (page_cnt & (page_cnt - 1)) != 0 || page_cnt > (1u << 16))
            return fail(EINVAL, "perf_buffer: page_cnt " + std::to_string(page_cnt) + " is not a power of 2");
        auto handle = find(map_fd);
        if (!handle || !handle->map) return fail(EBADF, "perf_buffer: fd " + std::to_string(map_fd) + " is not a map fd");
        if (handle->map->type() != ebpf::MapType::perf_event_array)
            return fail(EINVAL, "perf_buffer: map '" + handle->map->name() + "' is not a perf_event_array");
        auto pb = std::make_unique<perf_buffer>();
        pb->map = handle->map;
        pb->sample = sample_cb;
        pb->lost = lost_cb;
        pb->ctx = ctx;
        // One buffer per CPU the map has room for (libbpf: min(max_entries, CPUs)).
        const uint32_t count = std::min(ebpf::perf_event_slots(*pb->map), ebpf::possible_cpus());
        for (uint32_t cpu = 0; cpu < count; ++cpu) {
            ebpf::perf_event_open_buffer(*pb->map, cpu, static_cast<uint32_t>(page_cnt));
            pb->cpus.push_back(cpu);
        }
        created = pb.release();
        return 0;
    });
    if (error != 0) {
        errno = -error;
        return nullptr;
    }
    return created;
}

int perf_buffer__poll(perf_buffer* pb, int timeout_ms) {
    if (!pb) return fail(EINVAL);
    return guarded([&] {
        using clock = std::chrono::steady_clock;
        const auto deadline = clock::now() + std::chrono::milliseconds(std::max(timeout_ms, 0));
        auto pause = std::chrono::microseconds(50);
        for (;;) {
            int n = consume_all(*pb);
            if (n != 0) return n;
            const auto now = clock::now();
            if (timeout_ms >= 0 && now >= deadline) return 0;
            auto step = std::chrono::duration_cast<std::chrono::microseconds>(
                timeout_ms < 0 ? pause : std::min<clock::duration>(pause, deadline - now));
            std::this_thread::sleep_for(step);
            pause = std::min(pause * 2, std::chrono::microseconds(1000));
        }
    });
}

int perf_buffer__consume(perf_buffer* pb) {
    if (!pb) return fail(EINVAL);
    return guarded([&] {
        consume_all(*pb);
        return 0;  // as libbpf: 0 on success
    });
}

size_t perf_buffer__buffer_cnt(const perf_buffer* pb) { return pb ? pb->cpus.size() : 0; }

int perf_buffer__consume_buffer(perf_buffer* pb, size_t buf_idx) {
    if (!pb) return fail(EINVAL);
    if (buf_idx >= pb->cpus.size()) return fail(EINVAL, "perf_buffer: no buffer " + std::to_string(buf_idx));
    return guarded([&] {
        consume_buffer(*pb, pb->cpus[buf_idx]);
        return 0;
    });
}

void perf_buffer__free(perf_buffer* pb) {
    if (!pb) return;
    for (uint32_t cpu : pb->cpus) {
        try {
            pb->map->remove(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(&cpu), 4));
        } catch (const std::exception&) {
            // Closed already (the host deleted the entry): nothing to free.
        }
    }
    delete pb;
}

}  // extern "C"
