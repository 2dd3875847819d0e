/* A minimal host embedding ebpf-native through the C API: it loads an XDP
 * program (an eBPF ELF object, or a native module in mode "native"), runs it
 * on packet files the way Linux's BPF_PROG_TEST_RUN does
 * (ebpf_program_test_run: plain bytes in, the verdict and the packet out) and
 * reads the program's counter map.
 *
 *   xdp_host packet_filter.o|packet_filter.so interpret|jit|native PACKET...
 *
 * Built three ways against an installed ebpf-native (docs/install.md):
 * pkg-config, pkg-config --static, and this folder's CMakeLists.txt. */
#include <ebpf/ebpf.h>
#include <ebpf/version.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static const char *verdict_name(uint64_t verdict)
{
    static const char *names[] = {"XDP_ABORTED", "XDP_DROP", "XDP_PASS", "XDP_TX", "XDP_REDIRECT"};
    return verdict < sizeof(names) / sizeof(names[0]) ? names[verdict] : "?";
}

static int run_packet(const ebpf_program *program, const char *path)
{
    unsigned char packet[2048];
    FILE *file = fopen(path, "rb");
    if (!file) {
        perror(path);
        return -1;
    }
    size_t size = fread(packet, 1, sizeof(packet), file);
    fclose(file);

    unsigned char packet_out[2048];
    struct ebpf_test_run_opts opts = {
        .sz = sizeof(opts),
        .data_in = packet,
        .data_size_in = size,
        .data_out = packet_out,
        .data_size_out = sizeof(packet_out),
        .repeat = 1,
    };
    int error = ebpf_program_test_run(program, &opts);
    if (error) {
        fprintf(stderr, "xdp_host: %s: %s\n", path, ebpf_last_error());
        return -1;
    }
    printf("%s: %s (%llu), %zu bytes out\n", path, verdict_name(opts.retval), (unsigned long long)opts.retval,
           opts.data_size_out);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: %s PROGRAM.o|PROGRAM.so interpret|jit|native PACKET...\n", argv[0]);
        return 2;
    }
    /* The library this host runs with is the one it was compiled for. */
    if (strcmp(ebpf_version(), EBPF_NATIVE_VERSION) != 0) {
        fprintf(stderr, "xdp_host: compiled against ebpf-native %s, running with %s\n", EBPF_NATIVE_VERSION,
                ebpf_version());
        return 1;
    }
    printf("ebpf-native %s, mode %s\n", ebpf_version(), argv[2]);

    ebpf_object *object = ebpf_object_load(argv[1], argv[2]);
    const ebpf_program *program = object ? ebpf_object_program(object, 0) : NULL;
    if (!program) {
        fprintf(stderr, "xdp_host: %s: %s\n", argv[1], ebpf_last_error());
        ebpf_object_close(object);
        return 1;
    }
    int status = 0;
    for (int i = 3; i < argc; ++i)
        if (run_packet(program, argv[i]) != 0) status = 1;

    /* The counter the program keeps per IP protocol: 17 is UDP. */
    ebpf_map *counters = ebpf_object_find_map(object, "packets_per_protocol");
    uint32_t udp = 17;
    uint64_t count = 0;
    if (!counters || ebpf_map_lookup(counters, &udp, sizeof(udp), &count, sizeof(count)) != 0) {
        fprintf(stderr, "xdp_host: packets_per_protocol: %s\n", ebpf_last_error());
        status = 1;
    } else {
        printf("UDP packets counted: %llu\n", (unsigned long long)count);
    }
    ebpf_object_close(object);
    return status;
}
