// `ebpf run prog.o`: like `bpftool prog run`; the runtime's test_run (runtime.hpp) builds the context per program type:
//   xdp               --data-in is the packet (256 bytes of headroom and
//                     tailroom around it, as Linux); --data-out gets the
//                     packet after the run (bpf_xdp_adjust_head/tail applied);
//                     --ctx-in may give a struct xdp_md (ingress_ifindex,
//                     rx_queue_index; data_end not past the packet, as Linux);
//   sched_cls, sched_act, socket_filter
//                     --data-in is an Ethernet frame (tc sees it from the
//                     Ethernet header, socket filters from the network
//                     header); --ctx-in may give a struct __sk_buff (mark,
//                     priority, ifindex, cb, ... as Linux); --data-out gets
//                     the packet after the run; --fib gives bpf_fib_lookup's routes;
//   cgroup_sock_addr  --ctx-in is a struct bpf_sock_addr (72 bytes, shorter
//                     files are zero-padded); --ctx-out gets it after the run;
//   hook / raw        --data-in is the byte buffer (r1, length in r2);
//                     --data-out gets it after the run.
// Every run starts from the same input. Maps can be preloaded with --map
// NAME=FILE (text: one "KEY VALUE" line of hex per entry, '#' comments, and
// for a cgroup_array "KEY /sys/fs/cgroup/DIR" (the directory's fd is the
// value, as Linux); or raw: key and value bytes back to back, entry after
// entry) and shown with --dump-maps. A tc program's tunnel key
// (bpf_skb_set_tunnel_key) is printed after the run ("tunnel" with --json).
#include "run_object.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cinttypes>
#include <cstring>
#include <iterator>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "command.hpp"
#include "map_format.hpp"
#include "perf_output.hpp"
#include "ebpf/error.hpp"
#include "ebpf/hooks.hpp"
#include "ebpf/object.hpp"
#include "ebpf/runtime.hpp"

namespace ebpf::tools {
namespace {


std::vector<uint8_t> parse_hex(const std::string& text, const std::string& where) {
    std::string digits;
    for (char c : text) {
        if (std::isxdigit(static_cast<unsigned char>(c))) digits += c;
        else if (c != '_' && c != ':') throw Error(where + ": '" + text + "' is not hex");
    }
    if (digits.size() % 2) throw Error(where + ": '" + text + "' has an odd number of hex digits");
    std::vector<uint8_t> bytes;
    for (size_t i = 0; i < digits.size(); i += 2) bytes.push_back(static_cast<uint8_t>(std::stoul(digits.substr(i, 2), nullptr, 16)));
    return bytes;
}

bool looks_like_text(const std::vector<uint8_t>& bytes) {
    return std::all_of(bytes.begin(), bytes.end(), [](uint8_t b) { return b == '\n' || b == '\r' || b == '\t' || (b >= 0x20 && b < 0x7f); });
}

void store(Map& map, const std::vector<uint8_t>& key, const std::vector<uint8_t>& value) {
    if (map.type() == MapType::queue || map.type() == MapType::stack) map.push(value);
    else map.update(key, value);
}

// A cgroup_array entry "KEY PATH": the cgroup v2 directory's fd is the value, as Linux.
void store_cgroup(Map& map, const std::vector<uint8_t>& key, const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) throw Error("cannot open cgroup directory " + path + ": " + std::strerror(errno));
    const auto value = static_cast<uint32_t>(fd);
    try {
        map.update(key, std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(&value), 4));
    } catch (const Error& e) {
        ::close(fd);
        throw Error(std::string(e.what()) + ": " + path + " must be a cgroup v2 directory");
    }
    ::close(fd);
}

std::string address_text(const uint8_t* address, bool ipv6) {
    char text[INET6_ADDRSTRLEN] = {};
    ::inet_ntop(ipv6 ? AF_INET6 : AF_INET, address, text, sizeof text);
    return text;
}

// The tunnel key a tc program set (bpf_skb_set_tunnel_key), as it would be sent.
nlohmann::json tunnel_json(const SkbTunnelInfo& t) {
    static constexpr std::pair<uint32_t, const char*> kFlags[] = {
        {kTunnelCsum, "csum"},         {kTunnelKey, "key"},           {kTunnelSeq, "seq"},
        {kTunnelDontFragment, "dont_fragment"}, {kTunnelGeneveOpt, "geneve_opt"}, {kTunnelVxlanOpt, "vxlan_opt"},
        {kTunnelNoCache, "nocache"},   {kTunnelErspanOpt, "erspan_opt"}, {kTunnelGtpOpt, "gtp_opt"}};
    nlohmann::json flags = nlohmann::json::array();
    for (const auto& [bit, name] : kFlags)
        if (t.flags & bit) flags.push_back(name);
    nlohmann::json out = {{"id", t.id},
                          {"family", t.ipv6 ? "ipv6" : "ipv4"},
                          {"remote", address_text(t.dst, t.ipv6)},
                          {"local", address_text(t.src, t.ipv6)},
                          {"tos", t.tos},
                          {"ttl", t.ttl},
                          {"flags", flags}};
    if (t.ipv6) out["label"] = t.label;
    if (t.options_length) out["options"] = hex_bytes(std::span<const uint8_t>(t.options, t.options_length));
    return out;
}

}  // namespace

