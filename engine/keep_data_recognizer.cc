// The small recogniser keep-data needs: which statements destroy data and
// what (tables and columns as written, so generated SQL quotes them the same).
// The linter's recogniser lives in lint/, which depends on the engine, not
// the other way round.
#include <cctype>

#include "engine/keep_data.h"

namespace dbroll::internal {
namespace {

struct Tok {
  std::string raw;    // as written
  std::string upper;  // keyword form; "" for quoted identifiers and strings
  size_t begin = 0, end = 0;
  bool word = false;  // identifier or keyword (quoted or not)
};

std::vector<Tok> Lex(const std::string& s) {
  std::vector<Tok> out;
  size_t i = 0;
  while (i < s.size()) {
    const char c = s[i];
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
    } else if (c == '-' && i + 1 < s.size() && s[i + 1] == '-') {
      i = s.find('\n', i);
      if (i == std::string::npos) break;
    } else if (c == '/' && i + 1 < s.size() && s[i + 1] == '*') {
      i = s.find("*/", i + 2);
      if (i == std::string::npos) break;
      i += 2;
    } else if (c == '\'') {
      size_t e = i + 1;
      while (e < s.size()) {
        if (s[e] == '\\') {
          e += 2;
        } else if (s[e] == '\'' && e + 1 < s.size() && s[e + 1] == '\'') {
          e += 2;
        } else if (s[e] == '\'') {
          break;
        } else {
          ++e;
        }
      }
      e = std::min(e + 1, s.size());
      out.push_back({s.substr(i, e - i), "", i, e, false});
      i = e;
    } else if (c == '"' || c == '`' || c == '[') {
      const char close = c == '[' ? ']' : c;
      size_t e = s.find(close, i + 1);
      while (e != std::string::npos && close != ']' && e + 1 < s.size() && s[e + 1] == close) {
        e = s.find(close, e + 2);
      }
      e = e == std::string::npos ? s.size() : e + 1;
      out.push_back({s.substr(i, e - i), "", i, e, true});
      i = e;
    } else if (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$' ||
               static_cast<unsigned char>(c) >= 0x80) {
      size_t e = i;
      while (e < s.size() && (std::isalnum(static_cast<unsigned char>(s[e])) || s[e] == '_' || s[e] == '$' ||
                              static_cast<unsigned char>(s[e]) >= 0x80)) {
        ++e;
      }
      std::string up = s.substr(i, e - i);
      for (char& ch : up) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
      out.push_back({s.substr(i, e - i), up, i, e, true});
      i = e;
    } else {
      out.push_back({std::string(1, c), std::string(1, c), i, i + 1, false});
      ++i;
    }
  }
  return out;
}

class Reader {
 public:
  explicit Reader(const std::vector<Tok>& t) : t_(t) {}
  bool At(const char* kw, size_t ahead = 0) const { return i_ + ahead < t_.size() && t_[i_ + ahead].upper == kw; }
  bool Eat(const char* kw) {
    if (!At(kw)) return false;
    ++i_;
    return true;
  }
  bool EatSeq(std::initializer_list<const char*> kws) {
    size_t k = 0;
    for (const char* kw : kws) {
      if (!At(kw, k)) return false;
      ++k;
    }
    i_ += k;
    return true;
  }
  // A possibly qualified name, as written.
  bool Name(std::string* out) {
    if (i_ >= t_.size() || !t_[i_].word) return false;
    *out = t_[i_++].raw;
    while (i_ + 1 < t_.size() && t_[i_].raw == "." && t_[i_ + 1].word) {
      *out += "." + t_[i_ + 1].raw;
      i_ += 2;
    }
    return true;
  }
  bool Done() const { return i_ >= t_.size(); }
  size_t pos() const { return i_; }
  void set_pos(size_t p) { i_ = p; }
  const Tok& tok() const { return t_[i_]; }

 private:
  const std::vector<Tok>& t_;
  size_t i_ = 0;
};

// Index of the next top-level `,` (or the end) from `from`.
size_t NextComma(const std::vector<Tok>& t, size_t from) {
  int depth = 0;
  for (size_t i = from; i < t.size(); ++i) {
    if (t[i].raw == "(") ++depth;
    if (t[i].raw == ")") --depth;
    if (depth == 0 && t[i].raw == ",") return i;
  }
  return t.size();
}

bool IsKeywordAfterDrop(const std::string& up) {
  for (const char* k : {"CONSTRAINT", "INDEX", "KEY", "PRIMARY", "FOREIGN", "CHECK", "PARTITION", "DEFAULT",
                        "EXPRESSION", "IDENTITY", "NOT", "SYSTEM", "PERIOD", "TRIGGER"}) {
    if (up == k) return true;
  }
  return false;
}

void AlterTable(Reader& r, const std::vector<Tok>& t, Destruction* d) {
  std::string table;
  while (r.Eat("IF") || r.Eat("EXISTS") || r.Eat("ONLY")) {
  }
  if (!r.Name(&table)) return;
  bool drops = false, types = false;
  size_t i = r.pos();
  while (i < t.size()) {
    const size_t end = NextComma(t, i);
    Reader a(t);
    a.set_pos(i);
    std::string col;
    if (a.Eat("DROP")) {
      if (a.Eat("COLUMN")) {
        a.EatSeq({"IF", "EXISTS"});
        if (a.Name(&col)) d->columns.push_back(col), drops = true;
      } else if (!a.Done() && !IsKeywordAfterDrop(a.tok().upper) && a.Name(&col)) {
        d->columns.push_back(col);
        drops = true;
      }
    } else if (a.Eat("ALTER")) {
      a.Eat("COLUMN");
      if (a.Name(&col) && (a.EatSeq({"SET", "DATA", "TYPE"}) || a.Eat("TYPE"))) {
        d->columns.push_back(col);
        types = true;
      }
    } else if (a.Eat("MODIFY") || a.Eat("CHANGE")) {
      a.Eat("COLUMN");
      a.EatSeq({"IF", "EXISTS"});
      if (a.Name(&col)) d->columns.push_back(col), types = true;
    }
    i = end + 1;
  }
  if (!drops && !types) return;
  d->kind = drops ? Destruction::Kind::kDropColumn : Destruction::Kind::kAlterType;
  d->tables = {table};
}

}  // namespace

