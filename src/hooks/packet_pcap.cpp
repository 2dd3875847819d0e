// The packet hook's packet sources and sink over libpcap: pcap file replay,
// live capture (ingress only, as XDP sees only received packets), and a pcap
// file of the packets the program let through (PASS and TX).
#include <pcap/pcap.h>

#include <memory>
#include <string>

#include "ebpf/error.hpp"
#include "ebpf/hooks.hpp"
#include "pcap_io.hpp"

namespace ebpf {

void apply_filter(pcap_t* source, const std::string& where, const std::string& filter) {
    if (filter.empty()) return;
    bpf_program compiled{};
    if (pcap_compile(source, &compiled, filter.c_str(), 1, PCAP_NETMASK_UNKNOWN) != 0)
        throw Error(where + ": filter '" + filter + "': " + pcap_geterr(source));
    const int status = pcap_setfilter(source, &compiled);
    pcap_freecode(&compiled);
    if (status != 0) throw Error(where + ": filter '" + filter + "': " + pcap_geterr(source));
}

namespace {

// The loop both sources share: read, run, write, report progress.
PacketStats run_source(PacketHook& hook, pcap_t* source, const std::string& where, const ReplayOptions& options,
                       bool inject_tx) {
    apply_filter(source, where, options.filter);
    PacketWriter writer(options.output_path, pcap_datalink(source));
    uint64_t seen = 0;
    while (options.max_packets == 0 || seen < options.max_packets) {
        if (options.stop && options.stop->load(std::memory_order_relaxed)) break;
        pcap_pkthdr* header = nullptr;
        const u_char* data = nullptr;
        const int status = pcap_next_ex(source, &header, &data);
        if (status == 0) continue;          // live capture timeout: look at `stop` again
        if (status == PCAP_ERROR_BREAK) break;  // end of file
        if (status < 0) throw Error(where + ": read failed: " + pcap_geterr(source));
        ++seen;
        PacketResult result;
        try {
            result = hook.process(std::span<const uint8_t>(data, header->caplen));
        } catch (const Error& e) {
            throw Error(where + ": packet " + std::to_string(seen) + ": " + e.what());
        }
        if (xdp_verdict_forwards(result.verdict)) {
            writer.write(*header, result.packet);
            ++hook.stats().written;
        }
        if (inject_tx && result.verdict == static_cast<uint64_t>(XdpVerdict::tx)) {
            if (pcap_inject(source, result.packet.data(), result.packet.size()) < 0)
                throw Error(where + ": cannot send a TX packet: " + pcap_geterr(source));
            ++hook.stats().injected;
        }
        if (options.progress && options.progress_every && seen % options.progress_every == 0)
            options.progress(hook.stats());
    }
    writer.finish();
    return hook.stats();
}

}  // namespace

PacketStats replay_pcap(PacketHook& hook, const std::string& input_path, const ReplayOptions& options) {
    char error[PCAP_ERRBUF_SIZE] = {};
    PcapHandle source(pcap_open_offline(input_path.c_str(), error));
    if (!source) throw Error(input_path + ": cannot read as a pcap file: " + error);
    return run_source(hook, source.get(), input_path, options, false);
}

PacketStats capture_live(PacketHook& hook, const LiveCaptureOptions& options) {
    const std::string& where = options.interface;
    if (where.empty()) throw Error("live capture: no interface given");
    char error[PCAP_ERRBUF_SIZE] = {};
    PcapHandle source(pcap_create(where.c_str(), error));
    if (!source) throw Error(where + ": " + error);
    pcap_set_snaplen(source.get(), options.snaplen);
    pcap_set_promisc(source.get(), options.promiscuous ? 1 : 0);
    pcap_set_timeout(source.get(), options.timeout_ms);
    // Packets reach the program as they arrive, not in buffered batches.
    pcap_set_immediate_mode(source.get(), 1);
    const int status = pcap_activate(source.get());
    if (status < 0) {
        std::string why = pcap_statustostr(status);
        const std::string detail = pcap_geterr(source.get());
        if (!detail.empty()) why += " (" + detail + ")";
        if (status == PCAP_ERROR_PERM_DENIED) why += "; live capture needs CAP_NET_RAW (run as root)";
        throw Error(where + ": cannot capture: " + why);
    }
    // XDP sees received packets only; it also keeps injected TX packets from
    // being captured and run again.
    if (pcap_setdirection(source.get(), PCAP_D_IN) != 0 && options.inject_tx)
        throw Error(where + ": cannot restrict the capture to incoming packets (" + pcap_geterr(source.get()) +
                    "), which --inject needs so sent packets are not captured again");
    return run_source(hook, source.get(), where, options, options.inject_tx);
}

}  // namespace ebpf
