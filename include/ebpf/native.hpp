// Native mode: bpf2c (verified eBPF → C), and the loader of the shared
// objects that `cc` builds from that C (the ABI is include/ebpf/native_module.h).
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ebpf/abi.hpp"
#include "ebpf/exec.hpp"
#include "ebpf/isa.hpp"
#include "ebpf/object.hpp"
#include "ebpf/verifier.hpp"

struct ebpf_native_module;

namespace ebpf {

// --- bpf2c ------------------------------------------------------------------

// One program as bpf2c translates it: already verified, context accesses
// already rewritten to the runtime layout.
struct TranslationProgram {
    std::string name;
    std::string section;
    ProgramType type = ProgramType::unspec;
    std::vector<Instruction> insns;            // what the generated C executes
    std::array<uint8_t, 32> bytecode_sha256{}; // of the verified bytecode
    uint32_t verified_instruction_count = 0;
    std::vector<FunctionInfo> functions;       // may be empty: then one function at 0
    std::vector<LineInfo> lines;               // may be empty
    VerifyStats verifier_stats;                // what verifying it took (zero when not verified)
};

// Everything that goes into one generated C file (one module).
struct TranslationUnit {
    std::string source_name;  // the object's name, recorded in the metadata
    std::string core_btf;     // core_btf_identity() of the CO-RE target, or "" (native_module.h)
    std::vector<TranslationProgram> programs;
    std::vector<MapDefinition> maps;
    std::vector<std::string> warnings;  // programs left out and why (ProgramSelection)
};

struct CodegenOptions {
    bool line_directives = true;  // #line from BTF line info (for gdb/perf)
};

// Translates a unit to C. Deterministic: the same unit gives the same bytes.
// Throws ebpf::Error "program NAME: instruction N: why" for bytecode that
// cannot be translated (malformed, or kfunc calls and legacy packet loads).
std::string generate_c(const TranslationUnit& unit, const CodegenOptions& options = {});

struct Bpf2cOptions {
    std::string section;  // only programs whose section or name is this; empty = all
    bool verify = true;   // false only for debugging bpf2c itself
    CodegenOptions codegen;
};

// What bpf2c did, for progress lines.
struct Bpf2cResult {
    std::string c_source;
    size_t program_count = 0;
    size_t instruction_count = 0;
    std::vector<std::string> warnings;  // programs left out and why
};

// The first half of bpf2c: select programs, verify each (the first failure
// throws ebpf::Error with the verifier's formatted diagnostic), rewrite
// context accesses and hash the verified bytecode.
TranslationUnit prepare_translation_unit(const Object& object, const Bpf2cOptions& options = {});

// The whole bpf2c pipeline for an opened object: verify every selected
// program (the first failure throws ebpf::Error with the verifier's formatted
// diagnostic), rewrite context accesses, hash the verified bytecode, generate C.
Bpf2cResult bpf2c(const Object& object, const Bpf2cOptions& options = {});

// SHA-256 of instructions as little-endian bytes.
std::array<uint8_t, 32> sha256_of_instructions(std::span<const Instruction> insns);

// The text of include/ebpf/native_module.h, as embedded into generated C.
std::string_view native_module_header_text();

// A private directory for intermediate files: mkdtemp under $TMPDIR (a new
// directory with a random name, mode 0700), removed with its contents at
// destruction. `purpose` starts its name ("ebpf-build-XXXXXX").
class PrivateDirectory {
public:
    explicit PrivateDirectory(std::string_view purpose);
    ~PrivateDirectory();
    PrivateDirectory(const PrivateDirectory&) = delete;
    PrivateDirectory& operator=(const PrivateDirectory&) = delete;
    const std::string& path() const { return path_; }
    std::string file(std::string_view name) const;

private:
    std::string path_;
};

// Writes `contents` to `path` atomically: a temporary file next to it made
// with O_CREAT|O_EXCL under a random name, then rename(). A failure never
// leaves a partial output; a symlink planted at `path` is replaced, never
// followed. Permissions 0666 minus the umask.
void write_file_atomically(const std::string& path, std::string_view contents);

// Compiles generated C into a shared object with `${CC:-cc} -O2 -fPIC -g
// -shared -nostartfiles -nostdlib` (no constructors, no library
// dependencies: the module loader refuses both). The compiler runs in a
// private directory (PrivateDirectory, also its $TMPDIR); the module's bytes
// are read back from there. Throws ebpf::Error with the compiler's output on
// failure, and "code-integrity policy: ..." in code-integrity mode, where
// nothing may be compiled on the host.
struct CompileOptions {
    std::string compiler;                 // empty: TARGET-gcc with a target, else $CC, else "cc"
    std::vector<std::string> extra_flags; // appended
    // The machine the module is for, as a GNU triplet: "x86_64-linux-gnu" or
    // "aarch64-linux-gnu" (Debian's cross compilers, gcc-TARGET); empty: the
    // host, with $CC. With a target the built module's ELF machine is checked.
    std::string target;
};
// The compiler command build_module_bytes() runs for these options. Throws
// ebpf::Error for a target that is not one of the two above.
std::string module_compiler(const CompileOptions& options);
// C text → the module's bytes (for signing or loading exactly what was built).
std::vector<uint8_t> build_module_bytes(std::string_view c_source, const CompileOptions& options = {});
// A C file → a module file, written with write_file_atomically.
void compile_c_to_module(const std::string& c_path, const std::string& so_path,
                         const CompileOptions& options = {});

// --- ebpf build, as a library call ---------------------------------------------
//
// Object → verified → C → unsigned module: what `ebpf build` does before it
// signs, and what the signing service calls, so a module built locally and
// one built by the service are byte for byte the same (same object, options
// and compiler). Reproducible: the result depends on none of the object's
// path (only its base name, recorded as the source name), the current
// directory, the private build directory, the time or the environment
// beyond $CC (docs/signing.md, "Reproducible modules").
struct ModuleBuildOptions {
    Bpf2cOptions bpf2c;
    CompileOptions compile;
    // Recorded in the module's metadata; empty: the object path's base name.
    std::string source_name;
    // Called once every program verified, before the compiler runs (progress).
    std::function<void(const TranslationUnit&)> on_verified;
};
struct BuiltModule {
    TranslationUnit unit;       // the verified programs (names, types, bytecode hashes, counts)
    std::string c_source;       // the generated C that was compiled
    std::vector<uint8_t> bytes; // the unsigned module
    std::string compiler;       // the compiler command that built it ($CC or "cc")
};
// Throws ebpf::Error: the verifier's diagnostics for a program that fails
// verification, the compiler's output if it fails, the code-integrity policy.
BuiltModule build_module(const Object& object, const ModuleBuildOptions& options = {});

// The compiler's identity for reports: the first line of `CC --version`
// (e.g. "cc (Debian 12.2.0-14) 12.2.0"). Throws ebpf::Error when it cannot run.
std::string compiler_version(const CompileOptions& options = {});

// --- module loader ----------------------------------------------------------

// Where the runtime put a map the module needs.
struct MapBinding {
    uint64_t address = 0;        // the value LDDW map gives (map handle helpers take)
    uint64_t value_address = 0;  // global data: address of the value of key 0
};

struct ModuleLoadOptions {
    // Helpers by Linux ID; every helper the module imports must be present.
    const HelperTable* helpers = nullptr;
    // Creates map `index` of `definitions` (already validated) and returns
    // where it lives. Required when the module has maps.
    std::function<MapBinding(std::span<const MapDefinition> definitions, uint32_t index)>
        create_map;
    // Signature policy hook: called with exactly the bytes that will be
    // loaded (the sealed memfd's contents), before anything is mapped; throws
    // ebpf::Error to refuse them. It adds to the loader's own check: in
    // code-integrity mode the loader always checks the signature against the
    // process trust store first (policy.hpp), hook or not. Empty outside the
    // mode = unsigned modules allowed.
    std::function<void(std::span<const uint8_t> module_bytes)> check_signature;
    // Name for messages (e.g. the file path).
    std::string name = "native module";
};

// A map a program's code names (an LDDW): the map itself, or its direct value.
struct NativeMapReference {
    uint32_t map = 0;    // index in NativeModule::maps()
    bool value = false;  // LDDW map value (needs MapBinding::value_address)
};

struct NativeProgramInfo {
    std::string name;
    std::string section;
    ProgramType type = ProgramType::unspec;
    uint32_t instruction_count = 0;
    std::array<uint8_t, 32> bytecode_sha256{};
    std::vector<NativeMapReference> map_references;  // checked: in range, not inner-map templates
};

// A loaded module: dlopened from a sealed memfd, tables filled. Engines made
// from it keep it alive.
class NativeModule : public std::enable_shared_from_this<NativeModule> {
public:
    ~NativeModule();
    NativeModule(const NativeModule&) = delete;
    NativeModule& operator=(const NativeModule&) = delete;

