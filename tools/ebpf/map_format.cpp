// Map contents in one JSON and one text shape: see map_format.hpp.
#include "map_format.hpp"

#include <cinttypes>
#include <cstdio>
#include <cstring>

#include "command.hpp"
#include "ebpf/pinning.hpp"
#include "ebpf/printable.hpp"

namespace ebpf::tools {
namespace {

constexpr int kMaxDepth = 16;

nlohmann::json typed(const TypeInfo& type, std::span<const uint8_t> bytes, int depth) {
    if (type.size > bytes.size() || depth > kMaxDepth) return hex_bytes(bytes);
    bytes = bytes.first(type.size);
    switch (type.kind) {
    case TypeInfo::Kind::integer: {
        if (type.size == 0 || type.size > 8) break;
        uint64_t value = 0;
        std::memcpy(&value, bytes.data(), type.size);  // little-endian, as the runtime
        if (type.is_signed && type.size < 8 && (value >> (8 * type.size - 1)) & 1) value |= ~uint64_t{0} << (8 * type.size);
        if (type.is_signed) return static_cast<int64_t>(value);
        return value;
    }
    case TypeInfo::Kind::structure: {
        nlohmann::json out = nlohmann::json::object();
        for (size_t i = 0; i < type.members.size(); ++i) {
            const TypeInfo& member = type.members[i];
            if (member.offset > bytes.size()) continue;
            std::string name = member.name.empty() ? "_" + std::to_string(i) : member.name;
            out[name] = typed(member, bytes.subspan(member.offset), depth + 1);
        }
        return out;
    }
    case TypeInfo::Kind::array: {
        if (type.members.size() != 1 || type.members[0].size == 0) break;
        nlohmann::json out = nlohmann::json::array();
        const uint32_t step = type.members[0].size;
        for (uint64_t i = 0; i < type.count && (i + 1) * step <= bytes.size(); ++i)
            out.push_back(typed(type.members[0], bytes.subspan(i * step), depth + 1));
        return out;
    }
    case TypeInfo::Kind::bytes: break;
    }
    return hex_bytes(bytes);
}

bool all_zero(std::span<const uint8_t> bytes) {
    for (uint8_t byte : bytes)
        if (byte) return false;
    return true;
}

bool is_array_like(MapType type) {
    return type == MapType::array || type == MapType::percpu_array || type == MapType::prog_array ||
           type == MapType::array_of_maps;
}

// The formatted value when it was decoded (a hex fallback is shown as the raw hex).
std::string shown(const nlohmann::json& formatted, const nlohmann::json& raw) {
    if (!formatted.is_null() && !formatted.is_string()) return json_text(formatted);
    return raw.get<std::string>();
}

}  // namespace

std::string hex_bytes(std::span<const uint8_t> bytes) {
    static const char digits[] = "0123456789abcdef";
    std::string text;
    text.reserve(bytes.size() * 2);
    for (uint8_t byte : bytes) {
        text += digits[byte >> 4];
        text += digits[byte & 15];
    }
    return text;
}

nlohmann::json formatted_bytes(const TypeInfo* type, std::span<const uint8_t> bytes) {
    if (!type || type->size != bytes.size()) return hex_bytes(bytes);
    return typed(*type, bytes, 0);
}

nlohmann::json map_entry_json(const Map& map, std::span<const uint8_t> key, std::span<const uint8_t> value) {
    const MapDefinition& definition = map.definition();
    const TypeInfo* key_type = definition.key_type.get();
    const TypeInfo* value_type = definition.value_type.get();
    const bool typed_entry = key_type || value_type;
    nlohmann::json entry = {{"key", hex_bytes(key)}};
    nlohmann::json formatted = {{"key", formatted_bytes(key_type, key)}};
    if (map.is_per_cpu()) {
        const size_t stride = (map.value_size() + 7u) & ~7u;
        nlohmann::json values = nlohmann::json::array(), typed_values = nlohmann::json::array();
        for (size_t cpu = 0; (cpu + 1) * stride <= value.size(); ++cpu) {
            auto one = value.subspan(cpu * stride, map.value_size());
            values.push_back({{"cpu", cpu}, {"value", hex_bytes(one)}});
            typed_values.push_back({{"cpu", cpu}, {"value", formatted_bytes(value_type, one)}});
        }
        entry["values"] = values;
        formatted["values"] = typed_values;
    } else {
        entry["value"] = hex_bytes(value);
        formatted["value"] = formatted_bytes(value_type, value);
    }
    if (typed_entry) entry["formatted"] = formatted;
    return entry;
}

nlohmann::json map_summary_json(const Map& map) {
    nlohmann::json out = {{"name", map.name()},
                          {"type", std::string(map_type_name(map.type()))},
                          {"key_size", map.key_size()},
                          {"value_size", map.value_size()},
                          {"max_entries", map.max_entries()},
                          {"flags", map.flags()}};
    if (uint32_t id = shared_map_id(map)) out["id"] = id;
    return out;
}

nlohmann::json map_json(Map& map, const MapDumpOptions& options) {
    nlohmann::json out = map_summary_json(map);
    nlohmann::json entries = nlohmann::json::array();
    uint64_t hidden = 0;
    if (map.type() == MapType::ringbuf) {
        ringbuf_consume(map, [&](std::span<const uint8_t> record) { entries.push_back({{"record", hex_bytes(record)}}); });
    } else if (map.type() == MapType::xskmap) {
        // A socket is no value (Linux: EOPNOTSUPP): the socket and its queue.
        for (const RedirectEntry& entry : redirect_entries(map)) {
            const uint8_t* key = reinterpret_cast<const uint8_t*>(&entry.key);
            entries.push_back({{"key", hex_bytes(std::span<const uint8_t>(key, 4))},
                               {"socket", entry.socket ? entry.socket->id() : 0},
                               {"queue_id", entry.value}});
        }
    } else if (map.type() == MapType::cgroup_array) {
        // The host cannot read a slot back (Linux: ENOTSUPP): the cgroup ids it holds.
        for (uint32_t index = 0; index < map.max_entries(); ++index) {
            const std::optional<uint64_t> id = cgroup_array_id(map, index);
            if (!id) continue;
            const uint8_t* key = reinterpret_cast<const uint8_t*>(&index);
            entries.push_back({{"key", hex_bytes(std::span<const uint8_t>(key, 4))}, {"cgroup_id", *id}});
        }
    } else if (map.type() == MapType::queue || map.type() == MapType::stack) {
        // Drained: a dump comes after the run. A frozen one cannot be: its head is shown.
        if (map.frozen()) {
            if (auto value = map.peek()) entries.push_back({{"value", hex_bytes(*value)}});
        } else {
            while (auto value = map.pop()) entries.push_back({{"value", hex_bytes(*value)}});
        }
    } else {
        for (const auto& key : map.keys()) {
            auto value = map.lookup(key);
            if (!value) continue;
            if (!options.all && is_array_like(map.type()) && all_zero(*value)) {
                ++hidden;
                continue;
            }
            entries.push_back(map_entry_json(map, key, *value));
        }
    }
    out["entries"] = entries;
    if (hidden) out["zero_entries_hidden"] = hidden;
    return out;
}

void print_entry_text(const nlohmann::json& entry, const char* indent) {
    const nlohmann::json none;
    const nlohmann::json& formatted = entry.contains("formatted") ? entry["formatted"] : none;
    auto part = [&](const char* name) -> nlohmann::json { return formatted.is_null() ? nlohmann::json() : formatted[name]; };
    if (entry.contains("socket")) {
        std::printf("%skey %s: socket %u (queue %u)\n", indent, entry["key"].get<std::string>().c_str(),
                    entry["socket"].get<uint32_t>(), entry["queue_id"].get<uint32_t>());
    } else if (entry.contains("cgroup_id")) {
        std::printf("%skey %s: cgroup id %llu\n", indent, entry["key"].get<std::string>().c_str(),
                    static_cast<unsigned long long>(entry["cgroup_id"].get<uint64_t>()));
    } else if (entry.contains("record")) {
        std::printf("%srecord %s\n", indent, entry["record"].get<std::string>().c_str());
    } else if (!entry.contains("key")) {
        std::printf("%svalue %s\n", indent, entry["value"].get<std::string>().c_str());
    } else if (entry.contains("values")) {
        std::printf("%skey %s:\n", indent, shown(part("key"), entry["key"]).c_str());
        const auto& values = entry["values"];
        for (size_t i = 0; i < values.size(); ++i) {
            nlohmann::json typed_value = formatted.is_null() ? nlohmann::json() : formatted["values"][i]["value"];
            std::printf("%s  cpu %zu: %s\n", indent, i, shown(typed_value, values[i]["value"]).c_str());
        }
    } else {
        std::printf("%skey %s: value %s\n", indent, shown(part("key"), entry["key"]).c_str(),
                    shown(part("value"), entry["value"]).c_str());
    }
}

void print_map_text(const nlohmann::json& map) {
    const size_t count = map["entries"].size();
    std::printf("map %s (%s): %zu entr%s", printable(map["name"].get<std::string>()).c_str(),
                map["type"].get<std::string>().c_str(), count, count == 1 ? "y" : "ies");
    if (map.contains("zero_entries_hidden"))
        std::printf(", %" PRIu64 " zero entries not shown", map["zero_entries_hidden"].get<uint64_t>());
    std::printf("\n");
    for (const auto& entry : map["entries"]) print_entry_text(entry);
}

}  // namespace ebpf::tools
