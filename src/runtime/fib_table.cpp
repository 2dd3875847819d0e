// The forwarding table of bpf_fib_lookup (runtime.hpp): parsing and the
// process-wide current table.
#include <arpa/inet.h>
#include <sys/socket.h>

#include <atomic>
#include <charconv>
#include <cstdio>
#include <iterator>
#include <sstream>

#include "ebpf/error.hpp"
#include "ebpf/runtime.hpp"

namespace ebpf {
namespace {

std::atomic<std::shared_ptr<const FibTable>>& current_table() {
    static std::atomic<std::shared_ptr<const FibTable>> table{std::make_shared<const FibTable>()};
    return table;
}

// An IPv4 or IPv6 address; its family.
int parse_address(const std::string& text, std::array<uint8_t, 16>& out) {
    out.fill(0);
    if (inet_pton(AF_INET, text.c_str(), out.data()) == 1) return AF_INET;
    if (inet_pton(AF_INET6, text.c_str(), out.data()) == 1) return AF_INET6;
    return 0;
}

uint32_t parse_number(const std::string& text, const std::string& where, uint32_t max) {
    uint32_t value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || value > max)
        throw Error(where + ": '" + text + "' is not a number up to " + std::to_string(max));
    return value;
}

std::array<uint8_t, 6> parse_mac(const std::string& text, const std::string& where) {
    std::array<uint8_t, 6> mac{};
    unsigned b[6];
    char extra;
    if (std::sscanf(text.c_str(), "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5], &extra) != 6)
        throw Error(where + ": '" + text + "' is not a MAC address (aa:bb:cc:dd:ee:ff)");
    for (int i = 0; i < 6; ++i) mac[static_cast<size_t>(i)] = static_cast<uint8_t>(b[i]);
    return mac;
}

}  // namespace

FibTable parse_fib_table(std::string_view text, const std::string& where) {
    FibTable table;
    std::istringstream lines{std::string(text)};
    std::string line;
    for (int number = 1; std::getline(lines, line); ++number) {
        if (auto hash = line.find('#'); hash != std::string::npos) line.resize(hash);
        std::istringstream words(line);
        std::vector<std::string> w{std::istream_iterator<std::string>(words), {}};
        if (w.empty()) continue;
        const std::string at = where + ":" + std::to_string(number);
        FibRoute route;
        const size_t slash = w[0].find('/');
        if (slash == std::string::npos) throw Error(at + ": '" + w[0] + "' is not a PREFIX/LENGTH");
        route.family = parse_address(w[0].substr(0, slash), route.prefix);
        if (!route.family) throw Error(at + ": '" + w[0].substr(0, slash) + "' is not an IPv4 or IPv6 address");
        route.prefix_len = static_cast<uint8_t>(
            parse_number(w[0].substr(slash + 1), at, route.family == AF_INET ? 32 : 128));
        size_t i = 1;
        if (w.size() == 2 && (w[1] == "blackhole" || w[1] == "unreachable" || w[1] == "prohibit")) {
            route.kind = w[1] == "blackhole" ? FibRoute::Kind::blackhole
                       : w[1] == "unreachable" ? FibRoute::Kind::unreachable : FibRoute::Kind::prohibit;
            i = w.size();
        }
        for (; i < w.size(); i += 2) {
            if (i + 1 >= w.size()) throw Error(at + ": '" + w[i] + "' needs a value");
            const std::string& key = w[i];
            const std::string& value = w[i + 1];
            std::array<uint8_t, 16> address{};
            if (key == "via" || key == "src") {
                if (parse_address(value, address) != route.family)
                    throw Error(at + ": " + key + " '" + value + "' is not an address of the prefix's family");
                (key == "via" ? route.gateway : route.source) = address;
            } else if (key == "dev") {
                route.ifindex = parse_number(value, at, UINT32_MAX);
            } else if (key == "mtu") {
                route.mtu = parse_number(value, at, 65535);
            } else if (key == "metric") {
                route.metric = parse_number(value, at, UINT32_MAX);
            } else if (key == "smac") {
                route.smac = parse_mac(value, at);
            } else if (key == "dmac") {
                route.dmac = parse_mac(value, at);
            } else {
                throw Error(at + ": unknown route option '" + key +
                            "' (via, dev, src, mtu, metric, smac, dmac; or blackhole, unreachable, prohibit)");
            }
        }
        if (route.kind == FibRoute::Kind::unicast && route.ifindex == 0)
            throw Error(at + ": a route needs 'dev IFINDEX' (or blackhole, unreachable, prohibit)");
        table.routes.push_back(route);
    }
    return table;
}

void set_fib_table(std::shared_ptr<const FibTable> table) {
    current_table().store(table ? std::move(table) : std::make_shared<const FibTable>());
}

std::shared_ptr<const FibTable> fib_table() { return current_table().load(); }

}  // namespace ebpf
