// `ebpf trace`: prints bpf_printk output from the shared trace buffer, like
// `bpftool prog tracelog`. Without --follow it prints what the buffer holds
// and exits; with --follow it keeps printing new records until interrupted.
// Records overwritten before we read them are reported, not hidden.
#include <chrono>
#include <cinttypes>
#include <csignal>
#include <cstdio>
#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>
#include <thread>
#include <unistd.h>

#include "command.hpp"
#include "ebpf/error.hpp"
#include "ebpf/runtime.hpp"

namespace ebpf::tools {
namespace {

struct TraceArguments {
    bool follow = false;
    bool json = false;
    bool new_only = false;
    std::string path;
};

volatile std::sig_atomic_t interrupted = 0;

void print(const TraceRecord& record, bool json) {
    if (json) {
        nlohmann::json line = {{"seq", record.sequence}, {"timestamp_ns", record.timestamp_ns}, {"pid", record.pid},
                               {"tid", record.tid},      {"cpu", record.cpu},                   {"message", record.message}};
        std::printf("%s\n", json_text(line).c_str());
    } else {
        std::printf("%6" PRIu32 "/%-6" PRIu32 " [%03" PRIu32 "] %" PRIu64 ".%06" PRIu64 ": %s\n", record.pid, record.tid,
                    record.cpu, record.timestamp_ns / 1'000'000'000, (record.timestamp_ns / 1000) % 1'000'000,
                    printable(record.message, true).c_str());  // a program's bytes: no terminal escapes
    }
}

void report_lost(uint64_t lost, bool json) {
    if (json) std::printf("{\"lost\":%" PRIu64 "}\n", lost);
    else std::printf("... %" PRIu64 " record%s lost (the ring wrapped: overwritten before they were read)\n", lost,
                     lost == 1 ? "" : "s");
}

int trace_command(const TraceArguments& args) {
    const std::string path = args.path.empty() ? trace_buffer_path() : args.path;
    // Without --follow a missing buffer is said, never a silent success: an
    // error for a --path the user named, a note when no program traced yet.
    if (!args.follow && ::access(path.c_str(), F_OK) != 0) {
        if (!args.path.empty()) throw Error(path + ": no trace buffer: " + std::strerror(errno));
        std::fprintf(stderr, "ebpf trace: no trace buffer at %s yet (no program has called bpf_printk)\n", path.c_str());
        return 0;
    }
    TraceReader reader(path, args.new_only);
    std::signal(SIGINT, [](int) { interrupted = 1; });
    std::signal(SIGTERM, [](int) { interrupted = 1; });
    uint64_t lost_reported = 0;
    for (;;) {
        auto records = reader.poll();
        if (reader.lost() > lost_reported) {
            report_lost(reader.lost() - lost_reported, args.json);
            lost_reported = reader.lost();
        }
        for (const auto& record : records) print(record, args.json);
        std::fflush(stdout);
        if (!args.follow || interrupted) break;
        if (records.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return 0;
}

const CommandRegistration registration{Command{
    "trace", "Print bpf_printk output of running programs (like bpftool prog tracelog)",
    [](CLI::App& app) -> std::function<int()> {
        auto args = std::make_shared<TraceArguments>();
        app.add_flag("-f,--follow", args->follow, "Keep printing new records until interrupted");
        app.add_flag("--json", args->json, "One JSON object per line: seq, timestamp_ns, pid, tid, cpu, message");
        app.add_flag("--new", args->new_only, "Skip what the buffer already holds");
        app.add_option("--path", args->path, "Trace buffer file (default: $EBPF_TRACE_PATH or /dev/shm/ebpf-trace-<uid>)");
        return [args] { return trace_command(*args); };
    }}};

}  // namespace
}  // namespace ebpf::tools
