#include "dbroll/url.h"

#include "dbroll/driver.h"

namespace dbroll {
namespace {

std::string PercentDecode(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out += static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else if (s[i] == '+') {
      out += ' ';
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
  std::string s = text.substr(sep + 3);
  size_t q = s.find('?');
  std::string query = q == std::string::npos ? "" : s.substr(q + 1);
  s = s.substr(0, q);
  size_t slash = s.find('/');
  std::string authority = s.substr(0, slash);
  if (slash != std::string::npos) u.database = PercentDecode(s.substr(slash + 1));
  size_t at = authority.rfind('@');
  if (at != std::string::npos) {
    std::string userinfo = authority.substr(0, at);
    authority = authority.substr(at + 1);
    size_t colon = userinfo.find(':');
    u.user = PercentDecode(userinfo.substr(0, colon));
    if (colon != std::string::npos) {
      u.password = PercentDecode(userinfo.substr(colon + 1));
      u.has_password = true;
    }
  }
  size_t colon = authority.rfind(':');
  if (colon != std::string::npos && authority.find(']', colon) == std::string::npos) {
    std::string port = authority.substr(colon + 1);
    authority = authority.substr(0, colon);
    if (!port.empty()) {
      try {
        u.port = std::stoi(port);
      } catch (...) {
        return Status(Code::kInvalidArgument, std::string("'").append(RedactUrl(text)) + "': port '" + port + "' is not a number");
      }
    }
  }
  if (authority.size() > 1 && authority.front() == '[' && authority.back() == ']') {
    authority = authority.substr(1, authority.size() - 2);
  }
  u.host = PercentDecode(authority);
  size_t i = 0;
  while (i < query.size()) {
    size_t amp = query.find('&', i);
    std::string kv = query.substr(i, amp == std::string::npos ? std::string::npos : amp - i);
    size_t eq = kv.find('=');
    if (!kv.empty()) {
      u.params[PercentDecode(kv.substr(0, eq))] =
          eq == std::string::npos ? "" : PercentDecode(kv.substr(eq + 1));
    }
    if (amp == std::string::npos) break;
    i = amp + 1;
  }
  return u;
}

std::string RedactUrl(const std::string& url) {
  size_t sep = url.find("://");
  if (sep == std::string::npos) return url;
  size_t end = url.find_first_of("/?", sep + 3);
  std::string authority = url.substr(sep + 3, end == std::string::npos ? std::string::npos : end - sep - 3);
  size_t at = authority.rfind('@');
  std::string out = url;
  if (at != std::string::npos) {
    size_t colon = authority.find(':');
    if (colon != std::string::npos && colon < at) {
      out = url.substr(0, sep + 3) + authority.substr(0, colon) + ":***" + authority.substr(at) +
            (end == std::string::npos ? "" : url.substr(end));
    }
  }
  // password=... in the query string
  for (const char* key : {"password=", "pass="}) {
    size_t p = 0;
    while ((p = out.find(key, p)) != std::string::npos) {
      size_t v = p + std::string(key).size();
      size_t e = out.find('&', v);
      out = out.substr(0, v) + "***" + (e == std::string::npos ? "" : out.substr(e));
      p = v;
    }
  }
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

}  // namespace dbroll
