#include "engine/preflight.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <initializer_list>

#include "engine/engine_impl.h"
#include "engine/splitter.h"

namespace dbroll::internal {
namespace {

// A problem report stops growing here: the first ones say what to fix.
constexpr size_t kMaxProblems = 20;

struct Token {
  std::string text;  // words upper-case; any other character alone; "'" for a quoted string
  bool word = false;
};

bool IsWordByte(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$' ||
         static_cast<unsigned char>(c) >= 0x80;
}

// The first `max` tokens of a statement, skipping whitespace and comments. In
// MySQL the text of a /*! ... */ comment is code, so it is read as such.
std::vector<Token> Tokens(std::string_view t, Dialect d, size_t max) {
  std::vector<Token> out;
  const bool my = d == Dialect::kMysql;
  size_t i = 0;
  int executable = 0;  // open MySQL /*! comments
  while (i < t.size() && out.size() < max) {
    const char c = t[i];
    const char next = i + 1 < t.size() ? t[i + 1] : '\0';
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
    } else if ((c == '-' && next == '-' &&
                (!my || i + 2 >= t.size() || std::isspace(static_cast<unsigned char>(t[i + 2])))) ||
               (c == '#' && my)) {
      while (i < t.size() && t[i] != '\n') ++i;
    } else if (c == '/' && next == '*') {
      if (my && i + 2 < t.size() && t[i + 2] == '!') {
        i += 3;
        while (i < t.size() && std::isdigit(static_cast<unsigned char>(t[i]))) ++i;
        ++executable;
        continue;
      }
      const bool nests = d == Dialect::kPostgres;
      int level = 0;
      while (i < t.size()) {
        if (t[i] == '/' && i + 1 < t.size() && t[i + 1] == '*' && (nests || level == 0)) {
          ++level;
          i += 2;
        } else if (t[i] == '*' && i + 1 < t.size() && t[i + 1] == '/') {
          i += 2;
          if (--level == 0) break;
        } else {
          ++i;
        }
      }
    } else if (c == '*' && next == '/' && executable > 0) {
      --executable;
      i += 2;
    } else if (c == '\'' || c == '"' || c == '`') {
      const bool backslash = my && c != '`';
      ++i;
      while (i < t.size()) {
        if (backslash && t[i] == '\\') {
          i += 2;
        } else if (t[i] == c) {
          ++i;
          if (i < t.size() && t[i] == c) {
            ++i;
          } else {
            break;
          }
        } else {
          ++i;
        }
      }
      out.push_back(Token{"'", false});
    } else if (IsWordByte(c)) {
      const size_t b = i;
      while (i < t.size() && IsWordByte(t[i])) ++i;
      std::string w(t.substr(b, i - b));
      for (char& ch : w) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
      out.push_back(Token{std::move(w), true});
    } else {
      out.push_back(Token{std::string(1, c), false});
      ++i;
    }
  }
  return out;
}

enum class Kind { kBegin, kCommit, kRollback, kSavepoint, kAutocommit, kXa };

// MySQL: SET ... autocommit = ... (a system variable, not a user's @autocommit).
bool SetsAutocommit(const std::vector<Token>& t) {
  for (size_t i = 1; i + 1 < t.size(); ++i) {
    if (!t[i].word || t[i].text != "AUTOCOMMIT") continue;
    const bool user_variable = t[i - 1].text == "@" && !(i >= 2 && t[i - 2].text == "@");
    const bool assigned = t[i + 1].text == "=" || t[i + 1].text == ":";
    if (assigned && !user_variable) return true;
  }
  return false;
}

std::string Reason(Kind kind, const std::string& kw, bool in_transaction) {
  if (!in_transaction) {
    return kw +
           " in a file that dbroll runs statement by statement: dbroll records its progress after each "
           "statement on the same connection, so a transaction begun, committed or rolled back by the file "
           "would carry or drop that record, and a resumed run could repeat or skip work";
  }
  switch (kind) {
    case Kind::kBegin:
      return kw +
             " starts a transaction inside the one dbroll runs this migration in (MySQL commits dbroll's "
             "there), so the file and its history row no longer commit as one";
    case Kind::kCommit:
      return kw +
             " commits the transaction dbroll runs this migration in part-way: if a later statement fails, "
             "what ran before it stays applied with no history row";
    case Kind::kRollback:
      return kw +
             " rolls back the transaction dbroll runs this migration in part-way: what ran before it is "
             "undone, yet the rest of the file and the history row would still be written";
    case Kind::kSavepoint:
      return kw +
             " works on savepoints of the transaction dbroll owns: a ROLLBACK TO would undo part of a "
             "migration that the history records as applied";
    case Kind::kAutocommit:
      return kw + " changes when the server commits, dbroll's own history writes included, so the history "
                  "could disagree with the database";
    case Kind::kXa:
      return kw + ": an XA transaction cannot run inside the transaction dbroll runs this migration in";
  }
  return kw;
}

bool OneOf(const std::string& w, std::initializer_list<const char*> words) {
  return std::any_of(words.begin(), words.end(), [&](const char* k) { return w == k; });
}

std::string At(const Statement& s, size_t offset_in_text) {
  int line = s.line, col = s.column;
  if (offset_in_text > 0) {
    int rl = 1, rc = 1;
    LineColumnAt(s.text, offset_in_text, &rl, &rc);
    if (rl == 1) {
      col = s.column + rc - 1;
    } else {
      line = s.line + rl - 1;
      col = rc;
    }
  }
  return s.path + ":" + std::to_string(line) + ":" + std::to_string(col) + ": ";
}

std::string FileAt(const Script& script, size_t offset) {
  int line = 1, col = 1;
  LineColumnAt(script.text, offset, &line, &col);
  return script.path + ":" + std::to_string(line) + ":" + std::to_string(col) + ": ";
}

size_t Chars(std::string_view s) {
  return static_cast<size_t>(
      std::count_if(s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

// `v` for a message: at most 40 characters, bytes that are not UTF-8 as \xHH.
std::string Shown(const std::string& v) {
  std::string out;
  size_t i = 0, chars = 0;
  while (i < v.size() && chars < 40) {
    const size_t bad = FindInvalidUtf8(std::string_view(v).substr(i, 4));
    const unsigned char c = static_cast<unsigned char>(v[i]);
    if (bad == 0 || c < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02X", c);
      out += buf;
      ++i;
    } else {
      size_t len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
      out += v.substr(i, len);
      i += len;
    }
    ++chars;
  }
  if (i < v.size()) out += "...";
  return "\"" + out + "\"";
}

const char* DatabaseName(Dialect d) {
  switch (d) {
    case Dialect::kPostgres: return "PostgreSQL";
    case Dialect::kMysql: return "MariaDB/MySQL";
    case Dialect::kSqlite: return "SQLite";
  }
  return "the database";
}

const char* WhyUtf8(Dialect d) {
  return d == Dialect::kMysql
             ? "the connection speaks utf8mb4 and the history stores scripts in utf8mb4 columns"
             : "the server's encoding is not SQL_ASCII, so it rejects bytes that are not UTF-8";
}

class Checker {
 public:
  Checker(const Driver& driver, bool down) : driver_(driver), down_(down) {}

  // NUL bytes always; bytes that are not UTF-8 where the database needs UTF-8.
  bool Bytes(const Script& s) {
    if (size_t at = FindNul(s.text); at != std::string_view::npos) {
      return Add(Code::kInvalidArgument,
                 FileAt(s, at) +
                     "NUL byte (0x00) in the file -- the database would cut the SQL there and run only what "
                     "comes before it; remove it (a file saved as UTF-16 is full of them: save it as UTF-8)");
    }
    if (!driver_.RequiresUtf8()) return true;
    if (size_t at = FindInvalidUtf8(s.text); at != std::string_view::npos) {
      char byte[8];
      std::snprintf(byte, sizeof byte, "0x%02X", static_cast<unsigned char>(s.text[at]));
      return Add(Code::kInvalidArgument, FileAt(s, at) + "byte " + byte + " is not valid UTF-8 -- " +
                                             DatabaseName(driver_.dialect()) + " needs UTF-8 here (" +
                                             WhyUtf8(driver_.dialect()) + "); save the file as UTF-8");
    }
    return true;
  }

  // Everything a run of `s` needs: bytes, split, transaction control, the
  // no-transaction rule, syntax.
  void Runnable(const Script& s, bool resume) {
    if (!Bytes(s)) return;
    auto split = SplitStatements(s.path, s.text, driver_.dialect());
    if (!split.ok()) {
      (void)Add(split.status().code(), split.status().message());
      return;
    }
    const std::vector<Statement> stmts = RunnableStatements(s, std::move(split).value(), driver_.dialect());
    const bool in_tx = !resume && RunsInOneTransaction(s, stmts, driver_.TransactionalDdl());
    if (!s.directives.no_transaction) {
      if (auto step = FindStepOut(stmts, driver_.dialect())) {
        const TransactionControl tc = StepOutProblem(stmts[step->commit], stmts[step->begin]);
        (void)Add(Code::kInvalidArgument, At(stmts[step->commit], 0) + tc.reason + " -- " + tc.fix);
        return;
      }
    }
    bool bad = false;
    for (const auto& st : stmts) {
      if (auto tc = FindTransactionControl(st, driver_.dialect(), in_tx)) {
        bad = true;
        if (!Add(Code::kInvalidArgument, At(st, 0) + tc->reason + " -- " + tc->fix)) return;
      } else if (in_tx) {
        if (auto why = NonTransactionalReason(driver_, st)) {
          bad = true;
          if (!Add(Code::kInvalidArgument, At(st, 0) + *why +
                                                " cannot run inside a transaction -- add `-- dbroll:no-transaction` "
                                                "at the top of " +
                                                s.path)) {
            return;
          }
        }
      }
    }
    if (bad) return;
    Status syntax = driver_.CheckSyntax(stmts);
    if (syntax.ok()) return;
    std::string where;
    if (auto i = syntax.statement_index(); i && *i >= 0 && static_cast<size_t>(*i) < stmts.size()) {
      where = At(stmts[*i], syntax.position().value_or(0));
    }
    std::string msg = where + syntax.message();
    if (!syntax.sqlstate().empty() && msg.find(syntax.sqlstate()) == std::string::npos) {
      msg += " (SQLSTATE " + syntax.sqlstate() + ")";
    }
    msg += down_ ? " -- fix the down script and roll back again" : " -- fix the migration and migrate again";
    (void)Add(Code::kMigrationFailed, msg, syntax.sqlstate(), "the database was not changed");
  }

  // A value the history stores in a column of `limit` characters.
  bool Value(const std::string& what, const std::string& value, size_t limit, const std::string& column,
             const std::string& fix) {
    if (driver_.RequiresUtf8()) {
      if (size_t at = FindInvalidUtf8(value); at != std::string::npos) {
        return Add(Code::kInvalidArgument, what + " " + Shown(value) + " is not valid UTF-8 (byte " +
                                               std::to_string(at + 1) + ") -- " + DatabaseName(driver_.dialect()) +
                                               " stores it in " + column + " as UTF-8; " + fix);
      }
    }
    const size_t n = Chars(value);
    if (n <= limit) return true;
    return Add(Code::kInvalidArgument, what + " " + Shown(value) + " is " + std::to_string(n) +
                                           " characters long, but the history column " + column + " holds " +
                                           std::to_string(limit) + " -- " + fix);
  }

  Status Result() const {
    if (problems_.empty()) return Status::Ok();
    std::string msg;
    for (const auto& p : problems_) msg += (msg.empty() ? "" : "\n") + p;
    if (dropped_ > 0) msg += "\n... and " + std::to_string(dropped_) + " more problems";
    Status s(code_, msg);
    s.set_sqlstate(sqlstate_);
    return s;
  }

 private:
  // Records a problem; false when the report is full (stop looking).
  bool Add(Code code, const std::string& message, const std::string& sqlstate = "", std::string state = "") {
    if (state.empty()) state = down_ ? "nothing was rolled back" : "nothing was applied";
    if (problems_.size() >= kMaxProblems) {
      ++dropped_;
      return false;
    }
    if (problems_.empty()) {
      code_ = code;
      sqlstate_ = sqlstate;
    }
    problems_.push_back(message + "; " + state);
    return true;
  }

  const Driver& driver_;
  bool down_;
  std::vector<std::string> problems_;
  size_t dropped_ = 0;
  Code code_ = Code::kOk;
  std::string sqlstate_;
};

}  // namespace

std::optional<TransactionControl> FindTransactionControl(const Statement& s, Dialect dialect,
                                                         bool in_transaction) {
  const bool pg = dialect == Dialect::kPostgres;
  const bool my = dialect == Dialect::kMysql;
  const std::vector<Token> t = Tokens(s.text, dialect, my ? 64 : 8);
  if (t.empty() || !t[0].word) return std::nullopt;
  auto w = [&](size_t i) { return i < t.size() && t[i].word ? t[i].text : std::string(); };
  std::string kw = w(0);
  size_t i = 1;
  auto take = [&](std::initializer_list<const char*> words) {
    while (i < t.size() && OneOf(w(i), words)) kw += " " + w(i++);
  };
  Kind kind = Kind::kBegin;
  const std::string first = w(0);
  if (first == "BEGIN") {
    // PostgreSQL's SQL-standard function body and MariaDB's anonymous block
    // are compound statements, not transactions.
    if (pg && w(1) == "ATOMIC") return std::nullopt;
    if (my && w(1) == "NOT" && w(2) == "ATOMIC") return std::nullopt;
    kind = Kind::kBegin;
    take({"WORK", "TRANSACTION", "DEFERRED", "IMMEDIATE", "EXCLUSIVE"});
  } else if (first == "START" && w(1) == "TRANSACTION") {
    kind = Kind::kBegin;
    take({"TRANSACTION"});
  } else if (first == "COMMIT" || (first == "END" && !my)) {
    // END is PostgreSQL's and SQLite's COMMIT; in MySQL only a body has one.
    kind = Kind::kCommit;
    take({"WORK", "TRANSACTION", "PREPARED", "AND", "NO", "CHAIN", "RELEASE"});
  } else if (first == "ROLLBACK" || (first == "ABORT" && pg)) {
    kind = Kind::kRollback;
    take({"WORK", "TRANSACTION", "PREPARED"});
    if (w(i) == "TO") {
      kind = Kind::kSavepoint;
      take({"TO"});
      take({"SAVEPOINT"});
    } else {
      take({"AND", "NO", "CHAIN", "RELEASE"});
    }
  } else if (first == "SAVEPOINT") {
    kind = Kind::kSavepoint;
  } else if (first == "RELEASE" && (!my || w(1) == "SAVEPOINT")) {
    kind = Kind::kSavepoint;
    take({"SAVEPOINT"});
  } else if (first == "PREPARE" && pg && w(1) == "TRANSACTION") {
    kind = Kind::kCommit;
    take({"TRANSACTION"});
  } else if (first == "XA" && my) {
    kind = Kind::kXa;
    if (!w(1).empty()) kw += " " + w(1);
  } else if (first == "SET" && my && SetsAutocommit(t)) {
    kind = Kind::kAutocommit;
    kw = "SET autocommit";
  } else {
    return std::nullopt;
  }
  TransactionControl tc;
  tc.keyword = kw;
  tc.reason = Reason(kind, kw, in_transaction);
  tc.fix = in_transaction
               ? "remove it: dbroll runs the file in one transaction and commits it together with its history "
                 "row (`-- dbroll:no-transaction` at the top runs the file statement by statement instead, "
                 "still without transaction control)"
               : "remove it, and put work that must commit as one into its own migration that dbroll runs in "
                 "a transaction (no `-- dbroll:no-transaction`; on MySQL, no DDL)";
  return tc;
}

std::optional<std::string> AddEnumValueOutsideTransaction(const Statement& s, Dialect dialect, int major) {
  if (dialect != Dialect::kPostgres || major == 0 || major >= kPgAddValueInTransactionSince) return std::nullopt;
  const std::vector<Token> t = Tokens(s.text, dialect, 10);
  if (t.size() < 4 || t[0].text != "ALTER" || t[1].text != "TYPE") return std::nullopt;
  for (size_t i = 2; i + 1 < t.size(); ++i) {
    if (t[i].word && t[i].text == "ADD" && t[i + 1].text == "VALUE") {
      return "ALTER TYPE ... ADD VALUE on PostgreSQL " + std::to_string(major) + " (before " +
             std::to_string(kPgAddValueInTransactionSince) + ")";
    }
  }
  return std::nullopt;
}

int ServerMajorVersion(const std::string& server_version) {
  size_t i = 0;
  while (i < server_version.size() && !std::isdigit(static_cast<unsigned char>(server_version[i]))) ++i;
  int major = 0;
  for (; i < server_version.size() && std::isdigit(static_cast<unsigned char>(server_version[i])); ++i) {
    if (major > 100000) return 0;
    major = major * 10 + (server_version[i] - '0');
  }
  return major;
}

std::optional<std::string> NonTransactionalReason(const Driver& driver, const Statement& s) {
  if (auto why = driver.NonTransactionalReason(s)) return why;
  if (driver.dialect() != Dialect::kPostgres) return std::nullopt;
  return AddEnumValueOutsideTransaction(s, driver.dialect(), ServerMajorVersion(driver.ServerVersion()));
}

namespace {
// Whether `s` is exactly a COMMIT (`commit`) or a BEGIN, with no option that
// would make it more than leaving or re-entering a transaction.
bool IsBare(const Statement& s, Dialect dialect, bool commit) {
  const std::vector<Token> t = Tokens(s.text, dialect, 4);
  if (t.empty() || !t[0].word) return false;
  size_t i = 1;
  if (commit) {
    if (t[0].text != "COMMIT" && (t[0].text != "END" || dialect == Dialect::kMysql)) return false;
  } else if (t[0].text == "START") {
    if (t.size() < 2 || t[1].text != "TRANSACTION") return false;
    i = 2;
  } else if (t[0].text != "BEGIN") {
    return false;
  }
  if (i < t.size() && t[i].word && (t[i].text == "WORK" || t[i].text == "TRANSACTION")) ++i;
  return i == t.size();
}
}  // namespace

std::optional<StepOut> FindStepOut(const std::vector<Statement>& statements, Dialect dialect) {
  if (statements.size() < 3) return std::nullopt;
  if (!IsBare(statements.front(), dialect, true) || !IsBare(statements.back(), dialect, false)) return std::nullopt;
  return StepOut{0, statements.size() - 1};
}

TransactionControl StepOutProblem(const Statement& commit, const Statement& begin) {
  TransactionControl tc;
  tc.keyword = "COMMIT ... BEGIN";
  tc.reason = "this COMMIT and the BEGIN at line " + std::to_string(begin.line) +
              " step out of the transaction dbroll runs this migration in, to run what is between them outside it";
  tc.fix = "add `-- dbroll:no-transaction` at the top of " + commit.path +
           ": dbroll then runs the file statement by statement and skips that COMMIT and BEGIN";
  return tc;
}

std::vector<Statement> RunnableStatements(const Script& script, std::vector<Statement> statements, Dialect dialect) {
  if (!script.directives.no_transaction) return statements;
  auto step = FindStepOut(statements, dialect);
  if (!step) return statements;
  statements.erase(statements.begin() + static_cast<std::ptrdiff_t>(step->begin));
  statements.erase(statements.begin() + static_cast<std::ptrdiff_t>(step->commit));
  return statements;
}

bool RunsInOneTransaction(const Script& script, const std::vector<Statement>& statements,
                          bool transactional_ddl) {
  if (script.directives.no_transaction) return false;
  if (transactional_ddl) return true;
  return std::none_of(statements.begin(), statements.end(), IsImplicitCommit);
}

size_t FindNul(std::string_view text) { return text.find('\0'); }

size_t FindInvalidUtf8(std::string_view t) {
  const size_t n = t.size();
  size_t i = 0;
  while (i < n) {
    const unsigned char c = static_cast<unsigned char>(t[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t len = 0;
    unsigned char lo = 0x80, hi = 0xBF;  // range of the second byte
    if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      if (c == 0xE0) lo = 0xA0;  // overlong
      if (c == 0xED) hi = 0x9F;  // surrogates
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      if (c == 0xF0) lo = 0x90;  // overlong
      if (c == 0xF4) hi = 0x8F;  // past U+10FFFF
    } else {
      return i;
    }
    if (i + len > n) return i;
    const unsigned char c1 = static_cast<unsigned char>(t[i + 1]);
    if (c1 < lo || c1 > hi) return i;
    for (size_t k = 2; k < len; ++k) {
      if ((static_cast<unsigned char>(t[i + k]) & 0xC0) != 0x80) return i;
    }
    i += len;
  }
  return std::string_view::npos;
}

size_t Utf8BomLength(std::string_view text) { return text.substr(0, 3) == "\xEF\xBB\xBF" ? 3 : 0; }

Status CheckUpPlan(const std::vector<PlannedUp>& plan, const Driver& driver, const std::string& release,
                   const std::string& applied_by) {
  Checker c(driver, /*down=*/false);
  if (!release.empty() &&
      !c.Value("--release", release, kMaxNameChars, "release_tag", "use a shorter release tag")) {
    return c.Result();
  }
  if (!plan.empty() &&
      !c.Value("applied_by", applied_by, kMaxNameChars, "applied_by", "set a shorter applied_by in the config")) {
    return c.Result();
  }
  for (const PlannedUp& p : plan) {
    const Migration& m = *p.migration;
    const std::string where = m.up.path + ": ";
    if (!c.Value(where + "version", m.version, kMaxVersionChars, "version", "rename its directory") ||
        !c.Value(where + "migration name", m.name, kMaxNameChars, "name", "rename its directory")) {
      break;
    }
    c.Runnable(m.up, p.resume);
    // The down script is stored with the history row, so it must be storable.
    if (m.down) (void)c.Bytes(*m.down);
  }
  return c.Result();
}

Status CheckDownPlan(const std::vector<PlannedDown>& plan, const Driver& driver, const std::string& release) {
  Checker c(driver, /*down=*/true);
  if (!release.empty() && !c.Value("--release", release, kMaxNameChars, "release_tag", "use a shorter release tag")) {
    return c.Result();
  }
  for (const PlannedDown& p : plan) c.Runnable(*p.script, p.resume);
  return c.Result();
}

}  // namespace dbroll::internal
