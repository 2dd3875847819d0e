// JSON text that is always valid, whatever names an object carries.
#include "ebpf/printable.hpp"
#include "ebpf/service.hpp"

namespace ebpf {
namespace {

nlohmann::json valid_utf8(const nlohmann::json& value) {
    if (value.is_string()) {
        const auto& text = value.get_ref<const std::string&>();
        return is_valid_utf8(text) ? value : nlohmann::json(printable(text, true));
    }
    if (value.is_array()) {
        nlohmann::json out = nlohmann::json::array();
        for (const auto& element : value) out.push_back(valid_utf8(element));
        return out;
    }
    if (value.is_object()) {
        nlohmann::json out = nlohmann::json::object();
        for (const auto& [key, element] : value.items())
            out[is_valid_utf8(key) ? key : printable(key, true)] = valid_utf8(element);
        return out;
    }
    return value;
}

}  // namespace

std::string json_text(const nlohmann::json& value, int indent) {
    // `replace` as a last line of defence: dump() never throws.
    return valid_utf8(value).dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace ebpf
