// dbroll adopt on a real MariaDB: dbmate's and golang-migrate's tables, as
// those tools create them, taken over without running anything (the
// scenarios: tests/support/server_adopt_test.h).
#include <gtest/gtest.h>

#include "tests/support/server_adopt_test.h"

namespace dbroll::testing {
namespace {

DBROLL_SERVER_ADOPT_TESTS(MysqlAdoptTest, kMysqlServer, kMysqlAdoptSql)

}  // namespace
}  // namespace dbroll::testing
