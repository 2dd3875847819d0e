/* A loader that checks what BPF_PROG_TEST_RUN gives back for XDP: the packet
 * after bpf_xdp_adjust_head/tail, struct xdp_md in and out, a data_out
 * buffer that is too small (-ENOSPC, the first bytes, the full size) and a
 * bad context (-EINVAL). Built against the system's libbpf it prints what the
 * kernel does, so the two outputs are compared.
 *
 *   usage: xdp_adjust OBJECT   (OBJECT: xdp_adjust.bpf.o, or its .so) */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

static void show(const char *what, int err, const struct bpf_test_run_opts *opts, const unsigned char *out,
                 const struct xdp_md *md) {
    printf("%s: err %d, retval %u, %u bytes out:", what, err, opts->retval, opts->data_size_out);
    for (unsigned i = 0; i < 8 && i < opts->data_size_out; ++i)
        printf(" %02x", out[i]);
    if (md)
        printf(", xdp_md data %u data_end %u", md->data, md->data_end);
    printf("\n");
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s OBJECT\n", argv[0]);
        return 2;
    }
    struct bpf_object *obj = bpf_object__open_file(argv[1], NULL);
    if (!obj) {
        fprintf(stderr, "open: %s\n", strerror(errno));
        return 1;
    }
    int err = bpf_object__load(obj);
    if (err) {
        fprintf(stderr, "failed to load %s: %s\n", argv[1], strerror(-err));
        bpf_object__close(obj);
        return 1;
    }
    int prog_fd = bpf_program__fd(bpf_object__find_program_by_name(obj, "xdp_adjust"));

    unsigned char packet[64], out[128];
    for (unsigned kind = 0; kind <= 4; ++kind) {
        for (unsigned i = 0; i < sizeof(packet); ++i)
            packet[i] = (unsigned char)(i + 0x10);
        packet[0] = (unsigned char)kind;
        struct xdp_md md_in = {.data_end = sizeof(packet)}, md_out = {0};
        LIBBPF_OPTS(bpf_test_run_opts, opts,
            .data_in = packet,
            .data_out = out,
            .data_size_in = sizeof(packet),
            .data_size_out = sizeof(out),
            .ctx_in = &md_in,
            .ctx_out = &md_out,
            .ctx_size_in = sizeof(md_in),
            .ctx_size_out = sizeof(md_out),
        );
        char what[32];
        snprintf(what, sizeof(what), "kind %u", kind);
        int err = bpf_prog_test_run_opts(prog_fd, &opts);
        show(what, err, &opts, out, &md_out);
    }

    /* data_out too small: the first bytes, the size the run produced, -ENOSPC. */
    packet[0] = 0;
    memset(out, 0, sizeof(out));
    LIBBPF_OPTS(bpf_test_run_opts, small, .data_in = packet, .data_out = out, .data_size_in = sizeof(packet),
                .data_size_out = 8);
    err = bpf_prog_test_run_opts(prog_fd, &small);
    show("8-byte data_out", err, &small, out, NULL);
    printf("byte 8 untouched: %s\n", out[8] == 0 ? "yes" : "no");

    /* A context that does not describe the packet. */
    struct xdp_md bad = {.data_end = 100};
    LIBBPF_OPTS(bpf_test_run_opts, wrong, .data_in = packet, .data_size_in = sizeof(packet), .ctx_in = &bad,
                .ctx_size_in = sizeof(bad));
    printf("data_end 100 for 64 bytes: err %d\n", bpf_prog_test_run_opts(prog_fd, &wrong));
    struct xdp_md queue = {.data_end = sizeof(packet), .rx_queue_index = 1};
    wrong.ctx_in = &queue;
    printf("rx_queue_index without ingress_ifindex: err %d\n", bpf_prog_test_run_opts(prog_fd, &wrong));
    struct xdp_md egress = {.data_end = sizeof(packet), .egress_ifindex = 1};
    wrong.ctx_in = &egress;
    printf("egress_ifindex set: err %d\n", bpf_prog_test_run_opts(prog_fd, &wrong));

    bpf_object__close(obj);
    return 0;
}
