// Property tests of the MySQL/MariaDB and SQLite splitters, which have no
// reference splitter to compare with: a script is built from known statements
// (strings, quoted identifiers, comments, DELIMITER blocks, stored-program and
// trigger bodies) joined by the delimiter and random whitespace and comments,
// and the splitter must return exactly those statements, each with the line
// and column of its first token.
//
// The suite runs a bounded number of scripts with a fixed seed. A longer run
// by hand (script i uses seed DBROLL_FUZZ_SEED + i; a failure prints its seed):
//   DBROLL_FUZZ_ITERATIONS=200000 DBROLL_FUZZ_SEED=7 build/tests/engine/splitter_fuzz_test
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "engine/splitter.h"
#include "tests/engine/splitter_fuzz_util.h"

namespace dbroll::internal {
namespace {

using testing::CountLineColumn;
using testing::FuzzRunFromEnv;
using testing::Rng;

struct Expected {
  std::string text;
  size_t offset;
};

// Builds a script and remembers the statements it should split into.
class ScriptBuilder {
 public:
  void Blank(const std::string& s) { sql_ += s; }
  void Add(const std::string& statement) {
    want_.push_back({statement, sql_.size()});
    sql_ += statement;
  }
  const std::string& sql() const { return sql_; }

  // "" when `dialect` splits the script into exactly the statements added.
  std::string Check(Dialect dialect, uint64_t seed) const {
    auto got = SplitStatements("prop.sql", sql_, dialect);
    std::string want_text, got_text;
    for (const Expected& e : want_) {
      int line = 0, column = 0;
      CountLineColumn(sql_, e.offset, &line, &column);
      want_text += "--- " + std::to_string(line) + ":" + std::to_string(column) + "\n" + e.text + "\n";
    }
    if (got.ok()) {
      for (const Statement& s : got.value()) {
        got_text += "--- " + std::to_string(s.line) + ":" + std::to_string(s.column) + "\n" + s.text + "\n";
      }
    } else {
      got_text = got.status().ToString();
    }
    if (got_text == want_text) return "";
    return std::string("seed ") + std::to_string(seed) + " (" + DialectName(dialect) +
           "): split differs\n--- script ---\n" + sql_ + "\n--- expected ---\n" + want_text +
           "--- got ---\n" + got_text;
  }

 private:
  std::string sql_;
  std::vector<Expected> want_;
};

std::string Join(Rng& rng, const std::vector<std::string>& tokens, const std::vector<std::string>& seps) {
  std::string out;
  for (size_t i = 0; i < tokens.size(); ++i) {
    if (tokens[i].empty()) continue;
    if (!out.empty()) out += rng.OneIn(3) ? rng.Pick(seps) : " ";
    out += tokens[i];
  }
  return out;
}

// ---- MySQL / MariaDB ----

const std::vector<std::string> kMySeps = {
    " ", "\n", "\t", " /* c; 'q' \"d\" `b` */ ", " # c; 'x\n", " -- c; 'x\n", " /* /* not nested; */ ",
    "\n--\n", "\n/* é; */\n"};

class MysqlGen {
 public:
  explicit MysqlGen(Rng& rng) : rng_(rng) {}

  std::string J(const std::vector<std::string>& t) { return Join(rng_, t, kMySeps); }

  std::string Leaf() {
    static const std::vector<std::string> kLeaves = {
        "'a;b'", "'it''s;'", "'it\\'s; ok'", "'back\\\\'", "\"dq;\\\"x\"", "\"a\"\"b;\"", "'--;'",
        "'# ;'", "'/*'", "'é;'", "`a;b`", "`c``d;`", "1", "NULL", "begin", "end", "t.begin",
        "t.end", "x'1F'", "_utf8mb4'x;'", "@v", "1 --1", "'$$'", "'//'"};
    return rng_.Pick(kLeaves);
  }

  std::string Case() {
    if (rng_.OneIn(2)) return J({"CASE", "WHEN", Leaf(), "THEN", Leaf(), "ELSE", Leaf(), "END"});
    return J({"CASE", "x", "WHEN", "1", "THEN", Leaf(), "WHEN", "2", "THEN", Leaf(), "END"});
  }

