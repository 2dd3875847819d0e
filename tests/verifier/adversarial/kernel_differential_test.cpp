// Kernel differential test (issue 12): every eBPF ELF object the tests build
// (tests/programs, tests/verifier/programs, the adversarial corpus' C
// programs, tests/hooks' objects) is loaded into the running Linux kernel with
// libbpf by an unprivileged-equivalent loader — a forked child that drops
// CAP_SYS_ADMIN and CAP_PERFMON and keeps CAP_BPF (and CAP_NET_ADMIN, which
// XDP and tc need) — and compared with our verdict:
//
//  * Linux rejects, we accept: a failure, unless KERNEL_DIFFERENCES.txt lists
//    the unit with a reason, or it is an attack of the corpus listed in
//    KNOWN_HOLES.txt (being fixed). A rejection only for want of CAP_PERFMON
//    (helpers such as bpf_trace_printk, and the Spectre v1 mitigations:
//    "prohibited for !root") is retried with every capability and compared
//    with that verdict instead (the privileged pointer-leak rules are weaker:
//    leaks are the adversarial corpus' job);
//  * Linux accepts, we reject: printed (a precision gap), not a failure;
//  * both accept: XDP programs run with BPF_PROG_TEST_RUN on the inputs of the
//    corpus' `run:` lines (or on default frames for the test programs) and in
//    our interpreter; return values and packet bytes must agree.
//
// A unit is one program (libbpf autoloads only it), or the whole object when
// a prog_array is filled statically (libbpf fills it after loading every
// program). Programs of our own types (hook/, raw) have no kernel equivalent
// and are left out. The corpus' assembler/bytecode attacks are compared too
// (KernelDifferentialCorpus, at the end). Skipped, saying why, where bpf()
// is not usable.
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/capability.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cerrno>
#include <cstdarg>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>

#include "corpus.hpp"
#include "ebpf/error.hpp"
#include "ebpf/isa.hpp"
#include "ebpf/runtime.hpp"

