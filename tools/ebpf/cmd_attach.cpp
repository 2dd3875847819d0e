// `ebpf attach packet`: runs an XDP program over a pcap file or a live
// interface (libpcap) and reports per-verdict counts; PASS/TX packets can be
// written to a pcap file.
// `ebpf attach bind`: runs a command with the bind/connect shim preloaded,
// so its bind() and connect() calls go through cgroup/bind4|bind6|connect4|
// connect6 programs. See docs/hooks.md.
#include <net/if.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cinttypes>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "command.hpp"
#include "map_format.hpp"
#include "perf_output.hpp"
#include "run_object.hpp"
#include "ebpf/error.hpp"
#include "ebpf/hooks.hpp"
#include "ebpf/pinning.hpp"
#include "ebpf/policy.hpp"
#include "ebpf/runtime.hpp"

namespace ebpf::tools {
namespace {

// --- shared: loading ---------------------------------------------------------

struct LoadArguments {
    std::string file;
    std::string mode = "interpret";
    std::string section;
    std::string trust;
    std::string policy = "none";
    std::string pin_root;     // where LIBBPF_PIN_BY_NAME maps and --share-maps go
    bool share_maps = false;  // maps and programs visible to `ebpf map` / `ebpf prog`
    bool stats = false;       // collect run statistics (EBPF_STATS=1)
};

ExecMode mode_of(const std::string& name) {
    if (name == "jit") return ExecMode::jit;
    if (name == "native") return ExecMode::native;
    return ExecMode::interpret;
}

std::unique_ptr<LoadedObject> load(const LoadArguments& args) {
    LoadOptions options;
    options.mode = mode_of(args.mode);
    options.limits = tool_limits();
    options.btf_path = tool_btf_path();
    // With --section: that program and every program it reaches by tail calls.
    if (!args.section.empty()) options.programs = {args.section};
    options.pin_root = args.pin_root;
    options.share_maps = args.share_maps;
    if (args.stats) set_program_stats(true);
    // --trust is the process trust store; --policy integrity the mode, in
    // which the loader checks every module against that store.
    if (!args.trust.empty()) set_process_trust_store(args.trust);
    if (args.policy == "integrity") enable_code_integrity();
    check_engine_policy(options.mode);
    PolicyOptions policy;
    std::vector<std::string> warnings;
    options.check_signature = module_policy_hook(policy, &warnings);
    auto object = load_object(args.file, options);
    for (const auto& warning : warnings) std::fprintf(stderr, "ebpf: warning: %s: %s\n", args.file.c_str(), warning.c_str());
    print_load_warnings(*object);
    return object;
}

void add_load_options(CLI::App& app, LoadArguments& args) {
    app.add_option("--mode", args.mode, "Execution mode (a .so native module needs native)")
        ->check(CLI::IsMember({"interpret", "jit", "native"}))
        ->capture_default_str();
    app.add_option("--section", args.section, "Load only this program (name or section)");
    add_limit_options(app);
    app.add_option("--trust", args.trust,
                   std::string("Native modules: trusted roots for the signature (default: $") + kTrustStoreEnvironment + ")");
    app.add_option("--policy", args.policy,
                   "integrity: code-integrity mode (PR_SET_MDWE; only signed native modules may run)")
        ->check(CLI::IsMember({"none", "integrity"}))
        ->capture_default_str();
    app.add_option("--pin-root", args.pin_root,
                   std::string("Where pinned maps live (default: $") + kPinRootEnvironment + ", else " + kDefaultPinRoot + ")");
    app.add_flag("--share-maps", args.share_maps,
                 "Maps in shared memory and programs published under the pin root, for `ebpf map` and `ebpf prog`");
    app.add_flag("--stats", args.stats, "Collect run counts and run time (as EBPF_STATS=1)");
}

// --- packet ------------------------------------------------------------------

struct PacketArguments {
    LoadArguments load;
    std::string pcap;
    std::string iface;
    std::string write_pcap;
    std::string filter;
    uint64_t count = 0;
    bool inject = false;
    bool json = false;
    bool dump_maps = false;
    std::vector<std::string> ports;  // --port SPEC: the multi-port host
    std::vector<std::string> maps;   // --map NAME=FILE
    std::vector<std::string> xsk;    // --xsk MAP[=IFINDEX]
    std::string fib;                 // --fib FILE: bpf_fib_lookup's routes
};

std::atomic<bool> stop_requested{false};

extern "C" void request_stop(int) { stop_requested.store(true); }

// The program for the packet host: the one named, else the first XDP
// program, else the first tc program or socket filter.
const LoadedProgram& packet_program(const LoadedObject& object, const std::string& section) {
    if (!section.empty()) return object.program(section);
    for (const auto& program : object.programs())
        if (program->type() == ProgramType::xdp) return *program;
    for (const auto& program : object.programs())
        if (program->type() == ProgramType::sched_cls || program->type() == ProgramType::sched_act ||
            program->type() == ProgramType::socket_filter)
            return *program;
    throw Error(object.path() + ": no xdp program (nor a tc program or socket filter)");
}

// Every map of the object after the run, in the shape of map_format.hpp.
nlohmann::json dump_maps(const LoadedObject& object) {
    nlohmann::json maps = nlohmann::json::array();
    for (const auto& map : object.maps()) maps.push_back(map_json(*map));
    return maps;
}

// At most one progress line a second on stderr; rewritten in place on a terminal.
class Progress {
public:
    void operator()(const PacketStats& stats) {
        const auto now = std::chrono::steady_clock::now();
        if (now - last_ < std::chrono::seconds(1)) return;
        last_ = now;
        std::fprintf(stderr, "%s%" PRIu64 " packets, %" PRIu64 " ns per packet%s", terminal_ ? "\r" : "", stats.packets,
                     stats.mean_ns(), terminal_ ? "" : "\n");
        printed_ = true;
    }
    void finish() const {
        if (printed_ && terminal_) std::fprintf(stderr, "\n");
    }

private:
    bool terminal_ = isatty(STDERR_FILENO) == 1;
    bool printed_ = false;
    std::chrono::steady_clock::time_point last_ = std::chrono::steady_clock::now();
};

// JSON summaries keep at most this many samples (the rest are counted).
constexpr size_t kMaxJsonSamples = 100000;

void keep_sample(nlohmann::json& samples, nlohmann::json sample) {
    if (samples.size() < kMaxJsonSamples) samples.push_back(std::move(sample));
}

// --port SOURCE[,ifindex=N][,out=FILE][,pass=FILE][,inject]; SOURCE is a pcap
// file, pcap=FILE, iface=NAME or none (a port frames only leave by).
PortSpec parse_port(const std::string& text, size_t position) {
    PortSpec spec;
    std::vector<std::string> parts;
    size_t start = 0;
    for (;;) {
        const size_t comma = text.find(',', start);
        parts.push_back(text.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
        if (comma == std::string::npos) break;
        start = comma + 1;
    }
    const std::string where = "--port " + text + ": ";
    for (size_t i = 0; i < parts.size(); ++i) {
        const std::string& part = parts[i];
        const size_t equals = part.find('=');
        const std::string key = equals == std::string::npos ? part : part.substr(0, equals);
        const std::string value = equals == std::string::npos ? std::string() : part.substr(equals + 1);
        if (i == 0 && equals == std::string::npos && part != "none" && part != "inject") {
            spec.pcap = part;
        } else if (part == "none" && i == 0) {
        } else if (part == "inject") {
            spec.inject = true;
        } else if (key == "pcap" && !value.empty()) {
            spec.pcap = value;
        } else if (key == "iface" && !value.empty()) {
            spec.interface = value;
        } else if (key == "out" && !value.empty()) {
            spec.output_path = value;
        } else if (key == "pass" && !value.empty()) {
            spec.pass_path = value;
        } else if (key == "ifindex" && !value.empty()) {
            char* end = nullptr;
            const unsigned long number = std::strtoul(value.c_str(), &end, 10);
            if (*end != '\0' || number == 0 || number > UINT32_MAX)
                throw Error(where + "ifindex must be a number from 1 to 4294967295, got '" + value + "'");
            spec.ifindex = static_cast<uint32_t>(number);
        } else {
            throw Error(where + "unknown part '" + part +
                        "' (expected FILE, pcap=FILE, iface=NAME or none, then ifindex=N, out=FILE, pass=FILE, inject)");
        }
    }
    if (spec.ifindex == 0 && !spec.interface.empty()) {
        // A live port is its interface: the program sees the real ifindex.
        spec.ifindex = if_nametoindex(spec.interface.c_str());
        if (spec.ifindex == 0) throw Error(where + "no interface '" + spec.interface + "'");
    }
    if (spec.ifindex == 0) spec.ifindex = static_cast<uint32_t>(position + 1);
    return spec;
}

int run_multi_port(const PacketArguments& args) {
    if (!args.pcap.empty() || !args.iface.empty() || !args.write_pcap.empty() || args.inject)
        throw Error("attach packet: with --port, give each port's source and outputs in its --port "
                    "(FILE, iface=NAME, out=FILE, pass=FILE, inject) instead of --pcap/--iface/--write-pcap/--inject");
    std::vector<PortSpec> ports;
    for (size_t i = 0; i < args.ports.size(); ++i) {
        PortSpec spec = parse_port(args.ports[i], i);
        for (const PortSpec& other : ports)
            if (other.ifindex == spec.ifindex)
                throw Error("--port " + args.ports[i] + ": ifindex " + std::to_string(spec.ifindex) +
                            " is another port's (give ifindex=N)");
        ports.push_back(std::move(spec));
    }
    const auto object = load(args.load);
    const LoadedProgram& program = packet_program(*object, args.load.section);
    if (program.type() != ProgramType::xdp)
        throw Error("attach packet: program '" + program.name() + "' is " + std::string(program_type_name(program.type())) +
                    "; ports (--port) run XDP programs, a tc program or socket filter runs on one --pcap or --iface");
    load_fib_table(args.fib);
    PacketRouter router(program);
    open_perf_buffers(*object);
    nlohmann::json samples = nlohmann::json::array();
    auto take_samples = [&] {
        nlohmann::json taken = drain_perf_buffers(*object);
        if (!args.json) print_perf_samples(taken);
        else for (auto& sample : taken) keep_sample(samples, std::move(sample));
    };
    // AF_XDP-like sockets: one per --xsk, bound to (its port, queue 0), at key 0.
    std::vector<std::pair<std::string, std::shared_ptr<XskSocket>>> sockets;
    auto ready = [&] {
        for (const auto& spec : args.maps) preload_map(*object, spec);
        for (const std::string& text : args.xsk) {
            const size_t equals = text.find('=');
            const std::string name = text.substr(0, equals);
            uint32_t ifindex = ports.front().ifindex;
            if (equals != std::string::npos) ifindex = static_cast<uint32_t>(std::strtoul(text.c_str() + equals + 1, nullptr, 10));
            if (!router.has_port(ifindex)) throw Error("--xsk " + text + ": no port with ifindex " + std::to_string(ifindex));
            Map& map = object->map(name);
            if (map.type() != MapType::xskmap) throw Error("--xsk " + text + ": map '" + name + "' is not an xskmap");
            auto socket = create_xsk_socket(ifindex, 0);
            const uint32_t key = 0, id = socket->id();
            map.update(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(&key), 4),
                       std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(&id), 4));
            sockets.emplace_back(name, std::move(socket));
        }
    };
    auto progress = std::make_shared<Progress>();
    ReplayOptions options;
    options.max_packets = args.count;
    options.filter = args.filter;
    options.stop = &stop_requested;
    options.progress = [progress, &take_samples](const PacketStats& s) {
        (*progress)(s);
        take_samples();
    };
    options.progress_every = 64;
    std::signal(SIGINT, request_stop);
    std::signal(SIGTERM, request_stop);
    const RouterStats stats = run_ports(router, ports, options, ready);
    progress->finish();
    take_samples();

