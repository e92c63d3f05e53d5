#include "drivers/postgres/pg_text.h"

#include <algorithm>
#include <cctype>

#include "dbroll/url.h"

namespace dbroll::internal::pg {
namespace {

std::string QuoteConnValue(const std::string& v) {
  std::string out = "'";
  for (char c : v) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  return out + "'";
}

std::string Trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(" \t");
  return s.substr(b, e - b + 1);
}

// The first words of a statement, upper-cased, with comments skipped and
// quoted identifiers kept as one token: enough to recognise the statement kind.
std::vector<std::string> LeadingWords(std::string_view sql, size_t max_words) {
  std::vector<std::string> words;
  size_t i = 0;
  while (i < sql.size() && words.size() < max_words) {
    const char c = sql[i];
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
    } else if (c == '-' && i + 1 < sql.size() && sql[i + 1] == '-') {
      while (i < sql.size() && sql[i] != '\n') ++i;
    } else if (c == '/' && i + 1 < sql.size() && sql[i + 1] == '*') {
      int depth = 0;
      do {
        if (sql.compare(i, 2, "/*") == 0) {
          ++depth;
          i += 2;
        } else if (sql.compare(i, 2, "*/") == 0) {
          --depth;
          i += 2;
        } else {
          ++i;
        }
      } while (i < sql.size() && depth > 0);
    } else if (c == '"') {
      size_t e = i + 1;
      while (e < sql.size() && !(sql[e] == '"' && (e + 1 >= sql.size() || sql[e + 1] != '"'))) {
        e += sql[e] == '"' ? 2 : 1;
      }
      words.emplace_back(sql.substr(i, e + 1 - i));
      i = e + 1;
    } else if (c == '\'' || c == '$') {
      break;  // literals never come before the words that decide the kind
    } else if (std::isalnum(static_cast<unsigned char>(c)) || c == '_') {
      std::string w;
      while (i < sql.size() && (std::isalnum(static_cast<unsigned char>(sql[i])) || sql[i] == '_')) {
        w += static_cast<char>(std::toupper(static_cast<unsigned char>(sql[i++])));
      }
      words.push_back(std::move(w));
    } else {
      ++i;  // punctuation: '(', ',', '.', ';'
    }
  }
  return words;
}

bool Has(const std::vector<std::string>& w, size_t i, const char* word) {
  return i < w.size() && w[i] == word;
}

bool HasWithin(const std::vector<std::string>& w, size_t from, size_t to, const char* a, const char* b) {
  for (size_t i = from; i + 1 < w.size() && i < to; ++i) {
    if (w[i] == a && w[i + 1] == b) return true;
  }
  return false;
}

}  // namespace

Result<ConnectSpec> BuildConnectSpec(const std::string& url, const std::string& schema) {
  auto u = ParseUrl(url);
  if (!u.ok()) return u.status();
  if (u->scheme != "postgres" && u->scheme != "postgresql") {
    return Status(Code::kInvalidArgument, RedactUrl(url) + ": not a postgres:// or postgresql:// URL");
  }
  ConnectSpec spec;
  auto add = [&](const std::string& key, const std::string& value) {
    spec.conninfo += (spec.conninfo.empty() ? "" : " ") + key + "=" + QuoteConnValue(value);
  };
  if (u->host.find(',') != std::string::npos) {
    // libpq's multi-host form h1:p1,h2:p2 (each port optional): host= and
    // port= take comma-separated lists of the same length.
    std::string hosts, ports;
    size_t b = 0;
    while (true) {
      const size_t e = u->host.find(',', b);
      std::string entry = u->host.substr(b, e == std::string::npos ? std::string::npos : e - b);
      std::string port;
      const size_t colon = entry.rfind(':');
      if (colon != std::string::npos && entry.find(']', colon) == std::string::npos) {
        port = entry.substr(colon + 1);
        entry = entry.substr(0, colon);
        if (port.empty() || port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos ||
            std::stol(port) < 1 || std::stol(port) > 65535) {
          return Status(Code::kInvalidArgument, RedactUrl(url) + ": port '" + port +
                                                    "' is not a port number (1-65535) -- write each host as "
                                                    "host:port, separated by commas");
        }
      }
      if (entry.size() > 1 && entry.front() == '[' && entry.back() == ']') entry = entry.substr(1, entry.size() - 2);
      hosts += (b == 0 ? "" : ",") + entry;
      ports += (b == 0 ? "" : ",") + port;
      if (e == std::string::npos) break;
      b = e + 1;
    }
    add("host", hosts);
    if (ports.find_first_not_of(',') != std::string::npos) add("port", ports);
  } else {
    if (!u->host.empty()) add("host", u->host);
    if (u->port != 0) add("port", std::to_string(u->port));
  }
  if (!u->user.empty()) add("user", u->user);
  if (u->has_password) {
    add("password", u->password);
    spec.password = u->password;
  }
  if (!u->database.empty()) add("dbname", u->database);
  std::string search_path;
  for (const auto& [key, value] : u->params) {
    if (key == "search_path") {
      search_path = value;
    } else {
      if (key == "password") spec.password = value;
      add(key, value);
    }
  }
  // Error positions are counted in characters of the text dbroll sends, which
  // is UTF-8; the server converts for itself.
  if (!u->params.count("client_encoding")) add("client_encoding", "UTF8");
  add("fallback_application_name", "dbroll");
  if (!schema.empty()) {
    spec.search_path.push_back(schema);
  } else {
    size_t b = 0;
    while (b <= search_path.size() && !search_path.empty()) {
      size_t e = search_path.find(',', b);
      std::string s = Trim(search_path.substr(b, e == std::string::npos ? std::string::npos : e - b));
      if (s.size() >= 2 && s.front() == '"' && s.back() == '"') s = s.substr(1, s.size() - 2);
      if (!s.empty()) spec.search_path.push_back(s);
      if (e == std::string::npos) break;
      b = e + 1;
    }
  }
  return spec;
}

