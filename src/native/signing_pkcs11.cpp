// Signing keys in a PKCS#11 token through OpenSSL and libp11's "pkcs11"
// engine (Debian: libengine-pkcs11-openssl). The engine logs into the token
// and returns an EVP_PKEY whose operations are C_Sign calls on the token:
// the private key never enters this process.
//
// We parse the RFC 7512 URI ourselves, because libp11's engine knows only
// some attributes (it refuses module-path, and would read a PIN from a file
// without any check): the engine gets a URI with the object attributes only,
// the PIN through its PIN control, the module through MODULE_PATH.
//
// One engine instance, kept for the life of the process (see Engine below).
#define OPENSSL_SUPPRESS_DEPRECATED  // ENGINE: libp11's engine is an ENGINE
#include <dlfcn.h>
#include <p11-kit/pkcs11.h>
#include <openssl/crypto.h>
#include <openssl/engine.h>
#include <openssl/ui.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <optional>
#include <vector>

#include "ebpf/input_file.hpp"
#include "pkcs11_key.hpp"

namespace ebpf::pkcs11 {
namespace {

struct Uri {
    std::string engine_uri;      // "pkcs11:" + the object and token attributes, as given
    std::string description;     // the URI without pin-value
    std::string token;           // decoded token attributes, for messages ("token=x", ...)
    std::string object;          // decoded object label / id, for messages
    std::string token_label, manufacturer, serial, model;  // decoded, for the token search
    std::string pin_value, pin_source, module_path;         // decoded
};

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::string percent_decode(std::string_view text, std::string_view attribute) {
    std::string out;
    for (size_t i = 0; i < text.size(); ++i) {
        if (text[i] != '%') {
            out.push_back(text[i]);
            continue;
        }
        if (i + 2 >= text.size() || hex_value(text[i + 1]) < 0 || hex_value(text[i + 2]) < 0)
            throw Error("pkcs11 URI: attribute '" + std::string(attribute) + "': bad percent-encoding");
        out.push_back(static_cast<char>(hex_value(text[i + 1]) * 16 + hex_value(text[i + 2])));
        i += 2;
    }
    return out;
}

std::vector<std::string_view> split(std::string_view text, char separator) {
    std::vector<std::string_view> parts;
    size_t start = 0;
    while (start <= text.size()) {
        size_t end = text.find(separator, start);
        if (end == std::string_view::npos) end = text.size();
        if (end > start) parts.push_back(text.substr(start, end - start));
        start = end + 1;
    }
    return parts;
}

Uri parse_uri(std::string_view text) {
    if (!is_pkcs11_uri(text)) throw Error("not a pkcs11: URI");
    // RFC 7512 URIs are printable ASCII: anything else is percent-encoded.
    // (Descriptions of the URI go into messages and audit logs.)
    for (char c : text)
        if (c <= ' ' || c >= 0x7f)
            throw Error("pkcs11 URI: contains a space, a control or a non-ASCII character (percent-encode it)");
    Uri uri;
    std::string_view rest = text.substr(7);
    std::string_view path = rest, query;
    if (size_t q = rest.find('?'); q != std::string_view::npos) {
        path = rest.substr(0, q);
        query = rest.substr(q + 1);
    }
    std::vector<std::string> engine_attributes, described;
    auto attribute = [&](std::string_view item, bool in_query) {
        const size_t eq = item.find('=');
        if (eq == std::string_view::npos) throw Error("pkcs11 URI: '" + std::string(item) + "' is not NAME=VALUE");
        const std::string name(item.substr(0, eq));
        const std::string value = percent_decode(item.substr(eq + 1), name);
        if (name != "id" && name != "pin-value")
            for (char c : value)
                if (static_cast<unsigned char>(c) < ' ' || c == 0x7f)
                    throw Error("pkcs11 URI: attribute '" + name + "' decodes to a control character");
        auto once = [&](std::string& field) {
            if (!field.empty()) throw Error("pkcs11 URI: attribute '" + name + "' given twice");
            if (value.empty()) throw Error("pkcs11 URI: attribute '" + name + "' is empty");
            field = value;
        };
        if (name == "pin-value") {
            once(uri.pin_value);
            return;  // never described, never passed on in a URI
        }
        described.emplace_back(item);
        if (name == "pin-source") {
            once(uri.pin_source);
        } else if (name == "module-path") {
            once(uri.module_path);
        } else if (in_query) {
            throw Error("pkcs11 URI: unsupported query attribute '" + name +
                        "' (supported: pin-value, pin-source, module-path)");
        } else if (name == "token" || name == "manufacturer" || name == "serial" || name == "model") {
            std::string& field = name == "token" ? uri.token_label
                                 : name == "manufacturer" ? uri.manufacturer
                                 : name == "serial"       ? uri.serial
                                                          : uri.model;
            once(field);
            uri.token += (uri.token.empty() ? "" : ", ") + name + "=" + value;
            engine_attributes.emplace_back(item);
        } else if (name == "object" || name == "id") {
            uri.object += (uri.object.empty() ? "" : ", ") + name + "=" +
                          (name == "id" ? to_hex({reinterpret_cast<const uint8_t*>(value.data()), value.size()})
                                        : value);
            engine_attributes.emplace_back(item);
        } else if (name == "type") {
            if (value != "private")
                throw Error("pkcs11 URI: type=" + value + ": a signing key is a private key (type=private)");
        } else {
            throw Error("pkcs11 URI: unsupported attribute '" + name +
                        "' (supported: token, manufacturer, serial, model, object, id, type; "
                        "pin-value, pin-source, module-path)");
        }
    };
    for (std::string_view item : split(path, ';')) attribute(item, false);
    for (std::string_view item : split(query, '&')) attribute(item, true);
    if (uri.object.empty())
        throw Error("pkcs11 URI: name the key with object=LABEL or id=%XX (the URI names no key)");
    if (!uri.pin_value.empty() && !uri.pin_source.empty())
        throw Error("pkcs11 URI: give either pin-value or pin-source, not both");
    uri.engine_uri = "pkcs11:";
    for (size_t i = 0; i < engine_attributes.size(); ++i) uri.engine_uri += (i ? ";" : "") + engine_attributes[i];
    uri.description = "pkcs11:";
    std::string query_part;
    for (const auto& item : described) {
        const bool query_attribute = item.starts_with("pin-source=") || item.starts_with("module-path=");
        if (query_attribute)
            query_part += (query_part.empty() ? "?" : "&") + item;
        else
            uri.description += (uri.description.size() > 7 ? ";" : "") + item;
    }
    uri.description += query_part;
    return uri;
}

// The PIN: pin-value, else pin-source (a file: URI or an absolute path; the
// file must be the user's and unreadable by others, like an ssh key), else
// the options, else $EBPF_PKCS11_PIN.
std::string find_pin(const Uri& uri, const Pkcs11Options& options) {
    if (!uri.pin_value.empty()) return uri.pin_value;
    if (!uri.pin_source.empty()) {
        std::string path = uri.pin_source;
        if (path.starts_with("file:")) path = path.substr(5);
        if (path.starts_with("//")) path = path.substr(2);  // file:///abs → /abs
        if (path.empty() || path[0] != '/')
            throw Error("pkcs11 URI: pin-source=" + uri.pin_source +
                        ": give an absolute file (pin-source=file:/path/to/pin)");
        struct stat st {};
        if (::stat(path.c_str(), &st) != 0) throw Error("PIN file " + path + ": " + std::strerror(errno));
        if ((st.st_mode & 077) != 0)
            throw Error("PIN file " + path + " can be read or written by others (mode 0" +
                        std::to_string((st.st_mode >> 6 & 7) * 100 + (st.st_mode >> 3 & 7) * 10 + (st.st_mode & 7)) +
                        "); chmod 600 it");
        if (st.st_uid != 0 && st.st_uid != ::geteuid())
            throw Error("PIN file " + path + " is owned by uid " + std::to_string(st.st_uid) +
                        ", not by root or the current user");
        const std::vector<uint8_t> bytes = read_input_file(path, 4096);
        std::string pin(bytes.begin(), bytes.end());
        while (!pin.empty() && (pin.back() == '\n' || pin.back() == '\r')) pin.pop_back();
        if (pin.empty()) throw Error("PIN file " + path + " is empty");
        return pin;
    }
    if (!options.pin.empty()) return options.pin;
    const char* env = std::getenv(kPkcs11PinEnvironment);
    if (env != nullptr && *env != '\0') return env;
    throw Error("no PIN for " + uri.description + ": add pin-source=file:/path to the URI, or set " +
                kPkcs11PinEnvironment);
}

std::string module_path_for(const Uri& uri, const Pkcs11Options& options) {
    if (!uri.module_path.empty()) return uri.module_path;
    if (!options.module_path.empty()) return options.module_path;
    const char* env = std::getenv(kPkcs11ModuleEnvironment);
    if (env != nullptr && *env != '\0') return env;
    return "";  // libp11's default module (p11-kit's proxy)
}

// libp11's engine: $EBPF_PKCS11_ENGINE, else pkcs11.so in OpenSSL's engines directory.
std::string engine_path_for(const Pkcs11Options& options) {
    if (!options.engine_path.empty()) return options.engine_path;
    const char* env = std::getenv(kPkcs11EngineEnvironment);
    if (env != nullptr && *env != '\0') return env;
    std::string dir = OpenSSL_version(OPENSSL_ENGINES_DIR);  // ENGINESDIR: "/usr/lib/.../engines-3"
    if (size_t open = dir.find('"'); open != std::string::npos) {
        size_t close = dir.find('"', open + 1);
        dir = dir.substr(open + 1, close == std::string::npos ? std::string::npos : close - open - 1);
    }
    return dir + "/pkcs11.so";
}

// The process's one instance of libp11's engine. libp11 (0.4.12) binds only
// one live instance per process, and never lets it go once keys were loaded
// (the keys hold references to it), so it drives one PKCS#11 module for the
// life of the process. `pins` remembers which PIN each token was logged in
// with: a PKCS#11 login is per process, and a later load with another PIN
// would otherwise succeed without the token ever checking it.
struct Engine {
    ENGINE* engine = nullptr;
    std::string module_path;
    std::string engine_path;
    std::mutex mutex;
    std::map<std::string, std::array<uint8_t, 32>> pins;
};

std::mutex engine_mutex;
Engine* the_engine = nullptr;  // never destroyed: no C_Finalize under live keys at exit

Engine& engine_for(const std::string& module_path, const Pkcs11Options& options) {
    std::lock_guard lock(engine_mutex);
    const std::string engine_path = engine_path_for(options);
    if (!module_path.empty() && ::access(module_path.c_str(), R_OK) != 0)
        throw Error("PKCS#11 module " + module_path + ": " + std::strerror(errno) +
                    " (set the module with module-path= in the URI, --pkcs11-module or " + kPkcs11ModuleEnvironment +
                    "; SoftHSM's is /usr/lib/softhsm/libsofthsm2.so)");
    if (::access(engine_path.c_str(), R_OK) != 0)
        throw Error("libp11's OpenSSL engine " + engine_path + ": " + std::strerror(errno) +
                    " (install libengine-pkcs11-openssl, or set " + kPkcs11EngineEnvironment + ")");
    if (the_engine != nullptr) {
        if (the_engine->module_path != module_path)
            throw Error("this process already uses the PKCS#11 module " +
                        (the_engine->module_path.empty() ? std::string("(default)") : the_engine->module_path) +
                        "; libp11's engine drives one module per process (asked for " +
                        (module_path.empty() ? std::string("the default") : module_path) + ")");
        if (the_engine->engine_path != engine_path)
            throw Error("this process already uses libp11's engine " + the_engine->engine_path + " (asked for " +
                        engine_path + ")");
        return *the_engine;
    }
    // The dynamic engine, not added to OpenSSL's list: our own instance, set
    // up by us whatever openssl.cnf says about "pkcs11".
    ENGINE* raw = ENGINE_by_id("dynamic");
    if (raw == nullptr) throw ssl::error("OpenSSL: no dynamic engine support");
    if (!ENGINE_ctrl_cmd_string(raw, "SO_PATH", engine_path.c_str(), 0) ||
        !ENGINE_ctrl_cmd_string(raw, "ID", "pkcs11", 0) || !ENGINE_ctrl_cmd_string(raw, "LIST_ADD", "0", 0) ||
        !ENGINE_ctrl_cmd_string(raw, "LOAD", nullptr, 0)) {
        ENGINE_free(raw);
        throw ssl::error("cannot load libp11's OpenSSL engine from " + engine_path +
                         " (is another instance of it in use in this process?)");
    }
    // QUIET: the engine would print its diagnostics on stderr; we report errors ourselves.
    if (!ENGINE_ctrl_cmd_string(raw, "QUIET", nullptr, 0) ||
        (!module_path.empty() && !ENGINE_ctrl_cmd_string(raw, "MODULE_PATH", module_path.c_str(), 0)) ||
        !ENGINE_init(raw)) {
        ENGINE_free(raw);
        throw ssl::error("cannot initialise libp11's engine (" + engine_path + ")");
    }
    ENGINE_free(raw);  // ENGINE_init holds the functional reference we keep
    the_engine = new Engine{raw, module_path, engine_path, {}, {}};
    return *the_engine;
}

std::string token_field(const unsigned char* field, size_t size) {
    std::string text(reinterpret_cast<const char*>(field), size);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\0')) text.pop_back();  // blank-padded
    return text;
}

// Whether a token with the URI's attributes is present in the module, read
// straight from the module's function list (C_GetSlotList, C_GetTokenInfo:
// no session, no login, no C_Initialize/C_Finalize, so the engine's sessions
// are untouched). Returns nullopt when that cannot be told; `labels` gets
// the labels of the tokens present.
std::optional<bool> token_present(const std::string& module_path, const Uri& uri, std::vector<std::string>& labels) {
    if (module_path.empty()) return std::nullopt;
    void* handle = ::dlopen(module_path.c_str(), RTLD_NOW | RTLD_LOCAL | RTLD_NOLOAD);  // the engine loaded it
    if (handle == nullptr) return std::nullopt;
    std::optional<bool> found;
    auto get_function_list = reinterpret_cast<CK_RV (*)(CK_FUNCTION_LIST_PTR_PTR)>(::dlsym(handle, "C_GetFunctionList"));
    CK_FUNCTION_LIST_PTR functions = nullptr;
    CK_ULONG count = 0;
    if (get_function_list != nullptr && get_function_list(&functions) == CKR_OK && functions != nullptr &&
        functions->C_GetSlotList(CK_TRUE, nullptr, &count) == CKR_OK) {
        std::vector<CK_SLOT_ID> slots(count);
        if (functions->C_GetSlotList(CK_TRUE, slots.data(), &count) == CKR_OK) {
            found = false;
            for (CK_ULONG i = 0; i < count && i < slots.size(); ++i) {
                CK_TOKEN_INFO info{};
                if (functions->C_GetTokenInfo(slots[i], &info) != CKR_OK || !(info.flags & CKF_TOKEN_INITIALIZED))
                    continue;
                const std::string label = token_field(info.label, sizeof info.label);
                labels.push_back(label);
                auto same = [](const std::string& want, const std::string& have) { return want.empty() || want == have; };
                if (same(uri.token_label, label) &&
                    same(uri.manufacturer, token_field(info.manufacturerID, sizeof info.manufacturerID)) &&
                    same(uri.serial, token_field(info.serialNumber, sizeof info.serialNumber)) &&
                    same(uri.model, token_field(info.model, sizeof info.model)))
                    found = true;
            }
        }
    }
    ::dlclose(handle);
    return found;
}

// The PKCS#11 return value among the queued OpenSSL errors (libp11 queues
// them under the library "PKCS#11 module"), or 0. Clears the queue.
CK_RV token_error() {
    CK_RV ckr = CKR_OK;
    while (unsigned long e = ERR_get_error()) {
        const char* lib = ERR_lib_error_string(e);
        if (lib != nullptr && std::strcmp(lib, "PKCS#11 module") == 0 && ckr == CKR_OK)
            ckr = static_cast<CK_RV>(ERR_GET_REASON(e));
    }
    return ckr;
}

}  // namespace

TokenKey load_key(std::string_view uri_text, const Pkcs11Options& options) {
    Uri uri = parse_uri(uri_text);
    const std::string where = uri.description;
    // Our copy of the PIN is wiped when we are done with it (the engine keeps
    // its own for logging in again).
    struct WipedString {
        std::string text;
        ~WipedString() { OPENSSL_cleanse(text.data(), text.size()); }
    } pin_holder{find_pin(uri, options)};
    const std::string& pin = pin_holder.text;
    OPENSSL_cleanse(uri.pin_value.data(), uri.pin_value.size());
    const std::string module_path = module_path_for(uri, options);
    Engine& engine = engine_for(module_path, options);
    const std::string module_text = module_path.empty() ? "the default PKCS#11 module (p11-kit)" : module_path;

    EVP_PKEY* raw = nullptr;
    CK_RV ckr = CKR_OK;
    {
        std::lock_guard lock(engine.mutex);
        {
            const auto pin_hash = sha256({reinterpret_cast<const uint8_t*>(pin.data()), pin.size()});
            auto known = engine.pins.find(uri.token);
            if (known != engine.pins.end() && known->second != pin_hash)
                throw Error(where + ": wrong PIN (this process is logged into the token with another PIN)");
            if (!ENGINE_ctrl_cmd_string(engine.engine, "PIN", pin.c_str(), 0))
                throw ssl::error(where + ": cannot pass the PIN to the engine");
        }
        ERR_clear_error();
        // UI_null: libp11 must never prompt on a terminal; the PIN was given.
        raw = ENGINE_load_private_key(engine.engine, uri.engine_uri.c_str(),
                                      const_cast<UI_METHOD*>(UI_null()), nullptr);
        if (raw == nullptr) {
            ckr = token_error();
        } else {
            engine.pins[uri.token] = sha256({reinterpret_cast<const uint8_t*>(pin.data()), pin.size()});
        }
    }
    if (raw != nullptr) return {ssl::Key(raw), where};

    switch (ckr) {
        case CKR_PIN_INCORRECT: throw Error(where + ": wrong PIN (the token refused the login: PIN incorrect)");
        case CKR_PIN_LOCKED: throw Error(where + ": the token's user PIN is locked (too many wrong PINs)");
        case CKR_PIN_INVALID:
        case CKR_PIN_LEN_RANGE: throw Error(where + ": wrong PIN (the token says the PIN is not a valid PIN)");
        case CKR_PIN_EXPIRED: throw Error(where + ": the token's user PIN has expired");
        case CKR_USER_PIN_NOT_INITIALIZED: throw Error(where + ": the token has no user PIN set (softhsm2-util --init-token ... --pin)");
        case CKR_TOKEN_NOT_PRESENT:
        case CKR_TOKEN_NOT_RECOGNIZED: throw Error(where + ": no token present in " + module_text);
        default: break;
    }
    // Not found: tell a missing token from a missing key.
    std::vector<std::string> labels;
    const std::optional<bool> present = token_present(module_path, uri, labels);
    if (present.has_value() && !*present) {
        std::string list;
        for (const auto& label : labels) list += (list.empty() ? "" : ", ") + ("'" + label + "'");
        throw Error(where + ": no initialised token" + (uri.token.empty() ? "" : " with " + uri.token) + " in " +
                    module_text + (labels.empty() ? " (it has no initialised tokens)" : " (tokens: " + list + ")"));
    }
    if (present.has_value())
        throw Error(where + ": no private key with " + uri.object + " in token " + (uri.token.empty() ? "(any)" : uri.token));
    throw Error(where + ": no private key with " + uri.object + " found (or no token with " +
                (uri.token.empty() ? "those attributes" : uri.token) + ") in " + module_text);
}

}  // namespace ebpf::pkcs11
