// MySQL/MariaDB and SQLite: no parser library covers their grammars, so a
// dialect-correct tokenizer feeds a recogniser for the statements the rules
// need. Anything it does not know is reported, never passed silently.
#include <algorithm>
#include <cctype>
#include <string_view>

#include "lint/facts.h"

namespace dbroll::lint {
namespace {

struct Token {
  enum Kind { kWord, kQuotedName, kString, kNumber, kPunct } kind;
  std::string text;  // words upper-case; names lower-case and unquoted; strings unquoted
};

bool WordChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$' ||
         static_cast<unsigned char>(c) >= 0x80;
}

// Comments vanish, except MySQL's executable `/*! ... */` whose body is SQL
// the server runs. Block comments do not nest in either dialect.
std::vector<Token> Tokenize(std::string_view s, Dialect d) {
  std::vector<Token> out;
  const bool my = d == Dialect::kMysql;
  size_t i = 0;
  const size_t n = s.size();
  while (i < n) {
    const char c = s[i];
    if (std::isspace(static_cast<unsigned char>(c))) { ++i; continue; }
    if ((c == '-' && i + 1 < n && s[i + 1] == '-' &&
         (!my || i + 2 >= n || std::isspace(static_cast<unsigned char>(s[i + 2])))) ||
        (c == '#' && my)) {
      while (i < n && s[i] != '\n') ++i;
      continue;
    }
    if (c == '/' && i + 1 < n && s[i + 1] == '*') {
      if (my && i + 2 < n && (s[i + 2] == '!' || s[i + 2] == '+')) {
        i += 3;
        while (i < n && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
        continue;  // the body is tokenized; its closing */ is skipped below
      }
      const size_t e = s.find("*/", i + 2);
      i = e == std::string_view::npos ? n : e + 2;
      continue;
    }
    if (c == '*' && my && i + 1 < n && s[i + 1] == '/') { i += 2; continue; }
    if (c == '\'' || c == '"' || c == '`' || (c == '[' && d == Dialect::kSqlite)) {
      const char close = c == '[' ? ']' : c;
      const bool backslash = my && c != '`';
      std::string v;
      ++i;
      while (i < n) {
        if (backslash && s[i] == '\\' && i + 1 < n) { v += s[i + 1]; i += 2; continue; }
        if (s[i] == close) {
          if (close != ']' && i + 1 < n && s[i + 1] == close) { v += close; i += 2; continue; }
          ++i;
          break;
        }
        v += s[i++];
      }
      const bool is_string = c == '\'' || (c == '"' && my);
      out.push_back({is_string ? Token::kString : Token::kQuotedName, is_string ? v : Lower(v)});
      continue;
    }
    if (WordChar(c)) {
      const size_t b = i;
      while (i < n && WordChar(s[i])) ++i;
      std::string w(s.substr(b, i - b));
      const bool num = std::isdigit(static_cast<unsigned char>(w[0]));
      for (char& ch : w) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
      out.push_back({num ? Token::kNumber : Token::kWord, w});
      continue;
    }
    out.push_back({Token::kPunct, std::string(1, c)});
    ++i;
  }
  return out;
}

class Recognizer {
 public:
  Recognizer(StatementFacts* f, Dialect d) : f_(f), d_(d), t_(Tokenize(f->stmt.text, d)) {}

  void Run() {
    if (t_.empty()) return;
    const std::string w = Word(0);
    if (w == "CREATE") return Create();
    if (w == "DROP") return Drop();
    if (w == "ALTER") return Alter();
    if (w == "RENAME") return RenameTables(2);
    if (w == "TRUNCATE") return Add(Make(OpKind::kTruncate, "table", NameAt(Is(1, "TABLE") ? 2 : 1)));
    if (w == "DELETE" || w == "UPDATE") {
      Op op = Make(w == "DELETE" ? OpKind::kDelete : OpKind::kUpdate, "table", "");
      size_t i = 1;
      while (i < t_.size() && (IsWord(i, "LOW_PRIORITY") || IsWord(i, "QUICK") || IsWord(i, "IGNORE") ||
                               IsWord(i, "FROM") || IsWord(i, "OR"))) {
        i += IsWord(i, "OR") ? 2 : 1;
      }
      op.table = NameAt(i);
      op.has_where = HasTopLevel("WHERE");
      return Add(std::move(op));
    }
    if (w == "INSERT" || w == "REPLACE") return Add(Make(OpKind::kInsert, "table", ""));
    if (w == "START" || w == "BEGIN" || w == "COMMIT" || w == "ROLLBACK" || w == "END" ||
        w == "SAVEPOINT" || w == "RELEASE") {
      Op op = Make(OpKind::kTransactionControl, "", "");
      op.name = Lower(w);
      return Add(std::move(op));
    }
    if (w == "SET") {
      for (const auto& tok : t_) {
        if (tok.text == "LOCK_WAIT_TIMEOUT" || tok.text == "INNODB_LOCK_WAIT_TIMEOUT") {
          return Add(Make(OpKind::kSetLockTimeout, "", ""));
        }
      }
      return Add(Make(OpKind::kOther, "", ""));
    }
    static const char* kUnderstood[] = {"SELECT", "WITH", "PRAGMA", "ANALYZE", "VACUUM", "REINDEX",
                                        "GRANT", "REVOKE", "CALL", "DO", "USE", "LOCK", "UNLOCK",
                                        "OPTIMIZE", "FLUSH", "VALUES", "EXPLAIN", "ATTACH", "DETACH"};
    for (const char* k : kUnderstood) {
      if (w == k) return Add(Make(OpKind::kOther, "", ""));
    }
    f_->parsed = false;
    f_->parse_error = "statement starting with " + (t_[0].kind == Token::kWord ? w : "\"" + t_[0].text + "\"") +
                      " is not recognised";
  }

 private:
  std::string Word(size_t i) const { return i < t_.size() && t_[i].kind == Token::kWord ? t_[i].text : ""; }
  bool IsWord(size_t i, const char* w) const { return Word(i) == w; }
  bool Is(size_t i, const char* w) const { return IsWord(i, w); }
  bool IsPunct(size_t i, char c) const {
    return i < t_.size() && t_[i].kind == Token::kPunct && t_[i].text[0] == c;
  }
  // Name at i, skipping a `schema.` qualifier; advances past it when `next` is given.
  std::string NameAt(size_t i, size_t* next = nullptr) const {
    if (i >= t_.size()) return "";
    std::string name = t_[i].kind == Token::kWord ? Lower(t_[i].text) : t_[i].text;
    ++i;
    while (IsPunct(i, '.') && i + 1 < t_.size()) {
      name = t_[i + 1].kind == Token::kWord ? Lower(t_[i + 1].text) : t_[i + 1].text;
      i += 2;
    }
    if (next) *next = i;
    return name;
  }
  size_t SkipIfExists(size_t i) const {
    if (IsWord(i, "IF") && IsWord(i + 1, "EXISTS")) return i + 2;
    if (IsWord(i, "IF") && IsWord(i + 1, "NOT") && IsWord(i + 2, "EXISTS")) return i + 3;
    return i;
  }
  bool HasTopLevel(const char* word) const {
    int depth = 0;
    for (const auto& tok : t_) {
      if (tok.kind == Token::kPunct) depth += tok.text == "(" ? 1 : tok.text == ")" ? -1 : 0;
      if (depth == 0 && tok.kind == Token::kWord && tok.text == word) return true;
    }
    return false;
  }
  Op Make(OpKind kind, const char* type, std::string table) const {
    Op op;
    op.kind = kind;
    op.object_type = type;
    op.table = std::move(table);
    return op;
  }
  void Add(Op op) { f_->ops.push_back(std::move(op)); }

  // Top-level comma-separated items between [b, e).
  std::vector<std::pair<size_t, size_t>> Items(size_t b, size_t e) const {
    std::vector<std::pair<size_t, size_t>> out;
    int depth = 0;
    size_t start = b;
    for (size_t i = b; i < e; ++i) {
      if (IsPunct(i, '(')) ++depth;
      if (IsPunct(i, ')')) --depth;
      if (depth == 0 && IsPunct(i, ',')) {
        out.emplace_back(start, i);
        start = i + 1;
      }
    }
    if (start < e) out.emplace_back(start, e);
    return out;
  }
  std::string Text(size_t b, size_t e) const {
    std::string s;
    for (size_t i = b; i < e; ++i) {
      const bool tight = t_[i].kind == Token::kPunct || (i > b && t_[i - 1].kind == Token::kPunct &&
                                                         t_[i - 1].text != ",");
      if (!s.empty() && !tight) s += ' ';
      s += t_[i].kind == Token::kString ? "'" + t_[i].text + "'" : Lower(t_[i].text);
    }
    return s;
  }
  // Column definition at [b, e): name, type text, NOT NULL, DEFAULT, enum labels.
  void ColumnDef(size_t b, size_t e, Op* op) const {
    op->name = NameAt(b);
    size_t type_end = b + 1;
    int depth = 0;
    while (type_end < e) {
      if (IsPunct(type_end, '(')) ++depth;
      if (IsPunct(type_end, ')')) --depth;
      const std::string w = Word(type_end);
      if (depth == 0 && (w == "NOT" || w == "NULL" || w == "DEFAULT" || w == "PRIMARY" || w == "UNIQUE" ||
                         w == "AUTO_INCREMENT" || w == "AUTOINCREMENT" || w == "REFERENCES" ||
                         w == "CHECK" || w == "COLLATE" || w == "COMMENT" || w == "GENERATED" ||
                         w == "AS" || w == "CHARACTER" || w == "CHARSET" || w == "CONSTRAINT" ||
                         w == "FIRST" || w == "AFTER" || w == "ON")) {
        break;
      }
      ++type_end;
    }
    op->type = Text(b + 1, type_end);
    if (IsWord(b + 1, "ENUM") || IsWord(b + 1, "SET")) {
      for (size_t i = b + 2; i < type_end; ++i) {
        if (t_[i].kind == Token::kString) op->values.push_back(t_[i].text);
      }
    }
    for (size_t i = type_end; i < e; ++i) {
      const std::string w = Word(i);
      if (w == "NOT" && IsWord(i + 1, "NULL")) op->not_null = true;
      if (w == "PRIMARY") op->not_null = true;
      if (w == "DEFAULT") op->has_default = true;
      if (w == "AUTO_INCREMENT" || w == "AUTOINCREMENT" || w == "GENERATED" || w == "AS") op->generated = true;
      if (w == "REFERENCES") {
        Op con = Make(OpKind::kAddConstraint, "constraint", op->table);
        con.constraint = "foreign";
        extra_.push_back(con);
      }
    }
  }
  static bool IsConstraintWord(const std::string& w) {
    return w == "CONSTRAINT" || w == "PRIMARY" || w == "UNIQUE" || w == "KEY" || w == "INDEX" ||
           w == "FOREIGN" || w == "CHECK" || w == "FULLTEXT" || w == "SPATIAL" || w == "PERIOD";
  }

  void Create() {
    size_t i = 1;
    if (IsWord(i, "OR") && IsWord(i + 1, "REPLACE")) i += 2;
    while (IsWord(i, "TEMPORARY") || IsWord(i, "TEMP") || IsWord(i, "UNIQUE") || IsWord(i, "FULLTEXT") ||
           IsWord(i, "SPATIAL") || IsWord(i, "ONLINE") || IsWord(i, "VIRTUAL") || IsWord(i, "ALGORITHM") ||
           IsWord(i, "DEFINER") || IsWord(i, "SQL") || IsWord(i, "SECURITY") || IsPunct(i, '=') ||
           IsPunct(i, '@') || (i > 1 && (IsWord(i - 1, "ALGORITHM") || IsWord(i - 1, "DEFINER") ||
                                         IsPunct(i - 1, '=') || IsPunct(i - 1, '@') ||
                                         IsWord(i - 1, "SECURITY")) && !IsWord(i, "VIEW"))) {
      ++i;
    }
    const std::string what = Word(i);
    size_t after = SkipIfExists(i + 1);
    if (what == "TABLE") {
      size_t next = 0;
      Op op = Make(OpKind::kCreateTable, "table", NameAt(after, &next));
      if (IsPunct(next, '(')) {
        size_t close = next;
        int depth = 0;
        for (; close < t_.size(); ++close) {
          if (IsPunct(close, '(')) ++depth;
          if (IsPunct(close, ')') && --depth == 0) break;
        }
        // A primary key, or a unique key whose columns are all NOT NULL,
        // identifies rows (keep-data restores by it).
        std::set<std::string> not_null;
        std::vector<std::vector<std::string>> unique_keys;
        for (auto [b, e] : Items(next + 1, close)) {
          for (size_t k = b; k < e; ++k) op.declares_key = op.declares_key || IsWord(k, "PRIMARY");
          if (IsConstraintWord(Word(b))) {
            size_t u = b;
            while (u < e && !IsWord(u, "UNIQUE")) ++u;
            size_t open = u;
            while (open < e && !IsPunct(open, '(')) ++open;
            if (u == e || open == e) continue;
            std::vector<std::string> key;
            for (size_t k = open + 1; k < e && !IsPunct(k, ')'); ++k) {
              if (IsPunct(k, '(')) {  // a prefix length: no whole-column key
                key.clear();
                break;
              }
              if (!IsPunct(k, ',')) key.push_back(NameAt(k));
            }
            if (!key.empty()) unique_keys.push_back(key);
            continue;
          }
          Op col;
          ColumnDef(b, e, &col);
          op.columns.push_back(col.name);
          op.column_types.push_back(col.type);
          if (col.not_null) not_null.insert(col.name);
          for (size_t k = b + 1; k < e; ++k) {
            if (IsWord(k, "UNIQUE")) unique_keys.push_back({col.name});
          }
        }
        for (const auto& key : unique_keys) {
          op.declares_key = op.declares_key || std::all_of(key.begin(), key.end(), [&](const std::string& c) {
                              return not_null.count(c) > 0;
                            });
        }
        extra_.clear();
      }
      return Add(std::move(op));
    }
    if (what == "INDEX") {
      Op op = Make(OpKind::kCreateIndex, "index", "");
      size_t next = 0;
      op.name = NameAt(after, &next);
      if (IsWord(next, "ON")) op.table = NameAt(next + 1);
      for (size_t k = next; k < t_.size(); ++k) {
        if (IsWord(k, "LOCK") && k + 1 < t_.size()) op.lock = t_[k + (IsPunct(k + 1, '=') ? 2 : 1)].text;
        if (IsWord(k, "ALGORITHM") && k + 1 < t_.size()) op.algorithm = t_[k + (IsPunct(k + 1, '=') ? 2 : 1)].text;
      }
      return Add(std::move(op));
    }
    if (what == "DATABASE" || what == "SCHEMA") {
      return Add(Make(d_ == Dialect::kMysql ? OpKind::kCreateDatabase : OpKind::kCreateSchema,
                      what == "DATABASE" ? "database" : "schema", NameAt(after)));
    }
    if (what == "VIEW" || what == "TRIGGER" || what == "PROCEDURE" || what == "FUNCTION" || what == "EVENT") {
      return Add(Make(OpKind::kCreateObject, Lower(what).c_str(), NameAt(after)));
    }
    f_->parsed = false;
    f_->parse_error = "CREATE " + what + " is not recognised";
  }

  void Drop() {
    size_t i = 1;
    if (IsWord(i, "TEMPORARY")) ++i;
    const std::string what = Word(i);
    const size_t after = SkipIfExists(i + 1);
    const bool if_exists = after != i + 1;
    if (what == "TABLE" || what == "TABLES") {
      for (auto [b, e] : Items(after, t_.size())) {
        Op op = Make(OpKind::kDropTable, "table", NameAt(b));
        op.if_exists = if_exists;
        op.cascade = HasTopLevel("CASCADE");
        Add(std::move(op));
      }
      return;
    }
    if (what == "INDEX") {
      Op op = Make(OpKind::kDropIndex, "index", "");
      size_t next = 0;
      op.name = NameAt(after, &next);
      op.if_exists = if_exists;
      if (IsWord(next, "ON")) op.table = NameAt(next + 1);
      return Add(std::move(op));
    }
    if (what == "DATABASE" || what == "SCHEMA") {
      Op op = Make(d_ == Dialect::kMysql ? OpKind::kDropDatabase : OpKind::kDropSchema,
                   what == "DATABASE" ? "database" : "schema", NameAt(after));
      op.if_exists = if_exists;
      return Add(std::move(op));
    }
    if (what == "VIEW" || what == "TRIGGER" || what == "PROCEDURE" || what == "FUNCTION" || what == "EVENT") {
      Op op = Make(OpKind::kDropObject, Lower(what).c_str(), NameAt(after));
      op.if_exists = if_exists;
      return Add(std::move(op));
    }
    f_->parsed = false;
    f_->parse_error = "DROP " + what + " is not recognised";
  }

  void RenameTables(size_t i) {
    for (auto [b, e] : Items(i, t_.size())) {
      size_t next = 0;
      Op op = Make(OpKind::kRenameTable, "table", NameAt(b, &next));
      if (IsWord(next, "TO")) op.new_name = NameAt(next + 1);
      Add(std::move(op));
    }
  }

  void Alter() {
    size_t i = 1;
    while (IsWord(i, "ONLINE") || IsWord(i, "IGNORE")) ++i;
    if (!IsWord(i, "TABLE")) {
      const std::string what = Word(i);
      if (what == "DATABASE" || what == "SCHEMA" || what == "VIEW" || what == "EVENT" ||
          what == "FUNCTION" || what == "PROCEDURE" || what == "USER" || what == "DEFINER" ||
          what == "ALGORITHM" || what == "SQL") {
        return Add(Make(OpKind::kOtherDdl, "", ""));
      }
      f_->parsed = false;
      f_->parse_error = "ALTER " + what + " is not recognised";
      return;
    }
    size_t next = 0;
    const std::string table = NameAt(SkipIfExists(i + 1), &next);
    std::string lock, algorithm;
    const size_t first_op = f_->ops.size();
    for (auto [b, e] : Items(next, t_.size())) {
      const std::string w = Word(b);
      if (w == "LOCK" || w == "ALGORITHM") {
        const size_t v = b + (IsPunct(b + 1, '=') ? 2 : 1);
        (w == "LOCK" ? lock : algorithm) = v < t_.size() ? t_[v].text : "";
        Add(Make(OpKind::kOther, "", table));
      } else if (w == "ADD") {
        size_t k = b + 1;
        if (IsWord(k, "COLUMN")) ++k;
        k = SkipIfExists(k);
        const std::string w2 = Word(k);
        if (w2 == "INDEX" || w2 == "KEY" || w2 == "FULLTEXT" || w2 == "SPATIAL") {
          Op op = Make(OpKind::kCreateIndex, "index", table);
          op.name = NameAt(k + 1);
          op.concurrently = true;  // InnoDB builds secondary indexes online
          Add(std::move(op));
        } else if (IsConstraintWord(w2)) {
          size_t c = k;
          if (w2 == "CONSTRAINT") c += IsWord(k + 1, "UNIQUE") || IsWord(k + 1, "CHECK") ||
                                               IsWord(k + 1, "FOREIGN") || IsWord(k + 1, "PRIMARY") ? 1 : 2;
          Op op = Make(OpKind::kAddConstraint, "constraint", table);
          const std::string kw = Word(c);
          op.constraint = kw == "FOREIGN" ? "foreign" : kw == "CHECK" ? "check" : kw == "PRIMARY" ? "primary" : "unique";
          Add(std::move(op));
        } else if (w2 == "PARTITION") {
          Add(Make(OpKind::kOtherDdl, "", table));
        } else if (IsPunct(k, '(')) {
          for (auto [cb, ce] : Items(k + 1, e - 1)) AddColumn(table, cb, ce);
        } else {
          AddColumn(table, k, e);
        }
      } else if (w == "DROP") {
        size_t k = b + 1;
        const std::string w2 = Word(k);
        if (w2 == "INDEX" || w2 == "KEY") {
          Op op = Make(OpKind::kDropIndex, "index", table);
          op.name = NameAt(SkipIfExists(k + 1));
          Add(std::move(op));
        } else if (w2 == "FOREIGN" || w2 == "CONSTRAINT" || w2 == "CHECK" || w2 == "PRIMARY") {
          Add(Make(OpKind::kDropConstraint, "constraint", table));
        } else if (w2 == "PARTITION") {
          Add(Make(OpKind::kOtherDdl, "", table));
        } else {
          if (w2 == "COLUMN") ++k;
          const size_t n = SkipIfExists(k);
          Op op = Make(OpKind::kDropColumn, "column", table);
          op.if_exists = n != k;
          op.name = NameAt(n);
          Add(std::move(op));
        }
      } else if (w == "MODIFY" || w == "CHANGE") {
        size_t k = b + 1;
        if (IsWord(k, "COLUMN")) ++k;
        k = SkipIfExists(k);
        std::string old_name;
        if (w == "CHANGE") old_name = NameAt(k++);
        Op op = Make(OpKind::kAlterColumnType, "column", table);
        ColumnDef(k, e, &op);
        if (w == "CHANGE" && old_name != op.name) {
          Op r = Make(OpKind::kRenameColumn, "column", table);
          r.name = old_name;
          r.new_name = op.name;
          Add(std::move(r));
        }
        extra_.clear();
        Add(std::move(op));
      } else if (w == "RENAME") {
        if (IsWord(b + 1, "COLUMN")) {
          Op op = Make(OpKind::kRenameColumn, "column", table);
          op.name = NameAt(b + 2);
          op.new_name = NameAt(b + 4);
          Add(std::move(op));
        } else if (IsWord(b + 1, "INDEX") || IsWord(b + 1, "KEY")) {
          Add(Make(OpKind::kOtherDdl, "", table));
        } else {
          Op op = Make(OpKind::kRenameTable, "table", table);
          op.new_name = NameAt(b + ((IsWord(b + 1, "TO") || IsWord(b + 1, "AS")) ? 2 : 1));
          Add(std::move(op));
        }
      } else {
        Add(Make(OpKind::kOtherDdl, "", table));
      }
    }
    for (size_t k = first_op; k < f_->ops.size(); ++k) {
      f_->ops[k].lock = lock;
      f_->ops[k].algorithm = algorithm;
    }
  }

  void AddColumn(const std::string& table, size_t b, size_t e) {
    Op op = Make(OpKind::kAddColumn, "column", table);
    ColumnDef(b, e, &op);
    Add(std::move(op));
    for (auto& x : extra_) Add(std::move(x));
    extra_.clear();
  }

  StatementFacts* f_;
  Dialect d_;
  std::vector<Token> t_;
  mutable std::vector<Op> extra_;  // constraints found inside a column definition
};

}  // namespace

void AnalyzeOtherDialect(StatementFacts* facts, Dialect dialect) { Recognizer(facts, dialect).Run(); }

}  // namespace dbroll::lint
