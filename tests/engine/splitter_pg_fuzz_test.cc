// Differential fuzz test of the PostgreSQL splitter against libpg_query's own
// splitters (pg_query_split_with_parser, and pg_query_split_with_scanner where
// the script has no BEGIN ATOMIC body, which the scanner does not know).
//
// The suite runs a bounded number of generated scripts with a fixed seed. A
// longer run by hand:
//   DBROLL_FUZZ_ITERATIONS=200000 DBROLL_FUZZ_SEED=7 build/tests/engine/splitter_fuzz_test
// Script i uses seed DBROLL_FUZZ_SEED + i; a mismatch prints that seed, the
// script and both splits, so DBROLL_FUZZ_SEED=<seed> DBROLL_FUZZ_ITERATIONS=1
// reproduces it alone.
#include <gtest/gtest.h>
#include <pg_query.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "engine/splitter.h"
#include "tests/engine/splitter_fuzz_util.h"

namespace dbroll::internal {
namespace {

namespace fs = std::filesystem;
using testing::FuzzRunFromEnv;
using testing::Rng;
using testing::SkipBlank;

// A statement as [first token, terminator): the terminator is the offset of
// its `;`, or the end of the script.
struct Bounds {
  size_t begin;
  size_t end;
  bool operator==(const Bounds& o) const { return begin == o.begin && end == o.end; }
  bool operator!=(const Bounds& o) const { return !(*this == o); }
};

// Returns false when libpg_query reports an error (the script does not parse).
bool Reference(const std::string& sql, bool parser, std::vector<Bounds>* out, std::string* error) {
  PgQuerySplitResult r = parser ? pg_query_split_with_parser(sql.c_str())
                                : pg_query_split_with_scanner(sql.c_str());
  const bool ok = r.error == nullptr;
  if (!ok) *error = r.error->message;
  for (int i = 0; ok && i < r.n_stmts; ++i) {
    const size_t loc = static_cast<size_t>(r.stmts[i]->stmt_location);
    const size_t end = loc + static_cast<size_t>(r.stmts[i]->stmt_len);
    out->push_back({SkipBlank(sql, loc, end, /*nested=*/true), end});
  }
  pg_query_free_split_result(r);
  return ok;
}

std::vector<Bounds> Ours(const std::vector<Statement>& stmts, const std::string& sql) {
  std::vector<Bounds> out;
  for (const Statement& s : stmts) {
    size_t end = s.offset + s.text.size();
    while (end < sql.size() && std::isspace(static_cast<unsigned char>(sql[end]))) ++end;
    out.push_back({s.offset, end});
  }
  return out;
}

std::string Show(const std::string& sql, const std::vector<Bounds>& b) {
  std::string out;
  for (size_t i = 0; i < b.size(); ++i) {
    out += "  [" + std::to_string(i) + "] @" + std::to_string(b[i].begin) + ": " +
           sql.substr(b[i].begin, b[i].end - b[i].begin) + "\n";
  }
  return out;
}

// Compares our split of `sql` with libpg_query's; "" when they agree.
std::string Compare(const std::string& label, const std::string& sql, bool has_atomic) {
  auto ours = SplitStatements("fuzz.sql", sql, Dialect::kPostgres);
  if (!ours.ok()) return label + ": our splitter failed: " + ours.status().ToString() + "\n" + sql;
  const std::vector<Bounds> got = Ours(ours.value(), sql);
  std::vector<Bounds> want;
  std::string error;
  const char* reference = "pg_query_split_with_parser";
  if (!Reference(sql, /*parser=*/true, &want, &error)) {
    // Only real scripts may fail to parse; generated ones must be valid SQL.
    if (label.find("seed") != std::string::npos) {
      return label + ": the generator made SQL that does not parse (" + error + "):\n" + sql;
    }
    want.clear();
    reference = "pg_query_split_with_scanner";
    if (has_atomic || !Reference(sql, /*parser=*/false, &want, &error)) return "";
  }
  if (got == want) {
    if (has_atomic) return "";
    std::vector<Bounds> scanned;
    if (!Reference(sql, /*parser=*/false, &scanned, &error) || scanned == got) return "";
    want = scanned;
    reference = "pg_query_split_with_scanner";
  }
  return label + ": split differs from " + reference + "\n--- script ---\n" + sql +
         "\n--- dbroll ---\n" + Show(sql, got) + "--- libpg_query ---\n" + Show(sql, want);
}

// ---- the generator ----

std::string SoupGlue(Rng& rng);

std::string Sep(Rng& rng) {
  static const std::vector<std::string> kSeps = {
      " ", " ", " ", "\n", "\t", "  \n  ", " /* c; 'q' \"d\" $$ */ ", " /* a /* nested; */ b */ ",
      " -- c; 'x\" $$ /*\n", "\n--\n", " /**/ ", " /* * / ; -- */ ", "\n/* é; */\n"};
  return rng.OneIn(3) ? rng.Pick(kSeps) : " ";
}

std::string Join(Rng& rng, const std::vector<std::string>& tokens) {
  std::string out;
  for (size_t i = 0; i < tokens.size(); ++i) {
    if (i > 0) out += Sep(rng);
    out += tokens[i];
  }
  return out;
}

std::string Expr(Rng& rng, int depth = 0) {
  static const std::vector<std::string> kLeaves = {
      "1", "'a;b'", "'it''s; fine'", "'--;'", "'/*'", "E'\\';x'", "E'a\\\\'", "e'\\\\\\';'",
      "$$;$$", "$q$ $$ ; $q$", "$a$ $b$ ; $b$ $a$", "$_x1$ ' \" -- /* ; $_x1$", "$t$ a$b ; $ $t$",
      "ARRAY[1, 2]", "U&'d\\0061t;'", "B'101'", "X'1F'", "'{1,2}'::int[]", "t.end", "t.begin",
      "'é;'", "$1", "'a\\'", "\"a;\"\"b\"", "\"--x\"", "\"/*y\"", "a$b", "NULL", "true"};
  if (depth > 2 || rng.Below(3) > 0) return rng.Pick(kLeaves);
  switch (rng.Below(5)) {
    case 0: return Join(rng, {"(", Expr(rng, depth + 1), "+", Expr(rng, depth + 1), ")"});
    case 1: return Join(rng, {"(", "SELECT", Expr(rng, depth + 1), ")"});
    case 2:
      return Join(rng, {"CASE", "WHEN", Expr(rng, depth + 1), "IS NULL", "THEN", Expr(rng, depth + 1),
                        "ELSE", Expr(rng, depth + 1), "END"});
    case 3: return Join(rng, {"ARRAY[", Expr(rng, depth + 1), ",", Expr(rng, depth + 1), "]"});
    default: return Join(rng, {"coalesce(", Expr(rng, depth + 1), ",", Expr(rng, depth + 1), ")"});
  }
}

std::string Select(Rng& rng) {
  std::vector<std::string> t = {"SELECT", Expr(rng)};
  for (size_t i = rng.Below(3); i > 0; --i) {
    t.push_back(",");
    t.push_back(Expr(rng));
    if (rng.OneIn(3)) t.insert(t.end(), {"AS", rng.OneIn(2) ? "\"a;\"\"b\"" : "x"});
  }
  if (rng.OneIn(2)) t.insert(t.end(), {"FROM", "t"});
  if (rng.OneIn(3)) t.insert(t.end(), {"WHERE", "(", "a", "=", "';'", ")"});
  return Join(rng, t);
}

// A SQL-standard function body: BEGIN ATOMIC ... END.
std::string AtomicBody(Rng& rng) {
  static const std::vector<std::string> kStmts = {
      "SELECT 1", "SELECT CASE WHEN a > 0 THEN 1 ELSE 2 END", "SELECT t.end FROM t",
      "SELECT (CASE WHEN true THEN ';' END)", "INSERT INTO t VALUES (';')", "SELECT 'end;'",
      "SELECT CASE a WHEN 1 THEN CASE WHEN true THEN 2 END END", "SELECT $$ END; $$",
      "SELECT 1 AS end", "select case when true then 1 end", "SELECT t.\"end\" FROM t"};
  std::vector<std::string> t = {rng.OneIn(3) ? "begin" : "BEGIN", rng.OneIn(3) ? "Atomic" : "ATOMIC"};
  for (size_t i = rng.Below(4); i > 0; --i) {
    t.push_back(rng.Pick(kStmts));
    t.push_back(";");
  }
  t.push_back(rng.OneIn(3) ? "end" : "END");
  return Join(rng, t);
}

std::string Statement(Rng& rng, bool* atomic) {
  static const std::vector<std::string> kPlpgsql = {
      "$fn$ BEGIN RETURN 1; END; $fn$", "$$ DECLARE x text := ';'; BEGIN RETURN 1; END $$",
      "$body$ BEGIN PERFORM $q$;$q$; RETURN 2; END $body$", "'BEGIN RETURN 1; END;'",
      "$f$ BEGIN RETURN (SELECT $$;$$); END $f$"};
  static const std::vector<std::string> kFixed = {
      "BEGIN", "COMMIT", "START TRANSACTION", "SAVEPOINT s", "ROLLBACK", "END",
      "BEGIN ISOLATION LEVEL SERIALIZABLE", "COMMENT ON TABLE t IS 'x;y'",
      "CREATE TABLE function (function int, begin int, atomic int)",
      "CREATE TABLE trigger_log (trigger text, \"end\" int)",
      "CREATE TRIGGER tr AFTER INSERT ON t FOR EACH ROW EXECUTE FUNCTION f()",
      "CREATE FUNCTION begin() RETURNS int LANGUAGE sql RETURN 1",
      "CREATE FUNCTION f() RETURNS int LANGUAGE sql RETURN (SELECT 1)",
      "CREATE RULE r AS ON UPDATE TO t DO INSTEAD NOTHING", "SELECT ARRAY[(1), (2)]",
      "CREATE INDEX CONCURRENTLY i ON t ((a || ';'))", "ALTER TABLE t ADD COLUMN c text DEFAULT ';'"};
  switch (rng.Below(10)) {
    case 0:
    case 1:
      return Select(rng);
    case 2:
      return Join(rng, {"CREATE TABLE", "\"t;1\"", "(", "id int", ",", "\"c;\"\"x\"", "text", "DEFAULT",
                        Expr(rng), ",", "begin int", ",", "\"end\" int", ")"});
    case 3:
      return Join(rng, {"INSERT INTO t VALUES", "(", "1", ",", Expr(rng), ")", ",", "(", "2", ",",
                        Expr(rng), ")"});
    case 4:
      return Join(rng, {"CREATE", rng.OneIn(2) ? "OR REPLACE" : "", "FUNCTION", "f()", "RETURNS int",
                        "LANGUAGE plpgsql", "AS", rng.Pick(kPlpgsql)});
    case 5:
      return rng.OneIn(2) ? Join(rng, {"DO", "$$ BEGIN PERFORM 1; END $$"})
                          : Join(rng, {"DO", "LANGUAGE plpgsql", "$d$ BEGIN RAISE NOTICE ';'; END $d$"});
    case 6:
      *atomic = true;
      return rng.OneIn(2) ? Join(rng, {rng.OneIn(3) ? "create" : "CREATE",
                                       rng.OneIn(2) ? "OR REPLACE" : "or replace", "Function",
                                       "f(a int)", "RETURNS int", "LANGUAGE sql", AtomicBody(rng)})
                          : Join(rng, {"CREATE PROCEDURE", "p()", "LANGUAGE sql", AtomicBody(rng)});
    case 7: {
      std::vector<std::string> t = {"CREATE RULE", "r", "AS ON INSERT TO t", "DO",
                                    rng.OneIn(2) ? "ALSO" : "INSTEAD", "("};
      for (size_t i = 1 + rng.Below(3); i > 0; --i) {
        t.insert(t.end(), {"INSERT INTO a VALUES", "(", Expr(rng), ")", ";"});
      }
      if (rng.OneIn(2)) t.pop_back();
      t.push_back(")");
      return Join(rng, t);
    }
    default:
      return rng.Pick(kFixed);
  }
}

std::string Script(Rng& rng, bool* atomic) {
  std::string sql = rng.OneIn(2) ? Sep(rng) : "";
  for (size_t i = 1 + rng.Below(6); i > 0; --i) {
    sql += Statement(rng, atomic);
    if (i == 1 && rng.OneIn(3)) break;  // the last statement without `;`
    sql += (rng.OneIn(4) ? Sep(rng) : "") + ";";
    if (rng.OneIn(8)) sql += Sep(rng) + ";";  // an empty statement
    sql += rng.OneIn(2) ? Sep(rng) : "\n";
  }
  return sql;
}

// Lexical soup: statements of random tokens glued with or without blanks, so
// that tokens touch (`a$$`, `1--c`, `*/*`); compared with the scanner splitter
// only, since the soup does not parse. Each statement starts with a keyword
// and a blank and has balanced parentheses: the scanner needs a keyword before
// a `;` and never recovers from an unbalanced `)`.
std::string SoupToken(Rng& rng, int depth) {
  static const std::vector<std::string> kTokens = {
      "a", "t.end", "begin", "end", "case", "x$y", "create", "function", "1", "1.5", ".5", "1e3",
      "'a;b'", "'it''s'", "E'\\';'", "e'\\\\'", "U&'x;'", "B'1'", "X'f'", "N'n;'", "'a\\'",
      "\"a;\"\"b\"", "U&\"x;\"", "$$;$$", "$a$;$a$", "$é$ ; $é$", "$A$ $a$ ; $A$", "$_$ $$ $_$",
      "+", "-", "*", "/", "<", ">", "=", "::", "||", "->>", "@", "#", "~", "!=", "<>", "%", ",", ".",
      ":", "[", "]", "-- ;'\n", "/* ; */", "/* /* ; */ */", "/**/", "$1", "&", "|", "^", "?"};
  if (depth < 2 && rng.OneIn(8)) {
    std::string group = "(";
    for (size_t i = rng.Below(5); i > 0; --i) group += SoupGlue(rng) + SoupToken(rng, depth + 1);
    if (rng.OneIn(2)) group += SoupGlue(rng) + ";";
    return group + SoupGlue(rng) + ")";
  }
  return rng.Pick(kTokens);
}

std::string SoupGlue(Rng& rng) {
  static const std::vector<std::string> kGlue = {"", "", " ", "\n", "/*g*/", "--g\n"};
  return rng.Pick(kGlue);
}

TEST(SplitterPgFuzzTest, LexicalSoupSplitsLikeTheScanner) {
  const auto run = FuzzRunFromEnv(20261205, 2000);
  static const std::vector<std::string> kKeywords = {"SELECT", "INSERT", "CREATE", "WITH", "VALUES", "DO"};
  int failures = 0, valid = 0, compared = 0;
  for (int i = 0; i < run.iterations && failures < 5; ++i) {
    const uint64_t seed = run.seed + static_cast<uint64_t>(i);
    Rng rng(seed);
    std::string sql;
    for (size_t k = 1 + rng.Below(4); k > 0; --k) {
      sql += rng.Pick(kKeywords) + " ";
      for (size_t j = rng.Below(8); j > 0; --j) sql += SoupToken(rng, 0) + SoupGlue(rng);
      sql += rng.OneIn(4) ? "" : ";" + SoupGlue(rng);
      sql += "\n";
    }
    std::vector<Bounds> want;
    std::string error;
    if (!Reference(sql, /*parser=*/false, &want, &error)) continue;  // not lexically valid
    ++valid;
    auto ours = SplitStatements("soup.sql", sql, Dialect::kPostgres);
    std::string diff;
    if (!ours.ok()) {
      diff = "our splitter failed: " + ours.status().ToString();
    } else {
      // The scanner drops a statement without a keyword (`'x' 1;`); so do we, for the comparison.
      // And after an unbalanced `)` it never splits again: such scripts are not compared.
      std::vector<Bounds> got;
      bool unbalanced = false;
      for (const Bounds& b : Ours(ours.value(), sql)) {
        const std::string text = sql.substr(b.begin, b.end - b.begin);
        std::vector<Bounds> alone, probe;
        if (!Reference(text, /*parser=*/false, &alone, &error)) continue;
        Reference(text + "\n;SELECT 1", /*parser=*/false, &probe, &error);
        unbalanced |= probe.size() != alone.size() + 1;
        if (!alone.empty()) got.push_back(b);
      }
      if (unbalanced) continue;
      ++compared;
      if (got != want) {
        diff = "--- dbroll ---\n" + Show(sql, got) + "--- libpg_query ---\n" + Show(sql, want);
      }
    }
    if (!diff.empty()) {
      ++failures;
      ADD_FAILURE() << "seed " << seed << ": split differs from pg_query_split_with_scanner\n--- script ---\n"
                    << sql << "\n" << diff;
    }
  }
  // Most soups must be compared, or this test proves little.
  EXPECT_GE(compared, run.iterations / 3) << valid << " lexically valid";
}

TEST(SplitterPgFuzzTest, GeneratedScriptsSplitLikeLibpgQuery) {
  const auto run = FuzzRunFromEnv(20261205, 2000);
  int failures = 0;
  for (int i = 0; i < run.iterations && failures < 5; ++i) {
    const uint64_t seed = run.seed + static_cast<uint64_t>(i);
    Rng rng(seed);
    bool atomic = false;
    const std::string sql = Script(rng, &atomic);
    const std::string diff = Compare("seed " + std::to_string(seed), sql, atomic);
    if (!diff.empty()) {
      ++failures;
      ADD_FAILURE() << diff;
    }
  }
}

// The scripts of the example project and of the golden tests.
TEST(SplitterPgFuzzTest, RealScriptsSplitLikeLibpgQuery) {
  int n = 0;
  for (const char* dir : {"migrations-example", "tests/engine/testdata"}) {
    for (const auto& e : fs::recursive_directory_iterator(fs::path(DBROLL_SOURCE_DIR) / dir)) {
      const std::string name = e.path().filename().string();
      if (e.path().extension() != ".sql" || name.find(".mysql.") != std::string::npos ||
          name.find(".sqlite.") != std::string::npos) {
        continue;
      }
      std::ifstream in(e.path(), std::ios::binary);
      std::ostringstream text;
      text << in.rdbuf();
      const std::string sql = text.str();
      const bool atomic = sql.find("ATOMIC") != std::string::npos;
      EXPECT_EQ(Compare(e.path().string(), sql, atomic), "");
      ++n;
    }
  }
  EXPECT_GE(n, 10);
}

}  // namespace
}  // namespace dbroll::internal