    if (args.json) {
        nlohmann::json verdicts = nlohmann::json::object();
        for (uint32_t v = 0; v < kXdpVerdictCount; ++v) verdicts[std::string(xdp_verdict_name(v))] = stats.verdicts[v];
        nlohmann::json port_list = nlohmann::json::array();
        for (const PortSpec& spec : ports) {
            const PortStats p = router.port_stats(spec.ifindex);
            nlohmann::json entry = {{"ifindex", spec.ifindex},
                                    {"received", p.received},
                                    {"transmitted", p.transmitted},
                                    {"passed", p.passed}};
            if (!spec.pcap.empty()) entry["pcap"] = spec.pcap;
            if (!spec.interface.empty()) entry["iface"] = spec.interface;
            if (!spec.output_path.empty()) entry["out"] = spec.output_path;
            if (!spec.pass_path.empty()) entry["pass"] = spec.pass_path;
            port_list.push_back(entry);
        }
        nlohmann::json cpus = nlohmann::json::object();
        for (const auto& [cpu, count] : router.cpu_counts()) cpus[std::to_string(cpu)] = count;
        nlohmann::json xsks = nlohmann::json::array();
        for (const auto& [name, socket] : sockets)
            xsks.push_back({{"map", name}, {"ifindex", socket->ifindex()}, {"delivered", socket->delivered()},
                            {"dropped", socket->dropped()}});
        nlohmann::json out = {{"program", program.name()},
                              {"section", program.section()},
                              {"mode", exec_mode_name(program.mode())},
                              {"ports", port_list},
                              {"packets", stats.packets},
                              {"bytes", stats.bytes},
                              {"verdicts", verdicts},
                              {"invalid", stats.invalid},
                              {"redirect_dropped", stats.redirect_dropped},
                              {"egress_dropped", stats.egress_dropped},
                              {"cpu_passed", cpus},
                              {"xsk", xsks},
                              {"mean_ns", stats.mean_ns()}};
        if (args.dump_maps) out["maps"] = dump_maps(*object);
        if (!samples.empty()) out["perf_samples"] = samples;
        std::printf("%s\n", json_text(out).c_str());
        return 0;
    }
    std::printf("%s: %s (%s, %s) over %zu ports\n", args.load.file.c_str(), printable(program.name()).c_str(),
                printable(program.section()).c_str(), exec_mode_name(program.mode()), ports.size());
    for (const PortSpec& spec : ports) {
        const PortStats p = router.port_stats(spec.ifindex);
        const std::string source = !spec.pcap.empty() ? spec.pcap : !spec.interface.empty() ? spec.interface : "-";
        std::printf("port %u (%s): received %" PRIu64 ", transmitted %" PRIu64 ", passed %" PRIu64 "%s%s\n", spec.ifindex,
                    printable(source).c_str(), p.received, p.transmitted, p.passed,
                    spec.output_path.empty() ? "" : ", out ", printable(spec.output_path).c_str());
    }
    std::printf("packets: %" PRIu64 " (%" PRIu64 " bytes)\n", stats.packets, stats.bytes);
    std::printf("verdicts:");
    for (uint32_t v = 0; v < kXdpVerdictCount; ++v)
        std::printf(" %s %" PRIu64, std::string(xdp_verdict_name(v)).c_str(), stats.verdicts[v]);
    if (stats.invalid) std::printf(" invalid %" PRIu64, stats.invalid);
    std::printf("\n");
    std::printf("redirect dropped: %" PRIu64 ", egress program dropped: %" PRIu64 "\n", stats.redirect_dropped,
                stats.egress_dropped);
    for (const auto& [cpu, count] : router.cpu_counts()) std::printf("cpu %u: %" PRIu64 " passed\n", cpu, count);
    for (const auto& [name, socket] : sockets)
        std::printf("xsk %s (port %u, queue 0): delivered %" PRIu64 ", dropped %" PRIu64 "\n", printable(name).c_str(),
                    socket->ifindex(), socket->delivered(), socket->dropped());
    std::printf("mean: %" PRIu64 " ns per packet\n", stats.mean_ns());
    if (args.dump_maps)
        for (const auto& map : dump_maps(*object)) print_map_text(map);
    return 0;
}

int run_packet(const PacketArguments& args) {
    if (!args.ports.empty()) return run_multi_port(args);
    if (args.pcap.empty() == args.iface.empty())
        throw Error("attach packet: give exactly one of --pcap FILE or --iface IFACE (or ports with --port)");
    if (args.inject && args.iface.empty()) throw Error("attach packet: --inject needs --iface");
    if (!args.xsk.empty()) throw Error("attach packet: --xsk needs ports (--port)");
    const auto object = load(args.load);
    const LoadedProgram& program = packet_program(*object, args.load.section);
    load_fib_table(args.fib);
    for (const auto& spec : args.maps) preload_map(*object, spec);
    open_perf_buffers(*object);
    nlohmann::json samples = nlohmann::json::array();
    // Samples are taken as the run goes (the buffers are bounded), and printed live in text mode.
    auto take_samples = [&] {
        nlohmann::json taken = drain_perf_buffers(*object);
        if (!args.json) print_perf_samples(taken);
        else for (auto& sample : taken) keep_sample(samples, std::move(sample));
    };
    PacketHookOptions hook_options;
    // Live capture: the program reads the interface's index as ctx->ingress_ifindex, as on Linux.
    if (!args.iface.empty()) hook_options.ingress_ifindex = if_nametoindex(args.iface.c_str());
    PacketHook hook(program, hook_options);

    auto progress = std::make_shared<Progress>();
    PacketStats stats;
    if (!args.pcap.empty()) {
        ReplayOptions options;
        options.output_path = args.write_pcap;
        options.max_packets = args.count;
        options.filter = args.filter;
        options.progress = [progress, &take_samples](const PacketStats& s) {
            (*progress)(s);
            take_samples();
        };
        options.progress_every = 64;
        stats = replay_pcap(hook, args.pcap, options);
    } else {
        LiveCaptureOptions options;
        options.interface = args.iface;
        options.output_path = args.write_pcap;
        options.max_packets = args.count;
        options.filter = args.filter;
        options.inject_tx = args.inject;
        options.stop = &stop_requested;
        options.progress = [progress, &take_samples](const PacketStats& s) {
            (*progress)(s);
            take_samples();
        };
        options.progress_every = 64;
        std::signal(SIGINT, request_stop);
        std::signal(SIGTERM, request_stop);
        stats = capture_live(hook, options);
    }
    progress->finish();
    take_samples();

    const std::string source = args.pcap.empty() ? args.iface : args.pcap;
    if (args.json) {
        nlohmann::json verdicts = nlohmann::json::object();
        for (uint32_t v = 0; v < kXdpVerdictCount; ++v) verdicts[std::string(xdp_verdict_name(v))] = stats.verdicts[v];
        nlohmann::json out = {{"program", program.name()},
                              {"section", program.section()},
                              {"mode", exec_mode_name(program.mode())},
                              {"source", source},
                              {"packets", stats.packets},
                              {"bytes", stats.bytes},
                              {"verdicts", verdicts},
                              {"invalid", stats.invalid},
                              {"written", stats.written},
                              {"injected", stats.injected},
                              {"mean_ns", stats.mean_ns()}};
        if (!args.write_pcap.empty()) out["output"] = args.write_pcap;
        if (args.dump_maps) out["maps"] = dump_maps(*object);
        if (!samples.empty()) out["perf_samples"] = samples;
        std::printf("%s\n", json_text(out).c_str());
        return 0;
    }
    std::printf("%s: %s (%s, %s) over %s\n", args.load.file.c_str(), printable(program.name()).c_str(),
                printable(program.section()).c_str(),
                exec_mode_name(program.mode()), source.c_str());
    std::printf("packets: %" PRIu64 " (%" PRIu64 " bytes)\n", stats.packets, stats.bytes);
    std::printf("verdicts:");
    for (uint32_t v = 0; v < kXdpVerdictCount; ++v)
        std::printf(" %s %" PRIu64, std::string(xdp_verdict_name(v)).c_str(), stats.verdicts[v]);
    if (stats.invalid) std::printf(" invalid %" PRIu64, stats.invalid);
    std::printf("\n");
    if (!args.write_pcap.empty())
        std::printf("written: %" PRIu64 " packets (pass + tx) to %s\n", stats.written, args.write_pcap.c_str());
    if (args.inject) std::printf("injected: %" PRIu64 " tx packets\n", stats.injected);
    std::printf("mean: %" PRIu64 " ns per packet\n", stats.mean_ns());
    if (args.dump_maps)
        for (const auto& map : dump_maps(*object)) print_map_text(map);
    return 0;
}

// --- bind ----------------------------------------------------------------------

struct BindArguments {
    LoadArguments load;
    std::vector<std::string> command;
    std::string shim;
    bool log = false;
};

std::filesystem::path executable_directory() {
    std::error_code error;
    auto self = std::filesystem::read_symlink("/proc/self/exe", error);
    return error ? std::filesystem::path() : self.parent_path();
}

// --shim, $EBPF_BIND_SHIM, next to this executable, ../lib, then this build tree's.
std::string find_shim(const std::string& requested) {
    std::vector<std::filesystem::path> candidates;
    if (!requested.empty()) {
        candidates = {requested};
    } else {
        if (const char* env = std::getenv("EBPF_BIND_SHIM"); env && *env) candidates.emplace_back(env);
        const auto dir = executable_directory();
        if (!dir.empty()) {
            candidates.push_back(dir / "libebpf_bind_shim.so");
            candidates.push_back(dir / ".." / "lib" / "libebpf_bind_shim.so");
#ifdef EBPF_INSTALL_LIBDIR
            // Installed: bin/ebpf and ${libdir}/libebpf_bind_shim.so (lib/x86_64-linux-gnu under /usr).
            candidates.push_back(dir / ".." / EBPF_INSTALL_LIBDIR / "libebpf_bind_shim.so");
#endif
        }
#ifdef EBPF_BIND_SHIM_BUILD_PATH
        candidates.emplace_back(EBPF_BIND_SHIM_BUILD_PATH);
#endif
    }
    std::string tried;
    for (const auto& candidate : candidates) {
        std::error_code error;
        if (std::filesystem::is_regular_file(candidate, error)) return std::filesystem::absolute(candidate).string();
        tried += (tried.empty() ? "" : ", ") + candidate.string();
    }
    throw Error("attach bind: cannot find libebpf_bind_shim.so (tried: " + (tried.empty() ? std::string("nothing") : tried) +
                "); pass --shim PATH or set EBPF_BIND_SHIM");
}

int run_bind(const BindArguments& args) {
    if (args.command.empty()) throw Error("attach bind: no command to run (ebpf attach bind prog.o -- command args...)");
    // Load here first, so a bad program is reported before the command starts
    // (the shim would only fail closed).
    {
        const auto object = load(args.load);
        SockAddrPolicy policy;
        if (policy.add(*object) == 0)
            throw Error(args.load.file + ": no cgroup/bind4, bind6, connect4 or connect6 program to attach");
    }
    const std::string shim = find_shim(args.shim);
    std::string preload = shim;
    if (const char* existing = std::getenv("LD_PRELOAD"); existing && *existing) preload += std::string(":") + existing;
    setenv("LD_PRELOAD", preload.c_str(), 1);
    setenv("EBPF_BIND_PROGRAM", std::filesystem::absolute(args.load.file).c_str(), 1);
    setenv("EBPF_MODE", args.load.mode.c_str(), 1);
    if (args.load.section.empty())
        unsetenv("EBPF_BIND_SECTION");
    else
        setenv("EBPF_BIND_SECTION", args.load.section.c_str(), 1);
    if (!args.load.trust.empty()) setenv(kTrustStoreEnvironment, args.load.trust.c_str(), 1);
    // The command inherits MDWE from this process; the shim in it enforces
    // the library's side of the mode through the environment switch.
    if (args.load.policy == "integrity") setenv(kCodeIntegrityEnvironment, "1", 1);
    if (args.log) setenv("EBPF_BIND_LOG", "1", 1);

    std::vector<char*> argv;
    for (const auto& word : args.command) argv.push_back(const_cast<char*>(word.c_str()));
    argv.push_back(nullptr);
    std::fflush(nullptr);
    execvp(argv[0], argv.data());
    throw Error("attach bind: cannot run " + args.command[0] + ": " + std::strerror(errno));
}

const CommandRegistration registration{Command{
    "attach",
    "Attach a program to a hook: packet (XDP over pcap/live capture) or bind (bind/connect shim for a command)",
    [](CLI::App& app) -> std::function<int()> {
        app.require_subcommand(1);

        auto packet = std::make_shared<PacketArguments>();
        CLI::App* packet_app = app.add_subcommand(
            "packet", "Run an XDP, tc or socket-filter program over a pcap file or a live interface");
        packet_app->add_option("file", packet->load.file, "eBPF object (.o) or signed native module (.so)")->required();
        add_load_options(*packet_app, packet->load);
        packet_app->add_option("--pcap", packet->pcap, "Replay this pcap file");
        packet_app->add_option("--iface", packet->iface, "Capture live on this interface (needs CAP_NET_RAW)");
        packet_app->add_option("--write-pcap", packet->write_pcap, "Write PASS and TX packets (as the program left them) here");
        packet_app->add_option("--filter", packet->filter,
                               "Only packets matching this libpcap filter (tcpdump syntax) reach the program");
        packet_app->add_option("--count", packet->count, "Stop after N packets (0: all / until Ctrl-C)")->capture_default_str();
        packet_app->add_flag("--inject", packet->inject, "With --iface: send TX packets back out with pcap_inject");
        packet_app->add_flag("--json", packet->json, "Print the summary as JSON");
        packet_app->add_flag("--dump-maps", packet->dump_maps, "Print the object's maps after the run");
        packet_app->add_option("--port", packet->ports,
                               "A port of the multi-port host (repeat): FILE|pcap=FILE|iface=NAME|none, then "
                               ",ifindex=N (default: the interface's, else its position from 1), ,out=FILE (frames "
                               "that leave it), ,pass=FILE (frames passed to the stack), ,inject (live: send them)");
        packet_app->add_option("--map", packet->maps,
                               "NAME=FILE fills a map before the first packet (text \"KEY VALUE\" hex lines, or raw "
                               "key+value records), e.g. a devmap of ports");
        packet_app->add_option("--xsk", packet->xsk,
                               "MAP[=IFINDEX]: an AF_XDP-like socket on that port (default: the first), queue 0, "
                               "stored at key 0 of xskmap MAP; frames redirected to it are counted");
        packet_app->add_option("--fib", packet->fib, "Routes for bpf_fib_lookup (the format of `ebpf run --fib`)");

        auto bind = std::make_shared<BindArguments>();
        CLI::App* bind_app =
            app.add_subcommand("bind", "Run a command with its bind()/connect() calls going through cgroup/bind*|connect* programs");
        bind_app->add_option("file", bind->load.file, "eBPF object (.o) or signed native module (.so)")->required();
        bind_app->add_option("command", bind->command, "The command and its arguments, after --")->required();
        add_load_options(*bind_app, bind->load);
        bind_app->add_option("--shim", bind->shim, "Path of libebpf_bind_shim.so (default: found next to ebpf)");
        bind_app->add_flag("--log", bind->log, "Print one line per bind()/connect() decision on stderr");

        return [packet_app, packet, bind] {
            if (packet_app->parsed()) return run_packet(*packet);
            return run_bind(*bind);
        };
    }}};

}  // namespace
}  // namespace ebpf::tools
