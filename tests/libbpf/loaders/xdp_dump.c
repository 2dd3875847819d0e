/* An xdpdump-style loader written for libbpf: open → load → perf_buffer__new
 * on the program's perf_event_array → bpf_prog_test_run_opts on packets →
 * perf_buffer__poll prints each sample. Builds unchanged against libbpf (the
 * kernel) and against ebpf-native.
 *
 *   usage: xdp_dump OBJECT     (OBJECT: xdp_dump.bpf.o, or its .so) */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

struct dump_meta {
    __u32 magic;
    __u32 length;
};

static int samples;

static void on_sample(void *ctx, int cpu, void *data, __u32 size) {
    (void)ctx;
    (void)cpu;  /* which CPU ran the test is the scheduler's choice */
    const struct dump_meta *meta = data;
    if (size < sizeof(*meta)) {
        printf("short sample of %u bytes\n", size);
        return;
    }
    /* The raw size is padded (to 8 bytes with its u32 length), as perf
     * records are: the captured bytes are the first min(length, 16). */
    __u32 captured = meta->length < 16 ? meta->length : 16;
    if (size < sizeof(*meta) + captured || size % 8 != 4) {
        printf("sample of %u bytes: wrong size\n", size);
        return;
    }
    printf("sample: magic %08x length %u:", meta->magic, meta->length);
    for (__u32 i = 0; i < captured; ++i) printf(" %02x", ((const unsigned char *)data)[sizeof(*meta) + i]);
    printf("\n");
    ++samples;
}

static void on_lost(void *ctx, int cpu, __u64 count) {
    (void)ctx;
    (void)cpu;
    printf("lost %llu samples\n", (unsigned long long)count);
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s OBJECT\n", argv[0]);
        return 2;
    }
    struct bpf_object *obj = bpf_object__open_file(argv[1], NULL);
    if (!obj) {
        fprintf(stderr, "open %s: %s\n", argv[1], strerror(errno));
        return 1;
    }
    if (bpf_object__load(obj)) {
        fprintf(stderr, "failed to load %s: %s\n", argv[1], strerror(errno));
        return 1;
    }
    struct bpf_program *prog = bpf_object__find_program_by_name(obj, "xdp_dump");
    struct bpf_map *map = bpf_object__find_map_by_name(obj, "dump_events");
    if (!prog || !map) {
        fprintf(stderr, "no program xdp_dump or map dump_events\n");
        return 1;
    }
    printf("map dump_events: type perf_event_array: %s\n",
           bpf_map__type(map) == BPF_MAP_TYPE_PERF_EVENT_ARRAY ? "yes" : "no");
    if (perf_buffer__new(bpf_map__fd(map), 3, on_sample, on_lost, NULL, NULL) != NULL || errno != EINVAL) {
        fprintf(stderr, "perf_buffer__new took 3 pages\n");
        return 1;
    }
    struct perf_buffer *pb = perf_buffer__new(bpf_map__fd(map), 8, on_sample, on_lost, NULL, NULL);
    if (!pb) {
        fprintf(stderr, "perf_buffer__new: %s\n", strerror(errno));
        return 1;
    }
    unsigned lengths[] = {64, 14, 200};
    for (unsigned i = 0; i < sizeof(lengths) / sizeof(lengths[0]); ++i) {
        unsigned char packet[256];
        for (unsigned j = 0; j < sizeof(packet); ++j) packet[j] = (unsigned char)(i * 16 + j);
        LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = packet, .data_size_in = lengths[i], .repeat = 1);
        int err = bpf_prog_test_run_opts(bpf_program__fd(prog), &opts);
        if (err) {
            fprintf(stderr, "bpf_prog_test_run_opts: %s\n", strerror(-err));
            return 1;
        }
        printf("packet of %u bytes: retval %u\n", lengths[i], opts.retval);
        /* One sample per run, read before the next: the order is the runs'. */
        for (int tries = 0; tries < 50 && samples <= (int)i; ++tries) perf_buffer__poll(pb, 20);
    }
    printf("%d samples\n", samples);
    perf_buffer__free(pb);
    bpf_object__close(obj);
    return samples == 3 ? 0 : 1;
}
