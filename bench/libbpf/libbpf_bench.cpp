// Lookups of one hash map entry by the three host routes, and
// bpf_prog_test_run_opts on a 64-byte packet (jit), per call.
#include <benchmark/benchmark.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <cstdlib>

#include "ebpf/ebpf.h"

namespace {

struct Loaded {
    bpf_object* obj = nullptr;
    bpf_map* counts = nullptr;
    int counts_fd = -1;
    int prog_fd = -1;
    Loaded() {
        LIBBPF_OPTS(bpf_object_open_opts, opts, .ebpf_mode = "jit");
        obj = bpf_object__open_file(LIBBPF_BENCH_OBJECT, &opts);
        if (!obj || bpf_object__load(obj) != 0) std::abort();
        counts = bpf_object__find_map_by_name(obj, "counts");
        counts_fd = bpf_map__fd(counts);
        prog_fd = bpf_program__fd(bpf_object__find_program_by_name(obj, "count_packets"));
        __u32 key = 2;
        __u64 value = 1;
        bpf_map_update_elem(counts_fd, &key, &value, BPF_ANY);
    }
    ~Loaded() { bpf_object__close(obj); }
};

void BM_LookupThroughFd(benchmark::State& state) {
    Loaded loaded;
    __u32 key = 2;
    __u64 value = 0;
    for (auto _ : state) benchmark::DoNotOptimize(bpf_map_lookup_elem(loaded.counts_fd, &key, &value));
}
BENCHMARK(BM_LookupThroughFd);

void BM_LookupThroughBpfMap(benchmark::State& state) {
    Loaded loaded;
    __u32 key = 2;
    __u64 value = 0;
    for (auto _ : state)
        benchmark::DoNotOptimize(bpf_map__lookup_elem(loaded.counts, &key, sizeof key, &value, sizeof value, 0));
}
BENCHMARK(BM_LookupThroughBpfMap);

void BM_LookupThroughCApi(benchmark::State& state) {
    ebpf_object* object = ebpf_object_load(LIBBPF_BENCH_OBJECT, "jit");
    if (!object) std::abort();
    ebpf_map* counts = ebpf_object_find_map(object, "counts");
    __u32 key = 2;
    __u64 value = 1;
    ebpf_map_update(counts, &key, sizeof key, &value, sizeof value, EBPF_ANY);
    for (auto _ : state) benchmark::DoNotOptimize(ebpf_map_lookup(counts, &key, sizeof key, &value, sizeof value));
    ebpf_object_close(object);
}
BENCHMARK(BM_LookupThroughCApi);

void BM_TestRunXdp64(benchmark::State& state) {
    Loaded loaded;
    unsigned char packet[64] = {};
    for (auto _ : state) {
        LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = packet, .data_size_in = sizeof packet);
        benchmark::DoNotOptimize(bpf_prog_test_run_opts(loaded.prog_fd, &opts));
        // The ring buffer fills: drain it now and then outside the timing.
        if (state.iterations() % 64 == 0) {
            state.PauseTiming();
            ring_buffer* rb = ring_buffer__new(bpf_object__find_map_fd_by_name(loaded.obj, "events"),
                                               [](void*, void*, size_t) { return 0; }, nullptr, nullptr);
            ring_buffer__consume(rb);
            ring_buffer__free(rb);
            state.ResumeTiming();
        }
    }
}
BENCHMARK(BM_TestRunXdp64);

}  // namespace

BENCHMARK_MAIN();
