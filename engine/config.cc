// dbroll.toml: the only file that includes toml++.
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <toml++/toml.h>

#include "dbroll/options.h"
#include "engine/placeholders.h"

namespace dbroll {
namespace {

// kLineList: a list of strings kept one per line (URLs may hold commas).
enum class Kind { kString, kInt, kBool, kNumber, kDuration, kStringList, kLineList, kTable };

struct KeySpec {
  const char* section;
  const char* key;  // "*" accepts any key of that (sub)table
  Kind kind;
};

// Every key dbroll reads. A key not listed here is an error, so a typo never
// passes silently.
constexpr KeySpec kKeys[] = {
    {"database", "url", Kind::kString},
    {"database", "schema", Kind::kString},
    {"migrations", "dir", Kind::kString},
    {"migrations", "table", Kind::kString},
    {"migrations", "versioning", Kind::kString},
    {"migrations", "applied_by", Kind::kString},
    {"migrations", "lock_timeout", Kind::kDuration},
    {"migrations", "schema_file", Kind::kString},
    {"migrations", "keep_data", Kind::kBool},
    {"migrations", "keep_data_max_rows", Kind::kInt},
    {"migrations", "layout", Kind::kString},
    {"migrations", "no_transaction", Kind::kStringList},
    {"postgres", "lock_timeout", Kind::kDuration},
    {"postgres", "statement_timeout", Kind::kDuration},
    {"postgres", "lock_retries", Kind::kInt},
    {"postgres", "max_replica_lag", Kind::kDuration},
    {"postgres", "replica_wait_timeout", Kind::kDuration},
    {"postgres", "pooler", Kind::kString},
    {"mysql", "lock_wait_timeout", Kind::kDuration},
    {"mysql", "lock_retries", Kind::kInt},
    {"mysql", "galera_osu", Kind::kString},
    {"mysql", "galera_lock_ttl", Kind::kDuration},
    {"sqlite", "busy_timeout", Kind::kDuration},
    {"lint", "target", Kind::kString},
    {"lint", "disable", Kind::kStringList},
    {"lint", "skip", Kind::kStringList},
    {"lint.severity", "*", Kind::kString},
    {"deploy", "app_deploy", Kind::kString},
    {"deploy", "app_revert", Kind::kString},
    {"deploy", "health_url", Kind::kString},
    {"deploy", "health_timeout", Kind::kDuration},
    {"deploy", "health_interval", Kind::kDuration},
    {"deploy", "healthy_after", Kind::kInt},
    {"deploy", "hook_timeout", Kind::kDuration},
    {"deploy", "freeze_on_rollback", Kind::kBool},
    {"deploy", "green_deploy", Kind::kString},
    {"deploy", "green_health_url", Kind::kString},
    {"deploy", "switch", Kind::kString},
    {"deploy", "retire_blue", Kind::kString},
    {"deploy", "discard_green", Kind::kString},
    {"deploy", "approval_timeout", Kind::kDuration},
    {"deploy", "public_health_url", Kind::kString},
    {"deploy", "shell", Kind::kBool},
    {"deploy", "require_health_gate", Kind::kBool},
    {"deploy", "purge_after", Kind::kDuration},
    {"deploy.metrics", "prometheus_url", Kind::kString},
    {"deploy.metrics", "query", Kind::kString},
    {"deploy.metrics", "threshold", Kind::kNumber},
    {"deploy.metrics", "for", Kind::kDuration},
    {"deploy.metrics", "watch", Kind::kDuration},
    {"deploy.metrics", "interval", Kind::kDuration},
    {"deploy.metrics", "on_error", Kind::kString},
    {"notify", "webhook", Kind::kString},
    {"notify", "command", Kind::kString},
    {"notify", "timeout", Kind::kDuration},
    {"alerts", "token", Kind::kString},
    {"alerts", "token_file", Kind::kString},
    {"alerts", "listen", Kind::kString},
    {"alerts", "max_body", Kind::kInt},
    {"alerts.match", "*", Kind::kString},
    {"fleet", "targets", Kind::kLineList},
    {"fleet", "targets_glob", Kind::kString},
    {"fleet", "targets_command", Kind::kString},
    {"fleet", "schemas_url", Kind::kString},
    {"fleet", "schemas", Kind::kLineList},
    {"fleet", "schemas_query", Kind::kString},
    {"fleet", "canary_gate", Kind::kString},
    {"fleet", "state_url", Kind::kString},
    {"placeholders", "enabled", Kind::kBool},
    {"placeholders", "*", Kind::kString},
};

const KeySpec* FindKey(const std::string& section, const std::string& key) {
  for (const auto& k : kKeys) {
    if (section == k.section && (key == k.key || std::string(k.key) == "*")) return &k;
  }
  return nullptr;
}

bool IsSection(const std::string& name) {
  for (const auto& k : kKeys) {
    if (name == k.section) return true;
  }
  return false;
}

const char* KindName(Kind k) {
  switch (k) {
    case Kind::kString: return "a string";
    case Kind::kInt: return "an integer";
    case Kind::kBool: return "true or false";
    case Kind::kNumber: return "a number";
    case Kind::kDuration: return "a duration such as \"5s\"";
    case Kind::kStringList:
    case Kind::kLineList: return "a list of strings";
    case Kind::kTable: return "a table";
  }
  return "?";
}

class Reader {
 public:
  explicit Reader(std::string path) : path_(std::move(path)) {}

