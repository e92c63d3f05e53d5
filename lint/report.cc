// Rendering findings: text for people, JSON (stable, documented in
// docs/lint.md), SARIF 2.1.0 for code scanning, GitHub workflow annotations
// and JUnit XML for CI test reports.
#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "dbroll/lint.h"
#include "dbroll/verify.h"

namespace dbroll {
namespace {

using nlohmann::json;
using nlohmann::ordered_json;

// Caret under column `col` (UTF-8 characters), keeping tabs so it lines up.
std::string Caret(const std::string& line, int col) {
  std::string pad;
  int c = 1;
  for (size_t i = 0; i < line.size() && c < col; ++i) {
    const unsigned char ch = static_cast<unsigned char>(line[i]);
    if ((ch & 0xC0) == 0x80) continue;
    pad += line[i] == '\t' ? '\t' : ' ';
    ++c;
  }
  return pad + "^";
}

// SARIF has no "info" level; "note" is its name.
const char* SarifLevel(Severity s) { return s == Severity::kInfo ? "note" : SeverityName(s); }

std::string Text(const std::vector<Finding>& fs, int files, bool color) {
  std::ostringstream o;
  const char* bold = color ? "\033[1m" : "";
  const char* reset = color ? "\033[0m" : "";
  int errors = 0, warnings = 0, infos = 0;
  for (const auto& f : fs) {
    const bool err = f.severity == Severity::kError;
    const bool info = f.severity == Severity::kInfo;
    (err ? errors : info ? infos : warnings)++;
    o << bold << f.path << ":" << f.line << ":" << f.column << ":" << reset << " "
      << (color ? (err ? "\033[31m" : info ? "\033[36m" : "\033[33m") : "") << SeverityName(f.severity) << reset << " [" << f.rule
      << "] " << f.message << "\n";
    if (!f.source_line.empty()) o << "    " << f.source_line << "\n    " << Caret(f.source_line, f.column) << "\n";
    if (!f.safe_alternative.empty()) o << "  help: " << f.safe_alternative << "\n";
  }
  o << files << " file(s) checked: " << errors << " error(s), " << warnings << " warning(s)"
    << (infos ? ", " + std::to_string(infos) + " info" : std::string()) << "\n";
  return o.str();
}

// A JSON string as nlohmann's dump() writes it. Only ASCII is escaped here;
// anything else goes through nlohmann so UTF-8 handling stays identical.
void JsonString(const std::string& s, std::string* o) {
  for (char c : s) {
    if (static_cast<unsigned char>(c) >= 0x80) {
      *o += json(s).dump(-1, ' ', false, json::error_handler_t::replace);
      return;
    }
  }
  static const char kHex[] = "0123456789abcdef";
  o->push_back('"');
  size_t run = 0;  // start of the pending run of characters copied as they are
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c != '"' && c != '\\' && static_cast<unsigned char>(c) >= 0x20) continue;
    o->append(s, run, i - run);
    run = i + 1;
    switch (c) {
      case '"': *o += "\\\""; break;
      case '\\': *o += "\\\\"; break;
      case '\b': *o += "\\b"; break;
      case '\f': *o += "\\f"; break;
      case '\n': *o += "\\n"; break;
      case '\r': *o += "\\r"; break;
      case '\t': *o += "\\t"; break;
      default:
        *o += "\\u00";
        o->push_back(kHex[(c >> 4) & 0xF]);
        o->push_back(kHex[c & 0xF]);
    }
  }
  o->append(s, run, std::string::npos);
  o->push_back('"');
}

