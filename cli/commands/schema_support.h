// Schema steps other commands share: migrate --check-drift (the
// `[migrations] schema_file` rewrite is UpdateSchemaFile in dbroll/project.h).
#ifndef DBROLL_CLI_COMMANDS_SCHEMA_SUPPORT_H_
#define DBROLL_CLI_COMMANDS_SCHEMA_SUPPORT_H_

#include <string>

#include "cli/context.h"

namespace dbroll::cli {

// Runs drift against `live` and prints it in ctx's format. kCheckFailed when
// the schema drifted.
Status RunDrift(Context& ctx, Engine& live, const std::string& scratch_url);

}  // namespace dbroll::cli

#endif  // DBROLL_CLI_COMMANDS_SCHEMA_SUPPORT_H_
