#include "engine/placeholders.h"

#include <unistd.h>

#include <cstring>

namespace dbroll::internal {
namespace {

bool NameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
         c == ':' || c == '-';
}

// Length of the name after a `${` at `at` when a `}` closes it, else 0.
size_t NameLength(const std::string& text, size_t at) {
  size_t e = at;
  while (e < text.size() && NameChar(text[e])) ++e;
  return e > at && e < text.size() && text[e] == '}' ? e - at : 0;
}

}  // namespace

Result<std::string> SubstitutePlaceholders(const std::string& path, const std::string& text,
                                           const std::map<std::string, std::string>& values) {
  if (text.find("${") == std::string::npos) return text;
  std::string out;
  out.reserve(text.size());
  int line = 1;
  size_t line_start = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\n') {
      ++line;
      line_start = i + 1;
    }
    if (c != '$') {
      out += c;
      continue;
    }
    // `$${name}`: the escape, a literal `${name}`.
    if (i + 2 < text.size() && text[i + 1] == '$' && text[i + 2] == '{') {
      if (size_t n = NameLength(text, i + 3)) {
        out.append(text, i + 1, n + 3);
        i += n + 3;
        continue;
      }
    }
    if (i + 1 < text.size() && text[i + 1] == '{') {
      if (size_t n = NameLength(text, i + 2)) {
        const std::string name = text.substr(i + 2, n);
        auto it = values.find(name);
        if (it == values.end()) {
          return Status(Code::kInvalidArgument,
                        path + ":" + std::to_string(line) + ":" + std::to_string(i - line_start + 1) +
                            ": placeholder ${" + name + "} is not defined -- set it in [placeholders] in dbroll.toml, as " +
                            kPlaceholderEnvPrefix + name + " in the environment or with --set " + name +
                            "=VALUE (write $${" + name + "} for a literal ${" + name + "}); nothing was run");
        }
        out += it->second;
        i += n + 2;
        continue;
      }
    }
    out += c;
  }
  return out;
}

std::map<std::string, std::string> PlaceholdersFromEnvironment() {
  std::map<std::string, std::string> out;
  const size_t prefix = std::strlen(kPlaceholderEnvPrefix);
  for (char** e = environ; e && *e; ++e) {
    const char* eq = std::strchr(*e, '=');
    if (!eq || std::strncmp(*e, kPlaceholderEnvPrefix, prefix) != 0) continue;
    std::string name(*e + prefix, static_cast<size_t>(eq - (*e + prefix)));
    if (!name.empty()) out[name] = eq + 1;
  }
  return out;
}

}  // namespace dbroll::internal

#include "engine/checksum.h"
#include "engine/engine_impl.h"

namespace dbroll::internal {

Result<Script> EngineImpl::PrepareDown(const Script& down) const {
  if (!options_.placeholders_enabled) return down;
  auto text = SubstitutePlaceholders(down.path, down.text, options_.placeholders);
  if (!text.ok()) return text.status();
  if (text.value() == down.text) return down;
  // The down is stored as it will run: its checksum is of that text.
  Script out = down;
  out.text = std::move(text).value();
  out.checksum = Sha256Hex(out.text);
  return out;
}

Result<Migration> EngineImpl::Prepare(const Migration& m) const {
  if (!options_.placeholders_enabled) return m;
  Migration out = m;
  // The up keeps the checksum of the file as written (as Flyway does), so a
  // new placeholder value is not drift.
  auto up = SubstitutePlaceholders(m.up.path, m.up.text, options_.placeholders);
  if (!up.ok()) return up.status();
  out.up.text = std::move(up).value();
  if (m.down) {
    auto down = PrepareDown(*m.down);
    if (!down.ok()) return down.status();
    out.down = std::move(down).value();
  }
  return out;
}

}  // namespace dbroll::internal
