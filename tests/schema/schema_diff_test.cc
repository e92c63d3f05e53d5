// Normalisation, rendering and diff of schema snapshots, without a database.
#include <gtest/gtest.h>

#include "dbroll/schema.h"
#include "engine/schema_internal.h"
#include "engine/scratch.h"

namespace dbroll {
namespace {

SchemaObject Column(const std::string& table, const std::string& name, const std::string& type, int pos,
                    const std::string& extra = "") {
  return {"column", table + "." + name, table, type, type + extra, pos};
}

Snapshot Snap(std::vector<SchemaObject> objects) {
  Snapshot s;
  s.objects = std::move(objects);
  return s;
}

TEST(SchemaDiffTest, EqualSnapshotsHaveNoChanges) {
  Snapshot a = Snap({{"table", "accounts", "", "", "", 0}, Column("accounts", "id", "integer", 1)});
  EXPECT_TRUE(DiffSnapshots(a, a).empty());
}

TEST(SchemaDiffTest, ReportsAddedRemovedAndChanged) {
  Snapshot before = Snap({{"table", "accounts", "", "", "", 0}, Column("accounts", "id", "integer", 1),
                          Column("accounts", "name", "text", 2)});
  Snapshot after = Snap({{"table", "accounts", "", "", "", 0}, Column("accounts", "id", "integer", 1),
                         Column("accounts", "name", "text", 2, " default 'x'"),
                         Column("accounts", "flag_b", "boolean", 3),
                         {"index", "accounts.accounts_name", "accounts", "on accounts (name)", "on accounts (name)", 0}});
  std::vector<SchemaChange> d = DiffSnapshots(before, after);
  ASSERT_EQ(d.size(), 3u);
  // Table parts come in column position order, then indexes.
  EXPECT_EQ(d[0].kind, SchemaChange::Kind::kChanged);
  EXPECT_EQ(d[0].before.definition, "text");
  EXPECT_EQ(d[0].after.definition, "text default 'x'");
  EXPECT_EQ(d[1].kind, SchemaChange::Kind::kAdded);
  EXPECT_EQ(d[1].after.Describe(), "column accounts.flag_b (boolean)");
  EXPECT_EQ(d[2].kind, SchemaChange::Kind::kAdded);
  EXPECT_EQ(d[2].after.Describe(), "index accounts_name on accounts (name)");
  std::vector<SchemaChange> back = DiffSnapshots(after, before);
  ASSERT_EQ(back.size(), 3u);
  EXPECT_EQ(back[1].kind, SchemaChange::Kind::kRemoved);
  EXPECT_EQ(back[1].before.Describe(), "column accounts.flag_b (boolean)");
}

TEST(SchemaDiffTest, ColumnOrderAloneIsOneTableChange) {
  Snapshot a = Snap({Column("t", "a", "int", 1), Column("t", "b", "int", 2)});
  Snapshot b = Snap({Column("t", "b", "int", 1), Column("t", "a", "int", 2)});
  std::vector<SchemaChange> d = DiffSnapshots(a, b);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].before.Describe(), "table t (column order)");
  EXPECT_EQ(d[0].before.definition, "columns (a, b)");
  EXPECT_EQ(d[0].after.definition, "columns (b, a)");
}

TEST(SchemaDiffTest, TextGroupsTablePartsUnderTheirTable) {
  // In TakeSnapshot's order: tables by name, their parts by kind then position, views after tables.
  Snapshot s = Snap({{"table", "a", "", "", "", 0},
                     Column("a", "id", "int", 1),
                     Column("a", "x", "text", 2),
                     {"table", "b", "", "", "", 0},
                     Column("b", "id", "int", 1),
                     {"constraint", "b.primary key (id)", "b", "", "primary key (id)", 0},
                     {"view", "v", "", "", "as SELECT 1", 0}});
  EXPECT_EQ(SnapshotText(s),
            "-- dbroll schema snapshot (sqlite); generated, do not edit\n"
            "table a\n"
            "  column id int\n"
            "  column x text\n"
            "table b\n"
            "  column id int\n"
            "  constraint primary key (id)\n"
            "view v as SELECT 1\n");
}