  Status Where(const toml::node& n, const std::string& msg) const { return At(n.source(), msg); }
  Status At(const toml::source_region& src, const std::string& msg) const {
    return Status(Code::kInvalidArgument, path_ + ":" + std::to_string(src.begin.line) + ":" +
                                              std::to_string(src.begin.column) + ": " + msg);
  }

  Result<std::string> Expand(const toml::node& n, const std::string& s) const {
    std::string out;
    for (size_t i = 0; i < s.size(); ++i) {
      if (s[i] == '$' && i + 1 < s.size() && s[i + 1] == '{') {
        size_t close = s.find('}', i);
        if (close == std::string::npos) return Where(n, "unclosed ${ in string");
        std::string var = s.substr(i + 2, close - i - 2);
        std::optional<std::string> fallback;
        if (size_t d = var.find(":-"); d != std::string::npos) {
          fallback = var.substr(d + 2);
          var = var.substr(0, d);
        }
        const char* v = std::getenv(var.c_str());
        if (v && *v) out += v;
        else if (fallback) out += *fallback;
        else return Where(n, "${" + var + "} is not set in the environment -- export it, or write ${" + var + ":-default}");
        i = close;
      } else {
        out += s[i];
      }
    }
    return out;
  }

  Result<std::string> Value(const toml::node& n, const std::string& section,
                            const std::string& key, Kind kind) const {
    auto wrong = [&]() {
      return Where(n, "[" + section + "] " + key + " must be " + KindName(kind));
    };
    switch (kind) {
      case Kind::kString: {
        if (!n.is_string()) return wrong();
        return Expand(n, *n.value<std::string>());
      }
      case Kind::kDuration: {
        std::string text;
        if (n.is_integer()) text = std::to_string(*n.value<int64_t>());
        else if (n.is_string()) text = *n.value<std::string>();
        else return wrong();
        auto d = ParseDuration(text);
        if (!d.ok()) return Where(n, "[" + section + "] " + key + ": " + d.status().message());
        return text;
      }
      case Kind::kInt:
        if (!n.is_integer()) return wrong();
        return std::to_string(*n.value<int64_t>());
      case Kind::kNumber:
        if (n.is_integer()) return std::to_string(*n.value<int64_t>());
        if (n.is_floating_point()) {
          std::ostringstream o;
          o << *n.value<double>();
          return o.str();
        }
        return wrong();
      case Kind::kBool:
        if (!n.is_boolean()) return wrong();
        return std::string(*n.value<bool>() ? "true" : "false");
      case Kind::kStringList:
      case Kind::kLineList: {
        const toml::array* a = n.as_array();
        if (!a) return wrong();
        std::string joined;
        for (const auto& e : *a) {
          if (!e.is_string()) return wrong();
          if (!joined.empty()) joined += kind == Kind::kLineList ? "\n" : ",";
          if (kind == Kind::kLineList) {
            auto x = Expand(e, *e.value<std::string>());
            if (!x.ok()) return x.status();
            joined += x.value();
          } else {
            joined += *e.value<std::string>();
          }
        }
        return joined;
      }
      case Kind::kTable:
        return wrong();
    }
    return wrong();
  }