namespace ebpf::adversarial {
namespace {

using Bytes = std::vector<uint8_t>;

constexpr int kCapNetAdmin = 12, kCapSysAdmin = 21, kCapPerfmon = 38;

// --- what the kernel says -------------------------------------------------------

struct KernelRun {
    int error = 0;  // of BPF_PROG_TEST_RUN
    uint32_t retval = 0;
    Bytes packet;
};

struct KernelVerdict {
    bool loaded = false;
    std::string log;  // libbpf's messages and the verifier log
    std::map<std::string, std::vector<KernelRun>> runs;  // by program name
};

std::string* g_log = nullptr;
int capture_log(enum libbpf_print_level, const char* format, va_list args) {
    va_list copy;
    va_copy(copy, args);
    const int length = vsnprintf(nullptr, 0, format, copy);
    va_end(copy);
    if (length <= 0 || !g_log || g_log->size() > (16u << 20)) return 0;
    std::string text(static_cast<size_t>(length) + 1, '\0');
    vsnprintf(text.data(), text.size(), format, args);
    text.resize(static_cast<size_t>(length));
    *g_log += text;
    return 0;
}

bool drop_capabilities(std::initializer_list<int> capabilities) {
    __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
    __user_cap_data_struct data[2]{};
    if (::syscall(SYS_capget, &header, data) != 0) return false;
    for (int cap : capabilities) {
        const uint32_t bit = 1u << (cap % 32);
        data[cap / 32].effective &= ~bit;
        data[cap / 32].permitted &= ~bit;
        data[cap / 32].inheritable &= ~bit;
    }
    return ::syscall(SYS_capset, &header, data) == 0;
}

bool has_capability(int cap) {
    __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
    __user_cap_data_struct data[2]{};
    if (::syscall(SYS_capget, &header, data) != 0) return false;
    return (data[cap / 32].effective & (1u << (cap % 32))) != 0;
}

// BPF_PROG_TEST_RUN of an XDP program on each input: "run NAME ERRNO RETVAL HEX" lines.
std::string xdp_test_runs(const std::string& name, int prog_fd, const std::vector<Bytes>& inputs) {
    std::string runs;
    for (const Bytes& input : inputs) {
        Bytes in = input, out_buffer(input.size() + 4096);
        if (in.empty()) in.push_back(0);
        bpf_test_run_opts opts{};
        opts.sz = sizeof opts;
        opts.data_in = in.data();
        opts.data_size_in = static_cast<uint32_t>(input.size());
        opts.data_out = out_buffer.data();
        opts.data_size_out = static_cast<uint32_t>(out_buffer.size());
        opts.repeat = 1;
        const int error = bpf_prog_test_run_opts(prog_fd, &opts);
        std::ostringstream line;
        line << "run " << name << " " << (error ? errno : 0) << " " << opts.retval << " ";
        for (uint32_t i = 0; i < opts.data_size_out && !error; ++i) {
            char hex[3];
            std::snprintf(hex, sizeof hex, "%02x", out_buffer[i]);
            line << hex;
        }
        runs += line.str() + "\n";
    }
    return runs;
}

std::string make_report(bool loaded, const std::string& log, const std::string& runs) {
    std::string escaped;
    for (char c : log) escaped += c == '\n' ? std::string("\\n") : std::string(1, c);
    return std::string(loaded ? "ok" : "fail") + "\n" + escaped + "\n" + runs;
}

void write_all(int out, const std::string& report) {
    for (size_t done = 0; done < report.size();) {
        const ssize_t n = ::write(out, report.data() + done, report.size() - done);
        if (n <= 0) break;
        done += static_cast<size_t>(n);
    }
}

// The loader, in the child: opens the object, keeps the wanted programs,
// loads, test-runs XDP programs; writes its findings as lines to `out`.
void child_load(const std::string& path, const std::string& only, bool unprivileged,
                const std::map<std::string, std::vector<Bytes>>& inputs, int out) {
    std::string report;
    if (unprivileged && !drop_capabilities({kCapSysAdmin, kCapPerfmon})) {
        report = "fail\ncapset failed\n";
    } else {
        std::string log;
        g_log = &log;
        libbpf_set_print(capture_log);
        bpf_object* object = bpf_object__open_file(path.c_str(), nullptr);
        bool loaded = false;
        std::string runs;
        if (!object) {
            log += "open failed: " + std::string(std::strerror(errno)) + "\n";
        } else {
            bpf_program* program;
            bpf_object__for_each_program(program, object) {
                const bool ours = bpf_program__type(program) == BPF_PROG_TYPE_UNSPEC;
                const bool wanted = only.empty() || only == bpf_program__name(program);
                bpf_program__set_autoload(program, wanted && !ours);
                // A verifier log for every program, at level 1 (errors + path).
                bpf_program__set_log_level(program, 1);
            }
            loaded = bpf_object__load(object) == 0;
            if (loaded) {
                bpf_object__for_each_program(program, object) {
                    auto it = inputs.find(bpf_program__name(program));
                    if (it == inputs.end() || bpf_program__fd(program) < 0 ||
                        bpf_program__type(program) != BPF_PROG_TYPE_XDP)
                        continue;
                    runs += xdp_test_runs(bpf_program__name(program), bpf_program__fd(program), it->second);
                }
            }
            bpf_object__close(object);
        }
        report = make_report(loaded, log, runs);
    }
    write_all(out, report);
}

Bytes parse_hex(const std::string& text) {
    Bytes out;
    for (size_t i = 0; i + 1 < text.size(); i += 2)
        out.push_back(static_cast<uint8_t>(std::stoi(text.substr(i, 2), nullptr, 16)));
    return out;
}

// Runs `load(out_fd)` in a forked child and parses what it wrote.
KernelVerdict in_child(const std::function<void(int)>& load) {
    int fds[2];
    if (::pipe(fds) != 0) return {false, "pipe failed", {}};
    const pid_t pid = ::fork();
    if (pid == 0) {
        ::close(fds[0]);
        load(fds[1]);
        ::_exit(0);
    }
    ::close(fds[1]);
    std::string text;
    char buffer[65536];
    for (ssize_t n; (n = ::read(fds[0], buffer, sizeof buffer)) > 0;) text.append(buffer, static_cast<size_t>(n));
    ::close(fds[0]);
    int status = 0;
    ::waitpid(pid, &status, 0);
    KernelVerdict verdict;
    std::istringstream lines(text);
    std::string line;
    std::getline(lines, line);
    verdict.loaded = line == "ok";
    std::getline(lines, verdict.log);
    while (std::getline(lines, line)) {
        std::istringstream words(line);
        std::string tag, name, data;
        KernelRun run;
        words >> tag >> name >> run.error >> run.retval >> data;
        if (tag == "run") {
            run.packet = parse_hex(data);
            verdict.runs[name].push_back(run);
        }
    }
    if (!WIFEXITED(status)) verdict.log += " (the loader process died)";
    return verdict;
}

KernelVerdict kernel_load(const std::string& path, const std::string& only, bool unprivileged,
                          const std::map<std::string, std::vector<Bytes>>& inputs) {
    return in_child([&](int out) { child_load(path, only, unprivileged, inputs, out); });
}

// A rejection for want of CAP_PERFMON: helpers the kernel gives to tracing-
// capable loaders only, program types that need it, and the Spectre v1
// mitigations of loaders without it ("... prohibited for !root": pointer
// arithmetic the kernel cannot mask, such as a variable packet offset).
// Speculative execution is outside our threat model; such units are compared
// with the privileged verdict instead.
bool capability_refusal(const KernelVerdict& verdict) {
    for (const char* phrase : {"unknown func", "cannot use helper", "for !root", "Operation not permitted"})
        if (verdict.log.find(phrase) != std::string::npos) return true;
    return false;
}

// The verifier's own words: the lines before "processed N insns" that are
// not state dumps (else libbpf's last lines).
std::string kernel_reason(const std::string& log) {
    // A prog_array slot the kernel refused (owner type, or a program it could not load).
    if (const size_t slot = log.find("failed to initialize slot"); slot != std::string::npos)
        return log.substr(slot, log.find("\\n", slot) - slot);
    std::vector<std::string> lines;
    for (size_t start = 0; start < log.size();) {
        size_t end = log.find("\\n", start);
        if (end == std::string::npos) end = log.size();
        lines.push_back(log.substr(start, end - start));
        start = end + 2;
    }
    for (size_t i = lines.size(); i-- > 0;) {
        if (lines[i].rfind("processed ", 0) != 0) continue;
        for (size_t j = i; j-- > 0;) {
            const std::string& line = lines[j];
            if (line.rfind("old state", 0) == 0 || line.rfind("cur state", 0) == 0 || line.empty()) continue;
            return line.substr(0, 300);
        }
    }
    std::string tail;
    for (size_t i = lines.size() > 3 ? lines.size() - 3 : 0; i < lines.size(); ++i) tail += lines[i].substr(0, 300) + " | ";
    return tail;
}


// --- assembler and bytecode attacks: loaded with bpf_prog_load ---------------------

// Our program types as the kernel's. hook and raw programs have none: they
// load as socket filters, which catches every attack that does not depend on
// r1/r2 (those the kernel refuses as "!read_ok" or a context access: not
// comparable).
bpf_prog_type kernel_type(ProgramType type) {
    switch (type) {
    case ProgramType::xdp: return BPF_PROG_TYPE_XDP;
    case ProgramType::sched_cls: return BPF_PROG_TYPE_SCHED_CLS;
    case ProgramType::cgroup_sock_addr: return BPF_PROG_TYPE_CGROUP_SOCK_ADDR;
    default: return BPF_PROG_TYPE_SOCKET_FILTER;
    }
}

// In the child: the attack's maps as kernel maps (global data written and
// .rodata frozen, as libbpf does), LDDW map references turned into fds, then
// BPF_PROG_LOAD and, for XDP, test runs.
void child_load_attack(const Attack& attack, bool unprivileged, const std::vector<Bytes>& inputs, int out) {
    if (unprivileged && !drop_capabilities({kCapSysAdmin, kCapPerfmon})) return write_all(out, "fail\ncapset failed\n");
    Object object;
    try {
        object = attack_object(attack);
    } catch (const Error& e) {
        return write_all(out, make_report(false, std::string("not loadable: ") + e.what(), ""));
    }
    std::string log;
    std::vector<int> fds(object.maps.size(), -1);
    // Inner-map templates before the outer maps that need their fd.
    for (int pass = 0; pass < 2; ++pass) {
        for (size_t i = 0; i < object.maps.size(); ++i) {
            const MapDefinition& map = object.maps[i];
            if ((pass == 0) == map.inner_map.has_value()) continue;
            bpf_map_create_opts opts{};
            opts.sz = sizeof opts;
            opts.map_flags = map.map_flags | (map.read_only ? BPF_F_RDONLY_PROG : 0);
            if (map.inner_map && *map.inner_map < fds.size()) opts.inner_map_fd = static_cast<uint32_t>(fds[*map.inner_map]);
            fds[i] = bpf_map_create(static_cast<bpf_map_type>(map.type), nullptr, map.key_size, map.value_size,
                                    map.max_entries, &opts);
            if (fds[i] < 0) {
                log += "map " + map.name + ": " + std::strerror(errno) + "\n";
                continue;
            }
            if (map.is_global_data && !map.initial_data.empty()) {
                const uint32_t zero = 0;
                bpf_map_update_elem(fds[i], &zero, map.initial_data.data(), 0);
                if (map.read_only) bpf_map_freeze(fds[i]);
            }
        }
    }
    const Program& program = object.programs.front();
    std::vector<Instruction> insns = program.insns;
    for (size_t pc = 0; pc + 1 < insns.size(); ++pc) {
        if (insns[pc].opcode != op::kLddw) continue;
        const bool by_index = insns[pc].src == op::kPseudoMapIdx, value = insns[pc].src == op::kPseudoMapIdxValue;
        if ((by_index || value) && static_cast<uint32_t>(insns[pc].imm) < fds.size()) {
            insns[pc].src = by_index ? BPF_PSEUDO_MAP_FD : BPF_PSEUDO_MAP_VALUE;
            insns[pc].imm = fds[static_cast<size_t>(insns[pc].imm)];
        }
        ++pc;
    }
    const std::vector<uint8_t> bytes = instructions_to_bytes(insns);
    std::string verifier_log(1 << 20, '\0');
    bpf_prog_load_opts opts{};
    opts.sz = sizeof opts;
    opts.log_level = 1;
    opts.log_buf = verifier_log.data();
    opts.log_size = static_cast<uint32_t>(verifier_log.size());
    if (program.type == ProgramType::cgroup_sock_addr) opts.expected_attach_type = BPF_CGROUP_INET4_CONNECT;
    const int prog_fd = bpf_prog_load(kernel_type(program.type), "adversarial", "GPL",
                                      reinterpret_cast<const bpf_insn*>(bytes.data()), insns.size(), &opts);
    if (prog_fd < 0) log += std::string("BPF_PROG_LOAD: ") + std::strerror(errno) + "\n";
    log += verifier_log.c_str();
    std::string runs;
    if (prog_fd >= 0 && program.type == ProgramType::xdp) runs = xdp_test_runs(program.name, prog_fd, inputs);
    write_all(out, make_report(prog_fd >= 0, log, runs));
}

// --- the units ------------------------------------------------------------------

struct Unit {
    std::string object;   // file name in the test programs directory
    std::string program;  // empty: the whole object
    std::string id() const { return program.empty() ? object : object + ":" + program; }
};

bool kernel_bpf_usable(std::string& why) {
    if (!has_capability(39 /* CAP_BPF */) && !has_capability(kCapSysAdmin)) {
        why = "no CAP_BPF or CAP_SYS_ADMIN: cannot load programs into the kernel";
        return false;
    }
    const bpf_insn insns[] = {{0xb7, 0, 0, 0, 0}, {0x95, 0, 0, 0, 0}};
    const int fd = bpf_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, "probe", "GPL", insns, 2, nullptr);
    if (fd < 0) {
        why = std::string("bpf(BPF_PROG_LOAD) of a trivial program fails: ") + std::strerror(errno);
        return false;
    }
    ::close(fd);
    return true;
}

// "file[:program] | reason" lines.
std::map<std::string, std::string> load_differences() {
    std::map<std::string, std::string> out;
    std::ifstream in(EBPF_ADVERSARIAL_DIR "/KERNEL_DIFFERENCES.txt");
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#') continue;
        const size_t bar = line.find('|');
        std::string id = line.substr(0, bar);
        id.erase(id.find_last_not_of(" \t") + 1);
        out[id] = bar == std::string::npos ? "" : line.substr(bar + 1);
    }
    return out;
}

