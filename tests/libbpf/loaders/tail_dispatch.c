/* A loader in the older libbpf style (bpf_object__open, libbpf_get_error,
 * DECLARE_LIBBPF_OPTS, map fds by name): fills a prog array with program fds,
 * runs packets through the tail calls, reads a per-CPU array.
 *
 *   usage: tail_dispatch OBJECT   (OBJECT: tail_dispatch.bpf.o, or its .so) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

static __u32 run(int prog_fd, __u32 length) {
    unsigned char packet[256] = {0};
    DECLARE_LIBBPF_OPTS(bpf_test_run_opts, topts, .data_in = packet, .data_size_in = length, .repeat = 1);
    if (bpf_prog_test_run_opts(prog_fd, &topts) != 0)
        return 0xffffffff;
    return topts.retval;
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s OBJECT\n", argv[0]);
        return 2;
    }
    struct bpf_object *obj = bpf_object__open(argv[1]);
    long err = libbpf_get_error(obj);
    if (err) {
        fprintf(stderr, "open: %s\n", strerror(-err));
        return 1;
    }
    err = bpf_object__load(obj);
    if (err) {
        fprintf(stderr, "failed to load %s: %s\n", argv[1], strerror(-err));
        bpf_object__close(obj);
        return 1;
    }
    int classify = bpf_program__fd(bpf_object__find_program_by_name(obj, "classify"));
    int pass_small = bpf_program__fd(bpf_object__find_program_by_name(obj, "pass_small"));
    int drop_large = bpf_program__fd(bpf_object__find_program_by_name(obj, "drop_large"));
    int jump_table = bpf_object__find_map_fd_by_name(obj, "jump_table");
    int size_classes = bpf_object__find_map_fd_by_name(obj, "size_classes");
    if (classify < 0 || pass_small < 0 || drop_large < 0 || jump_table < 0 || size_classes < 0) {
        fprintf(stderr, "program or map not found\n");
        bpf_object__close(obj);
        return 1;
    }

    printf("empty table: 64 bytes -> %u\n", run(classify, 64));
    __u32 slot = 0;
    if (bpf_map_update_elem(jump_table, &slot, &pass_small, BPF_ANY))
        printf("update slot 0 failed\n");
    slot = 1;
    if (bpf_map_update_elem(jump_table, &slot, &drop_large, BPF_ANY))
        printf("update slot 1 failed\n");
    printf("64 bytes -> %u, 200 bytes -> %u\n", run(classify, 64), run(classify, 200));
    if (bpf_map_delete_elem(jump_table, &slot))
        printf("delete slot 1 failed\n");
    printf("slot 1 emptied: 200 bytes -> %u\n", run(classify, 200));
    int not_a_program = size_classes;
    printf("a map fd as a program: %s\n",
           bpf_map_update_elem(jump_table, &slot, &not_a_program, BPF_ANY) ? "refused" : "accepted");

    int cpus = libbpf_num_possible_cpus();
    __u64 *values = calloc(cpus, sizeof(*values));
    for (__u32 key = 0; key < 2; ++key) {
        unsigned long long total = 0;
        if (bpf_map_lookup_elem(size_classes, &key, values) == 0)
            for (int cpu = 0; cpu < cpus; ++cpu)
                total += values[cpu];
        printf("size class %u: %llu packets\n", key, total);
    }
    free(values);
    bpf_object__close(obj);
    return 0;
}
