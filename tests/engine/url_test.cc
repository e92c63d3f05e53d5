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

TEST(UrlTest, PlusInAPasswordStaysAPlus) {
  auto u = ParseUrl("postgres://app:a+b%2Bc@h/db?application_name=x+y");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->password, "a+b+c");
  EXPECT_EQ(u->params.at("application_name"), "x+y");
}

TEST(UrlTest, PercentEncodedSpecialCharactersInAPassword) {
  auto u = ParseUrl("postgres://acc_sec:Zq9%2BSECRET%2Fpw%3Fx%23%40@127.0.0.1:55432/acc?sslmode=disable");
  ASSERT_TRUE(u.ok()) << u.status().ToString();
  EXPECT_EQ(u->user, "acc_sec");
  EXPECT_EQ(u->password, "Zq9+SECRET/pw?x#@");
  EXPECT_EQ(u->host, "127.0.0.1");
  EXPECT_EQ(u->port, 55432);
  EXPECT_EQ(u->database, "acc");
  EXPECT_EQ(u->params.at("sslmode"), "disable");
  EXPECT_EQ(RedactUrl("postgres://acc_sec:Zq9%2BSECRET%2Fpw%3Fx%23%40@127.0.0.1:55432/acc?sslmode=disable"),
            "postgres://acc_sec:***@127.0.0.1:55432/acc?sslmode=disable");
}

TEST(UrlTest, RawSlashQuestionMarkAndHashInAPasswordParseAndAreRedacted) {
  for (const char* pw : {"Zq9SECRETpw/+x", "SECRET?x", "SECRET#x", "SECRET/x?y"}) {
    const std::string url = std::string("postgres://acc_sec:") + pw + "@127.0.0.1:1/x";
    auto u = ParseUrl(url);
    ASSERT_TRUE(u.ok()) << pw << ": " << u.status().ToString();
    EXPECT_EQ(u->password, pw);
    EXPECT_EQ(u->host, "127.0.0.1");
    EXPECT_EQ(u->port, 1);
    EXPECT_EQ(u->database, "x");
    EXPECT_EQ(RedactUrl(url), "postgres://acc_sec:***@127.0.0.1:1/x");
  }
}

TEST(UrlTest, AnAtSignInTheQueryIsNotAPassword) {
  auto u = ParseUrl("postgres://h:5432/db?application_name=me@host");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->host, "h");
  EXPECT_EQ(u->port, 5432);
  EXPECT_FALSE(u->has_password);
  EXPECT_EQ(u->params.at("application_name"), "me@host");
}

TEST(UrlTest, BadPortIsAnErrorWithoutThePassword) {
  auto u = ParseUrl("postgres://u:Hidden1@h:99999/db");
  ASSERT_FALSE(u.ok());
  EXPECT_EQ(u.status().message(), "'postgres://u:***@h:99999/db': port '99999' is not a port number (1-65535)");
  EXPECT_FALSE(ParseUrl("postgres://h:12ab/db").ok());
}

TEST(UrlTest, RedactsByPositionSoAShortPasswordGarblesNothing) {
  EXPECT_EQ(RedactUrl("postgres://postgres:s@localhost:5432/postgres"),
            "postgres://postgres:***@localhost:5432/postgres");
  EXPECT_EQ(RedactUrl("postgres://h/db?password=p&passfile=x"), "postgres://h/db?password=***&passfile=x");
  EXPECT_EQ(RedactSecret("cannot connect to postgres as user postgres: password s rejected", "s"),
            "cannot connect to postgres as user postgres: password *** rejected");
  EXPECT_EQ(RedactSecret("the Zq9SECRETpw/+x password", "Zq9SECRETpw/+x"), "the *** password");
  EXPECT_EQ(RedactSecret("aLongSecret1aLongSecret1", "aLongSecret1"), "******");
  EXPECT_EQ(RedactSecret("unchanged", ""), "unchanged");
}

TEST(UrlTest, MultiHostUrlKeepsTheHostListAndRedactsThePassword) {
  const std::string url = "postgres://ann:S3cretPw@127.0.0.1:55450,127.0.0.1:55451/app?target_session_attrs=read-write";
  auto u = ParseUrl(url);
  ASSERT_TRUE(u.ok()) << u.status().ToString();
  EXPECT_EQ(u->host, "127.0.0.1:55450,127.0.0.1:55451");
  EXPECT_EQ(u->port, 0);
  EXPECT_EQ(u->user, "ann");
  EXPECT_EQ(u->password, "S3cretPw");
  EXPECT_EQ(u->database, "app");
  EXPECT_EQ(u->params.at("target_session_attrs"), "read-write");
  EXPECT_EQ(RedactUrl(url), "postgres://ann:***@127.0.0.1:55450,127.0.0.1:55451/app?target_session_attrs=read-write");
  EXPECT_EQ(UrlWithDatabase(url, "other"),
            "postgres://ann:S3cretPw@127.0.0.1:55450,127.0.0.1:55451/other?target_session_attrs=read-write");
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
  EXPECT_EQ(errors[0], "u.sql:1: unknown directive dbroll:no-transation (known: no-transaction, irreversible, keep-data, allow)");
}

}  // namespace
}  // namespace dbroll