// The entry for a unit: exact, or a "prefix*" pattern. Only exact entries
// must keep disagreeing (a pattern names a rule, not a unit).
struct Difference {
    const std::string* reason = nullptr;
    bool exact = false;
};
Difference find_difference(const std::map<std::string, std::string>& differences, const std::string& id) {
    if (auto it = differences.find(id); it != differences.end()) return {&it->second, true};
    for (const auto& [pattern, reason] : differences)
        if (!pattern.empty() && pattern.back() == '*' && id.rfind(pattern.substr(0, pattern.size() - 1), 0) == 0)
            return {&reason, false};
    return {};
}

// Paths of every test object: tests/programs (and the other folders that
// build into it) and the adversarial corpus' C attacks.
std::vector<std::string> object_files() {
    std::vector<std::string> files;
    for (const char* dir : {EBPF_TEST_PROGRAMS_DIR, EBPF_ADVERSARIAL_OBJECTS})
        for (const auto& entry : std::filesystem::directory_iterator(dir))
            if (entry.path().extension() == ".o") files.push_back(entry.path().string());
    std::sort(files.begin(), files.end(), [](const std::string& a, const std::string& b) {
        return std::filesystem::path(a).filename() < std::filesystem::path(b).filename();
    });
    return files;
}

// The corpus attack an adv_NAME.o object comes from.
const Attack* attack_of(const std::string& object_file) {
    static const std::vector<Attack> attacks = load_attacks(EBPF_ADVERSARIAL_DIR "/programs", EBPF_ADVERSARIAL_OBJECTS);
    for (const Attack& attack : attacks)
        if (attack.form == Attack::Form::c && std::filesystem::path(attack.object_path).filename() == object_file)
            return &attack;
    return nullptr;
}