    const std::string& name() const { return name_; }
    const std::vector<MapDefinition>& maps() const { return maps_; }
    const std::vector<MapBinding>& map_bindings() const { return bindings_; }
    const std::vector<NativeProgramInfo>& programs() const { return programs_; }
    // True when the module was loaded in code-integrity mode, so its
    // signature was checked against the process trust store.
    bool admitted_under_policy() const { return admitted_under_policy_; }
    std::optional<size_t> find_program(std::string_view name_or_section) const;
    std::vector<int32_t> imported_helpers() const;
    // The kernel BTF its CO-RE relocations were resolved against at build
    // time, "sha256:<hex> <source>"; empty when there were none.
    std::string core_btf() const;

    // An Engine (mode native) running program `index`.
    std::unique_ptr<Engine> make_engine(size_t index);

    struct Private;  // for the loader only
    explicit NativeModule(Private&& state);

private:
    std::string name_;
    void* handle_ = nullptr;  // dlopen handle
    int memfd_ = -1;
    const ebpf_native_module* module_ = nullptr;
    std::vector<MapDefinition> maps_;
    std::vector<MapBinding> bindings_;
    std::vector<NativeProgramInfo> programs_;
    bool admitted_under_policy_ = false;
};

// Loads a module from its bytes: a sealed memfd of them; on its contents the
// code-integrity check (in the mode), the signature hook and the ELF image
// check (no constructors, IFUNC resolvers or dependencies: module_image.hpp);
// dlopen of /proc/<pid>/fd/N under a name no loaded object has, then proof
// that the handle maps that memfd; ABI and metadata checks, maps created,
// helper and map tables filled. Throws ebpf::Error ("NAME: why") and loads
// nothing on any problem. At most 256 MiB.
std::shared_ptr<NativeModule> load_module_from_memory(std::span<const uint8_t> bytes,
                                                      const ModuleLoadOptions& options);
// Reads the file once (a regular file of at most 256 MiB), then load_module_from_memory.
std::shared_ptr<NativeModule> load_module_from_file(const std::string& path,
                                                    ModuleLoadOptions options);

// What a module file says it holds, read without loading it.
struct NativeModuleMetadata {
    std::string source_name;                  // the object it was built from (informational)
    std::string core_btf;                     // CO-RE target BTF at build time ("" when none)
    std::vector<NativeProgramInfo> programs;
    std::vector<MapDefinition> maps;
    std::vector<int32_t> helpers;             // imported helpers, by Linux ID, in the module's order
};
// Reads a module's metadata from its bytes (signed or not) without running
// any of its code and without dlopen: the ELF image is checked as the loader
// checks it, laid out in private memory with its relocations applied, and the
// metadata found from the entry function's code, which must be bpf2c's
// `return &module;`; then the loader's metadata checks (every helper in
// `helpers`). Throws ebpf::Error "NAME: why" for anything else (truncated,
// hostile or not built by bpf2c). The signature is not checked: see
// verify_module_signature() and read_module_signer() (signing.hpp).
NativeModuleMetadata read_module_metadata(std::span<const uint8_t> bytes, const HelperTable& helpers,
                                          const std::string& name);

// One step from instructions to a running native engine: generate_c →
// build_module_bytes → load_module_from_memory. Refused in code-integrity
// mode (nothing is compiled on the host there). The caller must
// have verified the instructions (native code has no run-time checks): for
// tests, benchmarks, `ebpf run` of raw bytecode and the conformance runner/plugin.
// Imported helpers must be in `helpers` (kept by pointer: must outlive the engine).
std::unique_ptr<Engine> compile_native_engine(std::span<const Instruction> insns, const HelperTable& helpers,
                                              ProgramType type = ProgramType::raw_memory);

}  // namespace ebpf
