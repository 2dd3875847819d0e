// The ELF branch of `ebpf run`: an eBPF object (clang -target bpf) loaded by
// the runtime, verified, and run on a context built for its program type.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "ebpf/exec.hpp"
#include "ebpf/runtime.hpp"

namespace ebpf::tools {

struct ObjectRunOptions {
    std::string program;        // --prog / --section: function or section name
    std::string data_in;        // packet (xdp) or buffer (hook)
    std::string data_out;
    std::string ctx_in;         // context struct (sock_addr; xdp_md for xdp)
    std::string ctx_out;
    std::vector<std::string> maps;  // NAME=FILE preloads
    bool dump_maps = false;
    std::string pin_root;           // LIBBPF_PIN_BY_NAME maps (default $EBPF_PIN_ROOT, /run/ebpf-native)
    std::string type;               // --type: every program gets this type (as bpftool prog load … type)
    std::string fib;                // bpf_fib_lookup's routes (FibTable text, runtime.hpp)
};
// Reads --fib FILE into the runtime's forwarding table (nothing when empty).
void load_fib_table(const std::string& path);

// NAME=FILE: fills map NAME from FILE (text "KEY VALUE" hex lines, or raw
// key+value records). Throws ebpf::Error naming the file and line.
void preload_map(const LoadedObject& object, const std::string& spec);

// Adds --prog/--section, --data-in/out, --ctx-in/out, --map, --dump-maps, --pin-root, --type, --fib.
void add_object_run_options(CLI::App& app, ObjectRunOptions& options);

// Loads `path`, runs the chosen program `repeat` times and prints the result
// (text, or one JSON object with --json). `memory_file` (--mem) is accepted as
// --data-in. Returns the exit code.
int run_object_file(const std::string& path, ExecMode mode, uint64_t repeat, bool json,
                    const ObjectRunOptions& options, const std::string& memory_file);

// Runs an already loaded program (an ELF object's or a native module's) on a
// context built for its type, and prints the result as run_object_file does.
int run_loaded_program(const LoadedObject& loaded, const LoadedProgram& program, uint64_t repeat, bool json,
                       const ObjectRunOptions& options, const std::string& memory_file);

}  // namespace ebpf::tools