  std::string Plain() {
    switch (rng_.Below(12)) {
      case 0:
        return J({"CREATE TABLE", "`a;b`", "(", "id INT", ",", "begin INT", ",", "end INT", ",",
                  "note VARCHAR(20)", "DEFAULT", Leaf(), ")"});
      case 1: return J({"CREATE TABLE", "events", "(", "event INT", ",", "begin DATETIME", ",", "end DATETIME", ")"});
      case 2: return J({"INSERT INTO t", "(", "begin", ",", "end", ")", "VALUES", "(", Leaf(), ",", Leaf(), ")"});
      case 3: return J({"SELECT", Leaf(), ",", Leaf(), "AS", "begin", "FROM t", "WHERE", "end", ">", Leaf()});
      case 4: return J({"UPDATE t SET", "begin", "=", Leaf(), ",", "end", "=", Case()});
      case 5: return J({"SELECT", Case(), "AS", "end"});
      case 6: return rng_.OneIn(2) ? "/*!50001 CREATE VIEW v AS SELECT ';' */" : "/*!40101 SET NAMES utf8 */";
      case 7: return J({"SET", "@x", ":=", Leaf()});
      case 8: return J({"CREATE TABLE", "trigger_log", "(", "`trigger` TEXT", ",", "begin INT", ")"});
      case 9: return J({"DROP TRIGGER", "IF EXISTS", "tr"});
      default: {
        static const std::vector<std::string> kTx = {"BEGIN", "BEGIN WORK", "START TRANSACTION", "COMMIT",
                                                     "ROLLBACK", "SELECT 1 --1"};
        return rng_.Pick(kTx);
      }
    }
  }

  // One statement of a stored-program body, without its `;`.
  std::string BodyStatement(int depth) {
    static const std::vector<std::string> kSimple = {
        "SET NEW.begin = NOW()", "SET NEW.end = 'x;'", "SELECT 'x;' INTO @v", "DECLARE begin INT DEFAULT 0",
        "UPDATE t SET begin = 1, end = 2 WHERE id = 1", "DELETE FROM t WHERE end < begin",
        "SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'no; way'", "SELECT begin FROM t", "CALL p(';')",
        "SET @x := 1", "INSERT INTO log (begin, end) VALUES ('a;', \"b;\")", "LEAVE lbl", "ITERATE lbl",
        "RETURN end", "SET v = (SELECT end FROM t LIMIT 1)"};
    if (depth > 2 || rng_.Below(3) > 0) {
      return rng_.OneIn(4) ? J({"SET", "v", "=", Case()}) : J({rng_.Pick(kSimple)});
    }
    switch (rng_.Below(10)) {
      case 0: {
        std::vector<std::string> t = {"IF", Leaf(), "THEN", Stmts(depth)};
        if (rng_.OneIn(2)) t.insert(t.end(), {"ELSEIF", Leaf(), "THEN", Stmts(depth)});
        if (rng_.OneIn(2)) t.insert(t.end(), {"ELSE", Stmts(depth)});
        t.insert(t.end(), {"END", "IF"});
        return J(t);
      }
      case 1: return J({"CASE", "x", "WHEN", "1", "THEN", Stmts(depth), "ELSE", Stmts(depth), "END", "CASE"});
      case 2: return J({"CASE", "WHEN", Leaf(), "THEN", Stmts(depth), "END", "CASE"});
      case 3: return J({"lbl:", "LOOP", Stmts(depth), "LEAVE lbl;", "END", "LOOP", "lbl"});
      case 4:
        if (rng_.OneIn(2)) return J({"FOR", "i", "IN", "1", "..", "3", "DO", Stmts(depth), "END", "FOR"});
        return J({"WHILE", "i", "<", "3", "DO", Stmts(depth), "END", "WHILE"});
      case 5: return J({"REPEAT", Stmts(depth), "UNTIL", Leaf(), "END", "REPEAT"});
      case 6: return J({"lbl2", ":", "BEGIN", Stmts(depth), "END", "lbl2"});
      case 7: return rng_.OneIn(2) ? J({"BEGIN", "END"}) : J({"BEGIN", Stmts(depth), "END"});
      case 8:
        return J({"DECLARE", rng_.OneIn(2) ? "CONTINUE" : "EXIT", "HANDLER", "FOR", "SQLSTATE", "'23000'", ",",
                  "NOT", "FOUND", "BEGIN", Stmts(depth), "END"});
      default:
        return J({"DECLARE", "EXIT", "HANDLER", "FOR", rng_.OneIn(2) ? "SQLEXCEPTION" : "1062",
                  rng_.OneIn(2) ? "SET begin = 1" : J({"BEGIN", "END"})});
    }
  }

