// The parse-tree reader used for libpg_query's JSON: it must read exactly what
// nlohmann::json read, in the same member order, since the walker's ops (and
// so the findings' order) follow it.
#include "lint/json_tree.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

namespace dbroll::lint {
namespace {

// Re-serialises a JsonTree through nlohmann so the two can be compared whole.
nlohmann::json ToNlohmann(JsonTree::Ref r) {
  switch (r.type()) {
    case JsonTree::Type::kNull: return nullptr;
    case JsonTree::Type::kBool: return r.boolean();
    case JsonTree::Type::kInt: return r.int_value();
    case JsonTree::Type::kDouble: return nlohmann::json::parse("0");  // not produced below
    case JsonTree::Type::kString: return r.string();
    case JsonTree::Type::kArray: {
      nlohmann::json a = nlohmann::json::array();
      for (auto e : r) a.push_back(ToNlohmann(e));
      return a;
    }
    case JsonTree::Type::kObject: {
      nlohmann::json o = nlohmann::json::object();
      for (auto e : r) o[std::string(e.key())] = ToNlohmann(e);
      return o;
    }
  }
  return nullptr;
}

TEST(LintJsonTreeTest, ReadsWhatNlohmannReads) {
  const std::string doc =
      R"({"stmts":[{"stmt":{"InsertStmt":{"relation":{"relname":"T\"q\\x\u00e9\ud83d\ude00","inh":true},)"
      R"("zeta":-12,"alpha":[1,2,{"b":null,"a":false}],"mid":{},"e":[]}},"stmt_len":42}],"version":150001})";
  JsonTree t;
  ASSERT_TRUE(t.Parse(doc.c_str()));
  EXPECT_EQ(ToNlohmann(t.root()), nlohmann::json::parse(doc));
  EXPECT_EQ(ToNlohmann(t.root()).dump(), nlohmann::json::parse(doc).dump());
}

TEST(LintJsonTreeTest, MembersInKeyOrderAndLookups) {
  JsonTree t;
  ASSERT_TRUE(t.Parse(R"({"b":1,"a":2,"c":{"x":"y"}})"));
  std::string keys;
  for (auto m : t.root()) keys += std::string(m.key());
  EXPECT_EQ(keys, "abc");
  EXPECT_EQ((*t.root().begin()).key(), "a");
  EXPECT_EQ(t.root().at("c").at("x").string(), "y");
  EXPECT_TRUE(t.root().at("missing").is_null());
  EXPECT_TRUE(t.root().at("a").at("x").is_null());  // lookup on a non-object
  EXPECT_TRUE(t.root().contains("b"));
  EXPECT_FALSE(t.root().contains("z"));
  int n = 0;
  for (auto e : t.root().at("missing")) n += static_cast<int>(e.size()) + 1;  // null: no elements
  EXPECT_EQ(n, 0);
  for (auto e : t.root().at("a")) n += e.int_value();  // a scalar iterates as itself
  EXPECT_EQ(n, 2);
  EXPECT_THROW(t.root().at("a").string(), std::exception);
}

TEST(LintJsonTreeTest, MalformedIsNullAndTheTreeIsReusable) {
  JsonTree t;
  EXPECT_FALSE(t.Parse(R"({"a":[1,2)"));
  EXPECT_TRUE(t.root().is_null());
  EXPECT_TRUE(t.root().at("a").is_null());
  ASSERT_TRUE(t.Parse(R"([10,20,30])"));
  EXPECT_EQ(t.root().size(), 3u);
  EXPECT_EQ(t.root().back().int_value(), 30);
  EXPECT_EQ(t.root()[1].int_value(), 20);
}

}  // namespace
}  // namespace dbroll::lint