const std::set<std::string>& known_holes() {
    static const std::set<std::string> holes = load_known_holes(EBPF_ADVERSARIAL_DIR "/KNOWN_HOLES.txt");
    return holes;
}

Bytes default_frame() {
    Bytes frame(14 + 20 + 8 + 8, 0);
    frame[12] = 0x08;
    frame[14] = 0x45;
    frame[22] = 64;
    frame[23] = 17;
    frame[14 + 20 + 3] = 53;
    return frame;
}

// XDP inputs per program: the attack's `run:` lines (not for class 8: the
// kernel has no budget for nested bpf_loop), else two default frames.
std::map<std::string, std::vector<Bytes>> xdp_inputs(const std::string& object_file, const Object& object) {
    std::map<std::string, std::vector<Bytes>> inputs;
    const Attack* attack = attack_of(object_file);
    if (attack && (attack->attack_class == "8" || !attack->expect_accept)) return inputs;
    for (const Program& program : object.programs) {
        if (program.type != ProgramType::xdp) continue;
        std::vector<Bytes>& list = inputs[program.name];
        if (attack) {
            for (const AttackRun& run : attack->runs)
                if (!run.input.empty()) list.push_back(run.input);
        } else {
            list = {default_frame(), Bytes(60, 0)};
        }
    }
    return inputs;
}

