// Published programs and run statistics (ebpf/pinning.hpp).
//
// A record file <root>/progs/<id>:
//   [header, 256 bytes] [counters: cpus × RunCounter (64 bytes)] [info: JSON]
// The counters are where the program's run statistics live once it is
// published: the host's runs write them, `ebpf prog show` reads them.
// A record names its host by pid and start time; a reader removes records
// whose host is gone (killed before it could remove them).
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <nlohmann/json.hpp>

#include "ebpf/error.hpp"
#include "ebpf/pinning.hpp"
#include "pin_root.hpp"
#include "program_stats.hpp"
#include "shared_maps.hpp"

namespace ebpf {
namespace runtime_detail {

std::atomic<int> program_stats_state{-1};

int program_stats_from_environment() {
    const char* env = std::getenv(kProgramStatsEnvironment);
    int on = env && *env && std::strcmp(env, "0") != 0 ? 1 : 0;
    int expected = -1;
    program_stats_state.compare_exchange_strong(expected, on, std::memory_order_relaxed);
    return program_stats_state.load(std::memory_order_relaxed);
}

ProgramRunStats::~ProgramRunStats() {
    if (!record_path.empty()) ::unlink(record_path.c_str());
}

namespace {

constexpr char kProgramMagic[8] = {'E', 'B', 'P', 'F', 'P', 'R', 'G', '\n'};
constexpr uint32_t kProgramVersion = 1;
constexpr uint64_t kProgramHeaderBytes = 256;
constexpr uint32_t kMaxProgramInfo = 64 * 1024;

struct ProgramFileHeader {
    char magic[8];
    uint32_t version;
    uint32_t header_size;
    std::atomic<uint32_t> ready;
    uint32_t id;
    int32_t pid;
    uint32_t cpus;
    uint64_t start_time;
    uint32_t info_size;
    uint32_t reserved;
    uint64_t file_size;
};
static_assert(sizeof(ProgramFileHeader) <= kProgramHeaderBytes);

uint64_t record_size(uint32_t cpus, uint32_t info_size) {
    return kProgramHeaderBytes + uint64_t{cpus} * sizeof(RunCounter) + info_size;
}

std::string hex(const uint8_t* bytes, size_t size) {
    static const char digits[] = "0123456789abcdef";
    std::string out;
    for (size_t i = 0; i < size; ++i) {
        out += digits[bytes[i] >> 4];
        out += digits[bytes[i] & 15];
    }
    return out;
}

// The object's maps a program names: LDDW of a Map's address or of an
// address inside its direct value; every map of the object for native
// programs (their instructions are not at hand).
std::vector<const Map*> maps_used(const LoadedProgram& program, const LoadedObject& object) {
    std::vector<const Map*> used;
    auto insns = program.instructions();
    for (const auto& map : object.maps()) {
        if (insns.empty()) {
            used.push_back(map.get());
            continue;
        }
        auto address = reinterpret_cast<uint64_t>(map.get());
        auto value = reinterpret_cast<uint64_t>(map->direct_value(0));
        for (size_t i = 0; i + 1 < insns.size(); ++i) {
            if (insns[i].opcode != op::kLddw) continue;
            uint64_t imm = static_cast<uint32_t>(insns[i].imm) | (uint64_t{static_cast<uint32_t>(insns[i + 1].imm)} << 32);
            if (imm == address || (value && imm >= value && imm - value < map->value_size())) {
                used.push_back(map.get());
                break;
            }
            ++i;
        }
    }
    return used;
}

void publish(const LoadedProgram& program, const LoadedObject& object, const std::string& root) {
    ProgramRunStats& stats = ProgramRunStats::of(program);
    if (!stats.record_path.empty()) return;  // published already
    nlohmann::json maps = nlohmann::json::array(), private_maps = nlohmann::json::array();
    for (const Map* map : maps_used(program, object)) {
        if (uint32_t id = shared_map_id(*map)) maps.push_back(id);
        else private_maps.push_back(map->name());
    }
    const auto& sha = program.bytecode_sha256();
    const bool known = std::any_of(sha.begin(), sha.end(), [](uint8_t b) { return b != 0; });
    const ProcessIdentity self = this_process();
    make_directories(root + "/progs");
    const uint32_t id = next_pin_id(root, PinIdKind::program);
    nlohmann::json info = {{"id", id},
                           {"name", program.name()},
                           {"section", program.section()},
                           {"type", std::string(program_type_name(program.type()))},
                           {"mode", exec_mode_name(program.mode())},
                           {"tag", known ? hex(sha.data(), 8) : ""},
                           {"bytecode_sha256", known ? hex(sha.data(), sha.size()) : ""},
                           {"object", object.path()},
                           {"map_ids", maps},
                           {"private_maps", private_maps}};
    const std::string text = info.dump(-1, ' ', true, nlohmann::json::error_handler_t::replace);
    if (text.size() > kMaxProgramInfo) throw Error("program '" + program.name() + "': record too large to publish");
    const std::string path = root + "/progs/" + std::to_string(id);
    SharedMapping mapping = create_shared_file(path, record_size(stats.cpus, static_cast<uint32_t>(text.size())));
    auto& h = *mapping.at<ProgramFileHeader>(0);
    std::memcpy(h.magic, kProgramMagic, sizeof kProgramMagic);
    h.version = kProgramVersion;
    h.header_size = sizeof(ProgramFileHeader);
    h.id = id;
    h.pid = self.pid;
    h.cpus = stats.cpus;
    h.start_time = self.start_time;
    h.info_size = static_cast<uint32_t>(text.size());
    h.file_size = mapping.size();
    auto* counters = mapping.at<RunCounter>(kProgramHeaderBytes);
    for (uint32_t cpu = 0; cpu < stats.cpus; ++cpu) {
        counters[cpu].count.store(stats.local[cpu].count.load(std::memory_order_relaxed), std::memory_order_relaxed);
        counters[cpu].ns.store(stats.local[cpu].ns.load(std::memory_order_relaxed), std::memory_order_relaxed);
    }
    std::memcpy(mapping.base() + kProgramHeaderBytes + uint64_t{stats.cpus} * sizeof(RunCounter), text.data(), text.size());
    h.ready.store(1, std::memory_order_release);
    // Runs from now on count into the record (a run in flight may still add to the old counters).
    stats.active.store(counters, std::memory_order_release);
    stats.record = std::move(mapping);
    stats.record_path = path;
}

ProgramRecord read_record(const std::string& path) {
    SharedMapping mapping = open_shared_file(path, kProgramHeaderBytes, record_size(kMapFileMaxCpus, kMaxProgramInfo));
    const auto& h = *mapping.at<ProgramFileHeader>(0);
    if (std::memcmp(h.magic, kProgramMagic, sizeof kProgramMagic) != 0) throw Error(path + ": not a program record (bad magic)");
    if (h.version != kProgramVersion || h.header_size != sizeof(ProgramFileHeader))
        throw Error(path + ": program record version " + std::to_string(h.version) + ", this runtime reads " +
                    std::to_string(kProgramVersion));
    if (h.ready.load(std::memory_order_acquire) != 1) throw Error(path + ": the record is not complete");
    const uint32_t cpus = h.cpus, info_size = h.info_size;
    if (cpus == 0 || cpus > kMapFileMaxCpus || info_size > kMaxProgramInfo || record_size(cpus, info_size) != mapping.size())
        throw Error(path + ": record sizes do not match the file (corrupt or truncated)");
    ProgramRecord record;
    record.path = path;
    record.pid = h.pid;
    record.alive = process_alive({h.pid, h.start_time});
    const auto* counters = mapping.at<RunCounter>(kProgramHeaderBytes);
    for (uint32_t cpu = 0; cpu < cpus; ++cpu) {
        record.stats.run_count += counters[cpu].count.load(std::memory_order_relaxed);
        record.stats.run_time_ns += counters[cpu].ns.load(std::memory_order_relaxed);
    }
    std::string text(reinterpret_cast<const char*>(mapping.base() + kProgramHeaderBytes + uint64_t{cpus} * sizeof(RunCounter)),
                     info_size);
    try {
        auto info = nlohmann::json::parse(text);
        record.id = info.at("id").get<uint32_t>();
        record.name = info.at("name").get<std::string>();
        record.section = info.at("section").get<std::string>();
        record.type = info.at("type").get<std::string>();
        record.mode = info.at("mode").get<std::string>();
        record.tag = info.at("tag").get<std::string>();
        record.object = info.at("object").get<std::string>();
        record.map_ids = info.at("map_ids").get<std::vector<uint32_t>>();
        record.private_maps = info.at("private_maps").get<std::vector<std::string>>();
    } catch (const std::exception& e) {
        throw Error(path + ": bad program record: " + e.what());
    }
    if (record.id != h.id) throw Error(path + ": bad program record: ids disagree");
    return record;
}

}  // namespace
}  // namespace runtime_detail

using namespace runtime_detail;

void set_program_stats(bool enabled) { program_stats_state.store(enabled ? 1 : 0, std::memory_order_relaxed); }

bool program_stats_enabled() { return program_stats_on(); }

ProgramStats program_stats(const LoadedProgram& program) {
    ProgramRunStats& stats = ProgramRunStats::of(program);
    const RunCounter* counters = stats.active.load(std::memory_order_acquire);
    ProgramStats out;
    for (uint32_t cpu = 0; cpu < stats.cpus; ++cpu) {
        out.run_count += counters[cpu].count.load(std::memory_order_relaxed);
        out.run_time_ns += counters[cpu].ns.load(std::memory_order_relaxed);
    }
    return out;
}

void publish_programs(const LoadedObject& object, const std::string& root) {
    for (const auto& program : object.programs()) publish(*program, object, root);
}

std::vector<ProgramRecord> list_programs(const std::string& root, std::vector<std::string>* problems) {
    std::vector<ProgramRecord> records;
    DIR* dir = opendir((root + "/progs").c_str());
    if (!dir) return records;
    size_t seen = 0;
    while (dirent* entry = readdir(dir)) {
        const std::string name = entry->d_name;
        if (name == "." || name == ".." || ++seen > 100000) continue;
        const std::string path = root + "/progs/" + name;
        try {
            ProgramRecord record = read_record(path);
            if (!record.alive) {
                ::unlink(path.c_str());  // its host was killed before removing it
                continue;
            }
            records.push_back(std::move(record));
        } catch (const Error& e) {
            if (problems) problems->push_back(e.what());
        }
    }
    closedir(dir);
    std::sort(records.begin(), records.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
    return records;
}

}  // namespace ebpf
