// irreversible-without-directive: an allow with a reason for the op's own rule
// settles the op for every rule; the cases are in irreversible-without-directive.cases.
#include <gtest/gtest.h>

#include "tests/lint/lint_test_util.h"

namespace dbroll::testing {
namespace {

TEST(IrreversibleWithoutDirectiveTest, AllowedDropColumnLeavesNoFindingAtAll) {
  auto f = LintPairs({{"CREATE TABLE users (id int primary key, email text, a int, name varchar(50));",
                       "DROP TABLE users;"},
                      {"-- dbroll:allow drop-column the app stopped reading it in v42\n"
                       "ALTER TABLE users DROP COLUMN a;",
                       "ALTER TABLE users ADD COLUMN a int;"}});
  EXPECT_EQ(ErrorFindings(f), std::vector<std::string>{});
}

}  // namespace
}  // namespace dbroll::testing
