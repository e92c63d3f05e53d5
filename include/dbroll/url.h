// Database URLs: parsing and redaction.
#ifndef DBROLL_URL_H_
#define DBROLL_URL_H_

#include <map>
#include <string>

#include "dbroll/status.h"

namespace dbroll {

// scheme://user:password@host:port/database?key=value&...  (percent-decoded:
// only %XX; a '+' stays a '+'), or sqlite:path (path is everything after
// "sqlite:", "sqlite://" or "sqlite3:"). A password should percent-encode
// '/', '?', '#' and '@'; one that holds them raw still parses when a later '@'
// is followed by a host, and is never shown in an error.
struct Url {
  std::string scheme;
  std::string user, password;
  bool has_password = false;
  std::string host;         // or libpq's host list "h1:p1,h2:p2" (port then 0)
  int port = 0;             // 0 when not given
  std::string database;     // path without the leading '/'; the file for sqlite
  std::map<std::string, std::string> params;
};

// kInvalidArgument (without the password) for a URL without "://" or with a
// port that is not 1-65535.
Result<Url> ParseUrl(const std::string& text);

// `url` (scheme://...) with its database replaced by `database`, cut where
// ParseUrl cuts it, so a password holding '/' or '?' survives; the query
// string is kept. Other URLs are returned unchanged.
std::string UrlWithDatabase(const std::string& url, const std::string& database);

// `text` with `secret` replaced by "***". A secret shorter than 8 characters
// is replaced only where it stands alone (not inside a longer word), so a
// one-letter password does not garble a message.
std::string RedactSecret(const std::string& text, const std::string& secret);

// `text` as it may be shown when it could hold the database URL `url`: the
// whole URL first (shown as RedactUrl shows it, the password cut out by
// position), then the URL's password wherever a message repeats it.
std::string RedactDatabaseUrl(const std::string& text, const std::string& url);

}  // namespace dbroll

#endif  // DBROLL_URL_H_
