// Database URLs: parsing and redaction.
#ifndef DBROLL_URL_H_
#define DBROLL_URL_H_

#include <map>
#include <string>

#include "dbroll/status.h"

namespace dbroll {

// scheme://user:password@host:port/database?key=value&...  (percent-decoded),
// or sqlite:path (path is everything after "sqlite:", "sqlite://" or "sqlite3:").
struct Url {
  std::string scheme;
  std::string user, password;
  bool has_password = false;
  std::string host;
  int port = 0;             // 0 when not given
  std::string database;     // path without the leading '/'; the file for sqlite
  std::map<std::string, std::string> params;
};

Result<Url> ParseUrl(const std::string& text);

}  // namespace dbroll

#endif  // DBROLL_URL_H_
