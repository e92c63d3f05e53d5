// keep-data scenarios that run alike on MariaDB and PostgreSQL
// (tests/mysql/keep_data_test.cc, tests/postgres/keep_data_test.cc).
#ifndef DBROLL_TESTS_SUPPORT_SERVER_KEEP_DATA_TEST_H_
#define DBROLL_TESTS_SUPPORT_SERVER_KEEP_DATA_TEST_H_

#include <gtest/gtest.h>

#include <chrono>

#include "dbroll/keep_data.h"
#include "tests/support/server_engine_test.h"

namespace dbroll::testing {

// Once its archive is purged, a keep-data migration rolls back only without
// its data; that down leaves no archive row behind.
inline void PurgedArchiveNeedsWithoutData(ServerEngineTest& t) {
  t.Add("0001", "t", "CREATE TABLE t (id int PRIMARY KEY, v text);\nINSERT INTO t VALUES (1, 'a');\n",
        "DROP TABLE t;\n");
  t.Add("0002", "drop", "-- dbroll:keep-data\nALTER TABLE t DROP COLUMN v;\n", "ALTER TABLE t ADD COLUMN v text;\n");
  auto e = t.Open();
  ASSERT_TRUE(e);
  ASSERT_TRUE(e->Migrate({}).ok());
  auto purged = PurgeArchives(*e, {.older_than = std::chrono::seconds(0)});
  ASSERT_TRUE(purged.ok()) << purged.status().ToString();
  EXPECT_EQ(purged->size(), 1u);
  EXPECT_EQ(e->Down({}).code(), Code::kIrreversible);
  ASSERT_TRUE(e->Down({.without_data = true}).ok());
  EXPECT_EQ(t.Scalar(*e, "SELECT count(*) FROM dbroll_archives"), "0");
}

}  // namespace dbroll::testing

#endif  // DBROLL_TESTS_SUPPORT_SERVER_KEEP_DATA_TEST_H_