constexpr size_t kHeadroom = 256, kTailroom = 4096;

// Our interpreter on the kernel's inputs: the same return values and packets.
void compare_xdp_runs(const std::string& what, const LoadedProgram& program, const std::vector<Bytes>& inputs,
                      const std::vector<KernelRun>& runs) {
    for (size_t i = 0; i < runs.size() && i < inputs.size(); ++i) {
        Bytes frame(kHeadroom + inputs[i].size() + kTailroom, 0);
        std::copy(inputs[i].begin(), inputs[i].end(), frame.begin() + kHeadroom);
        size_t offset = kHeadroom, length = inputs[i].size();
        uint64_t ret = 0;
        try {
            // The XDP verdict is a u32 (bpf_prog_run_xdp), as BPF_PROG_TEST_RUN reports it;
            // the packet comes from the loopback device (ingress_ifindex 1), as there.
            ret = static_cast<uint32_t>(program.run_xdp(frame, offset, length, 1));
        } catch (const Error& e) {
            ADD_FAILURE() << what << " input " << i << ": our run failed: " << e.what();
            continue;
        }
        const Bytes packet(frame.begin() + static_cast<std::ptrdiff_t>(offset),
                           frame.begin() + static_cast<std::ptrdiff_t>(offset + length));
        if (runs[i].error != 0) {
            std::cout << "  " << what << " input " << i << ": BPF_PROG_TEST_RUN failed (errno " << runs[i].error
                      << "), not compared\n";
            continue;
        }
        std::cout << "  " << what << " input " << i << ": Linux returns " << runs[i].retval << ", we " << ret << "\n";
        EXPECT_EQ(ret, runs[i].retval) << what << " input " << i;
        EXPECT_EQ(packet, runs[i].packet) << what << " input " << i << ": packet bytes";
    }
}

