// `ebpf map list|show|dump|lookup|update|delete|pin|unpin`: bpftool's map
// commands against maps in shared memory — pinned maps and the maps of
// running hosts loaded with share_maps (docs/pinning.md). The pin root is
// --pin-root, else $EBPF_PIN_ROOT, else /run/ebpf-native.
//
//   MAP   := id ID | pinned PATH | name NAME
//   BYTES := [hex] B...   each B a byte: 0x1f, 31 or 037 (strtoul base 0);
//            after `hex`, each B is hex digits, two per byte ("01000000")
//   ebpf map update MAP key BYTES value BYTES [any|noexist|exist]
// A per-CPU map's update takes one value (set on every CPU) or all of them
// (round_up(value_size, 8) bytes per CPU, CPU 0 first).
#include <cctype>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "command.hpp"
#include "ebpf/error.hpp"
#include "ebpf/pinning.hpp"
#include "map_format.hpp"

namespace ebpf::tools {
namespace {

struct MapArguments {
    std::vector<std::string> words;
    std::string root;
    bool json = false;
    bool all = false;
};

[[noreturn]] void usage(const std::string& what) { throw Error("map: " + what); }

uint8_t parse_byte(const std::string& token) {
    char* end = nullptr;
    unsigned long value = std::strtoul(token.c_str(), &end, 0);
    if (token.empty() || *end != '\0' || value > 255 || token[0] == '-')
        usage("'" + token + "' is not a byte (0x1f, 31 or 037; or write `hex` first)");
    return static_cast<uint8_t>(value);
}

// Bytes from words[at...] up to a keyword (or the end); `at` moves past them.
std::vector<uint8_t> parse_bytes(const std::vector<std::string>& words, size_t& at, const char* what) {
    std::vector<uint8_t> bytes;
    bool hex = at < words.size() && words[at] == "hex";
    if (hex) ++at;
    auto keyword = [](const std::string& w) { return w == "value" || w == "any" || w == "noexist" || w == "exist"; };
    for (; at < words.size() && !keyword(words[at]); ++at) {
        const std::string& token = words[at];
        if (!hex) {
            bytes.push_back(parse_byte(token));
            continue;
        }
        if (token.size() % 2) usage(std::string(what) + ": '" + token + "' has an odd number of hex digits");
        for (size_t i = 0; i < token.size(); i += 2) {
            const std::string pair = token.substr(i, 2);
            if (!std::isxdigit(static_cast<unsigned char>(pair[0])) || !std::isxdigit(static_cast<unsigned char>(pair[1])))
                usage(std::string(what) + ": '" + token + "' is not hex");
            bytes.push_back(static_cast<uint8_t>(std::strtoul(pair.c_str(), nullptr, 16)));
        }
    }
    if (bytes.empty()) usage(std::string("no ") + what + " bytes");
    return bytes;
}

std::string map_path(const std::vector<std::string>& words, size_t& at, const std::string& root) {
    if (at + 2 > words.size()) usage("expected a map: id ID | pinned PATH | name NAME");
    const std::string kind = words[at], value = words[at + 1];
    at += 2;
    if (kind == "pinned") return value;
    if (kind != "id" && kind != "name") usage("expected a map: id ID | pinned PATH | name NAME, got '" + kind + "'");
    std::vector<PinnedMapInfo> found;
    for (auto& info : list_pinned_maps(root)) {
        if (kind == "id" ? std::to_string(info.id) == value : info.definition.name == value) found.push_back(info);
    }
    if (found.empty()) throw Error("no shared map with " + kind + " " + value + " under " + root);
    if (found.size() > 1) {
        std::string ids;
        for (const auto& info : found) ids += (ids.empty() ? "" : ", ") + std::to_string(info.id);
        throw Error("several maps are named '" + value + "' (ids " + ids + "): choose one with `id ID`");
    }
    return found.front().paths.front();
}

nlohmann::json info_json(const PinnedMapInfo& info) {
    const MapDefinition& d = info.definition;
    return {{"id", info.id},
            {"name", d.name},
            {"type", std::string(map_type_name(d.type))},
            {"key_size", d.key_size},
            {"value_size", d.value_size},
            {"max_entries", d.max_entries},
            {"flags", d.map_flags},
            {"cpus", info.cpus},
            {"bytes", info.bytes},
            {"pinned", info.paths},
            {"creator_pid", info.creator_pid},
            {"creator_running", info.creator_alive}};
}

void print_info_text(const PinnedMapInfo& info) {
    const MapDefinition& d = info.definition;
    std::printf("%u: %s  name %s  flags 0x%x\n", info.id, std::string(map_type_name(d.type)).c_str(),
                printable(d.name).c_str(), d.map_flags);
    std::printf("\tkey %uB  value %uB  max_entries %u  memlock %" PRIu64 "B%s\n", d.key_size, d.value_size, d.max_entries,
                info.bytes, info.cpus > 1 ? ("  cpus " + std::to_string(info.cpus)).c_str() : "");
    for (const auto& path : info.paths) std::printf("\tpinned %s\n", printable(path).c_str());
    std::printf("\tcreator pid %d (%s)\n", info.creator_pid, info.creator_alive ? "running" : "exited");
}

int map_list(const MapArguments& args) {
    if (!args.words.empty()) usage("list takes no arguments");
    std::vector<std::string> problems;
    auto maps = list_pinned_maps(pin_root(args.root), &problems);
    for (const auto& problem : problems) std::fprintf(stderr, "ebpf: warning: %s\n", printable(problem).c_str());
    if (args.json) {
        nlohmann::json out = nlohmann::json::array();
        for (const auto& info : maps) out.push_back(info_json(info));
        std::printf("%s\n", json_text(out).c_str());
    } else {
        for (const auto& info : maps) print_info_text(info);
    }
    return 0;
}

int map_show(const MapArguments& args) {
    size_t at = 0;
    const std::string path = map_path(args.words, at, pin_root(args.root));
    if (at != args.words.size()) usage("unexpected '" + args.words[at] + "'");
    PinnedMapInfo info = inspect_pinned_map(path);
    // Every name it has under the root.
    for (const auto& listed : list_pinned_maps(pin_root(args.root)))
        if (listed.id == info.id && !listed.paths.empty()) info.paths = listed.paths;
    if (args.json) std::printf("%s\n", json_text(info_json(info)).c_str());
    else print_info_text(info);
    return 0;
}

int map_dump(const MapArguments& args) {
    size_t at = 0;
    auto map = open_pinned_map(map_path(args.words, at, pin_root(args.root)));
    if (at != args.words.size()) usage("unexpected '" + args.words[at] + "'");
    MapDumpOptions options;
    options.all = args.all;
    const nlohmann::json out = map_json(*map, options);
    if (args.json) std::printf("%s\n", json_text(out).c_str());
    else print_map_text(out);
    return 0;
}

// lookup, update, delete.
int map_element(const MapArguments& args, const std::string& verb) {
    size_t at = 0;
    auto map = open_pinned_map(map_path(args.words, at, pin_root(args.root)));
    if (at >= args.words.size() || args.words[at] != "key") usage(verb + ": expected `key BYTES`");
    ++at;
    const std::vector<uint8_t> key = parse_bytes(args.words, at, "key");
    if (verb == "lookup" || verb == "delete") {
        if (at != args.words.size()) usage("unexpected '" + args.words[at] + "'");
        if (verb == "delete") {
            if (!map->remove(key)) throw Error("map '" + map->name() + "': delete: no such key (ENOENT)");
            if (args.json) std::printf("null\n");
            return 0;
        }
        auto value = map->lookup(key);
        if (!value) throw Error("map '" + map->name() + "': lookup: no such key (ENOENT)");
        const nlohmann::json entry = map_entry_json(*map, key, *value);
        if (args.json) std::printf("%s\n", json_text(entry).c_str());
        else print_entry_text(entry, "");
        return 0;
    }
    if (at >= args.words.size() || args.words[at] != "value") usage("update: expected `value BYTES` after the key");
    ++at;
    std::vector<uint8_t> value = parse_bytes(args.words, at, "value");
    uint64_t flags = kUpdateAny;
    if (at < args.words.size()) {
        const std::string& word = args.words[at++];
        flags = word == "noexist" ? kUpdateNoExist : word == "exist" ? kUpdateExist : kUpdateAny;
    }
    if (at != args.words.size()) usage("unexpected '" + args.words[at] + "'");
    if (map->is_per_cpu() && value.size() == map->value_size() && value.size() != map->host_value_size()) {
        // One value for every CPU.
        const size_t stride = (map->value_size() + 7u) & ~7u;
        std::vector<uint8_t> all(map->host_value_size(), 0);
        for (size_t offset = 0; offset + stride <= all.size(); offset += stride)
            std::copy(value.begin(), value.end(), all.begin() + static_cast<ptrdiff_t>(offset));
        value = std::move(all);
    }
    map->update(key, value, flags);
    if (args.json) std::printf("null\n");
    return 0;
}

int map_pin(const MapArguments& args) {
    size_t at = 0;
    auto map = open_pinned_map(map_path(args.words, at, pin_root(args.root)));
    if (at + 1 != args.words.size()) usage("pin: expected MAP PATH");
    pin_map(*map, args.words[at]);
    if (args.json) std::printf("null\n");
    return 0;
}

int map_unpin(const MapArguments& args) {
    if (args.words.size() != 1) usage("unpin: expected PATH");
    unpin(args.words[0]);
    if (args.json) std::printf("null\n");
    return 0;
}

const CommandRegistration registration{Command{
    "map",
    "Inspect and change maps in shared memory (pinned maps, maps of running hosts), like bpftool map",
    [](CLI::App& app) -> std::function<int()> {
        app.require_subcommand(1);
        app.footer(
            "MAP   := id ID | pinned PATH | name NAME\n"
            "BYTES := one token per byte (0x1f, 31 or 037), or `hex` then hex digits, two per byte\n"
            "Example: ebpf map update name flows key 7 0 0 0 value hex 0a00000000000000 0000000000000000 noexist\n"
            "A per-CPU update takes one value (set on every CPU) or every CPU's. See docs/pinning.md.");
        struct Verb {
            const char* name;
            const char* help;
            std::function<int(const MapArguments&)> run;
        };
        static const std::vector<Verb> verbs = {
            {"list", "List shared maps under the pin root", map_list},
            {"show", "Show one map: show id ID | pinned PATH | name NAME", map_show},
            {"dump", "Dump a map's entries, formatted with its BTF types", map_dump},
            {"lookup", "Look up a key: lookup MAP key BYTES", [](const MapArguments& a) { return map_element(a, "lookup"); }},
            {"update", "Update a key: update MAP key BYTES value BYTES [any|noexist|exist]",
             [](const MapArguments& a) { return map_element(a, "update"); }},
            {"delete", "Delete a key: delete MAP key BYTES", [](const MapArguments& a) { return map_element(a, "delete"); }},
            {"pin", "Give a shared map another name: pin MAP PATH", map_pin},
            {"unpin", "Remove a pinned name: unpin PATH", map_unpin},
        };
        auto chosen = std::make_shared<std::function<int()>>();
        for (const Verb& verb : verbs) {
            auto args = std::make_shared<MapArguments>();
            CLI::App* sub = app.add_subcommand(verb.name, verb.help);
            sub->add_option("words", args->words, "MAP, then key/value BYTES (syntax: ebpf map --help)");
            sub->add_option("--pin-root", args->root,
                            std::string("Pin root (default: $") + kPinRootEnvironment + ", else " + kDefaultPinRoot + ")");
            sub->add_flag("--json", args->json, "Print JSON");
            if (std::string(verb.name) == "dump") sub->add_flag("--all", args->all, "Also list array slots that are all zeros");
            auto run = verb.run;
            sub->callback([chosen, run, args] { *chosen = [run, args] { return run(*args); }; });
        }
        return [chosen] { return (*chosen)(); };
    }}};

}  // namespace
}  // namespace ebpf::tools
