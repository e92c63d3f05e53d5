// `.env` in the project directory, read as dbmate reads it: NAME=VALUE lines
// that fill the environment for ${VAR} in dbroll.toml and DATABASE_URL, and
// never override a variable the real environment already has.
#ifndef DBROLL_CLI_DOTENV_H_
#define DBROLL_CLI_DOTENV_H_

#include <string>
#include <utility>
#include <vector>

#include "dbroll/status.h"

namespace dbroll::cli {

// Parses .env text: blank lines and `#` comments are skipped, `export ` is
// allowed, values may be 'single-quoted' (literal), "double-quoted" (\n, \",
// \\ escapes) or bare (trimmed, ` #comment` cut). kInvalidArgument naming
// `path`:line:column for anything else.
Result<std::vector<std::pair<std::string, std::string>>> ParseDotenv(const std::string& text,
                                                                     const std::string& path);

// Reads `dir`/.env when it exists and sets each variable not already set.
Status LoadDotenv(const std::string& dir);

}  // namespace dbroll::cli

#endif  // DBROLL_CLI_DOTENV_H_
