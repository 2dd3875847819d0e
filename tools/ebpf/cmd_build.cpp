// `ebpf build prog.o -o prog.so`: verify → bpf2c → cc → (sign). One progress
// line per step on stderr; the output file appears only when every step
// succeeded.
#include <unistd.h>

#include <cstdio>
#include <filesystem>

#include "command.hpp"
#include "ebpf/error.hpp"
#include "ebpf/native.hpp"
#include "ebpf/object.hpp"
#include "ebpf/signing.hpp"

namespace ebpf::tools {
namespace {

struct BuildArguments {
    std::string input;
    std::string output;
    std::string section;
    std::string emit_c;
    bool sign = false;
    std::string key;
    std::string cert;
    bool no_line = false;
};

// A private directory for the intermediate C file, removed on exit.
class ScratchDirectory {
public:
    ScratchDirectory() {
        std::string pattern = (std::filesystem::temp_directory_path() / "ebpf-build-XXXXXX").string();
        if (::mkdtemp(pattern.data()) == nullptr) throw Error("ebpf build: cannot create a temporary directory");
        path_ = pattern;
    }
    ~ScratchDirectory() {
        std::error_code ignored;
        std::filesystem::remove_all(path_, ignored);
    }
    std::string file(const std::string& name) const { return (path_ / name).string(); }

private:
    std::filesystem::path path_;
};

int run_build(const BuildArguments& args) {
    const int steps = args.sign ? 4 : 3;
    if (args.sign && (args.key.empty() || args.cert.empty()))
        throw Error("ebpf build: --sign needs --key KEY.pem and --cert CERT.pem");

    Object object = open_object(args.input);
    Bpf2cOptions options;
    options.section = args.section;
    options.codegen.line_directives = !args.no_line;
    TranslationUnit unit = prepare_translation_unit(object, options);
    size_t instructions = 0;
    for (const auto& program : unit.programs) instructions += program.verified_instruction_count;
    std::fprintf(stderr, "[1/%d] verify %s: %zu program%s ok\n", steps, args.input.c_str(), unit.programs.size(),
                 unit.programs.size() == 1 ? "" : "s");

    ScratchDirectory scratch;
    std::string c_path = args.emit_c.empty() ? scratch.file("module.c") : args.emit_c;
    write_file_atomically(c_path, generate_c(unit, options.codegen));
    std::fprintf(stderr, "[2/%d] bpf2c %s -> %s: %zu instructions\n", steps, args.input.c_str(), c_path.c_str(),
                 instructions);

    std::string so_path = args.sign ? scratch.file("module.so") : args.output;
    compile_c_to_module(c_path, so_path);
    const char* cc = std::getenv("CC");
    std::fprintf(stderr, "[3/%d] %s -O2 -fPIC -g -shared -> %s\n", steps, cc != nullptr && *cc ? cc : "cc",
                 so_path == args.output ? args.output.c_str() : "module.so");

    if (args.sign) {
        std::vector<uint8_t> signed_bytes = sign_module(read_file(so_path), args.key, args.cert);
        write_file_atomically(args.output, std::string_view(reinterpret_cast<const char*>(signed_bytes.data()),
                                                            signed_bytes.size()));
        std::fprintf(stderr, "[4/%d] sign with %s -> %s\n", steps, args.cert.c_str(), args.output.c_str());
    }
    return 0;
}

const CommandRegistration registration{Command{
    "build", "verify an eBPF object, translate it to C (bpf2c) and compile a native module (.so)",
    [](CLI::App& app) -> std::function<int()> {
        auto args = std::make_shared<BuildArguments>();
        app.add_option("object", args->input, "eBPF ELF object (clang -target bpf -O2 -g)")->required();
        app.add_option("-o,--output", args->output, "shared object to write")->required();
        app.add_option("--section", args->section, "only the program with this section or function name");
        app.add_option("--emit-c", args->emit_c, "also keep the generated C in this file");
        app.add_flag("--no-line", args->no_line, "no #line directives to the eBPF C source");
        app.add_flag("--sign", args->sign, "sign the module (needs --key and --cert)");
        app.add_option("--key", args->key, "signing key, PEM");
        app.add_option("--cert", args->cert, "signing certificate, PEM");
        app.footer("The compiler is $CC (default cc), run as: cc -O2 -fPIC -g -shared. The module ABI header is\n"
                   "embedded in the generated C, so no include path is needed.");
        return [args] { return run_build(*args); };
    }}};

}  // namespace
}  // namespace ebpf::tools
