// libpcap pieces the packet sources share (internal): owned handles, the
// output writer, filters.
#pragma once

#include <pcap/pcap.h>

#include <memory>
#include <span>
#include <string>

#include "ebpf/error.hpp"

namespace ebpf {

struct PcapCloser {
    void operator()(pcap_t* handle) const { pcap_close(handle); }
};
using PcapHandle = std::unique_ptr<pcap_t, PcapCloser>;

struct DumperCloser {
    void operator()(pcap_dumper_t* dumper) const { pcap_dump_close(dumper); }
};
using PcapDumper = std::unique_ptr<pcap_dumper_t, DumperCloser>;

// Output snap length: the largest packet a program can produce is the
// largest input plus the tailroom; 256 KiB covers every link type libpcap knows.
inline constexpr int kOutputSnaplen = 262144;

// The output pcap file: same link type as the input, PASS/TX packets as the
// program left them.
class PacketWriter {
public:
    PacketWriter(const std::string& path, int link_type) : path_(path) {
        if (path.empty()) return;
        dead_.reset(pcap_open_dead(link_type, kOutputSnaplen));
        if (!dead_) throw Error(path + ": cannot create a pcap writer for link type " + std::to_string(link_type));
        dumper_.reset(pcap_dump_open(dead_.get(), path.c_str()));
        if (!dumper_) throw Error(path + ": cannot write: " + pcap_geterr(dead_.get()));
    }

    void write(const pcap_pkthdr& input, std::span<const uint8_t> packet) {
        if (!dumper_) return;
        pcap_pkthdr header = input;
        // The wire length keeps whatever the capture cut off beyond caplen.
        const uint32_t cut = input.len > input.caplen ? input.len - input.caplen : 0;
        header.caplen = static_cast<uint32_t>(packet.size());
        header.len = header.caplen + cut;
        pcap_dump(reinterpret_cast<u_char*>(dumper_.get()), &header, packet.data());
    }

    void finish() {
        if (!dumper_) return;
        if (pcap_dump_flush(dumper_.get()) != 0) throw Error(path_ + ": write failed (disk full?)");
        dumper_.reset();
    }

private:
    std::string path_;
    PcapHandle dead_;
    PcapDumper dumper_;
};

// Applies a libpcap filter (tcpdump syntax) to a source; empty: none.
void apply_filter(pcap_t* source, const std::string& where, const std::string& filter);

}  // namespace ebpf
