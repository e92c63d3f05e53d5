// Differential fuzz test of the SQLite splitter against SQLite's own notion of
// a complete statement, sqlite3_complete() (what the sqlite3 shell splits by):
// the reference ends a statement at the first `;` where the text since the
// previous end is complete.
//
// The suite runs a bounded number of scripts with a fixed seed. A longer run
// by hand (script i uses seed DBROLL_FUZZ_SEED + i; a mismatch prints its seed):
//   DBROLL_FUZZ_ITERATIONS=200000 DBROLL_FUZZ_SEED=7 build/tests/engine/splitter_fuzz_test
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <string>
#include <vector>

#include "engine/splitter.h"
#include "tests/engine/splitter_fuzz_util.h"

namespace dbroll::internal {
namespace {

using testing::FuzzRunFromEnv;
using testing::Rng;
using testing::SkipBlank;

// [first token, terminator) of each statement; the terminator is its `;` or the end.
using Split = std::vector<std::pair<size_t, size_t>>;

Split Reference(const std::string& sql) {
  Split out;
  size_t start = 0;
  for (size_t i = 0; i < sql.size(); ++i) {
    if (sql[i] != ';' || !sqlite3_complete(sql.substr(start, i + 1 - start).c_str())) continue;
    const size_t b = SkipBlank(sql, start, i, /*nested=*/false);
    if (b < i) out.emplace_back(b, i);
    start = i + 1;
  }
  const size_t b = SkipBlank(sql, start, sql.size(), /*nested=*/false);
  if (b < sql.size()) out.emplace_back(b, sql.size());
  return out;
}

std::string Show(const std::string& sql, const Split& split) {
  std::string out;
  for (size_t i = 0; i < split.size(); ++i) {
    out += "  [" + std::to_string(i) + "] @" + std::to_string(split[i].first) + ": " +
           sql.substr(split[i].first, split[i].second - split[i].first) + "\n";
  }
  return out;
}

std::string Glue(Rng& rng) {
  static const std::vector<std::string> kGlue = {"", " ", " ", "\n", "/*g*/", "--g\n"};
  return rng.Pick(kGlue);
}

// Random tokens, trigger fragments and whole statements glued with or without blanks.
std::string Soup(Rng& rng) {
  static const std::vector<std::string> kTokens = {
      "CREATE", "create", "TEMP", "TEMPORARY", "TRIGGER", "trigger", "BEGIN", "END", "end", "CASE",
      "WHEN", "THEN", "ELSE", "EXPLAIN", "QUERY PLAN", "TABLE", "t", "begin", "x", "1", "'a;b'",
      "'it''s; end'", "\"d;\"\"q\"", "[b;r]", "`b;t`", "X'1F'", "(", ")", ",", ".", "=", "+", "-", "/",
      "*", "-- c;\n", "/* c; */", "/* /* c; */", ";", ";", ";", "'a\\'", "$v", "@v", ":v", "?1",
      "CREATE TRIGGER tr AFTER INSERT ON t BEGIN", "UPDATE t SET end = CASE WHEN 1 THEN 2 END;",
      "; END;", "SELECT 1;", "INSERT INTO t VALUES ('end;');"};
  std::string sql;
  for (size_t i = rng.Below(30); i > 0; --i) sql += rng.Pick(kTokens) + Glue(rng);
  return sql;
}

TEST(SplitterSqliteDiffTest, SoupSplitsLikeSqlite3Complete) {
  const auto run = FuzzRunFromEnv(20261205, 2000);
  int failures = 0, compared = 0;
  for (int i = 0; i < run.iterations && failures < 5; ++i) {
    const uint64_t seed = run.seed + static_cast<uint64_t>(i);
    Rng rng(seed);
    const std::string sql = Soup(rng);
    auto ours = SplitStatements("soup.sql", sql, Dialect::kSqlite);
    if (!ours.ok()) continue;  // unterminated string or comment: an error, where sqlite3 just waits
    ++compared;
    Split got;
    for (const Statement& s : ours.value()) {
      size_t end = s.offset + s.text.size();
      while (end < sql.size() && std::isspace(static_cast<unsigned char>(sql[end]))) ++end;
      got.emplace_back(s.offset, end);
    }
    const Split want = Reference(sql);
    if (got != want) {
      ++failures;
      ADD_FAILURE() << "seed " << seed << ": split differs from sqlite3_complete\n--- script ---\n" << sql
                    << "\n--- dbroll ---\n" << Show(sql, got) << "--- sqlite3_complete ---\n" << Show(sql, want);
    }
  }
  EXPECT_GE(compared, run.iterations / 3);
}

}  // namespace
}  // namespace dbroll::internal
