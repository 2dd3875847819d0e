/* A host program that embeds ebpf-native through the C API: it loads an
 * eBPF object, attaches its "hook/request" program to the host's "request"
 * hook, runs the hook for a few requests and reads the program's map.
 *
 *   embed rate_limit.o [interpret|jit]
 */
#include <stdint.h>
#include <stdio.h>

#include "ebpf/ebpf.h"

struct request {
    uint32_t client;
    uint32_t size;
};

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s OBJECT.o [interpret|jit]\n", argv[0]);
        return 2;
    }
    ebpf_object *object = ebpf_object_load(argv[1], argc > 2 ? argv[2] : "interpret");
    if (!object) {
        fprintf(stderr, "embed: %s\n", ebpf_last_error());
        return 1;
    }
    ebpf_program *program = ebpf_object_find_program(object, "hook/request");
    ebpf_map *requests = ebpf_object_find_map(object, "requests");
    ebpf_hook_link *link = program ? ebpf_hook_attach(program, NULL) : NULL;
    if (!program || !requests || !link) {
        fprintf(stderr, "embed: %s\n", ebpf_last_error());
        ebpf_object_close(object);
        return 1;
    }

    /* The host's request loop: client 7 sends five requests, client 9 one. */
    const uint32_t clients[] = {7, 7, 9, 7, 7, 7};
    for (size_t i = 0; i < sizeof(clients) / sizeof(clients[0]); ++i) {
        struct request req = {clients[i], 100};
        uint64_t verdict = 0;
        if (ebpf_hook_run("request", &req, sizeof(req), &verdict) != 0) {
            fprintf(stderr, "embed: %s\n", ebpf_last_error());
            return 1;
        }
        printf("request %zu from client %u: %s\n", i + 1, clients[i], verdict ? "allowed" : "denied");
    }

    /* What the program recorded, read from the host. */
    uint32_t key = 0;
    int status = ebpf_map_next_key(requests, NULL, &key, sizeof(key));
    while (status == 0) {
        uint64_t count = 0;
        if (ebpf_map_lookup(requests, &key, sizeof(key), &count, sizeof(count)) == 0)
            printf("client %u: %llu requests\n", key, (unsigned long long)count);
        status = ebpf_map_next_key(requests, &key, &key, sizeof(key));
    }

    ebpf_hook_detach(link);
    ebpf_object_close(object);
    return 0;
}
