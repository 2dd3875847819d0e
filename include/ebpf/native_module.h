/* The native module ABI: what a shared object built by `bpf2c` + `cc`
 * exports, and what the module loader (src/native/module_loader*.cpp) reads.
 *
 * A module exports exactly one symbol, EBPF_NATIVE_MODULE_ENTRY, a function
 * returning a pointer to `struct ebpf_native_module`. Everything else the
 * loader needs is reached through that struct, so nothing else in the module
 * has to be known by name.
 *
 * Plain C (C99) so that generated code can include it; bpf2c embeds this very
 * text into every generated file, so a module compiles without include paths.
 * The loader fills the slots marked "filled by the loader" before any program
 * runs; the module never writes them.
 */
#ifndef EBPF_NATIVE_MODULE_H
#define EBPF_NATIVE_MODULE_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Bumped on any incompatible change of the structs below. */
#define EBPF_NATIVE_ABI_VERSION 3u
/* "eBPFnatv" as a little-endian 64-bit number: tells a module from random data. */
#define EBPF_NATIVE_MAGIC UINT64_C(0x7674616e46504265)
#define EBPF_NATIVE_MODULE_ENTRY "ebpf_native_module_get"

/* A helper, called with r1..r5, returning r0 (same as ebpf::HelperFunction). */
typedef uint64_t (*ebpf_native_helper_fn)(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);

/* Every generated eBPF function (program entry and subprogram): r1..r5 and
 * the caller's frame depth (0 for a program entry or a callback called by a
 * helper). Callback values (LDDW pseudo-func) are pointers to such functions. */
typedef uint64_t (*ebpf_native_function_fn)(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t,
                                            uint32_t);

/* One helper the module imports, by Linux helper ID. */
struct ebpf_native_helper {
    int32_t id;
    uint32_t reserved;               /* 0 */
    ebpf_native_helper_fn function;  /* filled by the loader */
};

/* Map flags of struct ebpf_native_map.flags (not the Linux map_flags). */
#define EBPF_NATIVE_MAP_GLOBAL_DATA 1u     /* .rodata/.data/.bss: one-entry array */
#define EBPF_NATIVE_MAP_READ_ONLY 2u       /* .rodata: frozen */
#define EBPF_NATIVE_MAP_INNER_TEMPLATE 4u  /* only a template for map-in-map values */
#define EBPF_NATIVE_NO_INNER_MAP UINT32_MAX

/* A statically initialised slot of a prog_array or map-in-map
 * (`.values = { [key] = &target }` in the eBPF C source). */
struct ebpf_native_map_slot {
    uint32_t key;
    uint32_t reserved;               /* 0 */
    const char* target;              /* program name (prog_array) or map name (map-in-map) */
};

/* One map the module needs, with its full definition as in the object. */
struct ebpf_native_map {
    const char* name;                /* symbol name or ".rodata", ".data", ... */
    uint32_t type;                   /* Linux enum bpf_map_type */
    uint32_t key_size;
    uint32_t value_size;
    uint32_t max_entries;
    uint32_t map_flags;              /* Linux BPF_F_* */
    uint32_t pinning;
    uint32_t inner_map;              /* index of the inner map template, or EBPF_NATIVE_NO_INNER_MAP */
    uint32_t flags;                  /* EBPF_NATIVE_MAP_* */
    const uint8_t* initial_data;     /* global data: value_size bytes; else NULL */
    uint32_t initial_data_size;
    uint32_t initial_slot_count;
    const struct ebpf_native_map_slot* initial_slots;  /* NULL when initial_slot_count is 0 */
    uint64_t address;                /* filled by the loader: what LDDW map yields (the map handle helpers take) */
    uint64_t value_address;          /* filled by the loader for global data: the value of key 0 */
};

/* A map reference of a program (an LDDW of the map): the map's index in the
 * module's map table, with EBPF_NATIVE_MAP_REF_VALUE when the program uses the
 * map's direct value (value_address) rather than the map (address). The
 * loader refuses a module whose references it cannot bind to a map. */
#define EBPF_NATIVE_MAP_REF_VALUE 0x80000000u

/* One program (an entry function; its subprograms are internal). */
struct ebpf_native_program {
    const char* name;                /* function name */
    const char* section;             /* ELF section, e.g. "xdp" */
    uint32_t program_type;           /* ebpf::ProgramType */
    uint32_t instruction_count;      /* of the verified bytecode */
    ebpf_native_function_fn entry;
    uint8_t bytecode_sha256[32];     /* SHA-256 of the verified bytecode (as the object had it) */
    uint32_t map_reference_count;
    uint32_t reserved;               /* 0 */
    const uint32_t* map_references;  /* every map the program's code names; NULL when the count is 0 */
};

/* What the generated code needs from the runtime, filled by the loader. */
struct ebpf_native_runtime {
    /* Nonzero when the tail_call helper (ID 12) has just set the run's tail-call
     * target: the generated code then returns from every frame at once. */
    int (*tail_call_pending)(void);
};

struct ebpf_native_module {
    uint64_t magic;                  /* EBPF_NATIVE_MAGIC */
    uint32_t abi_version;            /* EBPF_NATIVE_ABI_VERSION */
    uint32_t struct_size;            /* sizeof(struct ebpf_native_module) */
    const char* source_name;         /* the object's file name (informational) */
    uint32_t program_count;
    uint32_t helper_count;
    uint32_t map_count;
    uint32_t reserved;               /* 0 */
    const struct ebpf_native_program* programs;
    struct ebpf_native_helper* helpers;
    struct ebpf_native_map* maps;
    struct ebpf_native_runtime* runtime;
    /* ABI 3: the kernel BTF the module's CO-RE relocations on kernel types
     * were resolved against when it was built, "sha256:<64 hex digits>
     * <source path>"; NULL when there were none (docs/object-loader.md). */
    const char* core_btf;
};

typedef const struct ebpf_native_module* (*ebpf_native_module_get_fn)(void);

#ifdef __cplusplus
}
#endif

#endif /* EBPF_NATIVE_MODULE_H */
