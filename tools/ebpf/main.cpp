// `ebpf`: the command-line front end. The library reports errors as
// ebpf::Error; this is the one place that prints them and chooses exit codes.
#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>
#include <string_view>

#include "command.hpp"
#include "ebpf/error.hpp"
#include "ebpf/input_file.hpp"

namespace ebpf::tools {

std::vector<Command>& command_table() {
    static std::vector<Command> table;
    return table;
}

std::vector<uint8_t> read_file(const std::string& path) { return read_input_file(path, tool_limits().max_object_bytes); }

std::string read_text_file(const std::string& path) {
    auto bytes = read_file(path);
    return {bytes.begin(), bytes.end()};
}

void write_file(const std::string& path, const void* data, size_t size) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (!out) throw Error(path + ": cannot write: " + std::strerror(errno));
    out.write(static_cast<const char*>(data), static_cast<std::streamsize>(size));
    if (!out) throw Error(path + ": write failed: " + std::strerror(errno));
}

}  // namespace ebpf::tools

int main(int argc, char** argv) {
    using namespace ebpf::tools;
    CLI::App app{"ebpf: a user-mode eBPF runtime (interpreter, JIT, signed native modules)"};
    app.require_subcommand(1);
    auto& table = command_table();
    std::sort(table.begin(), table.end(),
              [](const Command& a, const Command& b) { return a.name < b.name; });
    std::function<int()> chosen;
    for (auto& command : table) {
        CLI::App* sub = app.add_subcommand(command.name, command.description);
        auto run = command.setup(*sub);
        sub->callback([&chosen, run] { chosen = run; });
    }
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e);
    }
    try {
        return chosen ? chosen() : 0;
    } catch (const std::exception& e) {
        // Messages that already carry "file:line: error:" go out as they are,
        // so editors and CI can jump to them.
        // Names in the message come from the object: control characters
        // escaped, so a message cannot rewrite the terminal.
        const std::string message = ebpf::printable(e.what(), true);
        if (message.find(": error: ") != std::string::npos) {
            std::fprintf(stderr, "%s\n", message.c_str());
        } else {
            std::fprintf(stderr, "ebpf: error: %s\n", message.c_str());
        }
        return 1;
    }
}
