// Pinned map file layout and type info: see map_file.hpp.
#include "map_file.hpp"

#include <nlohmann/json.hpp>

#include "ebpf/error.hpp"

namespace ebpf::runtime_detail {
namespace {

constexpr uint64_t round_up(uint64_t n, uint64_t to) { return (n + to - 1) / to * to; }

constexpr int kMaxTypeDepth = 10;
constexpr size_t kMaxTypeNodes = 1024;

nlohmann::json type_json(const TypeInfo& type) {
    static const char* kinds[] = {"int", "struct", "array", "bytes"};
    nlohmann::json out = {{"kind", kinds[static_cast<int>(type.kind)]}, {"size", type.size}};
    if (!type.name.empty()) out["name"] = type.name;
    if (!type.type_name.empty()) out["type"] = type.type_name;
    if (type.offset) out["offset"] = type.offset;
    if (type.kind == TypeInfo::Kind::integer && type.is_signed) out["signed"] = true;
    if (type.kind == TypeInfo::Kind::array) out["count"] = type.count;
    if (!type.members.empty()) {
        nlohmann::json members = nlohmann::json::array();
        for (const auto& member : type.members) members.push_back(type_json(member));
        out["members"] = members;
    }
    return out;
}

uint32_t u32_field(const nlohmann::json& j, const char* name) {
    if (!j.contains(name)) return 0;
    const auto& v = j.at(name);
    if (!v.is_number_unsigned() || v.get<uint64_t>() > UINT32_MAX) throw Error(std::string("'") + name + "' is not a u32");
    return v.get<uint32_t>();
}

std::string string_field(const nlohmann::json& j, const char* name) {
    if (!j.contains(name)) return {};
    if (!j.at(name).is_string()) throw Error(std::string("'") + name + "' is not a string");
    return j.at(name).get<std::string>();
}

// Checks what formatting relies on: every member lies inside its parent,
// array elements tile the array.
TypeInfo type_from_json(const nlohmann::json& j, int depth, size_t& nodes) {
    if (!j.is_object() || depth > kMaxTypeDepth || ++nodes > kMaxTypeNodes) throw Error("type info too deep or not an object");
    TypeInfo type;
    const std::string kind = string_field(j, "kind");
    if (kind == "int") type.kind = TypeInfo::Kind::integer;
    else if (kind == "struct") type.kind = TypeInfo::Kind::structure;
    else if (kind == "array") type.kind = TypeInfo::Kind::array;
    else if (kind == "bytes") type.kind = TypeInfo::Kind::bytes;
    else throw Error("unknown type kind '" + kind + "'");
    type.size = u32_field(j, "size");
    type.offset = u32_field(j, "offset");
    type.count = u32_field(j, "count");
    type.name = string_field(j, "name");
    type.type_name = string_field(j, "type");
    type.is_signed = j.contains("signed") && j.at("signed").is_boolean() && j.at("signed").get<bool>();
    if (type.kind == TypeInfo::Kind::integer && (type.size == 0 || type.size > 8)) throw Error("integer of size " + std::to_string(type.size));
    if (j.contains("members")) {
        if (!j.at("members").is_array()) throw Error("'members' is not an array");
        for (const auto& m : j.at("members")) {
            TypeInfo member = type_from_json(m, depth + 1, nodes);
            if (static_cast<uint64_t>(member.offset) + member.size > type.size) throw Error("member '" + member.name + "' lies outside its type");
            type.members.push_back(std::move(member));
        }
    }
    if (type.kind == TypeInfo::Kind::array &&
        (type.members.size() != 1 || static_cast<uint64_t>(type.members[0].size) * type.count != type.size))
        throw Error("array elements do not tile the array");
    if (type.kind == TypeInfo::Kind::structure && type.members.empty()) throw Error("struct without members");
    return type;
}

}  // namespace

bool map_type_shareable(MapType type) {
    switch (type) {
    case MapType::array:
    case MapType::percpu_array:
    case MapType::hash:
    case MapType::percpu_hash:
    case MapType::lru_hash:
    case MapType::lru_percpu_hash: return true;
    default: return false;
    }
}

bool MapFileLayout::per_cpu() const {
    return type == MapType::percpu_array || type == MapType::percpu_hash || type == MapType::lru_percpu_hash;
}
bool MapFileLayout::hash() const { return type != MapType::array && type != MapType::percpu_array; }
bool MapFileLayout::lru() const { return type == MapType::lru_hash || type == MapType::lru_percpu_hash; }

std::optional<MapFileLayout> compute_map_layout(MapType type, uint32_t key_size, uint32_t value_size, uint32_t max_entries,
                                                uint32_t map_flags, uint32_t cpus, uint32_t info_size, std::string& why) {
    if (!map_type_shareable(type)) {
        why = "map type '" + std::string(map_type_name(type)) +
              "' cannot be pinned (pinned maps: array, percpu_array, hash, percpu_hash, lru_hash, lru_percpu_hash)";
        return std::nullopt;
    }
    MapFileLayout layout;
    layout.type = type;
    layout.key_size = key_size;
    layout.value_size = value_size;
    layout.max_entries = max_entries;
    layout.map_flags = map_flags;
    layout.cpus = cpus;
    layout.info_size = info_size;
    if (key_size == 0 || key_size > kMapFileMaxKey) { why = "key size " + std::to_string(key_size) + " out of range"; return std::nullopt; }
    if (value_size == 0 || value_size > (1u << 20)) { why = "value size " + std::to_string(value_size) + " out of range"; return std::nullopt; }
    if (max_entries == 0 || max_entries > (1u << 30)) { why = "max_entries " + std::to_string(max_entries) + " out of range"; return std::nullopt; }
    if (!layout.hash() && key_size != 4) { why = "array key size must be 4, got " + std::to_string(key_size); return std::nullopt; }
    if (cpus == 0 || cpus > kMapFileMaxCpus || (!layout.per_cpu() && cpus != 1)) {
        why = "CPU count " + std::to_string(cpus) + " out of range";
        return std::nullopt;
    }
    if (info_size > kMapFileMaxInfo) { why = "type info of " + std::to_string(info_size) + " bytes is too large"; return std::nullopt; }
    layout.key_stride = (key_size + 7u) & ~7u;
    layout.value_stride = (value_size + 7u) & ~7u;
    layout.info_offset = kMapFileHeaderBytes;
    layout.data_offset = round_up(layout.info_offset + info_size, 64);
    // All products below fit in 64 bits: max_entries < 2^30, cpus <= 2^10, strides < 2^21.
    if (layout.hash()) {
        uint64_t buckets = 1;
        while (buckets < max_entries) buckets <<= 1;
        layout.bucket_count = static_cast<uint32_t>(buckets);
        layout.element_count = max_entries;
        layout.element_size = sizeof(ElementHeader) + layout.key_stride + uint64_t{layout.value_stride} * cpus;
        layout.elements_offset = round_up(layout.data_offset + buckets * sizeof(Bucket), 64);
        layout.file_size = layout.elements_offset + layout.element_size * max_entries;
    } else {
        layout.elements_offset = layout.data_offset;
        layout.element_size = uint64_t{layout.value_stride} * cpus;
        layout.file_size = layout.data_offset + layout.element_size * max_entries;
    }
    if (layout.file_size > kMapFileMaxBytes) {
        why = "map of " + std::to_string(layout.file_size) + " bytes is larger than pinned maps may be (" +
              std::to_string(kMapFileMaxBytes) + ")";
        return std::nullopt;
    }
    return layout;
}

std::string map_info_json(const MapDefinition& definition) {
    nlohmann::json info = {{"name", definition.name}};
    if (definition.key_type) info["key_type"] = type_json(*definition.key_type);
    if (definition.value_type) info["value_type"] = type_json(*definition.value_type);
    return info.dump(-1, ' ', true, nlohmann::json::error_handler_t::replace);
}

void parse_map_info_json(const std::string& text, MapDefinition& definition) {
    nlohmann::json info;
    try {
        info = nlohmann::json::parse(text);
    } catch (const std::exception& e) {
        throw Error(std::string("type info is not JSON: ") + e.what());
    }
    try {
        if (!info.is_object()) throw Error("not an object");
        definition.name = string_field(info, "name");
        if (definition.name.empty() || definition.name.size() > 255) throw Error("map name missing or longer than 255 bytes");
        size_t nodes = 0;
        if (info.contains("key_type")) definition.key_type = std::make_shared<TypeInfo>(type_from_json(info["key_type"], 0, nodes));
        if (info.contains("value_type"))
            definition.value_type = std::make_shared<TypeInfo>(type_from_json(info["value_type"], 0, nodes));
    } catch (const std::exception& e) {
        throw Error(std::string("bad type info: ") + e.what());
    }
    if (definition.key_type && definition.key_type->size != definition.key_size)
        throw Error("bad type info: the key type is " + std::to_string(definition.key_type->size) + " bytes, keys are " +
                    std::to_string(definition.key_size));
    if (definition.value_type && definition.value_type->size != definition.value_size)
        throw Error("bad type info: the value type is " + std::to_string(definition.value_type->size) +
                    " bytes, values are " + std::to_string(definition.value_size));
}

}  // namespace ebpf::runtime_detail
