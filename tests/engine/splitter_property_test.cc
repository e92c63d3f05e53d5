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
#include "tests/engine/splitter_script_gen.h"

namespace dbroll::internal {
namespace {

using testing::FuzzRunFromEnv;

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
  RunProperty(Dialect::kMysql, 20261205, [](Rng& rng, ScriptBuilder* b) { return MysqlScript(rng, b); });
}

TEST(SplitterPropertyTest, SqliteSplitsGeneratedScriptsIntoTheirStatements) {
  RunProperty(Dialect::kSqlite, 20261205, SqliteScript);
}

}  // namespace
}  // namespace dbroll::internal