TEST(SchemaDiffTest, JsonEscapesDefinitions) {
  Snapshot s = Snap({{"view", "v", "", "", "as SELECT \"a\"\n", 0}});
  EXPECT_EQ(SnapshotJson(s),
            "{\n  \"format\": 1,\n  \"dialect\": \"sqlite\",\n  \"objects\": [\n"
            "    {\"kind\": \"view\", \"name\": \"v\", \"summary\": \"\", \"definition\": \"as SELECT \\\"a\\\"\\n\"}\n"
            "  ]\n}\n");
}

TEST(SchemaNormaliseTest, CollapseSpaceKeepsQuotedText) {
  EXPECT_EQ(internal::CollapseSpace("CREATE  VIEW v AS\n  SELECT a ,b\tFROM t WHERE x = 'a   b'  "),
            "CREATE VIEW v AS SELECT a, b FROM t WHERE x = 'a   b'");
  EXPECT_EQ(internal::CollapseSpace("f( a , b )"), "f(a, b)");
}

TEST(SchemaNormaliseTest, ExtractsChecksNamedAndUnnamed) {
  std::vector<std::string> c = internal::ExtractChecks(
      "CREATE TABLE t (a int CHECK (a > 0), b text, CONSTRAINT b_len CHECK (length(b) < 10),\n"
      " c text DEFAULT 'CHECK (x)')");
  ASSERT_EQ(c.size(), 2u);
  EXPECT_EQ(c[0], "CHECK (a > 0)");
  EXPECT_EQ(c[1], "CONSTRAINT b_len CHECK (length(b) < 10)");
}

TEST(SchemaNormaliseTest, ExtractsIndexPredicateOutsideParentheses) {
  EXPECT_EQ(internal::ExtractIndexPredicate("CREATE INDEX i ON t (a)  WHERE  b IS NOT NULL"), "b IS NOT NULL");
  EXPECT_EQ(internal::ExtractIndexPredicate("CREATE INDEX i ON t (a)"), "");
  EXPECT_EQ(internal::ExtractIndexPredicate("CREATE INDEX \"where\" ON t (a)"), "");
}

TEST(SchemaNormaliseTest, HistoryTablesAreFilteredOut) {
  EngineOptions o;
  o.history_table = "app_history";
  internal::TableFilter f(SnapshotOptionsFor(o));
  EXPECT_TRUE(f.Excluded("app_history"));
  EXPECT_TRUE(f.Excluded("app_log"));
  EXPECT_TRUE(f.Excluded("app_history_meta"));
  EXPECT_TRUE(f.Excluded("app_repeatable"));
  EXPECT_TRUE(f.Excluded("dbroll_history"));
  EXPECT_FALSE(f.Excluded("accounts"));
}

TEST(ScratchTest, ReplacesTheDatabaseKeepingParameters) {
  EXPECT_EQ(internal::ReplaceUrlDatabase("postgres://u:p@h:5432/app?sslmode=disable", "dbroll_scratch_1_1"),
            "postgres://u:p@h:5432/dbroll_scratch_1_1?sslmode=disable");
  EXPECT_EQ(internal::ReplaceUrlDatabase("mysql://root@127.0.0.1:33306", "s"), "mysql://root@127.0.0.1:33306/s");
  EXPECT_EQ(internal::ReplaceUrlDatabase("postgres://h/app", "s"), "postgres://h/s");
  // A raw '/' or '?' in the password is not where the database starts.
  EXPECT_EQ(internal::ReplaceUrlDatabase("postgres://u:a/b?c@h:5432/app?sslmode=disable", "s"),
            "postgres://u:a/b?c@h:5432/s?sslmode=disable");
}

}  // namespace
}  // namespace dbroll
