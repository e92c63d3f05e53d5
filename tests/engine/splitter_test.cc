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

std::vector<std::string> Texts(const std::string& sql, Dialect dialect) {
  auto r = SplitStatements("r.sql", sql, dialect);
  if (!r.ok()) return {r.status().ToString()};
  std::vector<std::string> out;
  for (const auto& st : r.value()) out.push_back(st.text);
  return out;
}

using Texts_ = std::vector<std::string>;

// As the mysql/mariadb client (checked against it in
// splitter_mysql_client_test.cc): `--` and any character starts a comment
// before a statement has begun; within a statement only `--` and a space
// does, as on the server.
TEST(SplitterTest, MysqlDashDashWithoutASpaceIsACommentOnlyBeforeAStatement) {
  const Dialect my = Dialect::kMysql;
  EXPECT_EQ(Texts("--DROP TABLE t;\nDROP TABLE t;\n", my), (Texts_{"DROP TABLE t"}));
  EXPECT_EQ(Texts("SELECT 1--1;", my), (Texts_{"SELECT 1--1"}));
  EXPECT_EQ(Texts("SELECT 2\n--x\n;", my), (Texts_{"SELECT 2\n--x"}));
  EXPECT_EQ(Texts("SELECT 3; --SELECT 33;\nSELECT 34;--SELECT 35;\n", my), (Texts_{"SELECT 3", "SELECT 34"}));
  EXPECT_EQ(Texts("   --SELECT 44;\n\t--x\nSELECT 4;", my), (Texts_{"SELECT 4"}));
  EXPECT_EQ(Texts("/* c */ --SELECT 55;\n# c\n---x\nSELECT 5;", my), (Texts_{"SELECT 5"}));
  EXPECT_EQ(Texts("/*\n--SELECT 10;\n*/ SELECT 10;", my), (Texts_{"SELECT 10"}));
  EXPECT_EQ(Texts("SELECT '\n--x';", my), (Texts_{"SELECT '\n--x'"}));
  EXPECT_EQ(Texts("DELIMITER //\n--SELECT 121//\nSELECT 12//\nDELIMITER ;\n", my), (Texts_{"SELECT 12"}));
  EXPECT_EQ(Texts("CREATE PROCEDURE p() BEGIN\n--x\nSELECT 1; END;", my),
            (Texts_{"CREATE PROCEDURE p() BEGIN\n--x\nSELECT 1; END"}));
  EXPECT_TRUE(IsBlankSql("--DROP TABLE t;\n", my));
  // The statement keeps its own position after the dropped line.
  auto r = SplitStatements("m.sql", "--DROP TABLE t;\n  DROP TABLE t;", my);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].line, 2);
  EXPECT_EQ((*r)[0].column, 3);
}

// Regressions: each split wrongly before (found by hand or by the fuzz and
// property tests in splitter_pg_fuzz_test.cc and splitter_property_test.cc).

TEST(SplitterTest, MysqlTriggerSettingAColumnNamedBeginDoesNotSwallowWhatFollows) {
  EXPECT_EQ(Texts("CREATE TRIGGER t BEFORE INSERT ON x FOR EACH ROW SET NEW.begin = NOW();\n"
                  "CREATE TABLE y (id int);\nSELECT `begin`, begin AS begin FROM y;",
                  Dialect::kMysql),
            (Texts_{"CREATE TRIGGER t BEFORE INSERT ON x FOR EACH ROW SET NEW.begin = NOW()",
                    "CREATE TABLE y (id int)", "SELECT `begin`, begin AS begin FROM y"}));
}

TEST(SplitterTest, MysqlColumnsNamedEndInsideABodyDoNotCloseIt) {
  const std::string body =
      "CREATE TRIGGER t BEFORE UPDATE ON x FOR EACH ROW BEGIN\n"
      "  SET NEW.end = NOW();\n"
      "  UPDATE y SET end = 1 WHERE begin < end;\n"
      "  SET @v = CASE WHEN NEW.a THEN end ELSE begin END;\n"
      "  IF NEW.a THEN BEGIN SELECT 1; END; END IF;\n"
      "END";
  EXPECT_EQ(Texts(body + ";\nSELECT 2;", Dialect::kMysql), (Texts_{body, "SELECT 2"}));
}

TEST(SplitterTest, MysqlTableNamedEventsWithABeginColumnIsAPlainStatement) {
  EXPECT_EQ(Texts("CREATE TABLE events (event INT, begin DATETIME); SELECT 2;", Dialect::kMysql),
            (Texts_{"CREATE TABLE events (event INT, begin DATETIME)", "SELECT 2"}));
}

TEST(SplitterTest, MysqlCustomDelimiterRightAfterAWord) {
  EXPECT_EQ(Texts("DELIMITER $$\nCREATE PROCEDURE p() BEGIN SELECT 1; END$$\nSELECT 2$$\nDELIMITER ;\n",
                  Dialect::kMysql),
            (Texts_{"CREATE PROCEDURE p() BEGIN SELECT 1; END", "SELECT 2"}));
}

