#include "engine/intent.h"

#include <algorithm>
#include <cctype>

namespace dbroll::internal {
namespace {

struct Token {
  std::string text;   // identifier without quotes, or one punctuation character
  std::string upper;  // keyword form; "" for quoted identifiers
};

// Words, quoted identifiers and punctuation; comments and strings skipped.
// A qualified name a.b becomes b.
std::vector<Token> Tokens(const std::string& s, Dialect d) {
  std::vector<Token> out;
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
      i = s.find('\'', i + 1);
      if (i == std::string::npos) break;
      ++i;
    } else if (c == '"' || c == '`') {
      size_t e = s.find(c, i + 1);
      if (e == std::string::npos) break;
      out.push_back({s.substr(i + 1, e - i - 1), ""});
      i = e + 1;
    } else if (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$') {
      size_t e = i;
      while (e < s.size() && (std::isalnum(static_cast<unsigned char>(s[e])) || s[e] == '_' || s[e] == '$')) ++e;
      std::string w = s.substr(i, e - i), up = w;
      for (char& ch : up) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
      if (d == Dialect::kPostgres) {
        for (char& ch : w) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      }
      out.push_back({w, up});
      i = e;
    } else {
      out.push_back({std::string(1, c), std::string(1, c)});
      ++i;
    }
  }
  // Keep the last part of qualified names.
  std::vector<Token> merged;
  for (size_t k = 0; k < out.size(); ++k) {
    if (out[k].text == "." && !merged.empty() && k + 1 < out.size()) {
      merged.back() = out[++k];
      continue;
    }
    merged.push_back(out[k]);
  }
  return merged;
}

class Cursor {
 public:
  explicit Cursor(std::vector<Token> t) : t_(std::move(t)) {}
  bool At(const char* kw) const { return i_ < t_.size() && t_[i_].upper == kw; }
  bool Eat(const char* kw) {
    if (!At(kw)) return false;
    ++i_;
    return true;
  }
  void Skip(std::initializer_list<const char*> kws) {
    for (bool again = true; again;) {
      again = false;
      for (const char* k : kws) again = again || Eat(k);
    }
  }
  bool Name(std::string* out) {
    if (i_ >= t_.size()) return false;
    const Token& t = t_[i_];
    const bool word =
        !t.text.empty() && (std::isalnum(static_cast<unsigned char>(t.text[0])) || t.text[0] == '_' || t.upper.empty());
    if (!word) return false;
    *out = t.text;
    ++i_;
    return true;
  }
  bool Done() const { return i_ >= t_.size(); }
  const std::vector<Token>& all() const { return t_; }

 private:
  std::vector<Token> t_;
  size_t i_ = 0;
};

}  // namespace

std::vector<std::string> TargetObjects(const std::string& text, Dialect dialect) {
  Cursor c(Tokens(text, dialect));
  std::vector<std::string> names;
  std::string n;
  if (c.Eat("CREATE")) {
    c.Skip({"OR", "REPLACE", "TEMPORARY", "TEMP", "UNLOGGED", "UNIQUE", "FULLTEXT", "SPATIAL", "GLOBAL", "LOCAL"});
    if (c.Eat("TABLE") || c.Eat("VIEW")) {
      c.Skip({"IF", "NOT", "EXISTS"});
      if (c.Name(&n)) names.push_back(n);
    } else if (c.Eat("INDEX")) {
      c.Skip({"CONCURRENTLY", "IF", "NOT", "EXISTS"});
      if (!c.At("ON") && c.Name(&n)) names.push_back(n);
      // MySQL: CREATE INDEX i USING BTREE ON t
      if (c.Eat("USING")) (void)c.Name(&n);
      if (c.Eat("ON")) {
        c.Skip({"ONLY"});
        if (c.Name(&n)) names.push_back(n);
      }
      if (names.empty()) return {};
    }
  } else if (c.Eat("ALTER")) {
    c.Skip({"ONLINE", "IGNORE"});
    if (c.Eat("TABLE") || c.Eat("VIEW")) {
      c.Skip({"IF", "EXISTS", "ONLY"});
      if (c.Name(&n)) names.push_back(n);
      // RENAME [TO|AS] new: the new name too.
      const auto& t = c.all();
      for (size_t i = 0; i + 1 < t.size(); ++i) {
        if (t[i].upper == "RENAME" && (t[i + 1].upper == "TO" || t[i + 1].upper == "AS") && i + 2 < t.size()) {
          names.push_back(t[i + 2].text);
        } else if (t[i].upper == "RENAME" && t[i + 1].upper != "COLUMN" && t[i + 1].upper != "INDEX" &&
                   t[i + 1].upper != "KEY" && t[i + 1].upper != "CONSTRAINT" && dialect == Dialect::kMysql) {
          names.push_back(t[i + 1].text);
        }
      }
    }
  } else if (c.Eat("DROP")) {
    c.Skip({"TEMPORARY"});
    if (c.Eat("TABLE") || c.Eat("VIEW")) {
      c.Skip({"IF", "EXISTS"});
      while (c.Name(&n)) {
        names.push_back(n);
        if (!c.Eat(",")) break;
      }
    } else if (c.Eat("INDEX")) {
      c.Skip({"CONCURRENTLY", "IF", "EXISTS"});
      if (c.Name(&n)) names.push_back(n);
      if (c.Eat("ON") && c.Name(&n)) names.push_back(n);
    }
  } else if (c.Eat("RENAME")) {
    if (c.Eat("TABLE")) {
      while (c.Name(&n)) {
        names.push_back(n);
        if (!c.Eat("TO") && !c.Eat(",")) break;
      }
    }
  } else if (c.Eat("TRUNCATE")) {
    c.Skip({"TABLE", "ONLY"});
    if (c.Name(&n)) names.push_back(n);
  }
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  return names;
}

FingerprintScope ScopeFor(const std::string& text, Dialect dialect) {
  if (TargetObjects(text, dialect).empty()) return FingerprintScope::kStructure;
  Cursor c(Tokens(text, dialect));
  if (c.Eat("CREATE")) {
    c.Skip({"OR", "REPLACE", "TEMPORARY", "TEMP", "UNLOGGED", "GLOBAL", "LOCAL"});
    if (c.At("TABLE") || c.At("VIEW")) return FingerprintScope::kExistence;
  } else if (c.Eat("DROP")) {
    c.Skip({"TEMPORARY"});
    if (c.At("TABLE") || c.At("VIEW")) return FingerprintScope::kExistence;
  } else if (c.Eat("RENAME")) {
    if (c.At("TABLE")) return FingerprintScope::kExistence;
  }
  return FingerprintScope::kStructure;
}

std::optional<ConcurrentIndex> ParseCreateIndexConcurrently(const std::string& text) {
  Cursor c(Tokens(text, Dialect::kPostgres));
  if (!c.Eat("CREATE")) return std::nullopt;
  c.Eat("UNIQUE");
  if (!c.Eat("INDEX") || !c.Eat("CONCURRENTLY")) return std::nullopt;
  c.Skip({"IF", "NOT", "EXISTS"});
  ConcurrentIndex out;
  if (!c.At("ON") && !c.Name(&out.name)) return std::nullopt;
  if (!c.Eat("ON")) return std::nullopt;
  c.Skip({"ONLY"});
  if (!c.Name(&out.table)) return std::nullopt;
  return out;
}

}  // namespace dbroll::internal
