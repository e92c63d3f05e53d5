#include "dbroll/url.h"

#include <cctype>
#include <string_view>

#include "dbroll/driver.h"

namespace dbroll {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Decodes %XX only: a '+' is a plus sign in every part of a database URL
// (libpq and the MySQL connectors read it so too), never a space.
std::string PercentDecode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && HexValue(s[i + 1]) >= 0 && HexValue(s[i + 2]) >= 0) {
      out += static_cast<char>(HexValue(s[i + 1]) * 16 + HexValue(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

bool IsSqliteScheme(const std::string& url, size_t* rest) {
  for (const char* p : {"sqlite3://", "sqlite://", "sqlite3:", "sqlite:"}) {
    std::string prefix = p;
    if (url.rfind(prefix, 0) == 0) {
      *rest = prefix.size();
      return true;
    }
  }
  return false;
}

bool AllDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// host, host:port, [v6]:port, or libpq's host1:p1,host2:p2.
bool PlausibleHostPort(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (!std::isalnum(u) && c != '.' && c != '-' && c != '_' && c != ':' && c != '[' && c != ']' && c != '%' &&
        c != ',') {
      return false;
    }
  }
  return true;
}

constexpr size_t kNone = std::string::npos;

// Byte ranges of a scheme://userinfo@host/path?query URL, so that parsing and
// redaction cut the text at the same places.
struct Parts {
  size_t auth_begin = 0;  // after "://"
  size_t at = kNone;      // the '@' ending the userinfo
  size_t colon = kNone;   // the ':' between user and password
  size_t host_begin = 0;  // after '@' (or auth_begin)
  size_t host_end = 0;    // end of host[:port]
  size_t query = kNone;   // the '?' starting the query string
};

// The authority ends at the first '/', '?' or '#'. A password that holds one
// of those unencoded (`u:a/b@h/db`) would make the standard cut print part of
// it as a host or port; when the standard cut finds no userinfo, has a ':' and
// a later '@' is followed by a plausible host, that '@' ends the userinfo.
Parts Split(const std::string& text, size_t sep) {
  Parts p;
  p.auth_begin = sep + 3;
  size_t end = text.find_first_of("/?#", p.auth_begin);
  if (end == kNone) end = text.size();
  size_t at = kNone;
  for (size_t i = p.auth_begin; i < end; ++i) {
    if (text[i] == '@') at = i;
  }
  if (at == kNone && end < text.size()) {
    const std::string_view std_auth(text.data() + p.auth_begin, end - p.auth_begin);
    const size_t c = std_auth.find(':');
    if (c != kNone) {
      const bool port_ok = AllDigits(std_auth.substr(c + 1)) && std_auth.find(':', c + 1) == kNone;
      for (size_t i = end; i < text.size(); ++i) {
        if (text[i] != '@') continue;
        size_t he = text.find_first_of("/?#", i + 1);
        if (he == kNone) he = text.size();
        if (!PlausibleHostPort(std::string_view(text).substr(i + 1, he - i - 1))) continue;
        // `host:5432/db?application_name=a@b` is a query, not a password.
        if (port_ok && text.find('=', end) < i) break;
        at = i;
        end = he;
        break;
      }
    }
  }
  p.at = at;
  if (at != kNone) {
    for (size_t i = p.auth_begin; i < at; ++i) {
      if (text[i] == ':') {
        p.colon = i;
        break;
      }
    }
    p.host_begin = at + 1;
  } else {
    p.host_begin = p.auth_begin;
  }
  p.host_end = end;
  p.query = text.find('?', end);
  return p;
}

}  // namespace

Result<Url> ParseUrl(const std::string& text) {
  Url u;
  size_t rest = 0;
  if (IsSqliteScheme(text, &rest)) {
    u.scheme = "sqlite";
    std::string path = text.substr(rest);
    size_t q = path.find('?');
    if (q != std::string::npos) path = path.substr(0, q);
    u.database = path;
    if (u.database.empty()) {
      return Status(Code::kInvalidArgument, "sqlite URL needs a file, e.g. sqlite:app.db");
    }
    return u;
  }
  size_t sep = text.find("://");
  if (sep == std::string::npos) {
    return Status(Code::kInvalidArgument,
                  std::string("'").append(RedactUrl(text)) +
                      "' is not a database URL -- use sqlite:FILE, postgres://... or mysql://...");
  }
  u.scheme = text.substr(0, sep);
  const Parts p = Split(text, sep);
  if (p.at != kNone) {
    const size_t user_end = p.colon == kNone ? p.at : p.colon;
    u.user = PercentDecode(std::string_view(text).substr(p.auth_begin, user_end - p.auth_begin));
    if (p.colon != kNone) {
      u.password = PercentDecode(std::string_view(text).substr(p.colon + 1, p.at - p.colon - 1));
      u.has_password = true;
    }
  }
  std::string authority = text.substr(p.host_begin, p.host_end - p.host_begin);
  size_t colon = authority.rfind(':');
  if (colon != std::string::npos && authority.find(']', colon) == std::string::npos &&
      authority.find(',') == std::string::npos) {
    std::string port = authority.substr(colon + 1);
    authority = authority.substr(0, colon);
    if (!port.empty()) {
      // The host part never holds the password (see Split), so it may be quoted.
      long value = 0;
      bool ok = AllDigits(port) && port.size() <= 5;
      if (ok) value = std::stol(port);
      if (!ok || value < 1 || value > 65535) {
        return Status(Code::kInvalidArgument, std::string("'").append(RedactUrl(text)) + "': port '" + port +
                                                  "' is not a port number (1-65535)");
      }
      u.port = static_cast<int>(value);
    }
  }
  if (authority.size() > 1 && authority.front() == '[' && authority.back() == ']') {
    authority = authority.substr(1, authority.size() - 2);
  }
  u.host = PercentDecode(authority);
  const size_t path_end = p.query == kNone ? text.size() : p.query;
  if (p.host_end < path_end && text[p.host_end] == '/') {
    u.database = PercentDecode(std::string_view(text).substr(p.host_end + 1, path_end - p.host_end - 1));
  }
  if (p.query != kNone) {
    const std::string query = text.substr(p.query + 1);
    size_t i = 0;
    while (i < query.size()) {
      size_t amp = query.find('&', i);
      std::string kv = query.substr(i, amp == std::string::npos ? std::string::npos : amp - i);
      size_t eq = kv.find('=');
      if (!kv.empty()) {
        u.params[PercentDecode(kv.substr(0, eq))] =
            eq == std::string::npos ? "" : PercentDecode(std::string_view(kv).substr(eq + 1));
      }
      if (amp == std::string::npos) break;
      i = amp + 1;
    }
  }
  return u;
}

std::string RedactUrl(const std::string& url) {
  size_t sep = url.find("://");
  if (sep == std::string::npos) return url;
  const Parts p = Split(url, sep);
  std::string out;
  out.reserve(url.size());
  if (p.colon != kNone) {
    out = url.substr(0, p.colon + 1) + "***" + url.substr(p.at, p.host_end - p.at);
  } else {
    out = url.substr(0, p.host_end);
  }
  if (p.query == kNone) return out + url.substr(p.host_end);
  out += url.substr(p.host_end, p.query + 1 - p.host_end);
  // password=... (and friends) in the query string, cut by position.
  size_t i = p.query + 1;
  while (i <= url.size()) {
    size_t amp = url.find('&', i);
    if (amp == kNone) amp = url.size();
    const std::string kv = url.substr(i, amp - i);
    const size_t eq = kv.find('=');
    const std::string key = PercentDecode(kv.substr(0, eq));
    if (eq != kNone && (key == "password" || key == "pass" || key == "sslpassword")) {
      out += kv.substr(0, eq + 1) + "***";
    } else {
      out += kv;
    }
    if (amp == url.size()) break;
    out += '&';
    i = amp + 1;
  }
  return out;
}

std::string UrlWithDatabase(const std::string& url, const std::string& database) {
  const size_t sep = url.find("://");
  if (sep == std::string::npos) return url;
  const Parts p = Split(url, sep);
  return url.substr(0, p.host_end) + "/" + database + (p.query == kNone ? "" : url.substr(p.query));
}

std::string RedactSecret(const std::string& text, const std::string& secret) {
  if (secret.empty()) return text;
  // A short secret ("x") also occurs inside ordinary words; only a standalone
  // occurrence of it is taken for the secret, so messages stay readable.
  const bool whole_words_only = secret.size() < 8;
  auto word = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    size_t p = text.find(secret, i);
    if (p == std::string::npos) break;
    const size_t e = p + secret.size();
    const bool standalone = (p == 0 || !word(text[p - 1]) || !word(secret.front())) &&
                            (e == text.size() || !word(text[e]) || !word(secret.back()));
    if (!whole_words_only || standalone) {
      out.append(text, i, p - i);
      out += "***";
      i = e;
    } else {
      out.append(text, i, p + 1 - i);
      i = p + 1;
    }
  }
  out.append(text, i, std::string::npos);
  return out;
}

Result<Dialect> DialectOfUrl(const std::string& url) {
  size_t rest = 0;
  if (IsSqliteScheme(url, &rest)) return Dialect::kSqlite;
  if (url.rfind("postgres://", 0) == 0 || url.rfind("postgresql://", 0) == 0) return Dialect::kPostgres;
  if (url.rfind("mysql://", 0) == 0 || url.rfind("mariadb://", 0) == 0) return Dialect::kMysql;
  return Status(Code::kInvalidArgument,
                std::string("'").append(RedactUrl(url)) +
                    "' is not a database URL dbroll knows -- use sqlite:FILE, postgres://... or mysql://...");
}

std::string RedactDatabaseUrl(const std::string& text, const std::string& url) {
  std::string out = text;
  if (!url.empty() && url.find("://") != std::string::npos) {
    const std::string redacted = RedactUrl(url);
    for (size_t p = 0; (p = out.find(url, p)) != std::string::npos; p += redacted.size()) {
      out.replace(p, url.size(), redacted);
    }
  }
  auto parsed = ParseUrl(url);
  return parsed.ok() && parsed->has_password ? RedactSecret(out, parsed->password) : out;
}

}  // namespace dbroll
