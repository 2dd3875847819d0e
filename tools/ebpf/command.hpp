// The subcommand table of the `ebpf` tool. Each cmd_*.cpp defines one
// subcommand and registers it with a static CommandRegistration, so adding a
// command touches no other file.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <string>
#include <vector>

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

// Reads a whole file; throws ebpf::Error "path: why".
std::vector<uint8_t> read_file(const std::string& path);
std::string read_text_file(const std::string& path);
void write_file(const std::string& path, const void* data, size_t size);

}  // namespace ebpf::tools