// --map NAME=FILE.
void preload_map(const LoadedObject& object, const std::string& spec) {
    auto equals = spec.find('=');
    if (equals == std::string::npos || equals == 0)
        throw Error("--map " + spec + ": expected NAME=FILE");
    Map& map = object.map(spec.substr(0, equals));
    const std::string path = spec.substr(equals + 1);
    const std::vector<uint8_t> bytes = read_file(path);
    const size_t key_size = map.key_size(), value_size = map.host_value_size();
    if (looks_like_text(bytes)) {
        std::istringstream lines(std::string(bytes.begin(), bytes.end()));
        std::string line;
        for (int number = 1; std::getline(lines, line); ++number) {
            if (auto hash = line.find('#'); hash != std::string::npos) line.resize(hash);
            std::istringstream words(line);
            std::vector<std::string> tokens{std::istream_iterator<std::string>(words), {}};
            if (tokens.empty()) continue;
            const std::string where = path + ":" + std::to_string(number);
            if (map.type() == MapType::cgroup_array && tokens.size() == 2 && tokens[1].find('/') != std::string::npos) {
                try {
                    store_cgroup(map, parse_hex(tokens[0], where), tokens[1]);
                } catch (const Error& e) {
                    throw Error(where + ": " + e.what());
                }
                continue;
            }
            std::vector<uint8_t> key, value;
            if (key_size == 0) {
                for (auto& t : tokens) for (uint8_t b : parse_hex(t, where)) value.push_back(b);
            } else {
                key = parse_hex(tokens[0], where);
                for (size_t i = 1; i < tokens.size(); ++i) for (uint8_t b : parse_hex(tokens[i], where)) value.push_back(b);
            }
            try {
                store(map, key, value);
            } catch (const Error& e) {
                throw Error(where + ": " + e.what());
            }
        }
        return;
    }
    const size_t record = key_size + value_size;
    if (record == 0 || bytes.size() % record != 0)
        throw Error(path + ": raw map file must hold whole entries of " + std::to_string(key_size) + "-byte keys and " +
                    std::to_string(value_size) + "-byte values; it has " + std::to_string(bytes.size()) + " bytes");
    for (size_t at = 0; at < bytes.size(); at += record) {
        store(map, {bytes.begin() + at, bytes.begin() + at + key_size},
              {bytes.begin() + at + key_size, bytes.begin() + at + record});
    }
}

namespace {

const ebpf::Program& choose_program(const Object& object, const std::string& wanted) {
    if (!wanted.empty()) {
        if (const ebpf::Program* program = object.find_program(wanted)) return *program;
    } else if (object.programs.size() == 1) {
        return object.programs.front();
    }
    std::string names;
    for (const auto& p : object.programs) names += (names.empty() ? "" : ", ") + p.name + " (" + p.section + ")";
    if (wanted.empty())
        throw Error(object.path + ": several programs (" + names + "): choose one with --prog or --section");
    throw Error(object.path + ": no program '" + wanted + "' (programs: " + names + ")");
}


std::vector<uint8_t> optional_file(const std::string& path) { return path.empty() ? std::vector<uint8_t>{} : read_file(path); }

}  // namespace

void add_object_run_options(CLI::App& app, ObjectRunOptions& options) {
    app.add_option("--prog,--section,--program", options.program,
                   "The program to run, by function or section name (default: the only one)");
    app.add_option("--data-in", options.data_in, "Packet (xdp; an Ethernet frame for tc and socket filters) or byte buffer (hook) to run on");
    app.add_option("--data-out", options.data_out, "Write the packet or buffer after the run here");
    app.add_option("--ctx-in", options.ctx_in, "Context struct (struct bpf_sock_addr; xdp_md for xdp; __sk_buff for tc and socket filters)");
    app.add_option("--ctx-out", options.ctx_out, "Write the context after the run here");
    app.add_option("--map", options.maps,
                   "NAME=FILE preloads a map (text \"KEY VALUE\" hex lines, or raw key+value bytes)");
    app.add_flag("--dump-maps", options.dump_maps, "Print every map's contents after the run");
    app.add_option("--pin-root", options.pin_root,
                   "Where maps with LIBBPF_PIN_BY_NAME are pinned or reused (default: $EBPF_PIN_ROOT, else "
                   "/run/ebpf-native)");
    add_type_option(app, options.type);
    app.add_option("--fib", options.fib,
                   "Routes for bpf_fib_lookup, one a line: PREFIX [via GW] dev IFINDEX [src A] [mtu N] [metric N] "
                   "[smac MAC] [dmac MAC], or PREFIX blackhole|unreachable|prohibit (docs/program-types.md)");
}

