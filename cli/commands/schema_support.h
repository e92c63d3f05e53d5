// Schema steps other commands share: migrate --check-drift and the
// `[migrations] schema_file` rewrite after migrate and down.
#ifndef DBROLL_CLI_COMMANDS_SCHEMA_SUPPORT_H_
#define DBROLL_CLI_COMMANDS_SCHEMA_SUPPORT_H_

#include <string>

#include "cli/context.h"

namespace dbroll::cli {

// Runs drift against `live` and prints it in ctx's format. kCheckFailed when
// the schema drifted.
Status RunDrift(Context& ctx, Engine& live, const std::string& scratch_url);

// When `[migrations] schema_file` is set, rewrites it (relative to the
// config's directory) with the live schema's snapshot text. Ok when unset.
Status UpdateSchemaFile(Engine& engine, const Config& config);

}  // namespace dbroll::cli

#endif  // DBROLL_CLI_COMMANDS_SCHEMA_SUPPORT_H_
