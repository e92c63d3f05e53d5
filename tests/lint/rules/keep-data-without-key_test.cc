// keep-data-without-key: keep-data on a table created without a primary key.
#include <gtest/gtest.h>

#include "tests/lint/lint_test_util.h"

namespace dbroll::testing {
namespace {

TEST(KeepDataWithoutKeyTest, TableWithoutKeyIsRefused) {
  for (const char* target : {"postgres:15", "mysql:8.0", "sqlite:3.40"}) {
    auto f = LintPairs({{"CREATE TABLE events (at text, what text);", "DROP TABLE events;"},
                        {"-- dbroll:keep-data\nALTER TABLE events DROP COLUMN what;",
                         "ALTER TABLE events ADD COLUMN what text;"}},
                       target);
    EXPECT_EQ(Rendered(f, "keep-data-without-key"),
              (std::vector<std::string>{"0002_m/up.sql:2:1: keep-data cannot keep the data of table events: it has "
                                        "no primary key and no unique key on NOT NULL columns, so archived values "
                                        "could not be matched back to their rows"}))
        << target;
    // Not settled: the drop is still a data loss.
    EXPECT_EQ(Positions(f, "drop-column"), (std::vector<std::string>{"2:1"})) << target;
    EXPECT_TRUE(Positions(f, "keep-data").empty()) << target;
  }
}

TEST(KeepDataWithoutKeyTest, KeyAddedLaterOrTableKeyedIsFine) {
  auto f = LintPairs({{"CREATE TABLE events (at text, what text, PRIMARY KEY (at));", "DROP TABLE events;"},
                      {"-- dbroll:keep-data\nDROP TABLE events;", "CREATE TABLE events (at text primary key, what text);"}},
                     "sqlite:3.40");
  EXPECT_TRUE(Positions(f, "keep-data-without-key").empty());
  auto g = LintPairs({{"CREATE TABLE events (at int, what text);", "DROP TABLE events;"},
                      {"ALTER TABLE events ADD PRIMARY KEY (at);", "ALTER TABLE events DROP PRIMARY KEY;"},
                      {"-- dbroll:keep-data\nDROP TABLE events;", "CREATE TABLE events (at int primary key, what text);"}},
                     "mysql:8.0");
  EXPECT_TRUE(Positions(g, "keep-data-without-key").empty());
}

TEST(KeepDataWithoutKeyTest, AUniqueKeyOnNotNullColumnsIsAKey) {
  for (const char* target : {"postgres:15", "mysql:8.0", "sqlite:3.40"}) {
    for (const char* create : {"CREATE TABLE events (at varchar(20) NOT NULL UNIQUE, what text);",
                               "CREATE TABLE events (at varchar(20) NOT NULL, src int NOT NULL, what text, "
                               "CONSTRAINT events_key UNIQUE (src, at));"}) {
      auto f = LintPairs({{create, "DROP TABLE events;"},
                          {"-- dbroll:keep-data\nALTER TABLE events DROP COLUMN what;",
                           "ALTER TABLE events ADD COLUMN what text;"}},
                         target);
      EXPECT_TRUE(Positions(f, "keep-data-without-key").empty()) << target << ": " << create;
    }
    // A nullable column in the key: two rows may both hold NULL there.
    auto g = LintPairs({{"CREATE TABLE events (at varchar(20) NOT NULL, src int, what text, UNIQUE (src, at));",
                         "DROP TABLE events;"},
                        {"-- dbroll:keep-data\nALTER TABLE events DROP COLUMN what;",
                         "ALTER TABLE events ADD COLUMN what text;"}},
                       target);
    EXPECT_EQ(Positions(g, "keep-data-without-key"), (std::vector<std::string>{"2:1"})) << target;
  }
}

TEST(KeepDataWithoutKeyTest, UnknownTableIsLeftToTheEngine) {
  auto f = LintUp("-- dbroll:keep-data\nDROP TABLE legacy_stuff;", "CREATE TABLE legacy_stuff (id int primary key);");
  EXPECT_TRUE(Positions(f, "keep-data-without-key").empty());
  EXPECT_EQ(Positions(f, "keep-data"), (std::vector<std::string>{"2:1"}));
}

}  // namespace
}  // namespace dbroll::testing
