// `ebpf prog list|show id ID`: the programs running hosts published under the
// pin root (LoadOptions::share_maps, `--share-maps`), with run counts and run
// time as `bpftool prog show` with kernel.bpf_stats_enabled (the host
// collects them with EBPF_STATS=1 or set_program_stats(true)).
#include <cinttypes>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>

#include "command.hpp"
#include "ebpf/error.hpp"
#include "ebpf/pinning.hpp"

namespace ebpf::tools {
namespace {

struct ProgArguments {
    std::vector<std::string> words;
    std::string root;
    bool json = false;
};

nlohmann::json record_json(const ProgramRecord& r) {
    return {{"id", r.id},         {"name", r.name},       {"type", r.type},     {"section", r.section},
            {"mode", r.mode},     {"tag", r.tag},         {"object", r.object}, {"pid", r.pid},
            {"map_ids", r.map_ids}, {"private_maps", r.private_maps},
            {"run_cnt", r.stats.run_count}, {"run_time_ns", r.stats.run_time_ns}};
}

void print_record(const ProgramRecord& r) {
    std::printf("%u: %s  name %s  tag %s  mode %s\n", r.id, r.type.c_str(), printable(r.name).c_str(),
                r.tag.empty() ? "-" : r.tag.c_str(), r.mode.c_str());
    std::printf("\tsection %s  object %s  pid %d\n", printable(r.section).c_str(), printable(r.object).c_str(), r.pid);
    std::printf("\trun_cnt %" PRIu64 "  run_time_ns %" PRIu64, r.stats.run_count, r.stats.run_time_ns);
    if (r.stats.run_count) std::printf("  (%" PRIu64 " ns per run)", r.stats.run_time_ns / r.stats.run_count);
    std::printf("\n");
    std::string ids;
    for (uint32_t id : r.map_ids) ids += (ids.empty() ? "" : ",") + std::to_string(id);
    std::printf("\tmap_ids %s", ids.empty() ? "-" : ids.c_str());
    if (!r.private_maps.empty()) {
        std::string names;
        for (const auto& name : r.private_maps) names += (names.empty() ? "" : ", ") + printable(name);
        std::printf("  (not shared: %s)", names.c_str());
    }
    std::printf("\n");
}

int run(const ProgArguments& args, bool show) {
    std::vector<std::string> problems;
    auto records = list_programs(pin_root(args.root), &problems);
    for (const auto& problem : problems) std::fprintf(stderr, "ebpf: warning: %s\n", printable(problem).c_str());
    if (show) {
        if (args.words.size() != 2 || args.words[0] != "id") throw Error("prog show: expected `id ID`");
        std::erase_if(records, [&](const ProgramRecord& r) { return std::to_string(r.id) != args.words[1]; });
        if (records.empty()) throw Error("no published program with id " + args.words[1] + " under " + pin_root(args.root));
    } else if (!args.words.empty()) {
        throw Error("prog list takes no arguments");
    }
    if (args.json) {
        nlohmann::json out = nlohmann::json::array();
        for (const auto& r : records) out.push_back(record_json(r));
        std::printf("%s\n", json_text(show ? out[0] : out).c_str());
    } else {
        for (const auto& r : records) print_record(r);
    }
    return 0;
}

const CommandRegistration registration{Command{
    "prog",
    "List the programs running hosts published, with run statistics, like bpftool prog",
    [](CLI::App& app) -> std::function<int()> {
        app.require_subcommand(1);
        auto chosen = std::make_shared<std::function<int()>>();
        for (const char* verb : {"list", "show"}) {
            auto args = std::make_shared<ProgArguments>();
            const bool show = std::string(verb) == "show";
            CLI::App* sub = app.add_subcommand(verb, show ? "Show one program: show id ID" : "List published programs");
            sub->add_option("words", args->words, "id ID");
            sub->add_option("--pin-root", args->root,
                            std::string("Pin root (default: $") + kPinRootEnvironment + ", else " + kDefaultPinRoot + ")");
            sub->add_flag("--json", args->json, "Print JSON");
            sub->callback([chosen, args, show] { *chosen = [args, show] { return run(*args, show); }; });
        }
        return [chosen] { return (*chosen)(); };
    }}};

}  // namespace
}  // namespace ebpf::tools
