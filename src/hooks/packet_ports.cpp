// run_ports (hooks.hpp): the multi-port packet host over libpcap. Each port
// reads a pcap file or captures on a live interface, and writes the frames
// that leave it (and those passed to the stack) to pcap files.
#include <poll.h>
#include <sys/time.h>

#include <memory>
#include <string>
#include <vector>

#include "ebpf/error.hpp"
#include "ebpf/hooks.hpp"
#include "pcap_io.hpp"

namespace ebpf {
namespace {

struct OpenPort {
    const PortSpec* spec = nullptr;
    std::string where;
    PcapHandle source;  // null: output only
    std::unique_ptr<PacketWriter> output, passed;
    bool inject = false;
    // The head of a file source: the next frame, read ahead for ordering.
    pcap_pkthdr* header = nullptr;
    const u_char* data = nullptr;
    bool done = false;
};

PcapHandle open_live(const PortSpec& spec, const std::string& where) {
    char error[PCAP_ERRBUF_SIZE] = {};
    PcapHandle source(pcap_create(spec.interface.c_str(), error));
    if (!source) throw Error(where + ": " + error);
    pcap_set_snaplen(source.get(), 65535);
    pcap_set_timeout(source.get(), 100);
    pcap_set_immediate_mode(source.get(), 1);
    const int status = pcap_activate(source.get());
    if (status < 0) {
        std::string why = pcap_statustostr(status);
        if (status == PCAP_ERROR_PERM_DENIED) why += "; live capture needs CAP_NET_RAW (run as root)";
        throw Error(where + ": cannot capture: " + why);
    }
    // Received frames only: frames the host sends out are not run again.
    if (pcap_setdirection(source.get(), PCAP_D_IN) != 0 && spec.inject)
        throw Error(where + ": cannot restrict the capture to incoming packets, which inject needs");
    if (pcap_setnonblock(source.get(), 1, error) != 0) throw Error(where + ": " + error);
    return source;
}

void advance(OpenPort& port) {
    const int status = pcap_next_ex(port.source.get(), &port.header, &port.data);
    if (status == 1) return;
    if (status == PCAP_ERROR_BREAK || status == 0) {
        port.done = true;
        return;
    }
    throw Error(port.where + ": read failed: " + pcap_geterr(port.source.get()));
}

bool earlier(const timeval& a, const timeval& b) {
    return a.tv_sec != b.tv_sec ? a.tv_sec < b.tv_sec : a.tv_usec < b.tv_usec;
}

}  // namespace

RouterStats run_ports(PacketRouter& router, const std::vector<PortSpec>& specs, const ReplayOptions& options,
                      const std::function<void()>& on_ready) {
    if (specs.empty()) throw Error("packet host: no ports");
    std::vector<OpenPort> ports(specs.size());
    bool any_file = false, any_live = false;
    int link_type = -1;
    for (size_t i = 0; i < specs.size(); ++i) {
        const PortSpec& spec = specs[i];
        OpenPort& port = ports[i];
        port.spec = &spec;
        port.where = "port " + std::to_string(spec.ifindex);
        if (!spec.pcap.empty() && !spec.interface.empty())
            throw Error(port.where + ": give a pcap file or an interface, not both");
        if (spec.inject && spec.interface.empty()) throw Error(port.where + ": inject needs a live interface");
        if (!spec.pcap.empty()) {
            char error[PCAP_ERRBUF_SIZE] = {};
            port.source.reset(pcap_open_offline(spec.pcap.c_str(), error));
            if (!port.source) throw Error(port.where + ": " + spec.pcap + ": cannot read as a pcap file: " + error);
            port.where += " (" + spec.pcap + ")";
            any_file = true;
        } else if (!spec.interface.empty()) {
            port.source = open_live(spec, port.where + " (" + spec.interface + ")");
            port.where += " (" + spec.interface + ")";
            any_live = true;
        }
        if (port.source) {
            apply_filter(port.source.get(), port.where, options.filter);
            const int type = pcap_datalink(port.source.get());
            if (link_type >= 0 && type != link_type)
                throw Error(port.where + ": link type " + std::to_string(type) + " differs from the other ports' " +
                            std::to_string(link_type));
            link_type = type;
        }
        port.inject = spec.inject;
    }
    if (any_file && any_live) throw Error("packet host: ports read from pcap files or live interfaces, not both");
    if (link_type < 0) link_type = DLT_EN10MB;  // only output ports: Ethernet
    // The frame being carried: its input header stamps every output it causes.
    pcap_pkthdr current{};
    for (auto& port : ports) {
        if (!port.spec->output_path.empty())
            port.output = std::make_unique<PacketWriter>(port.spec->output_path, link_type);
        if (!port.spec->pass_path.empty())
            port.passed = std::make_unique<PacketWriter>(port.spec->pass_path, link_type);
        OpenPort* self = &port;
        router.add_port(
            port.spec->ifindex,
            [self, &current](std::span<const uint8_t> frame) {
                if (self->output) self->output->write(current, frame);
                if (self->inject && pcap_inject(self->source.get(), frame.data(), frame.size()) < 0)
                    throw Error(self->where + ": cannot send a frame: " + pcap_geterr(self->source.get()));
            },
            [self, &current](std::span<const uint8_t> frame) {
                if (self->passed) self->passed->write(current, frame);
            });
    }
    if (on_ready) on_ready();

    uint64_t seen = 0;
    auto deliver = [&](OpenPort& port) {
        current = *port.header;
        ++seen;
        try {
            router.receive(port.spec->ifindex, std::span<const uint8_t>(port.data, port.header->caplen));
        } catch (const Error& e) {
            throw Error(port.where + ": packet " + std::to_string(port.spec->ifindex) + "/" + std::to_string(seen) +
                        ": " + e.what());
        }
        if (options.progress && options.progress_every && seen % options.progress_every == 0) {
            PacketStats stats;
            stats.packets = router.stats().packets;
            stats.program_ns = router.stats().program_ns;
            options.progress(stats);
        }
    };
    auto stopping = [&] {
        return (options.stop && options.stop->load(std::memory_order_relaxed)) ||
               (options.max_packets != 0 && seen >= options.max_packets);
    };

    if (any_file) {
        for (auto& port : ports)
            if (port.source) advance(port);
            else port.done = true;
        // Merged in timestamp order (ties: the port given first).
        while (!stopping()) {
            OpenPort* next = nullptr;
            for (auto& port : ports)
                if (!port.done && (!next || earlier(port.header->ts, next->header->ts))) next = &port;
            if (!next) break;
            deliver(*next);
            advance(*next);
        }
    } else if (any_live) {
        std::vector<pollfd> fds;
        std::vector<OpenPort*> polled;
        for (auto& port : ports) {
            if (!port.source) continue;
            const int fd = pcap_get_selectable_fd(port.source.get());
            if (fd < 0) throw Error(port.where + ": cannot wait for frames (no selectable fd)");
            fds.push_back({fd, POLLIN, 0});
            polled.push_back(&port);
        }
        while (!stopping()) {
            if (poll(fds.data(), fds.size(), 100) < 0 && errno != EINTR) throw Error("packet host: poll failed");
            for (OpenPort* port : polled) {
                while (!stopping()) {
                    const int status = pcap_next_ex(port->source.get(), &port->header, &port->data);
                    if (status == 0) break;
                    if (status < 0) throw Error(port->where + ": read failed: " + pcap_geterr(port->source.get()));
                    deliver(*port);
                }
            }
        }
    }
    for (auto& port : ports) {
        if (port.output) port.output->finish();
        if (port.passed) port.passed->finish();
    }
    return router.stats();
}

}  // namespace ebpf
