#include "engine/splitter.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace dbroll::internal {
namespace {

namespace fs = std::filesystem;

std::string Read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

Dialect DialectOf(const std::string& name) {
  if (name.find(".postgres.") != std::string::npos) return Dialect::kPostgres;
  if (name.find(".mysql.") != std::string::npos) return Dialect::kMysql;
  return Dialect::kSqlite;
}

std::string Render(const std::vector<Statement>& stmts) {
  std::string out;
  for (const auto& s : stmts) {
    out += "--- " + std::to_string(s.line) + ":" + std::to_string(s.column) + "\n" + s.text + "\n";
  }
  return out;
}

// Golden files: testdata/splitter/<name>.<dialect>.sql is split and compared
// with <name>.<dialect>.expected. Set DBROLL_UPDATE_GOLDEN=1 to rewrite them.
TEST(SplitterTest, GoldenFiles) {
  const fs::path dir = fs::path(DBROLL_SOURCE_DIR) / "tests/engine/testdata/splitter";
  int n = 0;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().extension() != ".sql") continue;
    ++n;
    const std::string name = e.path().filename().string();
    auto r = SplitStatements(name, Read(e.path()), DialectOf(name));
    ASSERT_TRUE(r.ok()) << name << ": " << r.status().ToString();
    fs::path expected = e.path();
    expected.replace_extension(".expected");
    if (std::getenv("DBROLL_UPDATE_GOLDEN")) std::ofstream(expected) << Render(r.value());
    EXPECT_EQ(Render(r.value()), Read(expected)) << name;
  }
  EXPECT_GE(n, 4);
}

TEST(SplitterTest, StatementsKnowTheirLineAndColumn) {
  auto r = SplitStatements("x.sql", "SELECT 1;\n  -- c\n  SELECT 2; SELECT 3;", Dialect::kPostgres);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 3u);
  EXPECT_EQ((*r)[1].line, 3);
  EXPECT_EQ((*r)[1].column, 3);
  EXPECT_EQ((*r)[2].line, 3);
  EXPECT_EQ((*r)[2].column, 13);
  EXPECT_EQ((*r)[2].text, "SELECT 3");
}

TEST(SplitterTest, UnterminatedStringPointsAtItsStart) {
  auto r = SplitStatements("m/up.sql", "SELECT 1;\nSELECT 'oops;\n", Dialect::kSqlite);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(r.status().message(), "m/up.sql:2:8: unterminated string literal -- close it and run dbroll again");
}

TEST(SplitterTest, UnterminatedCommentAndDollarQuote) {
  auto c = SplitStatements("a.sql", "SELECT 1; /* open", Dialect::kPostgres);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().message(), "a.sql:1:11: unterminated block comment -- close it and run dbroll again");
  auto d = SplitStatements("b.sql", "SELECT $x$ never closed", Dialect::kPostgres);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().message(), "b.sql:1:8: unterminated dollar-quoted string -- close it and run dbroll again");
}

TEST(SplitterTest, PostgresNestsBlockCommentsOthersDoNot) {
  const std::string sql = "/* a /* b */ SELECT 1; */ SELECT 2;";
  auto pg = SplitStatements("p.sql", sql, Dialect::kPostgres);
  ASSERT_TRUE(pg.ok());
  ASSERT_EQ(pg->size(), 1u);
  EXPECT_EQ((*pg)[0].text, "SELECT 2");
  auto my = SplitStatements("m.sql", sql, Dialect::kMysql);
  ASSERT_TRUE(my.ok());
  ASSERT_EQ(my->size(), 2u);
  EXPECT_EQ((*my)[0].text, "SELECT 1");
}

TEST(SplitterTest, BackslashEscapesOnlyWhereTheDialectHasThem) {
  // In SQLite a backslash is an ordinary character: the string ends at the quote.
  auto lite = SplitStatements("s.sql", "SELECT 'a\\'; SELECT 2;", Dialect::kSqlite);
  ASSERT_TRUE(lite.ok());
  EXPECT_EQ(lite->size(), 2u);
  auto my = SplitStatements("m.sql", "SELECT 'a\\'; SELECT 2';", Dialect::kMysql);
  ASSERT_TRUE(my.ok());
  EXPECT_EQ(my->size(), 1u);
}

TEST(SplitterTest, BlankSqlIsOnlyCommentsAndWhitespace) {
  EXPECT_TRUE(IsBlankSql("-- nothing\n/* here */\n", Dialect::kPostgres));
  EXPECT_FALSE(IsBlankSql("-- x\nSELECT 1", Dialect::kPostgres));
}

}  // namespace
}  // namespace dbroll::internal
