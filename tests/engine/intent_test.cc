// What a statement names, for the catalog fingerprint of its intent.
#include "engine/intent.h"

#include <gtest/gtest.h>

namespace dbroll::internal {
namespace {

using V = std::vector<std::string>;

TEST(IntentTest, TargetObjectsOfCommonDdl) {
  EXPECT_EQ(TargetObjects("CREATE TABLE IF NOT EXISTS t1 (id int)", Dialect::kMysql), V{"t1"});
  EXPECT_EQ(TargetObjects("create table `Odd Name` (id int)", Dialect::kMysql), V{"Odd Name"});
  EXPECT_EQ(TargetObjects("CREATE TABLE Public.Users (id int)", Dialect::kPostgres), V{"users"});
  EXPECT_EQ(TargetObjects("CREATE TABLE \"Users\" (id int)", Dialect::kPostgres), V{"Users"});
  EXPECT_EQ(TargetObjects("-- c\nALTER TABLE big ADD COLUMN w int", Dialect::kMysql), V{"big"});
  EXPECT_EQ(TargetObjects("ALTER TABLE a RENAME TO b", Dialect::kPostgres), (V{"a", "b"}));
  EXPECT_EQ(TargetObjects("DROP TABLE IF EXISTS a, b", Dialect::kMysql), (V{"a", "b"}));
  EXPECT_EQ(TargetObjects("CREATE UNIQUE INDEX i ON t (x)", Dialect::kMysql), (V{"i", "t"}));
  EXPECT_EQ(TargetObjects("CREATE INDEX CONCURRENTLY ON ONLY t (x)", Dialect::kPostgres), V{"t"});
  EXPECT_EQ(TargetObjects("DROP INDEX i ON t", Dialect::kMysql), (V{"i", "t"}));
  EXPECT_EQ(TargetObjects("RENAME TABLE a TO b, c TO d", Dialect::kMysql), (V{"a", "b", "c", "d"}));
  EXPECT_EQ(TargetObjects("CREATE VIEW v AS SELECT 1", Dialect::kSqlite), V{"v"});
}

TEST(IntentTest, UnknownStatementsMeanTheWholeSchema) {
  EXPECT_EQ(TargetObjects("CALL bump()", Dialect::kMysql), V{});
  EXPECT_EQ(TargetObjects("CREATE PROCEDURE p() BEGIN END", Dialect::kMysql), V{});
  EXPECT_EQ(TargetObjects("GRANT SELECT ON t TO u", Dialect::kPostgres), V{});
}

TEST(IntentTest, ExistenceSettlesCreateDropAndRenameOfTablesAndViews) {
  const auto kX = FingerprintScope::kExistence, kS = FingerprintScope::kStructure;
  EXPECT_EQ(ScopeFor("CREATE TABLE t (id int)", Dialect::kMysql), kX);
  EXPECT_EQ(ScopeFor("create or replace view v as select 1", Dialect::kMysql), kX);
  EXPECT_EQ(ScopeFor("CREATE TEMPORARY TABLE t (id int)", Dialect::kMysql), kX);
  EXPECT_EQ(ScopeFor("DROP TABLE IF EXISTS a, b", Dialect::kMysql), kX);
  EXPECT_EQ(ScopeFor("DROP VIEW v", Dialect::kPostgres), kX);
  EXPECT_EQ(ScopeFor("RENAME TABLE a TO b", Dialect::kMysql), kX);
  EXPECT_EQ(ScopeFor("ALTER TABLE t ADD COLUMN c int", Dialect::kMysql), kS);
  EXPECT_EQ(ScopeFor("CREATE INDEX i ON t (c)", Dialect::kMysql), kS);
  EXPECT_EQ(ScopeFor("DROP INDEX i ON t", Dialect::kMysql), kS);
  EXPECT_EQ(ScopeFor("TRUNCATE t", Dialect::kMysql), kS);
  EXPECT_EQ(ScopeFor("CREATE PROCEDURE p() BEGIN END", Dialect::kMysql), kS);
}

TEST(IntentTest, CreateIndexConcurrently) {
  auto named = ParseCreateIndexConcurrently("CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS Big_Id ON public.big (id)");
  ASSERT_TRUE(named);
  EXPECT_EQ(named->name, "big_id");
  EXPECT_EQ(named->table, "big");
  auto unnamed = ParseCreateIndexConcurrently("create index concurrently on only \"T\" (x)");
  ASSERT_TRUE(unnamed);
  EXPECT_EQ(unnamed->name, "");
  EXPECT_EQ(unnamed->table, "T");
  EXPECT_FALSE(ParseCreateIndexConcurrently("CREATE INDEX big_id ON big (id)"));
}

}  // namespace
}  // namespace dbroll::internal
