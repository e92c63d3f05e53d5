#include "engine/verify_scope.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace dbroll::internal {
namespace {

using ::testing::ElementsAre;

Migration Pair(const std::string& up, const std::string& down) {
  Migration m;
  m.version = "0002";
  m.name = "x";
  m.up = Script{"migrations/0002_x/up.sql", up, "", {}};
  m.down = Script{"migrations/0002_x/down.sql", down, "", {}};
  return m;
}

TEST(VerifyScopeTest, TablesViewsAndIndexesTheStatementsName) {
  auto s = VersionScope(Pair("ALTER TABLE Accounts ADD COLUMN n int;\nCREATE INDEX acc_n ON accounts (n);\n"
                             "INSERT INTO log VALUES (1);\n",
                             "DROP INDEX acc_n;\nALTER TABLE accounts DROP COLUMN n;\n"),
                        Dialect::kPostgres);
  ASSERT_TRUE(s.has_value());
  EXPECT_THAT(*s, ElementsAre("acc_n", "accounts"));
}

TEST(VerifyScopeTest, StatementsThatCannotBeScopedReadEverything) {
  for (const char* up : {"CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1';",
                         "DO $$ BEGIN EXECUTE 'DROP TABLE t'; END $$;", "SELECT make_tables();",
                         "CREATE TABLE p1 PARTITION OF p FOR VALUES IN (1);", "CREATE TABLE c () INHERITS (p);",
                         "CREATE SEQUENCE s;", "CREATE TRIGGER t BEFORE INSERT ON a FOR EACH ROW EXECUTE FUNCTION f();",
                         "CREATE TABLE ${prefix}_t (id int);", "ALTER TYPE mood ADD VALUE 'x';"}) {
    EXPECT_FALSE(VersionScope(Pair(up, "SELECT 1;"), Dialect::kPostgres).has_value()) << up;
    EXPECT_FALSE(VersionScope(Pair("CREATE TABLE t (id int);", up), Dialect::kPostgres).has_value()) << up;
  }
  EXPECT_FALSE(VersionScope(Pair("CREATE TABLE t (id int);", "DROP TABLE t;"), Dialect::kSqlite).has_value());
  // MySQL table names can differ from the catalog's in case only: read everything.
  EXPECT_FALSE(VersionScope(Pair("CREATE TABLE T (id int);", "DROP TABLE T;"), Dialect::kMysql).has_value());
}

Snapshot Schema() {
  Snapshot s;
  s.dialect = Dialect::kPostgres;
  s.objects = {
      {"table", "a", "", "", "", 0},
      {"column", "a.x", "a", "integer", "integer", 1},
      {"table", "b", "", "", "", 0},
      {"constraint", "b.b_a", "b", "", "FOREIGN KEY (a_id) REFERENCES a(id)", 0},
      {"table", "c", "", "", "", 0},
      {"column", "c.ab", "c", "integer", "integer default 1", 1},
      {"view", "v", "", "", "as SELECT a.id, a.x FROM a;", 0},
      {"view", "w", "", "", "as SELECT v.id FROM v;", 0},
      {"view", "unrelated", "", "", "as SELECT c.ab FROM c;", 0},
      {"function", "f()", "", "", "CREATE OR REPLACE FUNCTION public.f() RETURNS integer LANGUAGE plpgsql AS "
                                   "$function$ BEGIN RETURN (SELECT count(*) FROM a); END $function$",
       0},
  };
  return s;
}

TEST(VerifyScopeTest, ViewsOverViewsAndForeignKeysJoinTheScope) {
  ScopeNames names = {"a"};
  ASSERT_TRUE(WidenScope(Schema(), &names));
  EXPECT_THAT(names, ElementsAre("a", "b", "v", "w"));
}

TEST(VerifyScopeTest, AFunctionWhoseSignatureNamesATableInScopeReadsEverything) {
  Snapshot s = Schema();
  s.objects.push_back({"function", "g(a)", "", "", "CREATE OR REPLACE FUNCTION public.g(r a) RETURNS integer "
                                                  "LANGUAGE sql AS $function$ SELECT 1 $function$", 0});
  ScopeNames names = {"a"};
  EXPECT_FALSE(WidenScope(s, &names));
  ScopeNames other = {"c"};
  EXPECT_TRUE(WidenScope(s, &other));
  EXPECT_THAT(other, ElementsAre("c", "unrelated"));
}

TEST(VerifyScopeTest, ScopedReadsReplaceExactlyTheObjectsInScope) {
  const ScopeNames names = {"a", "v"};
  EXPECT_TRUE(InScope({"column", "a.x", "a", "", "", 1}, names));
  EXPECT_TRUE(InScope({"view", "v", "", "", "", 0}, names));
  EXPECT_TRUE(InScope({"view", "sales.v", "", "", "", 0}, names));
  EXPECT_TRUE(InScope({"sequence", "a_id_seq", "", "", "as integer owned by a.id", 0}, names));
  EXPECT_FALSE(InScope({"sequence", "s", "", "", "as integer owned by b.id", 0}, names));
  EXPECT_FALSE(InScope({"table", "b", "", "", "", 0}, names));
  EXPECT_FALSE(InScope({"function", "a()", "", "", "", 0}, names));
  EXPECT_TRUE(InScope({"index", "b.v", "b", "", "", 0}, names));  // an index named in a statement
}

}  // namespace
}  // namespace dbroll::internal