class KernelDifferential : public ::testing::TestWithParam<std::string> {};

TEST_P(KernelDifferential, LinuxAgrees) {
    std::string why;
    if (!kernel_bpf_usable(why)) GTEST_SKIP() << why;
    const std::string path = GetParam();
    const std::string file = std::filesystem::path(path).filename().string();
    Object object;
    try {
        object = open_object(path);
    } catch (const Error& e) {
        GTEST_SKIP() << file << ": our loader refuses the object (" << e.what() << "); nothing to compare";
    }
    static const std::map<std::string, std::string> differences = load_differences();
    const bool static_prog_array = std::any_of(object.maps.begin(), object.maps.end(), [](const MapDefinition& m) {
        return m.type == MapType::prog_array && !m.initial_slots.empty();
    });
    std::vector<Unit> units;
    if (static_prog_array) {
        units.push_back({file, ""});
    } else {
        for (const Program& program : object.programs)
            if (program.type != ProgramType::hook && program.type != ProgramType::raw_memory)
                units.push_back({file, program.name});
    }
    if (std::all_of(object.programs.begin(), object.programs.end(),
                    [](const Program& p) { return p.type == ProgramType::hook || p.type == ProgramType::raw_memory; }))
        GTEST_SKIP() << file << ": only hook/raw programs, which the kernel has no program type for";

    const auto inputs = xdp_inputs(file, object);
    for (const Unit& unit : units) {
        const Verdict ours = our_verdict(object, unit.program.empty() ? std::vector<std::string>{}
                                                                      : std::vector<std::string>{unit.program});
        KernelVerdict kernel = kernel_load(path, unit.program, true, inputs);
        std::string mode = "unprivileged-like (CAP_BPF + CAP_NET_ADMIN)";
        if (!kernel.loaded && capability_refusal(kernel)) {
            kernel = kernel_load(path, unit.program, false, inputs);
            mode = "privileged (the unprivileged-like load lacked a capability)";
        }
        const Difference listed = find_difference(differences, unit.id());
        std::cout << "[ kernel ] " << unit.id() << ": Linux " << (kernel.loaded ? "accepts" : "rejects") << " ("
                  << mode << "), we " << (ours.accepted ? "accept" : "reject") << "\n";
        if (!kernel.loaded) std::cout << "  Linux: " << kernel_reason(kernel.log) << "\n";
        if (!kernel.loaded && ours.accepted) {
            const Attack* attack = attack_of(file);
            if (attack && known_holes().count(attack->file)) {
                std::cout << "  known hole (KNOWN_HOLES.txt: " << attack->file << ")\n";
                continue;
            }
            if (listed.reason) {
                std::cout << "  listed in KERNEL_DIFFERENCES.txt:" << *listed.reason << "\n";
                continue;
            }
            ADD_FAILURE() << unit.id() << ": Linux rejects it, we accept it. Linux: " << kernel_reason(kernel.log);
            continue;
        }
        if (listed.exact)
            ADD_FAILURE() << unit.id() << " is listed in KERNEL_DIFFERENCES.txt but Linux and we now agree on it: "
                          << "remove the line";
        if (kernel.loaded && !ours.accepted) {
            std::cout << "  precision gap: we reject what Linux accepts: " << ours.message << "\n";
            continue;
        }
        if (!kernel.loaded || !ours.accepted) continue;
        // Both accept: compare XDP runs.
        if (kernel.runs.empty()) continue;
        LoadOptions options;
        if (!unit.program.empty()) options.programs = {unit.program};
        std::unique_ptr<LoadedObject> loaded = load_object(object, options);
        for (const auto& [name, runs] : kernel.runs) {
            compare_xdp_runs(unit.id() + " " + name, loaded->program(name), inputs.at(name), runs);
        }
    }
}