TEST(SplitterTest, MysqlBodiesWithLabelsHandlersAndMariadbBlocks) {
  const std::string proc =
      "CREATE PROCEDURE p(IN begin INT) READS SQL DATA lbl: BEGIN\n"
      "  DECLARE CONTINUE HANDLER FOR SQLSTATE '23000', NOT FOUND BEGIN SELECT 1; END;\n"
      "  l2: LOOP LEAVE l2; END LOOP l2;\n"
      "  REPEAT SET begin = begin + 1; UNTIL begin > 3 END REPEAT;\n"
      "  CASE begin WHEN 1 THEN SELECT 1; ELSE BEGIN END; END CASE;\n"
      "  FOR i IN 1..3 DO SELECT i; END FOR;\n"
      "END lbl";
  const std::string block = "BEGIN NOT ATOMIC SELECT 1; BEGIN SELECT 2; END; END";
  EXPECT_EQ(Texts(proc + ";\n" + block + ";\nBEGIN;\nCOMMIT;", Dialect::kMysql),
            (Texts_{proc, block, "BEGIN", "COMMIT"}));
}

TEST(SplitterTest, MysqlRoutineHeadersWithAnyReturnType) {
  const std::string f1 = "CREATE FUNCTION f() RETURNS NATIONAL VARCHAR(10) DETERMINISTIC BEGIN RETURN 'a'; END";
  const std::string f2 = "CREATE FUNCTION g() RETURNS SET('a', 'b') CHARACTER SET latin1 RETURN (SELECT begin FROM t)";
  EXPECT_EQ(Texts(f1 + ";\n" + f2 + ";\nSELECT 2;", Dialect::kMysql), (Texts_{f1, f2, "SELECT 2"}));
}

TEST(SplitterTest, PostgresSemicolonsInsideParenthesesDoNotSplit) {
  EXPECT_EQ(Texts("CREATE RULE r AS ON INSERT TO t DO (INSERT INTO a VALUES (1); INSERT INTO b VALUES (2));\n"
                  "SELECT 3;",
                  Dialect::kPostgres),
            (Texts_{"CREATE RULE r AS ON INSERT TO t DO (INSERT INTO a VALUES (1); INSERT INTO b VALUES (2))",
                    "SELECT 3"}));
}

TEST(SplitterTest, PostgresBeginAtomicBodies) {
  const std::string f =
      "CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN /* c */ ATOMIC\n"
      "  SELECT t.end, 1 AS end FROM t;\n"
      "  SELECT CASE WHEN true THEN 1 END;\n"
      "END";
  EXPECT_EQ(Texts(f + ";\nCREATE TABLE function (function int, begin int); SELECT 1;", Dialect::kPostgres),
            (Texts_{f, "CREATE TABLE function (function int, begin int)", "SELECT 1"}));
}

// Found by SplitterPgFuzzTest.LexicalSoupSplitsLikeTheScanner.
TEST(SplitterTest, PostgresLexicalCornersSplitLikeTheServer) {
  // A dollar quote right after another one, after a number and after a parameter.
  EXPECT_EQ(Texts("SELECT $a$;$a$$$;$$; SELECT 1$b$;$b$, $1$c$;$c$; SELECT 2", Dialect::kPostgres),
            (Texts_{"SELECT $a$;$a$$$;$$", "SELECT 1$b$;$b$, $1$c$;$c$", "SELECT 2"}));
  // E'...' right after a dollar quote, and continued after a newline: 'b\'' is still an escape string.
  EXPECT_EQ(Texts("SELECT $$x$$E'\\';'; SELECT E'a'\n  'b\\'; c'; SELECT 3", Dialect::kPostgres),
            (Texts_{"SELECT $$x$$E'\\';'", "SELECT E'a'\n  'b\\'; c'", "SELECT 3"}));
  // Not continued across a comment; a word ending in e is no E prefix.
  EXPECT_EQ(Texts("SELECT E'a' -- c\n'b\\'; SELECT 'x'; SELECT typee'\\'; SELECT 4", Dialect::kPostgres),
            (Texts_{"SELECT E'a' -- c\n'b\\'", "SELECT 'x'", "SELECT typee'\\'", "SELECT 4"}));
}

TEST(SplitterTest, SqliteTriggerOnAColumnNamedBegin) {
  const std::string trg =
      "CREATE TRIGGER tr AFTER UPDATE OF begin ON t BEGIN\n"
      "  UPDATE t SET n = CASE WHEN NEW.n > 0 THEN 1 END;\n"
      "END";
  EXPECT_EQ(Texts(trg + ";\nSELECT 2;", Dialect::kSqlite), (Texts_{trg, "SELECT 2"}));
}

// Found by SplitterSqliteDiffTest.SoupSplitsLikeSqlite3Complete.
TEST(SplitterTest, SqliteTriggersEndWhereSqlite3CompleteSays) {
  EXPECT_EQ(Texts("EXPLAIN QUERY PLAN CREATE TEMP TRIGGER tr AFTER INSERT ON t BEGIN SELECT 1; END;\n"
                  "CREATE TRIGGER x; SELECT 2; END; CREATE TABLE trigger (a); SELECT 3;",
                  Dialect::kSqlite),
            (Texts_{"EXPLAIN QUERY PLAN CREATE TEMP TRIGGER tr AFTER INSERT ON t BEGIN SELECT 1; END",
                    "CREATE TRIGGER x; SELECT 2; END", "CREATE TABLE trigger (a)", "SELECT 3"}));
}

}  // namespace
}  // namespace dbroll::internal
