// The subcommand table of the `ebpf` tool. Each cmd_*.cpp defines one
// subcommand and registers it with a static CommandRegistration, so adding a
// command touches no other file.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <optional>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "ebpf/abi.hpp"
#include "ebpf/limits.hpp"
#include "ebpf/printable.hpp"

namespace ebpf {
struct Object;
struct ProgramVerdict;
}

namespace ebpf::tools {

struct Command {
    std::string name;
    std::string description;
    // Adds the subcommand's options to `app` and returns the function to run
    // when it is chosen; the function returns the process exit code.
    std::function<std::function<int()>(CLI::App& app)> setup;
};

std::vector<Command>& command_table();

struct CommandRegistration {
    explicit CommandRegistration(Command command) { command_table().push_back(std::move(command)); }
};

// Reads a whole regular file, bounded (ebpf/input_file.hpp); throws
// ebpf::Error "path: why" (also for a FIFO, a device or a file too large).
std::vector<uint8_t> read_file(const std::string& path);
std::string read_text_file(const std::string& path);
void write_file(const std::string& path, const void* data, size_t size);

// The resource limits of this run (ebpf/limits.hpp): defaults, changed by
// the --max-* options that add_limit_options() gives a subcommand.
ResourceLimits& tool_limits();
void add_limit_options(CLI::App& app);

// JSON text that is always valid: strings (and keys) that are not valid
// UTF-8 are escaped with printable() first, so no name taken from an object
// can make the JSON library throw. indent < 0: one line.
std::string json_text(const nlohmann::json& value, int indent = -1);

// One program's verdict as `ebpf verify` prints it: the verdict line on
// stdout, diagnostics (`file:line:col: error: ...`) on stderr.
void print_verdict_text(const std::string& file, const ProgramVerdict& verdict, int log_level);

// --type TYPE (verify, run, build): a program type as `bpftool prog load …
// type TYPE` names it ("xdp", "sched_cls", "tc", "socket", "cgroup/connect4",
// "hook", "raw", ...). program_type_option: nullopt for "", else the type, or
// ebpf::Error naming the known ones.
void add_type_option(CLI::App& app, std::string& type);
std::optional<SectionType> program_type_option(const std::string& type);

// For commands that only show an object: every name and source line in it
// passed through printable(), so text output cannot be spoofed.
void make_printable(Object& object);

}  // namespace ebpf::tools