// Written directly rather than through an ordered_json document: a 6 MB file
// can have tens of thousands of findings, and the document cost more time and
// memory than the rest of the output. The layout is exactly dump(2)'s.
std::string Json(const std::vector<Finding>& fs, int files) {
  int errors = 0, infos = 0;
  size_t reserve = 128;
  for (const auto& f : fs) {
    errors += f.severity == Severity::kError;
    infos += f.severity == Severity::kInfo;
    reserve += 200 + f.rule.size() + f.path.size() + f.message.size() + f.safe_alternative.size() +
               f.source_line.size();
  }
  std::string o;
  o.reserve(reserve);
  o += "{\n  \"format\": 1,\n  \"files_checked\": " + std::to_string(files) +
       ",\n  \"summary\": {\n    \"errors\": " + std::to_string(errors) +
       ",\n    \"warnings\": " + std::to_string(static_cast<int>(fs.size()) - errors - infos) +
       "\n  },\n  \"findings\": ";
  if (fs.empty()) {
    o += "[]\n}\n";
    return o;
  }
  o += "[\n";
  bool first = true;
  for (const auto& f : fs) {
    if (!first) o += ",\n";
    first = false;
    o += "    {\n      \"rule\": ";
    JsonString(f.rule, &o);
    o += ",\n      \"severity\": \"";
    o += SeverityName(f.severity);
    o += "\",\n      \"path\": ";
    JsonString(f.path, &o);
    o += ",\n      \"line\": " + std::to_string(f.line);
    o += ",\n      \"column\": " + std::to_string(f.column);
    o += ",\n      \"message\": ";
    JsonString(f.message, &o);
    o += ",\n      \"safe_alternative\": ";
    JsonString(f.safe_alternative, &o);
    o += ",\n      \"source_line\": ";
    JsonString(f.source_line, &o);
    o += "\n    }";
  }
  o += "\n  ]\n}\n";
  return o;
}

// Where the rule pages are published (SARIF wants absolute help URIs);
// documented in docs/lint.md.
const std::string kRuleDocsBaseUrl = "https://github.com/dbroll/dbroll/blob/main/docs/lint/";

// A tool's rules as SARIF lists them; `help_uri` may be empty.
struct SarifRule {
  std::string id, summary, help_uri;
  Severity severity;
};

std::vector<SarifRule> LintSarifRules() {
  std::vector<SarifRule> out;
  for (const auto& r : LintRules()) out.push_back({r.id, r.summary, kRuleDocsBaseUrl + r.id + ".md", r.severity});
  return out;
}

