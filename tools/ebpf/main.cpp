// `ebpf`: the command-line front end. The library reports errors as
// ebpf::Error; this is the one place that prints them and chooses exit codes.
#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "command.hpp"
#include "ebpf/ebpf.h"
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

namespace {

using ebpf::tools::json_text;

// Exit codes as the tools people know (grep, git, bpftool): 2 for a command
// line that cannot be understood, 1 for a command that failed.
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

// --json anywhere before "--" (the arguments of a child command): errors are
// then JSON too, decided before parsing so a parse error is JSON as well.
bool wants_json(int argc, char** argv) {
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        if (arg == "--") return false;
        if (arg == "--json") return true;
    }
    return false;
}

// One shape for every error: text "ebpf: error: MESSAGE" on stderr (messages
// that already carry "file:line: error:" go out as they are, so editors and
// CI can jump to them), or under --json {"error": {"kind", "message"}} on
// stdout, where the command's JSON would have gone (as bpftool -j does).
int report_error(bool json, std::string_view kind, const std::string& raw_message, int code) {
    // Names in the message may come from an object: control characters
    // escaped, so a message cannot rewrite the terminal.
    const std::string message = ebpf::printable(raw_message, true);
    if (json) {
        const nlohmann::json out = {{"error", {{"kind", kind}, {"message", message}, {"exit_code", code}}}};
        std::printf("%s\n", json_text(out).c_str());
        std::fflush(stdout);
        return code;
    }
    if (message.find(": error: ") != std::string::npos) {
        std::fprintf(stderr, "%s\n", message.c_str());
    } else {
        std::fprintf(stderr, "ebpf: error: %s\n", message.c_str());
    }
    if (code == kExitUsage) std::fprintf(stderr, "Run 'ebpf --help' or 'ebpf COMMAND --help' for usage.\n");
    return code;
}

// CLI11 reports an unknown subcommand as an unexpected argument; name it as
// what it is.
std::string usage_message(int argc, char** argv, const CLI::ParseError& error) {
    if (argc > 1 && argv[1][0] != '-') {
        const auto& table = ebpf::tools::command_table();
        const bool known = std::any_of(table.begin(), table.end(),
                                       [&](const ebpf::tools::Command& c) { return c.name == argv[1]; });
        if (!known) return std::string("unknown command '") + argv[1] + "'";
    }
    std::string message = error.what();
    if (message.empty()) message = error.get_name();
    return message;
}

}  // namespace

int main(int argc, char** argv) {
    using namespace ebpf::tools;
    const bool json = wants_json(argc, argv);
    CLI::App app{"ebpf: a user-mode eBPF runtime (interpreter, JIT, signed native modules)"};
    app.set_version_flag("--version", std::string("ebpf (ebpf-native) ") + ebpf_version(),
                         "Print the version and exit");
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
    } catch (const CLI::Success& e) {
        return app.exit(e);  // --help, --version: printed, exit 0
    } catch (const CLI::ParseError& e) {
        return report_error(json, "usage", usage_message(argc, argv, e), kExitUsage);
    }
    try {
        return chosen ? chosen() : 0;
    } catch (const std::exception& e) {
        return report_error(json, "failure", e.what(), kExitFailure);
    }
}
