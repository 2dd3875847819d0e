// `bpf2c prog.o -o prog.c`: verifies every program of an eBPF object and
// translates them to C for a native module. Errors go to stderr in
// `file:line: error:` form (from the verifier); no output file is left
// behind on failure.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <string>

#include "ebpf/ebpf.h"
#include "ebpf/error.hpp"
#include "ebpf/native.hpp"
#include "ebpf/object.hpp"
#include "ebpf/printable.hpp"

int main(int argc, char** argv) {
    CLI::App app{"bpf2c: translate a verified eBPF ELF object into C for a native module"};
    std::string input;
    std::string output;
    ebpf::Bpf2cOptions options;
    bool no_verify = false;
    bool no_line = false;
    app.add_option("object", input, "eBPF ELF object (clang -target bpf -O2 -g)")->required();
    app.add_option("-o,--output", output, "C file to write")->required();
    app.add_option("--section", options.section, "only the program with this section or function name");
    app.add_flag("--no-verify", no_verify, "skip verification (debugging bpf2c only; the module loader still needs a verified build)");
    app.add_flag("--no-line", no_line, "no #line directives (map the code to the generated C instead of the eBPF source)");
    ebpf::ResourceLimits limits;  // docs/limits.md
    app.add_option("--max-map-bytes", limits.max_map_bytes, "largest map an object may declare, in bytes")
        ->capture_default_str()->group("Limits");
    app.add_option("--max-total-map-bytes", limits.max_total_map_bytes, "all maps of an object together, in bytes")
        ->capture_default_str()->group("Limits");
    app.add_option("--max-program-insns", limits.max_program_instructions, "instructions per program after linking")
        ->capture_default_str()->group("Limits");
    app.add_option("--max-object-bytes", limits.max_object_bytes, "largest input file, in bytes")
        ->capture_default_str()->group("Limits");
    app.set_version_flag("--version", std::string("bpf2c (ebpf-native) ") + ebpf_version(), "Print the version and exit");
    try {
        app.parse(argc, argv);
    } catch (const CLI::Success& e) {
        return app.exit(e);  // --help, --version
    } catch (const CLI::ParseError& e) {
        // As `ebpf`: a command line that cannot be understood exits 2.
        std::fprintf(stderr, "bpf2c: error: %s\nRun 'bpf2c --help' for usage.\n", ebpf::printable(e.what(), true).c_str());
        return 2;
    }
    options.verify = !no_verify;
    options.codegen.line_directives = !no_line;
    try {
        ebpf::Object object = ebpf::open_object(input, limits);
        ebpf::Bpf2cResult result = ebpf::bpf2c(object, options);
        ebpf::write_file_atomically(output, result.c_source);
        std::fprintf(stderr, "bpf2c %s -> %s: %zu programs, %zu instructions\n", input.c_str(), output.c_str(),
                     result.program_count, result.instruction_count);
        return 0;
    } catch (const ebpf::Error& e) {
        // Names and source lines in the message come from the object.
        std::fprintf(stderr, "%s\n", ebpf::printable(e.what(), true).c_str());
        return 1;
    }
}