std::string Sarif(const std::vector<Finding>& fs, const std::string& tool, const std::vector<SarifRule>& rule_list) {
  ordered_json rules = ordered_json::array();
  std::map<std::string, int> index;
  for (const auto& r : rule_list) {
    index[r.id] = static_cast<int>(rules.size());
    ordered_json rule{{"id", r.id}, {"shortDescription", {{"text", r.summary}}}};
    if (!r.help_uri.empty()) rule["helpUri"] = r.help_uri;
    rule["defaultConfiguration"] = {{"level", SarifLevel(r.severity)}};
    rules.push_back(std::move(rule));
  }
  ordered_json results = ordered_json::array();
  for (const auto& f : fs) {
    std::string text = f.message;
    if (!f.safe_alternative.empty()) text += ". Instead: " + f.safe_alternative;
    ordered_json location{{"artifactLocation", {{"uri", f.path}}}};
    if (f.line > 0) location["region"] = {{"startLine", f.line}, {"startColumn", f.column}};
    results.push_back(ordered_json{{"ruleId", f.rule},
                                   {"ruleIndex", index[f.rule]},
                                   {"level", SarifLevel(f.severity)},
                                   {"message", {{"text", text}}},
                                   {"locations", ordered_json::array({{{"physicalLocation", location}}})}});
  }
  ordered_json doc{
      {"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
      {"version", "2.1.0"},
      {"runs", ordered_json::array({{{"tool", {{"driver", {{"name", tool}, {"version", "0.1.0"},
                                                           {"informationUri", "https://github.com/dbroll/dbroll"},
                                                           {"rules", rules}}}}},
                                     {"results", results}}})}};
  return doc.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

// Workflow commands escape %, CR and LF in data, and also , and : in properties.
std::string GhEscape(const std::string& s, bool property) {
  std::string o;
  for (char c : s) {
    if (c == '%') o += "%25";
    else if (c == '\r') o += "%0D";
    else if (c == '\n') o += "%0A";
    else if (property && c == ':') o += "%3A";
    else if (property && c == ',') o += "%2C";
    else o += c;
  }
  return o;
}

std::string Github(const std::vector<Finding>& fs) {
  std::ostringstream o;
  for (const auto& f : fs) {
    std::string msg = f.message;
    if (!f.safe_alternative.empty()) msg += "\nInstead: " + f.safe_alternative;
    o << "::" << (f.severity == Severity::kError ? "error" : f.severity == Severity::kInfo ? "notice" : "warning")
      << " file=" << GhEscape(f.path, true);
    if (f.line > 0) o << ",line=" << f.line << ",col=" << f.column;
    o << ",title=" << GhEscape("dbroll " + f.rule, true)
      << "::" << GhEscape(msg, false) << "\n";
  }
  return o.str();
}

std::string Xml(const std::string& s) {
  std::string o;
  for (char c : s) {
    switch (c) {
      case '&': o += "&amp;"; break;
      case '<': o += "&lt;"; break;
      case '>': o += "&gt;"; break;
      case '"': o += "&quot;"; break;
      case '\'': o += "&apos;"; break;
      default: o += c;
    }
  }
  return o;
}

// One testcase per rule: a CI report then lists every rule as passed or
// failed. Only errors fail a testcase (as only they fail `dbroll lint`);
// warnings go to the testcase's <system-out>, which keeps it passing.
std::string Junit(const std::vector<Finding>& fs) {
  std::map<std::string, std::vector<const Finding*>> by_rule;
  std::set<std::string> failed;
  for (const auto& f : fs) {
    by_rule[f.rule].push_back(&f);
    if (f.severity == Severity::kError) failed.insert(f.rule);
  }
  const size_t failures = failed.size();
  std::ostringstream o;
  o << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    << "<testsuites name=\"dbroll lint\" tests=\"" << LintRules().size() << "\" failures=\"" << failures << "\">\n"
    << "  <testsuite name=\"dbroll lint\" tests=\"" << LintRules().size() << "\" failures=\"" << failures
    << "\" errors=\"0\" skipped=\"0\">\n";
  auto where = [](const Finding& f) {
    return f.path + ":" + std::to_string(f.line) + ":" + std::to_string(f.column) + ": " + f.message;
  };
  for (const auto& r : LintRules()) {
    o << "    <testcase classname=\"dbroll.lint\" name=\"" << Xml(r.id) << "\"";
    auto it = by_rule.find(r.id);
    if (it == by_rule.end()) {
      o << "/>\n";
      continue;
    }
    o << ">\n";
    std::string out;
    for (const Finding* f : it->second) {
      if (f->severity == Severity::kError) {
        o << "      <failure type=\"error\" message=\"" << Xml(where(*f)) << "\">" << Xml(f->safe_alternative)
          << "</failure>\n";
      } else {
        out += std::string(SeverityName(f->severity)) + ": " + where(*f) + (f->safe_alternative.empty() ? "" : "\n  instead: " + f->safe_alternative) + "\n";
      }
    }
    if (!out.empty()) o << "      <system-out>" << Xml(out) << "</system-out>\n";
    o << "    </testcase>\n";
  }
  o << "  </testsuite>\n</testsuites>\n";
  return o.str();
}

}  // namespace

Result<std::string> RenderFindings(const std::vector<Finding>& findings, const std::string& format,
                                   int files_checked, bool color) {
  if (format == "text") return Text(findings, files_checked, color);
  if (format == "json") return Json(findings, files_checked);
  if (format == "sarif") return Sarif(findings, "dbroll", LintSarifRules());
  if (format == "github") return Github(findings);
  if (format == "junit") return Junit(findings);
  return Status(Code::kInvalidArgument,
                "--format " + format + " is not known to lint -- use text, json, sarif, github or junit");
}

// Verify's report goes through the same SARIF and GitHub writers as lint's
// findings; its JSON and JUnit keep one entry per version.
namespace {

std::vector<SarifRule> VerifySarifRules() {
  return {
      {"verify-up-fails", "up.sql fails on a scratch database", "", Severity::kError},
      {"verify-down-fails", "down.sql fails right after its up", "", Severity::kError},
      {"verify-down-incomplete", "down.sql does not bring the schema back to what it was before up", "",
       Severity::kError},
      {"verify-up-not-repeatable", "up.sql fails, or builds a different schema, when run again after its down", "",
       Severity::kError},
      {"verify-history-down-fails",
       "down.sql fails after all ups and the downs of the newer versions, as the plain clients run them", "",
       Severity::kError},
      {"verify-data-lost", "down.sql loses rows or column values that up left in place (--data)", "",
       Severity::kError},
  };
}

std::vector<Finding> VerifyFindings(const VerifyReport& r) {
  std::vector<Finding> out;
  for (const auto& v : r.versions) {
    for (const auto& f : v.findings) {
      Finding one;
      one.rule = f.rule;
      one.path = f.path;
      one.line = f.line;
      one.column = std::max(f.column, 1);
      one.message = f.message;
      out.push_back(std::move(one));
    }
  }
  return out;
}

json VerifyJson(const VerifyReport& r) {
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

// One testcase per version: a version with findings fails, one not verified is skipped.
std::string VerifyJunit(const VerifyReport& r) {
  int failures = 0, skipped = 0;
  for (const auto& v : r.versions) {
    if (!v.findings.empty()) ++failures;
    if (v.findings.empty() && v.state == "not-verified") ++skipped;
  }
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n  <testsuite name=\"dbroll verify\" tests=\"" +
                    std::to_string(r.versions.size()) + "\" failures=\"" + std::to_string(failures) +
                    "\" skipped=\"" + std::to_string(skipped) + "\">\n";
  for (const auto& v : r.versions) {
    out += "    <testcase classname=\"verify\" name=\"" + Xml(v.version + "_" + v.name) + "\"";
    if (v.findings.empty() && v.state == "ok") {
      out += "/>\n";
      continue;
    }
    out += ">\n";
    if (v.findings.empty()) out += "      <skipped message=\"" + Xml(v.reason.empty() ? v.state : v.reason) + "\"/>\n";
    for (const auto& f : v.findings) {
      out += "      <failure type=\"" + Xml(f.rule) + "\" message=\"" + Xml(f.message) + "\">" +
             Xml(f.path + (f.line > 0 ? ":" + std::to_string(f.line) : "") + ": " + f.message) + "</failure>\n";
    }
    out += "    </testcase>\n";
  }
  return out + "  </testsuite>\n</testsuites>\n";
}

}  // namespace

std::string VerifyVersionText(const VerifiedVersion& v, bool color) {
  const char* c = v.state == "ok" ? "\033[32m" : v.state == "failed" ? "\033[31m" : "\033[33m";
  std::string head = v.state;
  if (head.size() < 13) head.resize(13, ' ');
  std::string out = std::string(color ? c : "") + head + (color ? "\033[0m" : "") + " " + v.version + "_" + v.name + "\n";
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
  if (format == "json") return VerifyJson(report).dump(2, ' ', false, json::error_handler_t::replace) + "\n";
  if (format == "sarif") return Sarif(VerifyFindings(report), "dbroll verify", VerifySarifRules());
  if (format == "github") return Github(VerifyFindings(report));
  if (format == "junit") return VerifyJunit(report);
  return Status(Code::kInvalidArgument, "--format " + format + ": verify writes text, json, sarif, github or junit");
}

}  // namespace dbroll
