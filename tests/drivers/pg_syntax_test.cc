// The PostgreSQL driver's parser check, without a server.
#include "drivers/postgres/pg_syntax.h"

#include <gtest/gtest.h>

namespace dbroll::testing {
namespace {

std::vector<Statement> Stmts(std::initializer_list<const char*> texts) {
  std::vector<Statement> out;
  for (const char* t : texts) out.push_back(Statement{t, "up.sql", 1, 1, 0});
  return out;
}

TEST(PgSyntaxTest, ValidStatementsPass) {
  EXPECT_TRUE(internal::pg::CheckSyntax(Stmts({"CREATE TABLE a (x int)", "SELECT 1 -- trailing comment",
                                               "CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; END",
                                               "DO $$ BEGIN PERFORM 1; END $$"}))
                  .ok());
  EXPECT_EQ(internal::pg::ParserMajorVersion(), 15);
}

TEST(PgSyntaxTest, ErrorNamesStatementAndBytePosition) {
  Status s = internal::pg::CheckSyntax(Stmts({"SELECT 1", "SELECT 'é' ,, 1"}));
  EXPECT_EQ(s.code(), Code::kDatabaseError);
  EXPECT_EQ(s.message(), "syntax error at or near \",\"");
  EXPECT_EQ(s.sqlstate(), "42601");
  EXPECT_EQ(s.statement_index(), 1);
  EXPECT_EQ(s.position(), 13u);  // bytes: é is two
}

TEST(PgSyntaxTest, ErrorAtEndOfAStatementStaysInIt) {
  Status s = internal::pg::CheckSyntax(Stmts({"SELECT (", "SELECT 1"}));
  EXPECT_EQ(s.message(), "syntax error at or near \";\"");
  EXPECT_EQ(s.statement_index(), 0);
  EXPECT_EQ(s.position(), 8u);
  s = internal::pg::CheckSyntax(Stmts({"SELECT 1", "SELECT 'abc"}));
  EXPECT_EQ(s.message().rfind("unterminated quoted string at or near \"'abc", 0), 0u) << s.message();
  EXPECT_EQ(s.statement_index(), 1);
  EXPECT_EQ(s.position(), 7u);
}

TEST(PgSyntaxTest, ManyStatementsAreParsedInChunksWithExactIndexes) {
  std::vector<Statement> stmts;
  const std::string filler = "INSERT INTO t VALUES ('" + std::string(1000, 'x') + "')";
  for (int i = 0; i < 600; ++i) stmts.push_back(Statement{filler, "up.sql", i + 1, 1, 0});
  EXPECT_TRUE(internal::pg::CheckSyntax(stmts).ok());
  stmts[517].text = "INSERT INTO t VALUES (1,,2)";
  Status s = internal::pg::CheckSyntax(stmts);
  EXPECT_EQ(s.statement_index(), 517);
  EXPECT_EQ(s.position(), 24u);
}

TEST(PgSyntaxTest, StopsWhereTheFileChangesHowStringsLex) {
  EXPECT_TRUE(internal::pg::CheckSyntax(Stmts({"SET standard_conforming_strings = off", "SELECT 'a\\' ,,"})).ok());
  EXPECT_FALSE(internal::pg::CheckSyntax(Stmts({"SELECT ,,", "SET standard_conforming_strings = off"})).ok());
}

}  // namespace
}  // namespace dbroll::testing
