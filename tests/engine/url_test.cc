#include <gtest/gtest.h>

#include "dbroll/driver.h"
#include "dbroll/url.h"
#include "engine/checksum.h"

namespace dbroll {
namespace {

TEST(UrlTest, ParsesServerUrls) {
  auto u = ParseUrl("postgres://app:p%40ss@db.local:6543/shop?sslmode=require&application_name=dbroll");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->scheme, "postgres");
  EXPECT_EQ(u->user, "app");
  EXPECT_EQ(u->password, "p@ss");
  EXPECT_EQ(u->host, "db.local");
  EXPECT_EQ(u->port, 6543);
  EXPECT_EQ(u->database, "shop");
  EXPECT_EQ(u->params.at("sslmode"), "require");
}

TEST(UrlTest, ParsesSqliteUrls) {
  EXPECT_EQ(ParseUrl("sqlite:app.db")->database, "app.db");
  EXPECT_EQ(ParseUrl("sqlite:///tmp/a.db")->database, "/tmp/a.db");
  EXPECT_FALSE(ParseUrl("sqlite:").ok());
}

TEST(UrlTest, RedactsPasswords) {
  EXPECT_EQ(RedactUrl("postgres://u:S3cret@h:5432/db"), "postgres://u:***@h:5432/db");
  EXPECT_EQ(RedactUrl("mysql://u:S3cret@h/db?x=1"), "mysql://u:***@h/db?x=1");
  EXPECT_EQ(RedactUrl("postgres://h/db?user=u&password=S3cret&sslmode=off"),
            "postgres://h/db?user=u&password=***&sslmode=off");
  EXPECT_EQ(RedactUrl("postgres://u@h/db"), "postgres://u@h/db");
  EXPECT_EQ(RedactUrl("sqlite:a.db"), "sqlite:a.db");
}

TEST(UrlTest, DialectByScheme) {
  EXPECT_EQ(DialectOfUrl("postgresql://x/y").value(), Dialect::kPostgres);
  EXPECT_EQ(DialectOfUrl("mariadb://x/y").value(), Dialect::kMysql);
  EXPECT_EQ(DialectOfUrl("sqlite:a").value(), Dialect::kSqlite);
  auto bad = DialectOfUrl("oracle://u:Hidden1@x/y");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message().find("Hidden1"), std::string::npos);
}

TEST(ChecksumTest, Sha256OfExactBytes) {
  EXPECT_EQ(internal::Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(internal::Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_NE(internal::Sha256Hex("a\n"), internal::Sha256Hex("a\r\n"));
}

TEST(VersionTest, ComparesNumerically) {
  EXPECT_LT(CompareVersions("9", "10"), 0);
  EXPECT_LT(CompareVersions("0009", "10"), 0);
  EXPECT_GT(CompareVersions("20261126093000", "0002"), 0);
  EXPECT_EQ(CompareVersions("0042", "0042"), 0);
}

TEST(DirectivesTest, ReadsLeadingCommentDirectives) {
  std::vector<std::string> errors;
  auto d = ParseDirectives("u.sql",
                           "-- dbroll:no-transaction\n-- dbroll:allow drop-column legacy column\n"
                           "CREATE INDEX CONCURRENTLY i ON t (a);\n-- dbroll:allow truncate\nTRUNCATE t;\n",
                           &errors);
  EXPECT_TRUE(d.no_transaction);
  ASSERT_EQ(d.allows.size(), 2u);
  EXPECT_TRUE(d.allows[0].file_wide);
  EXPECT_EQ(d.allows[0].reason, "legacy column");
  EXPECT_FALSE(d.allows[1].file_wide);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0], "u.sql:4: dbroll:allow truncate needs a reason after the rule id");
}

TEST(DirectivesTest, UnknownDirectiveIsAnError) {
  std::vector<std::string> errors;
  ParseDirectives("u.sql", "-- dbroll:no-transation\nSELECT 1;\n", &errors);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0], "u.sql:1: unknown directive dbroll:no-transation (known: no-transaction, irreversible, allow)");
}

}  // namespace
}  // namespace dbroll