  std::string Stmts(int depth) {
    std::vector<std::string> t;
    for (size_t i = 1 + rng_.Below(2); i > 0; --i) {
      t.push_back(BodyStatement(depth + 1));
      t.push_back(";");
    }
    return J(t);
  }

  std::string Compound() {
    const int style = static_cast<int>(rng_.Below(4));
    if (style == 0) return J({"lbl", ":", "BEGIN", Stmts(0), "END", "lbl"});
    if (style == 1) return J({"BEGIN", "NOT", "ATOMIC", Stmts(0), "END"});
    return J({"BEGIN", Stmts(0), "END"});
  }

  std::string Header(bool* trigger) {
    *trigger = false;
    static const std::vector<std::string> kTraits = {
        "COMMENT 'c;'", "DETERMINISTIC", "NOT DETERMINISTIC", "READS SQL DATA", "SQL SECURITY INVOKER",
        "LANGUAGE SQL", "MODIFIES SQL DATA", "CONTAINS SQL", "NO SQL"};
    std::string traits = rng_.OneIn(2) ? rng_.Pick(kTraits) : "";
    switch (rng_.Below(6)) {
      case 0:
      case 1:
        *trigger = true;
        return J({"CREATE", rng_.OneIn(2) ? "DEFINER=`root`@`localhost`" : "", "TRIGGER", "tr",
                  rng_.OneIn(2) ? "BEFORE INSERT" : "AFTER UPDATE", "ON", "`x;y`", "FOR EACH ROW",
                  rng_.OneIn(3) ? (rng_.OneIn(2) ? "FOLLOWS other" : "PRECEDES `o;t`") : ""});
      case 2:
        return J({"CREATE", rng_.OneIn(2) ? "DEFINER=root@localhost" : "", "PROCEDURE",
                  rng_.OneIn(2) ? "IF NOT EXISTS" : "", "p", "(", "IN begin INT", ",", "OUT end VARCHAR(10)",
                  ")", traits});
      case 3:
        return J({"CREATE", "FUNCTION", "f", "(", "a INT", ")", "RETURNS", "VARCHAR(20)", "CHARSET utf8mb4",
                  traits});
      case 4:
        return J({"CREATE OR REPLACE", "FUNCTION", "f()", "RETURNS", "INT UNSIGNED", traits});
      default:
        return J({"CREATE EVENT", "e", "ON SCHEDULE", "EVERY 1 DAY", rng_.OneIn(2) ? "COMMENT 'd;'" : "", "DO"});
    }
  }

  // A stored program. `custom` when the delimiter is not `;`: then a body may
  // be any compound statement, as the mysql client allows.
  std::string Program(bool custom) {
    bool trigger = false;
    const std::string header = Header(&trigger);
    switch (rng_.Below(custom ? 4 : 3)) {
      case 0: {
        static const std::vector<std::string> kBodies = {
            "SET NEW.begin = NOW()", "RETURN (SELECT begin FROM t LIMIT 1)", "SELECT begin, end FROM t",
            "UPDATE t SET begin = NOW()", "INSERT INTO log (begin) VALUES (';')"};
        return J({header, rng_.Pick(kBodies)});
      }
      case 3: return J({header, BodyStatement(1)});
      default: return J({header, Compound()});
    }
  }

