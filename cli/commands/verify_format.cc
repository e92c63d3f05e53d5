#include "cli/commands/verify_format.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>

namespace dbroll::cli {
namespace {

using nlohmann::json;

const std::map<std::string, std::string>& RuleSummaries() {
  static const std::map<std::string, std::string> kRules = {
      {"verify-up-fails", "up.sql fails on a scratch database"},
      {"verify-down-fails", "down.sql fails right after its up"},
      {"verify-down-incomplete", "down.sql does not bring the schema back to what it was before up"},
      {"verify-up-not-repeatable", "up.sql fails, or builds a different schema, when run again after its down"},
      {"verify-history-down-fails",
       "down.sql fails after all ups and the downs of the newer versions, as the plain clients run them"},
  };
  return kRules;
}

// GitHub workflow commands: data escapes %, CR, LF; properties also : and ,.
std::string GithubEscape(const std::string& s, bool property) {
  std::string out;
  for (char c : s) {
    if (c == '%') out += "%25";
    else if (c == '\r') out += "%0D";
    else if (c == '\n') out += "%0A";
    else if (property && c == ':') out += "%3A";
    else if (property && c == ',') out += "%2C";
    else out += c;
  }
  return out;
}

std::string XmlEscape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

json Json(const VerifyReport& r) {
  json versions = json::array(), findings = json::array();
  for (const auto& v : r.versions) {
    json mine = json::array();
    for (const auto& f : v.findings) {
      json one = {{"rule", f.rule}, {"severity", "error"}, {"version", f.version}, {"path", f.path},
                  {"line", f.line}, {"column", f.column}, {"message", f.message}};
      mine.push_back(one);
      findings.push_back(std::move(one));
    }
    json entry = {{"version", v.version}, {"name", v.name}, {"state", v.state}};
    if (!v.reason.empty()) entry["reason"] = v.reason;
    entry["findings"] = std::move(mine);
    versions.push_back(std::move(entry));
  }
  return {{"format", 1}, {"scratch", r.scratch}, {"ok", r.ok()}, {"versions", versions}, {"findings", findings}};
}

json Sarif(const VerifyReport& r) {
  json rules = json::array();
  for (const auto& [id, summary] : RuleSummaries()) {
    rules.push_back({{"id", id}, {"shortDescription", {{"text", summary}}}});
  }
  json results = json::array();
  for (const auto& v : r.versions) {
    for (const auto& f : v.findings) {
      json location = {{"artifactLocation", {{"uri", f.path}}}};
      if (f.line > 0) location["region"] = {{"startLine", f.line}, {"startColumn", std::max(f.column, 1)}};
      results.push_back({{"ruleId", f.rule},
                         {"level", "error"},
                         {"message", {{"text", f.message}}},
                         {"locations", json::array({{{"physicalLocation", location}}})}});
    }
  }
  return {{"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
          {"version", "2.1.0"},
          {"runs", json::array({{{"tool", {{"driver", {{"name", "dbroll verify"}, {"rules", rules}}}}},
                                 {"results", results}}})}};
}

std::string Github(const VerifyReport& r) {
  std::string out;
  for (const auto& v : r.versions) {
    for (const auto& f : v.findings) {
      out += "::error file=" + GithubEscape(f.path, true);
      if (f.line > 0) out += ",line=" + std::to_string(f.line) + ",col=" + std::to_string(std::max(f.column, 1));
      out += ",title=" + GithubEscape(f.rule, true) + "::" + GithubEscape(f.message, false) + "\n";
    }
  }
  return out;
}

std::string Junit(const VerifyReport& r) {
  int failures = 0, skipped = 0;
  for (const auto& v : r.versions) {
    if (!v.findings.empty()) ++failures;
    if (v.findings.empty() && v.state == "not-verified") ++skipped;
  }
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n  <testsuite name=\"dbroll verify\" tests=\"" +
                    std::to_string(r.versions.size()) + "\" failures=\"" + std::to_string(failures) +
                    "\" skipped=\"" + std::to_string(skipped) + "\">\n";
  for (const auto& v : r.versions) {
    out += "    <testcase classname=\"verify\" name=\"" + XmlEscape(v.version + "_" + v.name) + "\"";
    if (v.findings.empty() && v.state == "ok") {
      out += "/>\n";
      continue;
    }
    out += ">\n";
    if (v.findings.empty()) {
      out += "      <skipped message=\"" + XmlEscape(v.reason.empty() ? v.state : v.reason) + "\"/>\n";
    }
    for (const auto& f : v.findings) {
      out += "      <failure type=\"" + XmlEscape(f.rule) + "\" message=\"" + XmlEscape(f.message) + "\">" +
             XmlEscape(f.path + (f.line > 0 ? ":" + std::to_string(f.line) : "") + ": " + f.message) +
             "</failure>\n";
    }
    out += "    </testcase>\n";
  }
  return out + "  </testsuite>\n</testsuites>\n";
}

}  // namespace

std::string VerifyVersionText(const VerifiedVersion& v, bool color) {
  const char* c = v.state == "ok" ? "\033[32m" : v.state == "failed" ? "\033[31m" : "\033[33m";
  char head[32];
  std::snprintf(head, sizeof head, "%-13s", v.state.c_str());
  std::string out = std::string(color ? c : "") + head + (color ? "\033[0m" : "") + " " + v.version + "_" +
                    v.name + "\n";
  if (!v.reason.empty()) out += "  " + v.reason + "\n";
  for (const auto& f : v.findings) out += "  " + f.message + "\n";
  return out;
}

Result<std::string> RenderVerifyReport(const VerifyReport& report, const std::string& format) {
  if (format == "text") {
    std::string out;
    for (const auto& v : report.versions) out += VerifyVersionText(v, false);
    return out;
  }
  if (format == "json") return Json(report).dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  if (format == "sarif") return Sarif(report).dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  if (format == "github") return Github(report);
  if (format == "junit") return Junit(report);
  return Status(Code::kInvalidArgument,
                "--format " + format + ": verify writes text, json, sarif, github or junit");
}

}  // namespace dbroll::cli
