// MySQL / MariaDB catalog reader: information_schema of the current database.
// The server qualifies names in view, trigger and routine bodies with the
// database name; it is cut out so that a scratch database compares equal to
// the live one. UNIQUE constraints are indexes in MySQL and read as such.
#include <cstdlib>
#include <functional>
#include <map>
#include <set>
#include <string_view>

#include "engine/history.h"
#include "engine/schema_internal.h"

namespace dbroll::internal {
namespace {

std::string Unqualify(std::string text, const std::string& db) {
  const std::string q = "`" + db + "`.";
  for (size_t p; (p = text.find(q)) != std::string::npos;) text.erase(p, q.size());
  return text;
}

// "LIMIT <this>" keeps every row.
constexpr char kNoLimit[] = "18446744073709551615";

std::string RuleClause(const std::string& what, const std::string& rule) {
  return rule.empty() || rule == "RESTRICT" || rule == "NO ACTION" ? "" : " on " + what + " " + Lower(rule);
}

}  // namespace

Result<std::vector<SchemaObject>> ReadMysqlSchema(Driver& driver, const TableFilter& filter,
                                                  const ScopeNames* only) {
  // MariaDB answers an information_schema query by opening the definition of
  // every table it cannot rule out from constant equalities on the schema and
  // table columns: an IN list, an OR, a join or a correlated subquery opens
  // every table of the database (of the server, for a join). A scoped read
  // is therefore one SELECT per kind and table, `schema = DATABASE() AND
  // table = 'x'`; `where(schema_col, table_col, t)` writes that condition for
  // table literal `t` ("" for a full read of the database).
  auto where = [](const char* schema_col, const char* table_col, const std::string& t) {
    return std::string(schema_col) + " = DATABASE()" + (t.empty() ? "" : std::string(" AND ") + table_col + " = " + t);
  };
  const bool mariadb = driver.ServerVersion().find("MariaDB") != std::string::npos;
  // Each kind: its select list and the rest of its query for table literal t.
  // `of`: in a scoped read, the names it is read for once the first round
  // trip found which are base tables ('T') and views ('V'); "" for all names.
  struct Kind {
    const char* what;
    const char* of;
    int columns;
    std::string select;
    std::function<std::string(const std::string&)> rest;
  };
  const std::vector<Kind> kinds = {
      {"tables", "", 3, "TABLE_NAME, TABLE_TYPE, ENGINE",
       [&](const std::string& t) { return "FROM information_schema.TABLES WHERE " + where("TABLE_SCHEMA", "TABLE_NAME", t); }},
      {"columns", "TV", 9,
       "TABLE_NAME, COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE, COLUMN_DEFAULT, EXTRA, GENERATION_EXPRESSION, "
       "ORDINAL_POSITION, COLLATION_NAME",
       [&](const std::string& t) { return "FROM information_schema.COLUMNS WHERE " + where("TABLE_SCHEMA", "TABLE_NAME", t); }},
      // The joined catalogs are read in derived tables (LIMIT keeps the
      // server from merging them into the join, where their conditions stop
      // being constant).
      {"primary and foreign keys", "T", 8,
       "tc.TABLE_NAME, tc.CONSTRAINT_NAME, tc.CONSTRAINT_TYPE, "
       "GROUP_CONCAT(k.COLUMN_NAME ORDER BY k.ORDINAL_POSITION SEPARATOR ', '), MAX(k.REFERENCED_TABLE_NAME), "
       "GROUP_CONCAT(k.REFERENCED_COLUMN_NAME ORDER BY k.ORDINAL_POSITION SEPARATOR ', '), "
       "MAX(r.UPDATE_RULE), MAX(r.DELETE_RULE)",
       [&](const std::string& t) {
         return "FROM information_schema.TABLE_CONSTRAINTS tc "
                "LEFT JOIN (SELECT TABLE_NAME, CONSTRAINT_NAME, COLUMN_NAME, ORDINAL_POSITION, REFERENCED_TABLE_NAME, "
                "REFERENCED_COLUMN_NAME FROM information_schema.KEY_COLUMN_USAGE WHERE " +
                where("TABLE_SCHEMA", "TABLE_NAME", t) + " LIMIT " + kNoLimit +
                ") k ON k.TABLE_NAME = tc.TABLE_NAME AND k.CONSTRAINT_NAME = tc.CONSTRAINT_NAME "
                "LEFT JOIN (SELECT TABLE_NAME, CONSTRAINT_NAME, UPDATE_RULE, DELETE_RULE "
                "FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE " +
                where("CONSTRAINT_SCHEMA", "TABLE_NAME", t) + " LIMIT " + kNoLimit +
                ") r ON r.TABLE_NAME = tc.TABLE_NAME AND r.CONSTRAINT_NAME = tc.CONSTRAINT_NAME WHERE " +
                where("tc.TABLE_SCHEMA", "tc.TABLE_NAME", t) +
                " AND tc.CONSTRAINT_TYPE IN ('PRIMARY KEY', 'FOREIGN KEY') "
                "GROUP BY tc.TABLE_NAME, tc.CONSTRAINT_NAME, tc.CONSTRAINT_TYPE";
       }},
      // MariaDB's CHECK_CONSTRAINTS has TABLE_NAME; MySQL's needs TABLE_CONSTRAINTS for it.
      {"check constraints", "T", 3,
       mariadb ? "TABLE_NAME, CONSTRAINT_NAME, CHECK_CLAUSE" : "tc.TABLE_NAME, tc.CONSTRAINT_NAME, cc.CHECK_CLAUSE",
       [&](const std::string& t) {
         return mariadb ? "FROM information_schema.CHECK_CONSTRAINTS WHERE " +
                              where("CONSTRAINT_SCHEMA", "TABLE_NAME", t)
                        : "FROM information_schema.TABLE_CONSTRAINTS tc JOIN information_schema.CHECK_CONSTRAINTS cc "
                          "ON cc.CONSTRAINT_SCHEMA = tc.CONSTRAINT_SCHEMA AND cc.CONSTRAINT_NAME = tc.CONSTRAINT_NAME "
                          "WHERE " + where("tc.TABLE_SCHEMA", "tc.TABLE_NAME", t) + " AND tc.CONSTRAINT_TYPE = 'CHECK'";
       }},
      {"indexes", "T", 5,
       "TABLE_NAME, INDEX_NAME, MIN(NON_UNIQUE), GROUP_CONCAT(CONCAT(COALESCE(COLUMN_NAME, ''), "
       "IF(SUB_PART IS NULL, '', CONCAT('(', SUB_PART, ')')), IF(COLLATION = 'D', ' desc', '')) "
       "ORDER BY SEQ_IN_INDEX SEPARATOR ', '), MIN(INDEX_TYPE)",
       [&](const std::string& t) {
         return "FROM information_schema.STATISTICS WHERE " + where("TABLE_SCHEMA", "TABLE_NAME", t) +
                " AND INDEX_NAME <> 'PRIMARY' GROUP BY TABLE_NAME, INDEX_NAME";
       }},
      {"views", "V", 3, "TABLE_NAME, VIEW_DEFINITION, CHECK_OPTION",
       [&](const std::string& t) { return "FROM information_schema.VIEWS WHERE " + where("TABLE_SCHEMA", "TABLE_NAME", t); }},
      {"triggers", "T", 5, "TRIGGER_NAME, EVENT_OBJECT_TABLE, ACTION_TIMING, EVENT_MANIPULATION, ACTION_STATEMENT",
       [&](const std::string& t) {
         return "FROM information_schema.TRIGGERS WHERE " + where("EVENT_OBJECT_SCHEMA", "EVENT_OBJECT_TABLE", t);
       }},
  };
  std::map<std::string, std::vector<Row>> rows;
  if (!only) {
    auto dbq = CatalogQuery(driver, "the current database", "SELECT DATABASE()");
    if (!dbq.ok()) return dbq.status();
    rows["database"] = std::move(dbq).value();
    for (const Kind& k : kinds) {
      auto r = CatalogQuery(driver, k.what, "SELECT " + k.select + " " + k.rest(""));
      if (!r.ok()) return r.status();
      rows[k.what] = std::move(r).value();
    }
  } else {
    // A scoped read takes two round trips: which names are tables or views
    // (this opens no table), then every other kind for just the tables and
    // views among them (none after a down that dropped them). Each is one
    // statement: the kinds' SELECTs for every name, tagged with their kind
    // and padded to the widest, joined by UNION ALL.
    const std::string pad = ", NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL";
    auto padding = [&](int columns) { return pad.substr(0, static_cast<size_t>(9 - columns) * 6); };
    std::map<std::string, char> type;  // name -> 'T' (base table), 'V' (view), 'S' (sequence)
    for (int round = 0; round < 2; ++round) {
      std::string all = round == 0 ? "(SELECT 'database', DATABASE()" + padding(1) + ")" : "";
      for (const Kind& k : kinds) {
        if ((round == 0) != (*k.of == 0)) continue;
        for (const std::string& n : *only) {
          if (round == 1 && std::string_view(k.of).find(type[n]) == std::string_view::npos) continue;
          all += std::string(all.empty() ? "" : " UNION ALL ") + "(SELECT '" + k.what + "', " + k.select +
                 padding(k.columns) + " " + k.rest(QuoteLiteral(Dialect::kMysql, n)) + ")";
        }
      }
      if (all.empty()) break;
      auto r = CatalogQuery(driver, "the objects in scope", all);
      if (!r.ok()) return r.status();
      for (Row& row : r.value()) {
        const std::string what = Text(row, 0);
        row.erase(row.begin());
        rows[what].push_back(std::move(row));
      }
      for (const Row& t : rows["tables"]) {
        const std::string& kind = Text(t, 1);
        type[Text(t, 0)] = kind == "VIEW" ? 'V' : kind == "SEQUENCE" ? 'S' : 'T';
      }
    }
  }
  const std::vector<Row>& dbq = rows["database"];
  if (dbq.empty() || !dbq.front()[0]) {
    return Status(Code::kInvalidArgument, "the MySQL URL names no database -- add /<database> to the URL");
  }
  const std::string db = *dbq.front()[0];
  std::vector<SchemaObject> out;

  std::set<std::string> kept;
  for (const Row& r : rows["tables"]) {
    const std::string& name = Text(r, 0);
    if (filter.Excluded(name)) continue;
    const std::string& type = Text(r, 1);
    if (type == "SEQUENCE") {
      auto create = CatalogQuery(driver, "sequence " + name,
                                 "SHOW CREATE SEQUENCE " + QuoteIdent(Dialect::kMysql, name));
      if (!create.ok()) return create.status();
      const std::string def = create->empty() ? "" : Text(create->front(), 1);
      out.push_back({"sequence", name, "", "", CollapseSpace(Unqualify(def, db)), 0});
    } else if (type == "BASE TABLE" || type == "SYSTEM VERSIONED") {
      kept.insert(name);
      out.push_back({"table", name, "", "",
                     "engine " + Text(r, 2) + (type == "SYSTEM VERSIONED" ? " system versioned" : ""), 0});
    }
  }

  // A view whose tables or columns are gone keeps its text; the server then
  // lists no columns for it. That is part of its definition here.
  std::map<std::string, int> view_columns;
  for (const Row& r : rows["columns"]) {
    const std::string& table = Text(r, 0);
    ++view_columns[table];
    if (!kept.count(table)) continue;
    const std::string& type = Text(r, 2);
    std::string def = type;
    if (r[8]) def += " collate " + *r[8];
    if (Text(r, 3) == "NO") def += " not null";
    const std::string extra = Lower(Text(r, 5));
    const bool generated = extra.find("generated") != std::string::npos;
    if (generated) {
      def += " generated always as (" + Text(r, 6) + ")" +
             (extra.find("stored") != std::string::npos ? " stored" : " virtual");
    } else if (r[4] && *r[4] != "NULL") {
      // MariaDB spells "no default" as SQL NULL and "DEFAULT NULL" as the text NULL.
      def += " default " + *r[4];
    }
    if (!generated && !extra.empty()) def += " " + extra;
    out.push_back({"column", table + "." + Text(r, 1), table, type, def, std::atoi(Text(r, 7).c_str())});
  }

  for (const Row& r : rows["primary and foreign keys"]) {
    const std::string& table = Text(r, 0);
    if (!kept.count(table)) continue;
    std::string def = Lower(Text(r, 2)) + " (" + Text(r, 3) + ")";
    if (Text(r, 2) == "FOREIGN KEY") {
      def += " references " + Text(r, 4) + " (" + Text(r, 5) + ")" + RuleClause("update", Text(r, 6)) +
             RuleClause("delete", Text(r, 7));
    }
    out.push_back({"constraint", table + "." + Text(r, 1), table, "", def, 0});
  }

  for (const Row& r : rows["check constraints"]) {
    if (!kept.count(Text(r, 0))) continue;
    out.push_back({"constraint", Text(r, 0) + "." + Text(r, 1), Text(r, 0), "",
                   "check (" + CollapseSpace(Unqualify(Text(r, 2), db)) + ")", 0});
  }

  for (const Row& r : rows["indexes"]) {
    const std::string& table = Text(r, 0);
    if (!kept.count(table)) continue;
    const std::string summary = "on " + table + " (" + Text(r, 3) + ")";
    out.push_back({"index", table + "." + Text(r, 1), table, summary,
                   std::string(Text(r, 2) == "0" ? "unique " : "") + summary + " using " + Lower(Text(r, 4)), 0});
  }

  for (const Row& r : rows["views"]) {
    std::string def = "as " + CollapseSpace(Unqualify(Text(r, 1), db));
    if (Text(r, 2) != "NONE" && !Text(r, 2).empty()) def += " with " + Lower(Text(r, 2)) + " check option";
    if (!view_columns.count(Text(r, 0))) def += " (invalid: it names tables or columns that do not exist)";
    out.push_back({"view", Text(r, 0), "", "", def, 0});
  }

  for (const Row& r : rows["triggers"]) {
    const std::string& table = Text(r, 1);
    if (filter.Excluded(table)) continue;
    out.push_back({"trigger", table + "." + Text(r, 0), table, "on " + table,
                   Lower(Text(r, 2)) + " " + Lower(Text(r, 3)) + " for each row " +
                       CollapseSpace(Unqualify(Text(r, 4), db)),
                   0});
  }

  if (only) return out;  // routines are never in a scope
  auto routines = CatalogQuery(
      driver, "functions and procedures",
      "SELECT r.ROUTINE_NAME, r.ROUTINE_TYPE, r.DTD_IDENTIFIER, r.ROUTINE_DEFINITION, "
      "(SELECT GROUP_CONCAT(CONCAT_WS(' ', p.PARAMETER_MODE, p.PARAMETER_NAME, p.DTD_IDENTIFIER) "
      "ORDER BY p.ORDINAL_POSITION SEPARATOR ', ') FROM information_schema.PARAMETERS p "
      "WHERE p.SPECIFIC_SCHEMA = r.ROUTINE_SCHEMA AND p.SPECIFIC_NAME = r.SPECIFIC_NAME "
      "AND p.ORDINAL_POSITION > 0) "
      "FROM information_schema.ROUTINES r WHERE r.ROUTINE_SCHEMA = DATABASE()");
  if (!routines.ok()) return routines.status();
  for (const Row& r : *routines) {
    const bool proc = Text(r, 1) == "PROCEDURE";
    std::string def = Lower(Text(r, 1)) + " (" + Text(r, 4) + ")";
    if (!proc) def += " returns " + Text(r, 2);
    def += " " + CollapseSpace(Unqualify(Text(r, 3), db));
    out.push_back({"function", Text(r, 0) + "(" + Text(r, 4) + ")", "", proc ? "procedure" : "", def, 0});
  }
  return out;
}

}  // namespace dbroll::internal
