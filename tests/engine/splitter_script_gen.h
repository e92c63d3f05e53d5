// Script generators shared by the splitter's property tests and its
// comparison with the mysql client: scripts built from known statements, with
// the statements they must split into.
#ifndef DBROLL_TESTS_ENGINE_SPLITTER_SCRIPT_GEN_H_
#define DBROLL_TESTS_ENGINE_SPLITTER_SCRIPT_GEN_H_

#include <string>
#include <vector>

#include "engine/splitter.h"
#include "tests/engine/splitter_fuzz_util.h"

namespace dbroll::internal {

using testing::CountLineColumn;
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

inline std::string Join(Rng& rng, const std::vector<std::string>& tokens, const std::vector<std::string>& seps) {
  std::string out;
  for (size_t i = 0; i < tokens.size(); ++i) {
    if (tokens[i].empty()) continue;
    if (!out.empty()) out += rng.OneIn(3) ? rng.Pick(seps) : " ";
    out += tokens[i];
  }
  return out;
}

// ---- MySQL / MariaDB ----

inline const std::vector<std::string> kMySeps = {
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
      case 4: {
        static const std::vector<std::string> kTypes = {
            "INT UNSIGNED", "NATIONAL VARCHAR(10)", "LONG VARCHAR", "DATETIME(6)", "SET('a', 'b')",
            "DOUBLE PRECISION", "TEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin", "ENUM('x;', 'y') CHARSET latin1"};
        return J({"CREATE OR REPLACE", "FUNCTION", "f()", "RETURNS", rng_.Pick(kTypes), traits});
      }
      default:
        return J({"CREATE EVENT", "e", "ON SCHEDULE", "EVERY 1 DAY", rng_.OneIn(2) ? "COMMENT 'd;'" : "", "DO"});
    }
  }

  // A stored program. `custom` when the delimiter is not `;`: then a body may
  // be any compound statement, as the mysql client allows. Without `compound`
  // the body is a single simple statement.
  std::string Program(bool custom, bool compound) {
    bool trigger = false;
    const std::string header = Header(&trigger);
    switch (compound ? rng_.Below(custom ? 4 : 3) : 0) {
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

inline std::string Tail(Rng& rng, const std::vector<std::string>& tails, bool* needs_newline) {
  const std::string t = rng.Pick(tails);
  *needs_newline = t.find("--") != std::string::npos || t.find('#') != std::string::npos;
  return t;
}

// `client`: only what the mysql client splits the same way, so no BEGIN ... END
// body while the delimiter is `;` (splitting those is dbroll's own extension).
inline std::string MysqlScript(Rng& rng, ScriptBuilder* b, bool client = false) {
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
    b->Add((rng.OneIn(2) ? gen.Program(custom, !client || custom) : gen.Plain()) + Tail(rng, kTails, &newline));
    if (i == 1 && !newline && rng.OneIn(3)) break;  // the last statement without a delimiter
    // The client finds `//` in `*///`: it ends the statement inside the comment's `*/`.
    const bool apart = client && b->sql().back() == '/';
    b->Blank(std::string(newline ? "\n" : (apart || rng.OneIn(3)) ? " " : "") + delimiter);
    b->Blank(rng.OneIn(2) ? rng.Pick(kMySeps) : "\n");
  }
  return b->sql();
}

}  // namespace dbroll::internal

#endif  // DBROLL_TESTS_ENGINE_SPLITTER_SCRIPT_GEN_H_
