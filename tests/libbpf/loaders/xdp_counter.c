/* A user-space loader written for libbpf, as libbpf's documentation and
 * libbpf-bootstrap show: open → load → find the program → update a map →
 * bpf_prog_test_run_opts on packets → read the map → poll the ring buffer.
 * It builds unchanged against libbpf (-lbpf, the kernel) and against
 * ebpf-native (-lebpf-native, the user-mode runtime).
 *
 *   usage: xdp_counter OBJECT     (OBJECT: xdp_counter.bpf.o, or its .so) */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

struct event {
    __u32 length;
    __u32 verdict;
};

static int print_libbpf(enum libbpf_print_level level, const char *format, va_list args) {
    if (level == LIBBPF_DEBUG)
        return 0;
    return vfprintf(stderr, format, args);
}

static int handle_event(void *ctx, void *data, size_t size) {
    const struct event *event = data;
    int *seen = ctx;
    if (size < sizeof(*event))
        return -EINVAL;
    printf("event: length %u verdict %u\n", event->length, event->verdict);
    ++*seen;
    return 0;
}

static int run_packet(int prog_fd, unsigned length) {
    unsigned char packet[256], out[256];
    memset(packet, 0xab, sizeof(packet));
    LIBBPF_OPTS(bpf_test_run_opts, opts,
        .data_in = packet,
        .data_size_in = length,
        .data_out = out,
        .data_size_out = sizeof(out),
        .repeat = 1,
    );
    int err = bpf_prog_test_run_opts(prog_fd, &opts);
    if (err) {
        fprintf(stderr, "bpf_prog_test_run_opts: %s\n", strerror(-err));
        return -1;
    }
    printf("packet of %u bytes: retval %u, %u bytes out, same bytes: %s\n", length, opts.retval, opts.data_size_out,
           opts.data_size_out == length && memcmp(packet, out, length) == 0 ? "yes" : "no");
    return 0;
}

int main(int argc, char **argv) {
    struct bpf_object *obj;
    struct bpf_program *prog;
    struct bpf_map *map, *config, *counts, *events;
    struct ring_buffer *rb = NULL;
    int err, seen = 0, status = 1;

    if (argc != 2) {
        fprintf(stderr, "usage: %s OBJECT\n", argv[0]);
        return 2;
    }
    libbpf_set_print(print_libbpf);

    obj = bpf_object__open_file(argv[1], NULL);
    if (!obj) {
        fprintf(stderr, "failed to open %s: %s\n", argv[1], strerror(errno));
        return 1;
    }
    bpf_object__for_each_program(prog, obj)
        printf("program %s (section %s)\n", bpf_program__name(prog), bpf_program__section_name(prog));
    bpf_object__for_each_map(map, obj)
        printf("map %s: key %u, value %u, max_entries %u\n", bpf_map__name(map), bpf_map__key_size(map),
               bpf_map__value_size(map), bpf_map__max_entries(map));

    err = bpf_object__load(obj);
    if (err) {
        fprintf(stderr, "failed to load %s: %s\n", argv[1], strerror(-err));
        goto cleanup;
    }
    prog = bpf_object__find_program_by_name(obj, "count_packets");
    config = bpf_object__find_map_by_name(obj, "config");
    counts = bpf_object__find_map_by_name(obj, "counts");
    events = bpf_object__find_map_by_name(obj, "events");
    if (!prog || !config || !counts || !events) {
        fprintf(stderr, "program or map not found\n");
        goto cleanup;
    }
    printf("program type is xdp: %s\n", bpf_program__type(prog) == BPF_PROG_TYPE_XDP ? "yes" : "no");

    /* Drop packets longer than 100 bytes. */
    __u32 zero = 0, limit = 100;
    err = bpf_map__update_elem(config, &zero, sizeof(zero), &limit, sizeof(limit), BPF_ANY);
    if (err) {
        fprintf(stderr, "failed to update config: %s\n", strerror(-err));
        goto cleanup;
    }

    int prog_fd = bpf_program__fd(prog);
    if (run_packet(prog_fd, 64) || run_packet(prog_fd, 200) || run_packet(prog_fd, 64))
        goto cleanup;

    /* Read the counters through the map's fd: walk the keys, then look up
     * each verdict (key order is the map's own, so it is not printed). */
    int counts_fd = bpf_map__fd(counts);
    __u32 key, next, verdict;
    __u32 *cursor = NULL;
    int keys = 0;
    while (bpf_map_get_next_key(counts_fd, cursor, &next) == 0) {
        key = next;
        cursor = &key;
        ++keys;
    }
    printf("counts has %d keys\n", keys);
    for (verdict = XDP_DROP; verdict <= XDP_PASS; ++verdict) {
        __u64 value = 0;
        if (bpf_map_lookup_elem(counts_fd, &verdict, &value) == 0)
            printf("verdict %u: %llu packets\n", verdict, (unsigned long long)value);
    }

    rb = ring_buffer__new(bpf_map__fd(events), handle_event, &seen, NULL);
    if (!rb) {
        fprintf(stderr, "failed to create the ring buffer: %s\n", strerror(errno));
        goto cleanup;
    }
    while (seen < 3) {
        err = ring_buffer__poll(rb, 100 /* ms */);
        if (err < 0) {
            fprintf(stderr, "ring_buffer__poll: %s\n", strerror(-err));
            goto cleanup;
        }
        if (err == 0)
            break;
    }
    printf("%d events\n", seen);
    status = seen == 3 ? 0 : 1;

cleanup:
    ring_buffer__free(rb);
    bpf_object__close(obj);
    return status;
}
