// `ebpf build prog.o -o prog.so`: verify → bpf2c → cc → (sign). One progress
// line per step on stderr; the output file appears only when every step
// succeeded.
#include <cstdio>
#include <cstdlib>
#include <optional>

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

int run_build(const BuildArguments& args) {
    const int steps = args.sign ? 4 : 3;
    if (args.sign && (args.key.empty() || args.cert.empty()))
        throw Error("ebpf build: --sign needs --key KEY.pem and --cert CERT.pem");
    // Read the credentials before building, so a bad key fails fast.
    std::optional<SigningCredential> credential;
    if (args.sign) credential = read_signing_credential(args.key, args.cert);

    Object object = open_object(args.input, tool_limits());
    Bpf2cOptions options;
    options.section = args.section;
    options.codegen.line_directives = !args.no_line;
    TranslationUnit unit = prepare_translation_unit(object, options);
    size_t instructions = 0;
    for (const auto& program : unit.programs) instructions += program.verified_instruction_count;
    std::fprintf(stderr, "[1/%d] verify %s: %zu program%s ok\n", steps, args.input.c_str(), unit.programs.size(),
                 unit.programs.size() == 1 ? "" : "s");

    // The C stays in memory; --emit-c gets a copy, never what is compiled.
    const std::string c_source = generate_c(unit, options.codegen);
    if (!args.emit_c.empty()) write_file_atomically(args.emit_c, c_source);
    std::fprintf(stderr, "[2/%d] bpf2c %s -> %s: %zu instructions\n", steps, args.input.c_str(),
                 args.emit_c.empty() ? "module.c" : args.emit_c.c_str(), instructions);

    // Compiled in a private directory; these bytes are what gets signed and written.
    std::vector<uint8_t> module = build_module_bytes(c_source);
    const char* cc = std::getenv("CC");
    std::fprintf(stderr, "[3/%d] %s -O2 -fPIC -g -shared -> %s\n", steps, cc != nullptr && *cc ? cc : "cc",
                 args.sign ? "module.so" : args.output.c_str());

    if (args.sign) {
        module = sign_module(module, *credential);
        std::fprintf(stderr, "[4/%d] sign with %s -> %s\n", steps, args.cert.c_str(), args.output.c_str());
    }
    write_file_atomically(args.output, std::string_view(reinterpret_cast<const char*>(module.data()), module.size()));
    return 0;
}

const CommandRegistration registration{Command{
    "build", "verify an eBPF object, translate it to C (bpf2c) and compile a native module (.so)",
    [](CLI::App& app) -> std::function<int()> {
        auto args = std::make_shared<BuildArguments>();
        app.add_option("object", args->input, "eBPF ELF object (clang -target bpf -O2 -g)")->required();
        app.add_option("-o,--output", args->output, "shared object to write")->required();
        app.add_option("--section", args->section, "only the program with this section or function name");
        add_limit_options(app);
        app.add_option("--emit-c", args->emit_c, "also keep the generated C in this file");
        app.add_flag("--no-line", args->no_line, "no #line directives to the eBPF C source");
        app.add_flag("--sign", args->sign, "sign the module (needs --key and --cert)");
        app.add_option("--key", args->key, "signing key, PEM");
        app.add_option("--cert", args->cert, "signing certificate, PEM");
        app.footer("The compiler is $CC (default cc), run as: cc -O2 -fPIC -g -shared -nostartfiles -nostdlib in a\n"
                   "private directory. The module ABI header is embedded in the generated C, so no include path is\n"
                   "needed. The output is replaced atomically (a symlink there is replaced, not followed).");
        return [args] { return run_build(*args); };
    }}};

}  // namespace
}  // namespace ebpf::tools
