#include "dbroll/migration.h"

#include <cctype>
#include <sstream>

namespace dbroll {

const char* DialectName(Dialect d) {
  switch (d) {
    case Dialect::kSqlite: return "sqlite";
    case Dialect::kPostgres: return "postgres";
    case Dialect::kMysql: return "mysql";
  }
  return "?";
}

namespace {

// Numeric order of two digit strings, leading zeros ignored.
int CompareNumbers(std::string_view a, std::string_view b) {
  size_t ia = a.find_first_not_of('0'), ib = b.find_first_not_of('0');
  std::string_view na = ia == std::string_view::npos ? "" : a.substr(ia);
  std::string_view nb = ib == std::string_view::npos ? "" : b.substr(ib);
  if (na.size() != nb.size()) return na.size() < nb.size() ? -1 : 1;
  if (int c = na.compare(nb); c != 0) return c < 0 ? -1 : 1;
  return 0;
}

}  // namespace

int CompareVersionValues(const std::string& a, const std::string& b) {
  if (a.find('.') == std::string::npos && b.find('.') == std::string::npos) return CompareNumbers(a, b);
  // Flyway's dotted versions: part by part, a missing part is 0 (1.2 < 1.10, 1 == 1.0).
  std::string_view ra = a, rb = b;
  while (!ra.empty() || !rb.empty()) {
    const size_t da = ra.find('.'), db = rb.find('.');
    std::string_view pa = ra.substr(0, da), pb = rb.substr(0, db);
    if (int c = CompareNumbers(pa, pb); c != 0) return c;
    ra = da == std::string_view::npos ? std::string_view() : ra.substr(da + 1);
    rb = db == std::string_view::npos ? std::string_view() : rb.substr(db + 1);
  }
  return 0;
}

int CompareVersions(const std::string& a, const std::string& b) {
  if (int c = CompareVersionValues(a, b); c != 0) return c;
  if (a == b) return 0;
  return a < b ? -1 : 1;
}

namespace {
std::string Trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}
}  // namespace

Directives ParseDirectives(const std::string& path, const std::string& text,
                           std::vector<std::string>* errors) {
  Directives d;
  // A UTF-8 byte order mark before the first directive does not hide it.
  std::istringstream in(text.compare(0, 3, "\xEF\xBB\xBF") == 0 ? text.substr(3) : text);
  std::string line;
  int lineno = 0;
  bool header = true;
  while (std::getline(in, line)) {
    ++lineno;
    std::string t = Trim(line);
    if (header && !t.empty() && t.rfind("--", 0) != 0) header = false;
    if (t.rfind("--", 0) != 0) continue;
    std::string body = Trim(t.substr(2));
    if (body.rfind("dbroll:", 0) != 0) continue;
    std::string rest = body.substr(7);
    std::string name = rest.substr(0, rest.find_first_of(" \t"));
    std::string arg = Trim(rest.substr(name.size()));
    auto error = [&](const std::string& msg) {
      if (errors) errors->push_back(path + ":" + std::to_string(lineno) + ": " + msg);
    };
    if (name == "allow") {
      Allow a;
      a.rule = arg.substr(0, arg.find_first_of(" \t"));
      a.reason = Trim(arg.substr(a.rule.size()));
      a.line = lineno;
      a.file_wide = header;
      if (a.rule.empty()) error("dbroll:allow needs a rule id and a reason");
      else if (a.reason.empty()) error("dbroll:allow " + a.rule + " needs a reason after the rule id");
      d.allows.push_back(a);
    } else if (name == "keep-data") {
      // At the top: the whole up; before a statement: that statement (the
      // engine reads the mark itself).
      if (header) d.keep_data = true;
    } else if (!header) {
      if (name == "no-transaction" || name == "irreversible") {
        error("dbroll:" + name + " must be in the comment block at the top of the file");
      }
    } else if (name == "no-transaction") {
      d.no_transaction = true;
    } else if (name == "irreversible") {
      if (arg.empty()) error("dbroll:irreversible needs a reason, e.g. -- dbroll:irreversible drops legacy data");
      d.irreversible = arg.empty() ? "no reason given" : arg;
    } else {
      error("unknown directive dbroll:" + name +
            " (known: no-transaction, irreversible, keep-data, allow)");
    }
  }
  return d;
}

}  // namespace dbroll