void load_fib_table(const std::string& path) {
    if (path.empty()) return;
    const std::vector<uint8_t> text = read_file(path);
    set_fib_table(std::make_shared<const FibTable>(parse_fib_table(std::string(text.begin(), text.end()), path)));
}

int run_object_file(const std::string& path, ExecMode mode, uint64_t repeat, bool json, const ObjectRunOptions& options,
                    const std::string& memory_file) {
    Object object = open_object(path, tool_limits(), tool_btf_path());
    if (auto type = program_type_option(options.type)) set_program_type(object, type->type, type->attach);
    const ebpf::Program& chosen = choose_program(object, options.program);
    LoadOptions load;
    load.mode = mode;
    load.limits = tool_limits();
    // The runtime adds every program the chosen one reaches by tail calls.
    load.programs = {chosen.name};
    load.pin_root = options.pin_root;
    auto loaded = load_object(object, load);
    print_load_warnings(*loaded);
    return run_loaded_program(*loaded, loaded->program(chosen.name), repeat, json, options, memory_file);
}

int run_loaded_program(const LoadedObject& loaded, const LoadedProgram& program, uint64_t repeat, bool json,
                       const ObjectRunOptions& options, const std::string& memory_file) {
    const ExecMode mode = program.mode();
    for (const auto& spec : options.maps) preload_map(loaded, spec);
    load_fib_table(options.fib);

    // The runtime builds the context for the program type (test_run, runtime.hpp).
    const std::vector<uint8_t> data_in = optional_file(options.data_in.empty() ? memory_file : options.data_in);
    const std::vector<uint8_t> ctx_in = optional_file(options.ctx_in);
    // A perf_event_array gets a buffer per CPU, so bpf_perf_event_output lands somewhere.
    open_perf_buffers(loaded);
    const TestRunOutput run = test_run(program, {.data = data_in, .ctx = ctx_in, .repeat = repeat});
    const uint64_t result = run.retval;
    if (!options.data_out.empty()) write_file(options.data_out, run.data.data(), run.data.size());
    if (!options.ctx_out.empty()) write_file(options.ctx_out, run.ctx.data(), run.ctx.size());

    const uint64_t per_run = run.duration_ns;
    const nlohmann::json samples = drain_perf_buffers(loaded);
    nlohmann::json maps = nlohmann::json::array();
    if (options.dump_maps) {
        for (const auto& map : loaded.maps()) maps.push_back(map_json(*map));
    }
    if (json) {
        nlohmann::json out = {{"program", program.name()},     {"section", program.section()},
                              {"mode", exec_mode_name(mode)},  {"retval", result},
                              {"duration_ns", per_run},         {"repeat", repeat}};
        if (options.dump_maps) out["maps"] = maps;
        if (!samples.empty()) out["perf_samples"] = samples;
        if (run.tunnel) out["tunnel"] = tunnel_json(*run.tunnel);
        std::printf("%s\n", json_text(out, 2).c_str());
        return 0;
    }
    // An XDP return value that is no action is XDP_ABORTED when attached (as Linux).
    const bool unknown_action = program.type() == ProgramType::xdp && result >= kXdpVerdictCount;
    std::printf("Return value: %" PRIu64 " (0x%" PRIx64 ")%s\n", result, result,
                unknown_action ? ", not an XDP action: XDP_ABORTED when attached" : "");
    std::printf("Duration: %" PRIu64 " ns per run (%" PRIu64 " run%s, %s)\n", per_run, repeat, repeat == 1 ? "" : "s",
                exec_mode_name(mode));
    if (run.tunnel) {
        const nlohmann::json t = tunnel_json(*run.tunnel);
        std::string flags;
        for (const auto& f : t["flags"]) flags += (flags.empty() ? "" : ",") + f.get<std::string>();
        std::printf("Tunnel key: id %" PRIu64 " remote %s local %s tos %u ttl %u%s flags %s%s\n", run.tunnel->id,
                    t["remote"].get<std::string>().c_str(), t["local"].get<std::string>().c_str(), run.tunnel->tos,
                    run.tunnel->ttl, run.tunnel->ipv6 ? (" label " + std::to_string(run.tunnel->label)).c_str() : "",
                    flags.empty() ? "-" : flags.c_str(),
                    run.tunnel->options_length
                        ? (" options " + t["options"].get<std::string>()).c_str()
                        : "");
    }
    print_perf_samples(samples);
    for (const auto& map : maps) print_map_text(map);
    return 0;
}

}  // namespace ebpf::tools
