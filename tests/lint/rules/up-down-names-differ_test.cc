// up-down-names-differ: positive and negative cases.
#include <gtest/gtest.h>

#include "tests/lint/lint_test_util.h"

namespace dbroll::testing {
namespace {

std::vector<std::string> LintFiles(const std::string& up_path, const std::string& down_path) {
  Migration m;
  m.version = "0001";
  m.name = "add_idx";
  m.up = MakeScript(up_path, "CREATE TABLE a (x int);");
  m.down = MakeScript(down_path, "DROP TABLE a;");
  LintOptions o;
  o.target = ParseLintTarget("postgres:15").value();
  return Rendered(Linter::Create(o).value()->Lint({m}), "up-down-names-differ");
}

TEST(UpDownNamesDifferTest, WarnsWhenNamesDiffer) {
  EXPECT_EQ(LintFiles("migrations/0001_add_idx.autocommit.up.sql", "migrations/0001_drop_idx.down.sql"),
            (std::vector<std::string>{
                "migrations/0001_add_idx.autocommit.up.sql:1:1: migrations/0001_add_idx.autocommit.up.sql and "
                "migrations/0001_drop_idx.down.sql pair by version 0001 although their names differ (add_idx, "
                "drop_idx)"}));
  EXPECT_EQ(LintFiles("sql/V1.2__a.sql", "sql/U1.2__b.sql").size(), 1u);
}

TEST(UpDownNamesDifferTest, SameNameWithMarkersIsFine) {
  EXPECT_EQ(LintFiles("migrations/0001_add_idx.postgres.autocommit.up.sql", "migrations/0001_add_idx.down.sql"),
            (std::vector<std::string>{}));
  EXPECT_EQ(LintFiles("migrations/0001_add_idx/up.sql", "migrations/0001_add_idx/down.sql"),
            (std::vector<std::string>{}));
  EXPECT_EQ(LintFiles("db/20240101000000_a.sql", "db/20240101000000_a.sql"), (std::vector<std::string>{}));
  EXPECT_EQ(LintFiles("sql/V1.2__a.sql", "sql/U1.2__a.sql"), (std::vector<std::string>{}));
}

}  // namespace
}  // namespace dbroll::testing
