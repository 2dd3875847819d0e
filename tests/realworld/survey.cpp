// realworld_survey OBJECT.o...: how real projects' programs fare here next to
// the running kernel (scripts/realworld-survey.sh builds them from source
// checkouts). For every program of every object: does the kernel load it,
// do we verify it in each mode, and — for XDP, tc and socket filters both
// accept — do a set of standard packets give the kernel's verdict, packet
// bytes and map contents in each mode. One line per program, then totals.
#include <cstdio>
#include <cstring>
#include <exception>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "case_file.hpp"
#include "kernel_side.hpp"
#include "ours_side.hpp"

namespace {

using realworld::Bytes;

struct Packet {
    const char* name;
    const char* hex;
};
// Ethernet frames with valid IPv4 header checksums.
const Packet kPackets[] = {
    {"ipv4 tcp syn", "020000000002 020000000001 0800 4500 0028 0001 4000 4006 26cd 0a000001 0a000002 "
                     "3039 0050 00000001 00000000 5002 2000 0000 0000"},
    {"ipv4 udp dns", "020000000002 020000000001 0800 4500 0024 0002 4000 4011 26c5 0a000001 0a000002 "
                     "3039 0035 0010 0000 1234 0100 0001 0000"},
    {"ipv4 icmp echo", "020000000002 020000000001 0800 4500 0024 0003 4000 4001 26d4 0a000001 0a000002 "
                       "0800 f7fe 0001 0000 6162636465666768"},
    {"ipv6 tcp syn", "020000000002 020000000001 86dd 6000 0000 0014 0640 "
                     "fd000000000000000000000000000001 fd000000000000000000000000000002 "
                     "3039 0050 00000001 00000000 5002 2000 0000 0000"},
    {"ipv6 udp", "020000000002 020000000001 86dd 6000 0000 0010 1140 "
                 "fd000000000000000000000000000001 fd000000000000000000000000000002 3039 0035 0010 0000 1234 0100 0001 0000"},
    {"vlan ipv4 udp", "020000000002 020000000001 8100 0064 0800 4500 0024 0004 4000 4011 26c3 0a000001 0a000002 "
                      "3039 0035 0010 0000 1234 0100 0001 0000"},
    {"arp", "ffffffffffff 020000000001 0806 0001 0800 0604 0001 020000000001 0a000001 000000000000 0a000002"},
};

bool runnable(const std::string& type) {
    return type == "xdp" || type == "sched_cls" || type == "sched_act" || type == "socket_filter";
}

std::string first_line(std::string text) {
    // The verifier log's last non-empty line usually says why.
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
    const size_t newline = text.find('\n');
    std::string line = newline == std::string::npos ? text : text.substr(0, newline);
    if (line.size() > 160) line = line.substr(0, 157) + "...";
    return line;
}

// The line of libbpf's output that says why: the verifier's last word before
// its statistics, else libbpf's first complaint.
std::string kernel_reason(const std::string& log) {
    std::vector<std::string> lines;
    for (size_t start = 0; start < log.size();) {
        size_t end = log.find('\n', start);
        if (end == std::string::npos) end = log.size();
        lines.push_back(log.substr(start, end - start));
        start = end + 1;
    }
    for (size_t i = 0; i < lines.size(); ++i) {
        if (lines[i].find("-- END PROG LOAD LOG --") == std::string::npos) continue;
        for (size_t j = i; j-- > 0;) {
            const std::string& line = lines[j];
            if (line.empty() || line.starts_with("processed ") || line.starts_with("verification time") ||
                line.starts_with("stack depth") || line.find("BEGIN PROG LOAD LOG") != std::string::npos)
                continue;
            return first_line(line);
        }
    }
    for (const auto& line : lines) {
        if (!line.empty() && line.find("failed to load object") == std::string::npos) return first_line(line);
    }
    return first_line(log);
}

std::string basename(const std::string& path) {
    const size_t slash = path.rfind('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

// libbpf 1.x no longer types legacy section names (xdp_prog, socket1,
// classifier, action...): their loaders set the type, and so does the survey.
std::string legacy_type(const std::string& section) {
    if (section.starts_with("xdp")) return "xdp";
    if (section.starts_with("socket")) return "socket_filter";
    if (section.starts_with("classifier") || section.starts_with("tc")) return "sched_cls";
    if (section.starts_with("action")) return "sched_act";
    return "";
}

// The kernel's object with `program` selected and typed as its loader would.
void select_typed(realworld::KernelObject& kernel, const std::string& program) {
    kernel.select(program);
    if (kernel.type_name() == "unspec") kernel.select(program, legacy_type(kernel.section()));
}

// "" when the packets give the same results as in the kernel; else the first difference.
std::string compare_runs(const std::string& path, const std::string& program, const std::string& mode) {
    realworld::KernelObject kernel(path);
    select_typed(kernel, program);
    if (const std::string error = kernel.load(); !error.empty()) return "kernel reload failed";
    realworld::OurObject ours(path, program, realworld::exec_mode_from_name(mode));
    for (const auto& packet : kPackets) {
        const Bytes data = realworld::parse_hex(packet.hex);
        realworld::RunResult want, got;
        std::string kernel_error, our_error;
        try {
            want = kernel.test_run(data, std::nullopt, 1);
        } catch (const std::exception& e) {
            kernel_error = e.what();
        }
        try {
            got = ours.test_run(data, std::nullopt, 1);
        } catch (const std::exception& e) {
            our_error = e.what();
        }
        if (!kernel_error.empty() || !our_error.empty()) {
            if (!kernel_error.empty() && !our_error.empty()) continue;  // both refuse the input
            return std::string(packet.name) + ": " + (kernel_error.empty() ? "we fail: " + our_error : kernel_error);
        }
        if (want.retval != got.retval)
            return std::string(packet.name) + ": retval " + std::to_string(got.retval) + ", kernel " +
                   std::to_string(want.retval);
        if (want.data != got.data) return std::string(packet.name) + ": packet bytes differ";
    }
    for (const auto& map : kernel.comparable_maps()) {
        std::vector<Bytes> keys;
        try {
            keys = ours.keys(map);
        } catch (const std::exception& e) {
            return "map " + map + ": " + e.what();
        }
        std::set<Bytes> ours_keys(keys.begin(), keys.end());
        const auto kernel_keys_list = kernel.keys(map);
        std::set<Bytes> kernel_keys(kernel_keys_list.begin(), kernel_keys_list.end());
        if (ours_keys != kernel_keys) return "map " + map + ": different keys";
        for (const auto& key : kernel_keys) {
            if (kernel.lookup(map, key) != ours.lookup(map, key))
                return "map " + map + " key " + realworld::to_hex(key) + ": values differ";
        }
    }
    return "";
}

struct Totals {
    int programs = 0, kernel_loads = 0, agree = 0, runnable_both = 0;
    std::map<std::string, int> verified, matched, run_tried;
    int we_accept_kernel_rejects = 0;
};

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: realworld_survey OBJECT.o...\n");
        return 2;
    }
    if (const std::string why = realworld::kernel_unusable_reason(); !why.empty()) {
        std::fprintf(stderr, "realworld_survey: %s\n", why.c_str());
        return 1;
    }
    const char* modes[] = {"interpret", "jit", "native"};
    Totals totals;
    std::printf("object\tprogram\ttype\tkernel\tinterpret\tjit\tnative\truns\twhy\n");
    for (int i = 1; i < argc; ++i) {
        const std::string path = argv[i];
        std::vector<std::string> programs;
        try {
            programs = realworld::KernelObject(path).programs();
        } catch (const std::exception& e) {
            std::printf("%s\t-\t-\topen-fails\t-\t-\t-\t-\t%s\n", basename(path).c_str(), first_line(e.what()).c_str());
            continue;
        }
        for (const auto& program : programs) {
            ++totals.programs;
            realworld::KernelObject kernel(path);
            select_typed(kernel, program);
            const std::string type = kernel.type_name();
            const std::string kernel_error = kernel.load();
            const bool kernel_ok = kernel_error.empty();
            totals.kernel_loads += kernel_ok;
            std::string why = kernel_ok ? "" : "kernel: " + kernel_reason(kernel_error);
            std::map<std::string, bool> ours_ok;
            std::string runs_column;
            for (const char* mode : modes) {
                try {
                    realworld::OurObject ours(path, program, realworld::exec_mode_from_name(mode));
                    ours_ok[mode] = true;
                    ++totals.verified[mode];
                } catch (const std::exception& e) {
                    ours_ok[mode] = false;
                    if (why.empty() || kernel_ok) why = std::string(mode) + ": " + first_line(e.what());
                }
            }
            if (kernel_ok == ours_ok["interpret"]) ++totals.agree;
            if (!kernel_ok && ours_ok["interpret"]) ++totals.we_accept_kernel_rejects;
            if (kernel_ok && runnable(type)) {
                bool any = false;
                for (const char* mode : modes) {
                    if (!ours_ok[mode]) continue;
                    any = true;
                    ++totals.run_tried[mode];
                    std::string difference;
                    try {
                        difference = compare_runs(path, program, mode);
                    } catch (const std::exception& e) {
                        difference = e.what();
                    }
                    if (difference.empty()) {
                        ++totals.matched[mode];
                        runs_column += std::string(runs_column.empty() ? "" : ",") + mode[0];
                    } else if (why.empty()) {
                        why = std::string(mode) + " run: " + first_line(difference);
                    }
                }
                totals.runnable_both += any;
                if (runs_column.empty()) runs_column = "none";
            } else {
                runs_column = "-";
            }
            std::printf("%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", basename(path).c_str(), program.c_str(), type.c_str(),
                        kernel_ok ? "loads" : "rejects", ours_ok["interpret"] ? "ok" : "no", ours_ok["jit"] ? "ok" : "no",
                        ours_ok["native"] ? "ok" : "no", runs_column.c_str(), why.c_str());
            std::fflush(stdout);
        }
    }
    std::printf("\n%d programs: the kernel loads %d; our verdict (interpret) equals the kernel's on %d; "
                "we accept %d the kernel rejects\n",
                totals.programs, totals.kernel_loads, totals.agree, totals.we_accept_kernel_rejects);
    for (const char* mode : modes) {
        std::printf("%-9s verified %d; of the packet programs both accept, %d of %d give the kernel's results\n", mode,
                    totals.verified[mode], totals.matched[mode], totals.run_tried[mode]);
    }
    return 0;
}
