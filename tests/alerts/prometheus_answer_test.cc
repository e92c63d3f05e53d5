// ParsePrometheusAnswer: what the metric gate makes of each kind of answer.
#include <gtest/gtest.h>

#include <cmath>

#include "dbroll/deploy_hooks.h"

namespace dbroll {
namespace {

TEST(PrometheusAnswerTest, VectorGivesTheLargestSample) {
  auto v = ParsePrometheusAnswer(
      R"({"status":"success","data":{"resultType":"vector","result":[)"
      R"({"metric":{"i":"a"},"value":[1700000000.1,"0.02"]},{"metric":{"i":"b"},"value":[1700000000.1,"0.4"]}]}})");
  ASSERT_TRUE(v.ok()) << v.status().message();
  EXPECT_DOUBLE_EQ(v.value(), 0.4);
}

TEST(PrometheusAnswerTest, ScalarIsAccepted) {
  auto v = ParsePrometheusAnswer(R"({"status":"success","data":{"resultType":"scalar","result":[1.5,"3"]}})");
  ASSERT_TRUE(v.ok());
  EXPECT_DOUBLE_EQ(v.value(), 3);
}

TEST(PrometheusAnswerTest, EmptyResultIsNotFound) {
  auto v = ParsePrometheusAnswer(R"({"status":"success","data":{"resultType":"vector","result":[]}})");
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().code(), Code::kNotFound);
  EXPECT_EQ(v.status().message(), "the query returned no series");
}

TEST(PrometheusAnswerTest, NaNIsReturnedAsNaN) {
  auto v = ParsePrometheusAnswer(
      R"({"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,"NaN"]}]}})");
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(std::isnan(v.value()));
}

TEST(PrometheusAnswerTest, ErrorAnswerNamesTheError) {
  auto v = ParsePrometheusAnswer(
      R"({"status":"error","errorType":"bad_data","error":"1:5: parse error: unexpected <by>"})");
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().code(), Code::kCheckFailed);
  EXPECT_EQ(v.status().message(), "query failed: bad_data: 1:5: parse error: unexpected <by>");
}

TEST(PrometheusAnswerTest, GarbageIsAnErrorNotACrash) {
  EXPECT_EQ(ParsePrometheusAnswer("<html>").status().message(), "the answer is not JSON");
  auto v = ParsePrometheusAnswer(R"({"status":"success","data":{"resultType":"vector","result":[{"value":[1,2]}]}})");
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().message(), "unexpected answer: a sample is not [time, \"value\"]");
  EXPECT_EQ(ParsePrometheusAnswer(R"({"status":"success","data":{"resultType":"matrix","result":[]}})")
                .status()
                .message(),
            "the query returns a matrix; the gate needs an instant vector or scalar");
}

TEST(PrometheusAnswerTest, MalformedAnswersAreStatusesNeverExceptions) {
  // Each of these threw out of ParsePrometheusAnswer (json::value on a value
  // of the wrong type) and would have ended dbroll deploy.
  for (const char* body : {R"({"status":1})", R"({"status":"error","error":7,"errorType":[]})",
                           R"({"status":"success","data":{"resultType":"vector","result":{"a":1}}})",
                           R"({"status":"success","data":{"resultType":5,"result":[]}})",
                           R"({"status":"success","data":{"resultType":"vector","result":[{"value":[1,2]}]}})",
                           R"({"status":"success","data":[]})", R"([1,2])", "", "{\"status\""}) {
    Result<double> v = ParsePrometheusAnswer(body);
    EXPECT_FALSE(v.ok()) << body;
    EXPECT_EQ(v.status().code(), Code::kCheckFailed) << body;
  }
}

}  // namespace
}  // namespace dbroll
