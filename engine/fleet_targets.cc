// [fleet] targets: lists, globs, a command, PostgreSQL schemas.
#include <glob.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <set>

#include "dbroll/driver.h"
#include "dbroll/fleet.h"
#include "engine/fleet_internal.h"

namespace dbroll {
namespace {

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  size_t b = 0;
  while (b <= text.size()) {
    size_t e = text.find('\n', b);
    if (e == std::string::npos) e = text.size();
    std::string line = text.substr(b, e - b);
    const size_t first = line.find_first_not_of(" \t\r");
    const size_t last = line.find_last_not_of(" \t\r");
    line = first == std::string::npos ? "" : line.substr(first, last - first + 1);
    if (!line.empty() && line[0] != '#') out.push_back(line);
    b = e + 1;
  }
  return out;
}

std::string ShellQuote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') out += "'\\''";
    else out += c;
  }
  return out + "'";
}

// `url` with search_path=<schema> added to its query string.
std::string WithSearchPath(const std::string& url, const std::string& schema) {
  return url + (url.find('?') == std::string::npos ? "?" : "&") + "search_path=" + schema;
}

}  // namespace

namespace internal {

Result<ShellResult> RunShell(const std::string& command, const std::string& dir, bool with_stderr) {
  // The command may read stdin; it gets none (a tenant registry query must not hang on a terminal).
  const std::string full = (dir.empty() ? std::string() : "cd " + ShellQuote(dir) + " && ") + "( " + command +
                           " ) </dev/null" + (with_stderr ? " 2>&1" : "");
  FILE* p = popen(full.c_str(), "r");
  if (!p) return Status(Code::kInvalidArgument, "cannot start /bin/sh to run `" + command + "`");
  ShellResult r;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.output.append(buf, n);
  const int st = pclose(p);
  r.exit_code = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return r;
}

}  // namespace internal

Result<std::vector<std::string>> ResolveFleetTargets(const Config& config) {
  namespace fs = std::filesystem;
  const std::string where = (config.path.empty() ? std::string("dbroll.toml") : config.path) + ": [fleet] ";
  const std::string dir = config.engine.base_dir;
  std::vector<std::string> out;
  std::set<std::string> seen;
  auto add = [&](const std::string& url) {
    if (seen.insert(url).second) out.push_back(url);
  };
  for (const std::string& u : Lines(config.Get("fleet", "targets"))) add(u);
  if (std::string pattern = config.Get("fleet", "targets_glob"); !pattern.empty()) {
    const bool rel = fs::path(pattern).is_relative();
    const std::string full = rel && !dir.empty() ? (fs::path(dir) / pattern).string() : pattern;
    glob_t g{};
    const int rc = glob(full.c_str(), 0, nullptr, &g);
    if (rc != 0 && rc != GLOB_NOMATCH) {
      globfree(&g);
      return Status(Code::kInvalidArgument, where + "targets_glob \"" + pattern + "\" could not be read -- check the directory");
    }
    std::vector<std::string> files;
    for (size_t i = 0; i < g.gl_pathc; ++i) files.emplace_back(g.gl_pathv[i]);
    globfree(&g);
    std::sort(files.begin(), files.end());
    for (std::string f : files) {
      // Shown (and resolved) relative to the project, as the pattern was.
      if (rel && !dir.empty() && f.compare(0, dir.size() + 1, dir + "/") == 0) f = f.substr(dir.size() + 1);
      add("sqlite:" + f);
    }
  }
  if (std::string cmd = config.Get("fleet", "targets_command"); !cmd.empty()) {
    auto r = internal::RunShell(cmd, dir, false);
    if (!r.ok()) return Status(r.status().code(), where + "targets_command: " + r.status().message());
    if (r->exit_code != 0) {
      std::string tail = r->output.size() > 2000 ? r->output.substr(r->output.size() - 2000) : r->output;
      while (!tail.empty() && (tail.back() == '\n' || tail.back() == '\r')) tail.pop_back();
      return Status(Code::kInvalidArgument, where + "targets_command `" + cmd + "` exited with " +
                                                std::to_string(r->exit_code) + (tail.empty() ? "" : ": " + tail) +
                                                " -- fix the command; no target was touched");
    }
    for (const std::string& u : Lines(r->output)) add(u);
  }
  const std::string schemas_url = config.Get("fleet", "schemas_url");
  const std::vector<std::string> schemas = Lines(config.Get("fleet", "schemas"));
  const std::string query = config.Get("fleet", "schemas_query");
  if (schemas_url.empty() && (!schemas.empty() || !query.empty())) {
    return Status(Code::kInvalidArgument, where + "schemas and schemas_query need schemas_url = \"postgres://host/db\" "
                                                  "(the database that holds the tenant schemas)");
  }
  if (!schemas_url.empty()) {
    if (schemas.empty() && query.empty()) {
      return Status(Code::kInvalidArgument, where + "schemas_url needs schemas = [\"tenant_a\", ...] or "
                                                    "schemas_query = \"select ...\" -- say which schemas are tenants");
    }
    for (const std::string& s : schemas) add(WithSearchPath(schemas_url, s));
    if (!query.empty()) {
      DriverOptions d;
      d.url = schemas_url;
      d.base_dir = dir;
      d.settings = config.engine.driver_settings;
      d.read_only = true;
      auto driver = OpenDriver(d);
      if (!driver.ok()) return Status(driver.status().code(), where + "schemas_url: " + driver.status().message());
      auto rows = (*driver)->Query(query);
      if (!rows.ok()) {
        return Status(rows.status().code(), where + "schemas_query failed on " + RedactUrl(schemas_url) + ": " +
                                                rows.status().message() + " -- fix the query");
      }
      for (const Row& row : rows.value()) {
        if (!row.empty() && row[0] && !row[0]->empty()) add(WithSearchPath(schemas_url, *row[0]));
      }
    }
  }
  if (out.empty()) {
    return Status(Code::kInvalidArgument,
                  where + "names no target -- set targets = [\"url\", ...], targets_glob = \"tenants/*.db\", "
                          "targets_command = \"...\" or schemas_url with schemas (docs/fleet.md)");
  }
  return out;
}

}  // namespace dbroll
