// compile_native_engine: instructions → C → .so → Engine in one call.
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>

#include "ebpf/error.hpp"
#include "ebpf/native.hpp"
#include "module_metadata.hpp"

namespace ebpf {

namespace {
// A mkdtemp directory removed with everything in it when done.
class TemporaryDirectory {
public:
    TemporaryDirectory() {
        std::string pattern = (std::filesystem::temp_directory_path() / "ebpf-native-XXXXXX").string();
        if (::mkdtemp(pattern.data()) == nullptr) throw Error("native engine: cannot create a temporary directory");
        path_ = pattern;
    }
    ~TemporaryDirectory() {
        std::error_code ignored;
        std::filesystem::remove_all(path_, ignored);
    }
    std::string file(const char* name) const { return (path_ / name).string(); }

private:
    std::filesystem::path path_;
};
}  // namespace

std::unique_ptr<Engine> compile_native_engine(std::span<const Instruction> insns, const HelperTable& helpers,
                                              ProgramType type) {
    TranslationUnit unit;
    unit.source_name = "instructions";
    TranslationProgram program;
    program.name = "program";
    program.section = std::string(program_type_name(type));
    program.type = type;
    program.insns.assign(insns.begin(), insns.end());
    program.verified_instruction_count = static_cast<uint32_t>(insns.size());
    program.bytecode_sha256 = sha256_of_instructions(insns);
    unit.programs.push_back(std::move(program));

    TemporaryDirectory dir;
    write_file_atomically(dir.file("module.c"), generate_c(unit));
    compile_c_to_module(dir.file("module.c"), dir.file("module.so"));
    ModuleLoadOptions options;
    options.helpers = &helpers;
    options.name = "native engine";
    return load_module_from_memory(native_metadata::read_whole_file(dir.file("module.so")), options)->make_engine(0);
}

}  // namespace ebpf