  Status Walk(const toml::table& t, const std::string& section, Config* cfg) const {
    for (const auto& [k, node] : t) {
      const std::string key(k.str());
      if (section.empty()) {
        if (!node.is_table() || !IsSection(key)) {
          return At(k.source(), "unknown section or key '" + key +
                                 "' -- see docs/config.md for the keys dbroll reads");
        }
        // An empty [placeholders] still turns placeholders on.
        if (key == "placeholders") cfg->sections[key];
        DBROLL_RETURN_IF_ERROR(Walk(*node.as_table(), key, cfg));
        continue;
      }
      const std::string sub = section + "." + key;
      if (node.is_table() && IsSection(sub)) {
        DBROLL_RETURN_IF_ERROR(Walk(*node.as_table(), sub, cfg));
        continue;
      }
      const KeySpec* spec = FindKey(section, key);
      if (!spec) {
        return At(k.source(), "unknown key '" + key + "' in [" + section +
                               "] -- see docs/config.md for the keys dbroll reads");
      }
      auto v = Value(node, section, key, spec->kind);
      if (!v.ok()) return v.status();
      cfg->sections[section][key] = v.value();
    }
    return Status::Ok();
  }

 private:
  std::string path_;
};

// DBROLL_PLACEHOLDER_<name> overrides [placeholders] <name>; setting one
// turns placeholders on unless [placeholders] enabled = false.
void ApplyPlaceholderEnvironment(EngineOptions* e) {
  for (auto& [k, v] : internal::PlaceholdersFromEnvironment()) e->placeholders[k] = v;
  if (!e->placeholders.empty()) e->placeholders_enabled = true;
}

Status Apply(Config* cfg) {
  EngineOptions& e = cfg->engine;
  auto get = [&](const char* s, const char* k) -> const std::string* {
    auto it = cfg->sections.find(s);
    if (it == cfg->sections.end()) return nullptr;
    auto kt = it->second.find(k);
    return kt == it->second.end() ? nullptr : &kt->second;
  };
  if (auto* v = get("database", "url")) e.url = *v;
  if (auto* v = get("database", "schema")) e.schema = *v;
  if (auto* v = get("migrations", "dir")) e.migrations_dir = *v;
  if (auto* v = get("migrations", "table")) e.history_table = *v;
  if (auto* v = get("migrations", "applied_by")) e.applied_by = *v;
  if (auto* v = get("migrations", "versioning")) {
    if (*v != "sequence" && *v != "timestamp") {
      return Status(Code::kInvalidArgument, cfg->path + ": [migrations] versioning must be \"sequence\" or \"timestamp\"");
    }
    e.versioning = *v;
  }
  if (auto* v = get("migrations", "keep_data")) e.keep_data = *v == "true";
  if (auto* v = get("migrations", "keep_data_max_rows")) e.keep_data_max_rows = std::atoll(v->c_str());
  if (auto* v = get("migrations", "layout")) {
    static const char* const kLayouts[] = {"auto",   "dbroll", "golang-migrate", "popx",  "diesel",
                                           "dbmate", "goose",  "sql-migrate",    "flyway"};
    if (std::find(std::begin(kLayouts), std::end(kLayouts), *v) == std::end(kLayouts)) {
      return Status(Code::kInvalidArgument, cfg->path + ": [migrations] layout \"" + *v +
                                                "\" is not a layout dbroll reads -- use auto, dbroll, golang-migrate, "
                                                "popx, diesel, dbmate, goose, sql-migrate or flyway");
    }
    e.migrations_layout = *v;
  }
  if (auto* v = get("migrations", "no_transaction")) {
    size_t b = 0;
    while (!v->empty()) {
      const size_t comma = v->find(',', b);
      std::string version = v->substr(b, comma == std::string::npos ? std::string::npos : comma - b);
      const bool ok = !version.empty() && std::all_of(version.begin(), version.end(), [](char c) {
        return (c >= '0' && c <= '9') || c == '.';
      });
      if (!ok) {
        return Status(Code::kInvalidArgument, cfg->path + ": [migrations] no_transaction: \"" + version +
                                                  "\" is not a version -- list versions such as \"20240101120000\"");
      }
      e.no_transaction_versions.push_back(version);
      if (comma == std::string::npos) break;
      b = comma + 1;
    }
  }
  if (auto* v = get("migrations", "lock_timeout")) {
    auto d = ParseDuration(*v);
    if (!d.ok())
      return Status(Code::kInvalidArgument, cfg->path + ": [migrations] lock_timeout: " + d.status().message());
    e.lock_timeout = d.value();
  }
  bool placeholders_off = false;
  if (auto it = cfg->sections.find("placeholders"); it != cfg->sections.end()) {
    e.placeholders_enabled = true;
    for (const auto& [k, v] : it->second) {
      if (k == "enabled") placeholders_off = v != "true";
      else e.placeholders[k] = v;
    }
  }
  ApplyPlaceholderEnvironment(&e);
  if (placeholders_off) e.placeholders_enabled = false;
  // Every dialect section goes to the driver as "section.key"; the driver
  // for the URL in the end (flags may change it) picks its own.
  for (const char* d : {"postgres", "mysql", "sqlite"}) {
    auto it = cfg->sections.find(d);
    if (it == cfg->sections.end()) continue;
    for (const auto& [k, v] : it->second) e.driver_settings[std::string(d) + "." + k] = v;
  }
  return Status::Ok();
}

}  // namespace

std::string Config::Get(const std::string& section, const std::string& key,
                        const std::string& fallback) const {
  auto it = sections.find(section);
  if (it == sections.end()) return fallback;
  auto kt = it->second.find(key);
  return kt == it->second.end() ? fallback : kt->second;
}

Result<std::chrono::milliseconds> ParseDuration(const std::string& text) {
  // One grammar for every duration: digits, an optional fraction, an optional
  // unit. No sign, exponent, "inf" or "nan" (std::stod would take them all).
  const std::string forms =
      " -- use a number with a unit: 500ms, 5s, 1.5s, 2m, 1h (a bare number is milliseconds), at most " +
      std::to_string(kMaxDurationMs / 3600000) + "h";
  auto bad = [&](const std::string& why) { return Status(Code::kInvalidArgument, "'" + text + "' " + why + forms); };
  size_t i = 0;
  while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i;
  const size_t int_end = i;
  size_t frac_end = i;
  if (i < text.size() && text[i] == '.') {
    frac_end = ++i;
    while (frac_end < text.size() && text[frac_end] >= '0' && text[frac_end] <= '9') ++frac_end;
    if (frac_end == i) return bad("is not a duration");
  }
  if (int_end == 0) return bad(text.empty() ? "is empty, not a duration" : "is not a duration");
  const std::string unit = text.substr(frac_end);
  long double scale;
  if (unit.empty() || unit == "ms")
    scale = 1;
  else if (unit == "s")
    scale = 1000;
  else if (unit == "m" || unit == "min")
    scale = 60000;
  else if (unit == "h")
    scale = 3600000;
  else
    return bad("is not a duration (unknown unit '" + unit + "')");
  // Digits only, so the value is finite; too many of them is too long anyway.
  if (int_end > 18) return bad("is too long");
  long double value = 0;
  for (size_t k = 0; k < int_end; ++k) value = value * 10 + (text[k] - '0');
  long double frac = 0.1L;
  for (size_t k = int_end + 1; k < frac_end && k < int_end + 10; ++k, frac /= 10) value += (text[k] - '0') * frac;
  const long double ms = value * scale;
  if (ms > static_cast<long double>(kMaxDurationMs)) return bad("is too long");
  return std::chrono::milliseconds(static_cast<long long>(ms));
}

Config DefaultConfig(const std::string& dir) {
  Config c;
  c.engine.base_dir = dir;
  ApplyPlaceholderEnvironment(&c.engine);
  if (const char* u = std::getenv("DBROLL_URL"); u && *u) c.engine.url = u;
  else if (const char* d = std::getenv("DATABASE_URL"); d && *d) c.engine.url = d;
  return c;
}

Result<Config> LoadConfig(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::exists(path, ec)) return Status(Code::kNotFound, path + ": config file not found");
  Config cfg = DefaultConfig(fs::path(path).parent_path().string());
  cfg.path = path;
  toml::table root;
  try {
    root = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    const auto& src = e.source();
    return Status(Code::kInvalidArgument,
                  path + ":" + std::to_string(src.begin.line) + ":" + std::to_string(src.begin.column) +
                      ": " + std::string(e.description()) + " -- fix the TOML syntax");
  }
  Reader reader(path);
  DBROLL_RETURN_IF_ERROR(reader.Walk(root, "", &cfg));
  const std::string env_url = cfg.engine.url;
  DBROLL_RETURN_IF_ERROR(Apply(&cfg));
  const char* u = std::getenv("DBROLL_URL");
  const char* d = std::getenv("DATABASE_URL");
  if ((u && *u) || (d && *d)) cfg.engine.url = env_url;
  return cfg;
}

}  // namespace dbroll
