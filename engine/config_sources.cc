// Where a run's Config comes from: .env, dbroll.toml discovery, overrides.
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "dbroll/options.h"

namespace dbroll {

Result<std::vector<std::pair<std::string, std::string>>> ParseDotenv(const std::string& text,
                                                                     const std::string& path) {
  std::vector<std::pair<std::string, std::string>> vars;
  std::istringstream in(text);
  int line_no = 0;
  for (std::string line; std::getline(in, line);) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    size_t i = line.find_first_not_of(" \t");
    if (i == std::string::npos || line[i] == '#') continue;
    auto fail = [&](size_t col, const std::string& what) {
      return Status(Code::kInvalidArgument, path + ":" + std::to_string(line_no) + ":" + std::to_string(col + 1) +
                                                ": " + what + " -- write NAME=VALUE, or remove the line");
    };
    if (line.compare(i, 7, "export ") == 0) i = line.find_first_not_of(" \t", i + 7);
    const size_t name_start = i;
    while (i < line.size() && (std::isalnum(static_cast<unsigned char>(line[i])) || line[i] == '_')) ++i;
    if (i == name_start || std::isdigit(static_cast<unsigned char>(line[name_start]))) {
      return fail(name_start, "expected a variable name");
    }
    const std::string name = line.substr(name_start, i - name_start);
    i = line.find_first_not_of(" \t", i);
    if (i == std::string::npos || line[i] != '=') return fail(i == std::string::npos ? line.size() : i, "expected =");
    i = line.find_first_not_of(" \t", i + 1);
    std::string value;
    if (i != std::string::npos && (line[i] == '"' || line[i] == '\'')) {
      const char q = line[i];
      size_t j = i + 1;
      bool closed = false;
      for (; j < line.size(); ++j) {
        if (line[j] == q) {
          closed = true;
          break;
        }
        if (q == '"' && line[j] == '\\' && j + 1 < line.size()) {
          const char e = line[++j];
          value += e == 'n' ? '\n' : e == 't' ? '\t' : e;
        } else {
          value += line[j];
        }
      }
      if (!closed) return fail(i, std::string("unclosed ") + q + " quote");
      const size_t rest = line.find_first_not_of(" \t", j + 1);
      if (rest != std::string::npos && line[rest] != '#') return fail(rest, "text after the closing quote");
    } else if (i != std::string::npos) {
      value = line.substr(i);
      if (size_t c = value.find(" #"); c != std::string::npos) value.erase(c);
      value.erase(value.find_last_not_of(" \t") + 1);
    }
    vars.emplace_back(name, value);
  }
  return vars;
}

Status LoadDotenv(const std::string& dir) {
  const std::filesystem::path p = std::filesystem::path(dir) / ".env";
  std::error_code ec;
  if (!std::filesystem::is_regular_file(p, ec)) return Status::Ok();
  std::ifstream in(p);
  if (!in) return Status(Code::kInvalidArgument, p.string() + ": cannot read -- check its permissions");
  std::stringstream text;
  text << in.rdbuf();
  auto vars = ParseDotenv(text.str(), p.string());
  if (!vars.ok()) return vars.status();
  // The real environment wins: a CI secret is never replaced by a checked-in default.
  for (const auto& [name, value] : vars.value()) setenv(name.c_str(), value.c_str(), 0);
  return Status::Ok();
}

Result<Config> ResolveConfig(const ConfigSources& sources) {
  namespace fs = std::filesystem;
  if (Status env = LoadDotenv(sources.dir); !env.ok()) return env;
  std::string path = sources.config;
  std::error_code ec;
  if (!path.empty() && fs::path(path).is_relative() && !fs::exists(path, ec)) {
    path = (fs::path(sources.dir) / path).string();
  }
  const fs::path beside = fs::path(sources.dir) / "dbroll.toml";
  if (path.empty() && fs::exists(beside, ec)) path = beside.string();
  if (path.empty() && ec) {
    return Status(Code::kInvalidArgument,
                  beside.string() + ": " + ec.message() + " -- check the project directory and the path");
  }
  Result<Config> cfg = path.empty() ? Result<Config>(DefaultConfig(sources.dir)) : LoadConfig(path);
  if (!cfg.ok()) return cfg;
  if (!sources.url.empty()) cfg->engine.url = sources.url;
  if (sources.lock_timeout) cfg->engine.lock_timeout = *sources.lock_timeout;
  for (const auto& [name, value] : sources.placeholders) {
    cfg->engine.placeholders[name] = value;
    cfg->engine.placeholders_enabled = true;
  }
  return cfg;
}

}  // namespace dbroll
