// `ebpf build prog.o -o prog.so`: verify → bpf2c → cc → (sign). One progress
// line per step on stderr; the output file appears only when every step
// succeeded. The module is built by ebpf::build_module, the same library call
// the signing service makes, so both give the same unsigned module.
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
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
    std::string pkcs11_module;
    bool no_line = false;
    bool json = false;
    std::string type;  // --type: every program gets this type (as bpftool prog load … type)
};

int run_build(const BuildArguments& args) {
    const int steps = args.sign ? 4 : 3;
    if (args.sign && (args.key.empty() || args.cert.empty()))
        throw Error("ebpf build: --sign needs --key (KEY.pem or a pkcs11: URI) and --cert CERT.pem");
    // Open the key before building, so a bad key or PIN fails fast.
    std::optional<ModuleSigner> signer;
    if (args.sign) signer = ModuleSigner::open(args.key, args.cert, {.module_path = args.pkcs11_module});

    Object object = open_object(args.input, tool_limits());
    if (auto type = program_type_option(args.type)) set_program_type(object, type->type, type->attach);
    ModuleBuildOptions options;
    options.bpf2c.section = args.section;
    options.bpf2c.codegen.line_directives = !args.no_line;
    options.on_verified = [&](const TranslationUnit& unit) {
        std::fprintf(stderr, "[1/%d] verify %s: %zu program%s ok\n", steps, args.input.c_str(), unit.programs.size(),
                     unit.programs.size() == 1 ? "" : "s");
    };
    // Verified, translated and compiled in a private directory; these bytes
    // are what gets signed and written.
    const BuiltModule built = build_module(object, options);
    size_t instructions = 0;
    for (const auto& program : built.unit.programs) instructions += program.verified_instruction_count;
    // --emit-c gets a copy of the C, never the file that was compiled.
    if (!args.emit_c.empty()) write_file_atomically(args.emit_c, built.c_source);
    std::fprintf(stderr, "[2/%d] bpf2c %s -> %s: %zu instructions\n", steps, args.input.c_str(),
                 args.emit_c.empty() ? "module.c" : args.emit_c.c_str(), instructions);
    std::fprintf(stderr, "[3/%d] %s -O2 -fPIC -g -shared -> %s\n", steps, built.compiler.c_str(),
                 args.sign ? "module.so" : args.output.c_str());

    std::vector<uint8_t> file = built.bytes;
    if (signer) {
        file = signer->sign(built.bytes);
        std::fprintf(stderr, "[4/%d] sign with %s (%s) -> %s\n", steps, args.cert.c_str(),
                     signer->key_description().c_str(), args.output.c_str());
    }
    write_file_atomically(args.output, std::string_view(reinterpret_cast<const char*>(file.data()), file.size()));

    const ModuleDigests digests = module_digests(file);
    if (args.json) {
        nlohmann::json programs = nlohmann::json::array();
        for (const auto& program : built.unit.programs)
            programs.push_back({{"name", program.name},
                                {"section", program.section},
                                {"instructions", program.verified_instruction_count},
                                {"bytecode_sha256", to_hex(program.bytecode_sha256)},
                                {"verifier",
                                 {{"insns_processed", program.verifier_stats.insns_processed},
                                  {"states_visited", program.verifier_stats.states_visited},
                                  {"peak_states", program.verifier_stats.peak_states},
                                  {"peak_memory_bytes", program.verifier_stats.peak_memory_bytes},
                                  {"seconds", program.verifier_stats.seconds}}}});
        nlohmann::json out = {{"object", args.input},
                              {"output", args.output},
                              {"module_digest", digests.module},
                              {"file_digest", digests.file},
                              {"module_size", built.bytes.size()},
                              {"file_size", file.size()},
                              {"signed", signer.has_value()},
                              {"compiler", built.compiler},
                              {"programs", programs}};
        if (signer) {
            out["signer"] = signer->subject();
            out["key"] = signer->key_description();
        }
        std::printf("%s\n", json_text(out, 2).c_str());
    } else {
        std::printf("Module digest: %s\n", digests.module.c_str());
        std::printf("File digest:   %s%s\n", digests.file.c_str(), signer ? "" : " (unsigned: the same)");
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
        add_type_option(app, args->type);
        add_limit_options(app);
        app.add_option("--emit-c", args->emit_c, "also keep the generated C in this file");
        app.add_flag("--no-line", args->no_line, "no #line directives to the eBPF C source");
        app.add_flag("--sign", args->sign, "sign the module (needs --key and --cert)");
        app.add_option("--key", args->key,
                       "signing key: a PEM file, or a pkcs11: URI of a key in a token "
                       "(PIN: pin-source=file:/path in the URI, or $EBPF_PKCS11_PIN)");
        app.add_option("--cert", args->cert, "signing certificate, PEM");
        app.add_option("--pkcs11-module", args->pkcs11_module,
                       "PKCS#11 module for a pkcs11: key (default: module-path= in the URI, $EBPF_PKCS11_MODULE, "
                       "p11-kit's proxy)");
        app.add_flag("--json", args->json, "print the module and file digests and the programs as JSON");
        app.footer("The compiler is $CC (default cc), run as: cc -O2 -fPIC -g -shared -nostartfiles -nostdlib in a\n"
                   "private directory. The module ABI header is embedded in the generated C, so no include path is\n"
                   "needed. The output is replaced atomically (a symlink there is replaced, not followed).\n"
                   "Reproducible: the same object, options and compiler give the same module digest (sha256 of\n"
                   "the unsigned module) anywhere; the file digest covers the signature too.");
        return [args] { return run_build(*args); };
    }}};

}  // namespace
}  // namespace ebpf::tools