 private:
  Rng& rng_;
};

std::string Tail(Rng& rng, const std::vector<std::string>& tails, bool* needs_newline) {
  const std::string t = rng.Pick(tails);
  *needs_newline = t.find("--") != std::string::npos || t.find('#') != std::string::npos;
  return t;
}

std::string MysqlScript(Rng& rng, ScriptBuilder* b) {
  MysqlGen gen(rng);
  static const std::vector<std::string> kTails = {"", "", "", " /* t; */", " # t;", " -- t;"};
  std::string delimiter = ";";
  b->Blank(rng.OneIn(2) ? rng.Pick(kMySeps) : "");
  for (size_t i = 1 + rng.Below(8); i > 0; --i) {
    if (rng.OneIn(4)) {
      delimiter = delimiter == ";" ? (rng.OneIn(2) ? "$$" : "//") : ";";
      b->Blank("\nDELIMITER " + delimiter + "\n");
    }
    const bool custom = delimiter != ";";
    bool newline = false;
    b->Add((rng.OneIn(2) ? gen.Program(custom) : gen.Plain()) + Tail(rng, kTails, &newline));
    if (i == 1 && !newline && rng.OneIn(3)) break;  // the last statement without a delimiter
    b->Blank(std::string(newline ? "\n" : rng.OneIn(3) ? " " : "") + delimiter);
    b->Blank(rng.OneIn(2) ? rng.Pick(kMySeps) : "\n");
  }
  return b->sql();
}

// ---- SQLite ----

const std::vector<std::string> kLiteSeps = {" ", "\n", "\t", " /* c; 'q' */ ", " /* /* not nested; */ ",
                                            " -- c; 'x\n", "\n/* é; */\n"};

std::string SqliteStatement(Rng& rng) {
  auto J = [&](const std::vector<std::string>& t) { return Join(rng, t, kLiteSeps); };
  static const std::vector<std::string> kLeaves = {
      "'a;b'", "'it''s;'", "\"dq;\"\"x\"", "[br;acket]", "`b;t`", "X'1F'", "1", "NULL", "'é;'", "'end'",
      "'--'", "'/*'", "end", "begin", "'a\\'"};
  static const std::vector<std::string> kBody = {
      "UPDATE t SET end = CASE WHEN NEW.n > 0 THEN 'pos;' ELSE 'neg' END WHERE id = NEW.id",
      "INSERT INTO log VALUES ('end;', NEW.end)", "SELECT RAISE(ABORT, 'no;')", "DELETE FROM t WHERE end = 1",
      "SELECT CASE WHEN 1 THEN 2 END", "UPDATE t SET begin = 1", "INSERT INTO log SELECT end FROM t",
      "SELECT CASE WHEN 1 THEN CASE WHEN 2 THEN 3 END END"};
  switch (rng.Below(8)) {
    case 0:
      return J({"CREATE TABLE", "[t;1]", "(", "id INTEGER PRIMARY KEY", ",", "\"c;\"\"x\" TEXT", "DEFAULT",
                rng.Pick(kLeaves), ",", "begin INT", ",", "end INT", ")"});
    case 1: return J({"INSERT INTO t VALUES", "(", rng.Pick(kLeaves), ",", rng.Pick(kLeaves), ")"});
    case 2:
      return J({"SELECT", "CASE", "WHEN", "a", "THEN", rng.Pick(kLeaves), "ELSE", rng.Pick(kLeaves), "END",
                "FROM t"});
    case 3: {
      static const std::vector<std::string> kFixed = {
          "BEGIN", "BEGIN TRANSACTION", "COMMIT", "END", "END TRANSACTION", "CREATE TEMP TABLE x (a)",
          "CREATE INDEX i ON t (end)", "CREATE TABLE trigger_log (trigger TEXT, end INT)"};
      return rng.Pick(kFixed);
    }
    default: {
      std::vector<std::string> t = {"CREATE",
                                    rng.OneIn(3) ? (rng.OneIn(2) ? "TEMP" : "TEMPORARY") : "",
                                    "TRIGGER",
                                    rng.OneIn(3) ? "IF NOT EXISTS" : "",
                                    "tr",
                                    rng.OneIn(2) ? "AFTER" : "BEFORE",
                                    rng.OneIn(2) ? "UPDATE OF begin, end" : "INSERT",
                                    "ON",
                                    "t",
                                    rng.OneIn(2) ? "FOR EACH ROW" : "",
                                    rng.OneIn(3) ? "WHEN NEW.end > 0" : "",
                                    "BEGIN"};
      for (size_t i = 1 + rng.Below(3); i > 0; --i) {
        t.push_back(rng.Pick(kBody));
        t.push_back(";");
      }
      t.push_back(rng.OneIn(3) ? "end" : "END");
      return J(t);
    }
  }
}

std::string SqliteScript(Rng& rng, ScriptBuilder* b) {
  static const std::vector<std::string> kTails = {"", "", "", " /* t; */", " -- t;"};
  b->Blank(rng.OneIn(2) ? rng.Pick(kLiteSeps) : "");
  for (size_t i = 1 + rng.Below(8); i > 0; --i) {
    bool newline = false;
    b->Add(SqliteStatement(rng) + Tail(rng, kTails, &newline));
    if (i == 1 && !newline && rng.OneIn(3)) break;
    b->Blank(std::string(newline ? "\n" : rng.OneIn(3) ? " " : "") + ";");
    b->Blank(rng.OneIn(2) ? rng.Pick(kLiteSeps) : "\n");
  }
  return b->sql();
}

template <typename Generate>
void RunProperty(Dialect dialect, uint64_t default_seed, Generate generate) {
  const auto run = FuzzRunFromEnv(default_seed, 2000);
  int failures = 0;
  for (int i = 0; i < run.iterations && failures < 5; ++i) {
    const uint64_t seed = run.seed + static_cast<uint64_t>(i);
    Rng rng(seed);
    ScriptBuilder b;
    generate(rng, &b);
    const std::string diff = b.Check(dialect, seed);
    if (!diff.empty()) {
      ++failures;
      ADD_FAILURE() << diff;
    }
  }
}

// Invariants on lexical soup (random tokens glued with or without blanks), for
// every dialect: each statement's text stands at its offset, statements come in
// order without overlap, line:col is that of the offset, and a statement split
// again on its own is itself.
std::string InvariantsViolated(const std::string& sql, Dialect dialect) {
  auto r = SplitStatements("soup.sql", sql, dialect);
  if (!r.ok()) return "";  // unterminated string or comment
  size_t prev_end = 0;
  for (const Statement& s : r.value()) {
    if (s.offset < prev_end || sql.compare(s.offset, s.text.size(), s.text) != 0) {
      return "statement at @" + std::to_string(s.offset) + " is not the script's text there: " + s.text;
    }
    prev_end = s.offset + s.text.size();
    int line = 0, column = 0;
    CountLineColumn(sql, s.offset, &line, &column);
    if (line != s.line || column != s.column) {
      return "statement at @" + std::to_string(s.offset) + " reports " + std::to_string(s.line) + ":" +
             std::to_string(s.column) + " instead of " + std::to_string(line) + ":" + std::to_string(column);
    }
    if (sql.find("DELIMITER") != std::string::npos) continue;  // the text alone lacks the DELIMITER line
    // (With its `;` too: in MySQL `--;` is no comment but `--` at the end is.)
    auto itself = [&](const std::string& text) {
      auto again = SplitStatements("alone.sql", text, dialect);
      return again.ok() && again->size() == 1 && (*again)[0].text == s.text;
    };
    if (!itself(s.text) && !itself(s.text + ";")) {
      return "statement split again on its own is not itself: " + s.text;
    }
  }
  return "";
}

TEST(SplitterPropertyTest, LexicalSoupKeepsTheInvariants) {
  static const std::vector<std::string> kTokens = {
      "CREATE", "TRIGGER", "PROCEDURE", "FUNCTION", "EVENT", "BEGIN", "END", "NOT", "ATOMIC", "CASE",
      "WHEN", "THEN", "ELSE", "IF", "LOOP", "REPEAT", "WHILE", "DO", "HANDLER", "FOR", "EACH", "ROW",
      "RETURNS", "INT", "lbl", ":", "begin", "end", "t.end", "1", "'a;b'", "'it''s'", "'a\\'",
      "'b\\';'", "\"d;\"\"q\"", "`b;t`", "[b;r]", "$$;$$", "$a$ ; $a$", "E'\\';'", "(", ")", ",", ".",
      "=", "-", "--", "-- c;\n", "# c;\n", "/* c; */", "/* /* c; */ */", "/*! 1; */", ";", ";", ";",
      "\nDELIMITER $$\n", "$$", "\nDELIMITER ;\n", "é"};
  static const std::vector<std::string> kGlue = {"", " ", " ", "\n", "/*g*/", "--g\n"};
  const auto run = FuzzRunFromEnv(20261205, 2000);
  int failures = 0;
  for (int i = 0; i < run.iterations && failures < 5; ++i) {
    const uint64_t seed = run.seed + static_cast<uint64_t>(i);
    Rng rng(seed);
    std::string sql;
    for (size_t k = rng.Below(40); k > 0; --k) sql += rng.Pick(kTokens) + rng.Pick(kGlue);
    for (Dialect d : {Dialect::kMysql, Dialect::kPostgres, Dialect::kSqlite}) {
      const std::string why = InvariantsViolated(sql, d);
      if (!why.empty()) {
        ++failures;
        ADD_FAILURE() << "seed " << seed << " (" << DialectName(d) << "): " << why << "\n--- script ---\n" << sql;
      }
    }
  }
}

TEST(SplitterPropertyTest, MysqlSplitsGeneratedScriptsIntoTheirStatements) {
  RunProperty(Dialect::kMysql, 20261205, MysqlScript);
}

TEST(SplitterPropertyTest, SqliteSplitsGeneratedScriptsIntoTheirStatements) {
  RunProperty(Dialect::kSqlite, 20261205, SqliteScript);
}

}  // namespace
}  // namespace dbroll::internal