std::optional<std::string> NonTransactionalReason(std::string_view sql) {
  const std::vector<std::string> w = LeadingWords(sql, 12);
  if (w.empty()) return std::nullopt;
  if (w[0] == "CREATE") {
    size_t i = Has(w, 1, "UNIQUE") ? 2 : 1;
    if (Has(w, i, "INDEX") && Has(w, i + 1, "CONCURRENTLY")) return std::string("CREATE INDEX CONCURRENTLY");
    if (Has(w, 1, "DATABASE")) return std::string("CREATE DATABASE");
    if (Has(w, 1, "TABLESPACE")) return std::string("CREATE TABLESPACE");
  } else if (w[0] == "DROP") {
    if (Has(w, 1, "INDEX") && Has(w, 2, "CONCURRENTLY")) return std::string("DROP INDEX CONCURRENTLY");
    if (Has(w, 1, "DATABASE")) return std::string("DROP DATABASE");
    if (Has(w, 1, "TABLESPACE")) return std::string("DROP TABLESPACE");
  } else if (w[0] == "REINDEX") {
    for (size_t i = 1; i < w.size() && i < 8; ++i) {
      if (w[i] == "CONCURRENTLY") return std::string("REINDEX CONCURRENTLY");
    }
    for (const char* kind : {"SCHEMA", "DATABASE", "SYSTEM"}) {
      for (size_t i = 1; i < w.size() && i < 6; ++i) {
        if (w[i] == kind) return "REINDEX " + std::string(kind);
      }
    }
  } else if (w[0] == "VACUUM") {
    return std::string("VACUUM");
  } else if (w[0] == "ALTER") {
    if (Has(w, 1, "SYSTEM")) return std::string("ALTER SYSTEM");
    if (Has(w, 1, "DATABASE") && HasWithin(w, 3, 6, "SET", "TABLESPACE")) {
      return std::string("ALTER DATABASE ... SET TABLESPACE");
    }
    // ALTER TYPE ... ADD VALUE depends on the server version: the engine
    // decides it (internal::AddEnumValueOutsideTransaction), as lint does.
  }
  return std::nullopt;
}

int64_t LockKey(const std::string& database, const std::string& schema, const std::string& table) {
  uint64_t h = 14695981039346656037ull;
  const std::string text = "dbroll\x1f" + database + "\x1f" + schema + "\x1f" + table;
  for (unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return static_cast<int64_t>(h);
}

size_t CharPositionToByte(std::string_view text, long pos) {
  if (pos <= 1) return 0;
  long chars = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    // Continuation bytes (10xxxxxx) belong to the character before them.
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
      if (++chars == pos) return i;
    }
  }
  return text.size();
}

size_t ServerPositionToByte(std::string_view text, long pos, const std::string& server_encoding) {
  if (server_encoding != "SQL_ASCII") return CharPositionToByte(text, pos);
  if (pos <= 1) return 0;
  return std::min(static_cast<size_t>(pos - 1), text.size());
}

std::string QuoteIdent(const std::string& name) {
  std::string out = "\"";
  for (char c : name) {
    out += c;
    if (c == '"') out += '"';
  }
  return out + "\"";
}

std::string Scrub(std::string message, const std::string& secret) { return RedactSecret(message, secret); }

}  // namespace dbroll::internal::pg
