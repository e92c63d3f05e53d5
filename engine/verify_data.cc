// verify --data: seed the tables a version touches, read their rows before
// the up and after the down, and say which rows and values the down lost.
#include "engine/verify_data.h"

#include <algorithm>
#include <cctype>
#include <map>

#include "engine/history.h"
#include "engine/keep_data.h"

namespace dbroll::internal {
namespace {

constexpr int kSeedRows = 20;

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool HasWord(const std::string& text, const std::string& word) {
  if (word.empty()) return false;
  auto ident = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
  for (size_t p = text.find(word); p != std::string::npos; p = text.find(word, p + 1)) {
    const size_t e = p + word.size();
    if ((p == 0 || !ident(text[p - 1])) && (e >= text.size() || !ident(text[e]))) return true;
  }
  return false;
}

std::string Short(const std::string& table) {
  const size_t dot = table.rfind('.');
  return dot == std::string::npos ? table : table.substr(dot + 1);
}

std::string Column(const SchemaObject& o) { return o.name.substr(o.table.size() + 1); }

// The SQL for `table` as the snapshot names it (PostgreSQL: schema.table).
std::string TableSql(Dialect d, const std::string& table) {
  const size_t dot = table.rfind('.');
  if (dot == std::string::npos) return QuoteIdent(d, table);
  return QuoteIdent(d, table.substr(0, dot)) + "." + QuoteIdent(d, table.substr(dot + 1));
}

// A value for row `i` (from 1) of a column of `type`; nullopt when no
// generated value fits (the column then gets NULL, or the table no rows).
std::optional<std::string> SeedValue(Dialect d, const std::string& type, int i) {
  const std::string t = Lower(type);
  const std::string n = std::to_string(i);
  auto has = [&](const char* w) { return t.find(w) != std::string::npos; };
  if (has("bool")) return d == Dialect::kPostgres ? (i % 2 ? "true" : "false") : (i % 2 ? "1" : "0");
  if (has("int") || has("serial")) return n;
  if (has("numeric") || has("decimal") || has("real") || has("double") || has("float")) return n;
  if (has("timestamp") || has("datetime")) return "'2024-01-" + std::string(i < 10 ? "0" : "") + std::to_string(i % 28 + 1) + " 10:00:00'";
  if (has("date")) return "'2024-01-" + std::string(i % 28 + 1 < 10 ? "0" : "") + std::to_string(i % 28 + 1) + "'";
  if (has("time")) return "'10:00:" + std::string(i % 60 < 10 ? "0" : "") + std::to_string(i % 60) + "'";
  if (has("uuid")) {
    std::string tail = n;
    while (tail.size() < 12) tail = "0" + tail;
    return "'00000000-0000-0000-0000-" + tail + "'";
  }
  if (has("json")) return "'{\"n\": " + n + "}'";
  if (has("char") || has("text") || has("clob") || has("string") || t.empty()) {
    std::string v = "v" + n;
    if (size_t p = t.find('('); p != std::string::npos) {
      const int len = std::atoi(t.c_str() + p + 1);
      if (len > 0 && static_cast<int>(v.size()) > len) v = v.substr(v.size() - len);
    }
    return "'" + v + "'";
  }
  return std::nullopt;
}

bool Generated(const SchemaObject& c) {
  const std::string d = Lower(c.definition);
  return d.find("generated always as (") != std::string::npos || d.find("generated virtual") != std::string::npos ||
         d.find("generated stored") != std::string::npos || d.find("generated always as identity") != std::string::npos;
}

std::vector<const SchemaObject*> ColumnsOf(const Snapshot& s, const std::string& table) {
  std::vector<const SchemaObject*> out;
  for (const auto& o : s.objects) {
    if (o.kind == "column" && o.table == table) out.push_back(&o);
  }
  return out;
}

std::string RowKey(const Row& r, size_t n) {
  std::string k;
  for (size_t i = 0; i < n && i < r.size(); ++i) k += (r[i] ? "v" + *r[i] : std::string("N")) + '\x1f';
  return k;
}

}  // namespace

std::vector<std::string> TouchedTables(const Snapshot& before, const std::string& up_text) {
  const std::string text = Lower(up_text);
  std::vector<std::string> out;
  for (const auto& o : before.objects) {
    if (o.kind == "table" && HasWord(text, Lower(Short(o.name)))) out.push_back(o.name);
  }
  return out;
}

void SeedTables(Driver& driver, const Snapshot& before, const std::vector<std::string>& tables) {
  const Dialect d = driver.dialect();
  for (const std::string& table : tables) {
    auto count = driver.Query("SELECT count(*) FROM " + TableSql(d, table));
    if (!count.ok() || count->empty() || !count->front()[0] || *count->front()[0] != "0") continue;
    std::vector<std::string> names;
    std::vector<std::vector<std::string>> rows(kSeedRows);
    bool seedable = true;
    for (const SchemaObject* c : ColumnsOf(before, table)) {
      if (Generated(*c)) continue;
      const bool not_null = Lower(c->definition).find("not null") != std::string::npos;
      names.push_back(QuoteIdent(d, Column(*c)));
      for (int i = 0; i < kSeedRows; ++i) {
        auto v = SeedValue(d, c->summary, i + 1);
        if (!v && not_null) seedable = false;
        rows[i].push_back(v ? *v : "NULL");
      }
    }
    if (!seedable || names.empty()) continue;
    Statement insert;
    insert.text = "INSERT INTO " + TableSql(d, table) + " (";
    for (size_t i = 0; i < names.size(); ++i) insert.text += (i ? ", " : "") + names[i];
    insert.text += ") VALUES ";
    for (int i = 0; i < kSeedRows; ++i) {
      insert.text += std::string(i ? ", " : "") + "(";
      for (size_t k = 0; k < rows[i].size(); ++k) insert.text += (k ? ", " : "") + rows[i][k];
      insert.text += ")";
    }
    // Best effort: a table whose constraints the generated rows break
    // (foreign keys, checks) is compared with the rows it has.
    (void)driver.RunStatement(insert);
  }
}

Result<DataState> ReadData(Driver& driver, const Snapshot& snapshot, const std::vector<std::string>& tables) {
  const Dialect d = driver.dialect();
  KeepData keys(&driver, "", "dbroll_history");
  DataState out;
  for (const std::string& table : tables) {
    std::vector<const SchemaObject*> cols = ColumnsOf(snapshot, table);
    if (cols.empty()) continue;  // gone: the schema comparison reports it
    TableData& td = out[table];
    auto pk = keys.RowKey(d == Dialect::kPostgres ? TableSql(d, table) : Short(table));
    if (!pk.ok()) return pk.status();
    td.key = pk.value();
    std::string sql = "SELECT ";
    for (size_t i = 0; i < td.key.size(); ++i) sql += (i ? ", " : "") + QuoteIdent(d, td.key[i]);
    for (const SchemaObject* c : cols) {
      sql += (sql.size() > 7 ? ", " : "") + QuoteIdent(d, Column(*c));
      td.columns.push_back(Column(*c));
    }
    sql += " FROM " + TableSql(d, table);
    auto rows = driver.Query(sql);
    if (!rows.ok()) return rows.status();
    td.rows = static_cast<long long>(rows->size());
    for (const Row& r : rows.value()) {
      if (td.key.empty()) {
        ++td.whole_rows[RowKey(r, r.size())];
        continue;
      }
      const std::string k = RowKey(r, td.key.size());
      for (size_t c = 0; c < td.columns.size(); ++c) td.values[td.columns[c]][k] = r[td.key.size() + c];
      td.keys.insert(k);
    }
  }
  return out;
}

std::vector<std::string> CompareData(const DataState& before, const DataState& after) {
  std::vector<std::string> out;
  for (const auto& [table, b] : before) {
    auto it = after.find(table);
    if (it == after.end() || b.rows == 0) continue;
    const TableData& a = it->second;
    const std::string name = Short(table);
    if (a.rows == 0) {
      out.push_back("down restores table " + name + " but its rows are lost (" + std::to_string(b.rows) + " rows)");
      continue;
    }
    if (b.key.empty() || a.key != b.key) {
      long long lost = 0;
      for (const auto& [row, n] : b.whole_rows) {
        auto f = a.whole_rows.find(row);
        lost += std::max(0LL, n - (f == a.whole_rows.end() ? 0 : f->second));
      }
      if (lost > 0) out.push_back("down loses or changes " + std::to_string(lost) + " rows of table " + name);
      continue;
    }
    long long missing = 0;
    for (const auto& k : b.keys) missing += a.keys.count(k) ? 0 : 1;
    if (missing > 0) {
      out.push_back("down loses " + std::to_string(missing) + " rows of table " + name + " (of " +
                    std::to_string(b.rows) + ")");
    }
    for (const auto& col : b.columns) {
      auto av = a.values.find(col);
      if (av == a.values.end()) continue;  // column gone: the schema comparison reports it
      const auto& bv = b.values.at(col);
      long long changed = 0, now_null = 0;
      for (const auto& [k, v] : bv) {
        auto f = av->second.find(k);
        if (f == av->second.end()) continue;
        if (f->second != v) {
          ++changed;
          if (!f->second) ++now_null;
        }
      }
      if (changed == 0) continue;
      if (now_null == changed) {
        out.push_back("down restores column " + name + "." + col + " but its values are lost (" +
                      std::to_string(changed) + " rows)");
      } else {
        out.push_back("down changes the values of column " + name + "." + col + " (" + std::to_string(changed) +
                      " rows)");
      }
    }
  }
  return out;
}

}  // namespace dbroll::internal
