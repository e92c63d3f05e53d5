// Output formats of `dbroll verify`: the same five the linter offers, so CI
// that reads lint output reads verify output the same way.
#ifndef DBROLL_CLI_COMMANDS_VERIFY_FORMAT_H_
#define DBROLL_CLI_COMMANDS_VERIFY_FORMAT_H_

#include <string>

#include "dbroll/verify.h"

namespace dbroll::cli {

// "text", "json", "sarif", "github" (workflow commands) or "junit" (one
// testcase per version). kInvalidArgument for any other format.
Result<std::string> RenderVerifyReport(const VerifyReport& report, const std::string& format);

// One line per version for text output: "ok      0001_accounts", then the
// version's finding messages.
std::string VerifyVersionText(const VerifiedVersion& v, bool color);

}  // namespace dbroll::cli

#endif  // DBROLL_CLI_COMMANDS_VERIFY_FORMAT_H_