std::string object_name(const ::testing::TestParamInfo<std::string>& info) {
    const std::filesystem::path path(info.param);
    // Names stay unique even if a stale adv_*.o lingers in the test programs' directory.
    std::string name = (path.parent_path() == EBPF_ADVERSARIAL_OBJECTS ? "corpus_" : "") + path.filename().string();
    for (char& ch : name)
        if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
    return name;
}

INSTANTIATE_TEST_SUITE_P(Objects, KernelDifferential, ::testing::ValuesIn(object_files()), object_name);

}  // namespace
}  // namespace ebpf::adversarial

namespace ebpf::adversarial {
namespace {

// The corpus' assembler and bytecode attacks in the kernel: Linux as a second
// opinion on their expected verdicts (printed when it differs from the
// header), and the same failure rule as for objects.
std::vector<Attack> raw_attacks() {
    std::vector<Attack> out;
    for (const Attack& attack : load_attacks(EBPF_ADVERSARIAL_DIR "/programs", EBPF_ADVERSARIAL_OBJECTS))
        if (attack.form != Attack::Form::c) out.push_back(attack);
    return out;
}

// What the kernel says about some attacks says nothing about them: hook/raw
// programs load as socket filters (refusals about r1/r2, the context, or
// helpers socket filters lack), and the cases below.
bool comparable(const Attack& attack, const KernelVerdict& kernel) {
    // Maps that are no kernel maps here: inner-map templates (libbpf makes
    // none; this loader makes them real maps) and LDDW by fd (any fd of the child).
    for (const MapDefinition& map : attack.maps)
        if (map.inner_template) return false;
    for (const char* phrase : {"map_by_fd", "map_value_by_fd"})
        if (attack.body.find(phrase) != std::string::npos) return false;
    // Callbacks need BTF func info in Linux, which raw instructions lack.
    if (kernel.log.find("missing btf func_info") != std::string::npos) return false;
    if (kernel.loaded || (attack.type != ProgramType::hook && attack.type != ProgramType::raw_memory)) return true;
    for (const char* phrase : {"!read_ok", "invalid bpf_context access", "unknown func", "cannot use helper",
                               "type=ctx expected", "R1 type=", "R2 type="})
        if (kernel.log.find(phrase) != std::string::npos) return false;
    return true;
}

class KernelDifferentialCorpus : public ::testing::TestWithParam<Attack> {};

TEST_P(KernelDifferentialCorpus, LinuxAgrees) {
    std::string why;
    if (!kernel_bpf_usable(why)) GTEST_SKIP() << why;
    const Attack& attack = GetParam();
    Object object;
    Verdict ours;
    try {
        object = attack_object(attack);
        ours = our_verdict(object);
    } catch (const Error& e) {
        ours = {false, e.what(), false};
    }
    std::vector<Bytes> inputs;
    if (attack.type == ProgramType::xdp && attack.expect_accept && attack.attack_class != "8")
        for (const AttackRun& run : attack.runs)
            if (!run.input.empty()) inputs.push_back(run.input);
    KernelVerdict kernel = in_child([&](int out) { child_load_attack(attack, true, inputs, out); });
    std::string mode = "unprivileged-like";
    if (!kernel.loaded && capability_refusal(kernel)) {
        kernel = in_child([&](int out) { child_load_attack(attack, false, inputs, out); });
        mode = "privileged";
    }
    std::cout << "[ kernel ] " << attack.file << ": Linux " << (kernel.loaded ? "accepts" : "rejects") << " (" << mode
              << "), we " << (ours.accepted ? "accept" : "reject") << ", the header expects "
              << (attack.expect_accept ? "accept" : "reject") << "\n";
    if (!kernel.loaded) std::cout << "  Linux: " << kernel_reason(kernel.log) << "\n";
    if (!comparable(attack, kernel)) {
        std::cout << "  not comparable (a hook/raw program loaded as a socket filter)\n";
        return;
    }
    if (kernel.loaded != attack.expect_accept)
        std::cout << "  note: Linux's verdict differs from the header's expectation\n";
    static const std::map<std::string, std::string> differences = load_differences();
    const Difference listed = find_difference(differences, attack.file);
    if (!kernel.loaded && ours.accepted) {
        if (known_holes().count(attack.file)) {
            std::cout << "  known hole (KNOWN_HOLES.txt)\n";
            return;
        }
        if (listed.reason) {
            std::cout << "  listed in KERNEL_DIFFERENCES.txt:" << *listed.reason << "\n";
            return;
        }
        ADD_FAILURE() << attack.file << ": Linux rejects it, we accept it. Linux: " << kernel_reason(kernel.log);
        return;
    }
    if (listed.exact)
        ADD_FAILURE() << attack.file << " is listed in KERNEL_DIFFERENCES.txt but Linux and we now agree on it";
    if (!kernel.loaded || !ours.accepted || kernel.runs.empty()) return;
    std::unique_ptr<LoadedObject> loaded = load_object(object, {});
    compare_xdp_runs(attack.file, *loaded->programs().front(), inputs, kernel.runs.begin()->second);
}

std::string attack_name(const ::testing::TestParamInfo<Attack>& info) {
    std::string name = info.param.file;
    for (char& ch : name)
        if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
    return name;
}

INSTANTIATE_TEST_SUITE_P(Corpus, KernelDifferentialCorpus, ::testing::ValuesIn(raw_attacks()), attack_name);

}  // namespace
}  // namespace ebpf::adversarial