std::pair<std::string, std::string> SplitQualified(const std::string& written) {
  // Last dot outside quotes.
  size_t dot = std::string::npos;
  char q = 0;
  for (size_t i = 0; i < written.size(); ++i) {
    const char c = written[i];
    if (q) {
      if (c == q) q = 0;
    } else if (c == '"' || c == '`') {
      q = c;
    } else if (c == '[') {
      q = ']';
    } else if (c == '.') {
      dot = i;
    }
  }
  if (dot == std::string::npos) return {"", written};
  return {written.substr(0, dot), written.substr(dot + 1)};
}

std::string BareName(const std::string& written, bool fold) {
  std::string part = SplitQualified(written).second;
  if (part.size() >= 2 && (part[0] == '"' || part[0] == '`' || part[0] == '[')) {
    const char close = part[0] == '[' ? ']' : part[0];
    std::string out;
    for (size_t i = 1; i + 1 < part.size(); ++i) {
      out += part[i];
      if (part[i] == close && i + 2 < part.size() && part[i + 1] == close) ++i;
    }
    return out;
  }
  if (fold) {
    for (char& c : part) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return part;
}

Destruction RecognizeDestruction(const std::string& text) {
  const std::vector<Tok> t = Lex(text);
  Destruction d;
  Reader r(t);
  std::string name;
  if (r.Eat("ALTER")) {
    while (r.Eat("ONLINE") || r.Eat("IGNORE")) {
    }
    if (r.Eat("TABLE")) AlterTable(r, t, &d);
  } else if (r.Eat("DROP")) {
    if (!r.Eat("TABLE")) return d;
    r.EatSeq({"IF", "EXISTS"});
    while (r.Name(&name)) {
      d.tables.push_back(name);
      if (!r.Eat(",")) break;
    }
    d.cascade = r.Eat("CASCADE");
    if (!d.tables.empty()) d.kind = Destruction::Kind::kDropTable;
  } else if (r.Eat("TRUNCATE")) {
    r.Eat("TABLE");
    r.Eat("ONLY");
    while (r.Name(&name)) {
      d.tables.push_back(name);
      r.Eat("*");
      if (!r.Eat(",")) break;
      r.Eat("ONLY");
    }
    if (!d.tables.empty()) d.kind = Destruction::Kind::kTruncate;
  } else if (r.Eat("DELETE")) {
    if (!r.Eat("FROM") || !r.Name(&name)) return d;
    d.kind = Destruction::Kind::kDelete;
    d.tables = {name};
    if (r.Done()) return d;
    if (!r.Eat("WHERE")) {
      d.unsupported = true;
      return d;
    }
    if (!r.Done()) d.where = text.substr(r.tok().begin);
    for (size_t i = r.pos(); i < t.size(); ++i) {
      if (t[i].upper == "RETURNING" || t[i].upper == "LIMIT" || t[i].upper == "ORDER") d.unsupported = true;
    }
  } else if (r.Eat("UPDATE")) {
    if (!r.Name(&name)) return d;
    d.kind = Destruction::Kind::kUpdate;
    d.tables = {name};
    if (!r.Eat("SET")) {
      d.unsupported = true;
      return d;
    }
    // Assignments up to a top-level WHERE.
    size_t i = r.pos(), where = t.size();
    int depth = 0;
    for (size_t k = i; k < t.size(); ++k) {
      if (t[k].raw == "(") ++depth;
      if (t[k].raw == ")") --depth;
      if (depth != 0) continue;
      if (t[k].upper == "WHERE") {
        where = k;
        break;
      }
      if (t[k].upper == "FROM" || t[k].upper == "RETURNING" || t[k].upper == "LIMIT" || t[k].upper == "ORDER") {
        d.unsupported = true;
      }
    }
    while (i < where) {
      Reader a(t);
      a.set_pos(i);
      std::string col;
      if (!a.Name(&col) || a.Done() || a.tok().raw != "=") {
        d.unsupported = true;
        return d;
      }
      // t.col = ...: keep the column part only.
      const size_t dot = col.rfind('.');
      d.columns.push_back(dot == std::string::npos ? col : col.substr(dot + 1));
      size_t end = NextComma(t, i);
      i = std::min(end, where) + 1;
      if (end > where) break;
    }
    if (where < t.size()) {
      if (where + 1 < t.size()) d.where = text.substr(t[where + 1].begin);
      for (size_t k = where; k < t.size(); ++k) {
        if (t[k].upper == "RETURNING" || t[k].upper == "LIMIT" || t[k].upper == "ORDER") d.unsupported = true;
      }
    }
  }
  return d;
}

}  // namespace dbroll::internal
