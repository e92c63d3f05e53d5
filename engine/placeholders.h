// Placeholders: `${name}` in a migration's SQL replaced by a value from
// [placeholders] in dbroll.toml, DBROLL_PLACEHOLDER_<name> in the
// environment or `--set name=value` (docs/config.md).
#ifndef DBROLL_ENGINE_PLACEHOLDERS_H_
#define DBROLL_ENGINE_PLACEHOLDERS_H_

#include <map>
#include <string>

#include "dbroll/migration.h"
#include "dbroll/status.h"

namespace dbroll::internal {

// Environment variables named so set placeholders: DBROLL_PLACEHOLDER_table=x.
inline constexpr const char* kPlaceholderEnvPrefix = "DBROLL_PLACEHOLDER_";

// `text` of the file `path` with every `${name}` replaced by its value, as
// Flyway does: everywhere, string literals and comments included. `$${name}`
// is the escape and becomes a literal `${name}`. A name is letters, digits
// and `_ . : -`; a `${` not followed by such a name and `}` is left alone.
// kInvalidArgument "path:line:col: placeholder ${name} is not defined -- ..."
// for a name without a value.
Result<std::string> SubstitutePlaceholders(const std::string& path, const std::string& text,
                                           const std::map<std::string, std::string>& values);

// Placeholders from the environment (kPlaceholderEnvPrefix), by name.
std::map<std::string, std::string> PlaceholdersFromEnvironment();

}  // namespace dbroll::internal

#endif  // DBROLL_ENGINE_PLACEHOLDERS_H_
