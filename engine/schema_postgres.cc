// PostgreSQL catalog reader: pg_catalog, rendered with the server's own
// pg_get_*def functions so that definitions come out in one canonical form.
// Objects in schema "public" are named without it; others as schema.name.
// Objects that belong to an extension are the extension's, not the user's.
#include <algorithm>
#include <cstdlib>
#include <map>
#include <tuple>
#include <utility>

#include "engine/history.h"

#include "engine/schema_internal.h"

namespace dbroll::internal {
namespace {

// dbroll_archive*: where keep-data renames dropped tables aside (dbroll's own, like dbroll_* tables).
constexpr char kUserNamespace[] =
    "n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%' "
    "AND n.nspname NOT LIKE 'pg\\_temp\\_%' AND n.nspname NOT LIKE 'dbroll\\_archive%'";

std::string Qualified(const char* ns, const char* name) {
  return std::string("CASE WHEN ") + ns + ".nspname = 'public' THEN '' ELSE " + ns + ".nspname || '.' END || " +
         name;
}

std::string NotFromExtension(const char* catalog, const char* oid) {
  return std::string("NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.classid = '") + catalog +
         "'::regclass AND e.objid = " + oid + " AND e.deptype = 'e')";
}

// The parenthesised key list of a pg_get_indexdef text: "(name, lower(email))".
std::string IndexColumns(const std::string& def) {
  const size_t using_at = def.find(" USING ");
  const size_t open = def.find('(', using_at == std::string::npos ? 0 : using_at);
  if (open == std::string::npos) return def;
  int depth = 0;
  for (size_t i = open; i < def.size(); ++i) {
    if (def[i] == '(') ++depth;
    if (def[i] == ')' && --depth == 0) return def.substr(open, i - open + 1);
  }
  return def.substr(open);
}

// Booleans come back as "t"/"f" in text mode; accept the spelled-out forms too.
bool True(const std::string& v) { return v == "t" || v == "true" || v == "1"; }

}  // namespace

Result<std::vector<SchemaObject>> ReadPostgresSchema(Driver& driver, const TableFilter& filter,
                                                     const ScopeNames* only, CatalogCache* cache) {
  std::vector<SchemaObject> out;
  const std::string rel = Qualified("n", "c.relname");
  // " AND (col = ANY($1) OR ...)" for the prepared scoped read, "" for a full one.
  auto in = [&](std::initializer_list<const char*> cols) {
    if (!only) return std::string();
    std::string any;
    for (const char* c : cols) any += (any.empty() ? "" : " OR ") + std::string(c) + " = ANY($1)";
    return " AND (" + any + ")";
  };
  // `sql` restricted to rows whose `cols` (columns of different catalogs)
  // name an object in scope. An OR across joined catalogs makes the server
  // read every index of the database, so a scoped read asks
  // once per column, each time for the rows the columns before did not match:
  // the same rows, each found through the catalog's index on names.
  auto in_any = [&](const std::string& sql, std::initializer_list<const char*> cols) {
    if (!only) return sql;
    std::string parts, not_before;
    for (const char* c : cols) {
      parts += (parts.empty() ? "" : " UNION ALL ") + sql + " AND " + c + " = ANY($1)" + not_before;
      not_before += std::string(" AND NOT (") + c + " = ANY($1))";
    }
    return parts;
  };
  // Schemas, extensions, types and functions are never in a scope.
  if (!only) {
    auto schemas = CatalogQuery(driver, "schemas",
                                std::string("SELECT n.nspname FROM pg_namespace n WHERE ") + kUserNamespace +
                                    " AND n.nspname <> 'public' AND " +
                                    NotFromExtension("pg_namespace", "n.oid"));
    if (!schemas.ok()) return schemas.status();
    for (const Row& r : *schemas) out.push_back({"schema", Text(r, 0), "", "", "", 0});

    auto exts = CatalogQuery(driver, "extensions", "SELECT extname, extversion FROM pg_extension");
    if (!exts.ok()) return exts.status();
    for (const Row& r : *exts) out.push_back({"extension", Text(r, 0), "", "", "version " + Text(r, 1), 0});

    auto types = CatalogQuery(
        driver, "enum and domain types",
        "SELECT " + Qualified("n", "t.typname") + ", t.typtype, "
        "(SELECT string_agg(quote_literal(e.enumlabel), ', ' ORDER BY e.enumsortorder) FROM pg_enum e "
        "WHERE e.enumtypid = t.oid), format_type(t.typbasetype, t.typtypmod), t.typnotnull, t.typdefault, "
        "(SELECT string_agg(pg_get_constraintdef(k.oid), ' ' ORDER BY k.conname) FROM pg_constraint k "
        "WHERE k.contypid = t.oid) "
        "FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace WHERE t.typtype IN ('e', 'd') AND " +
            kUserNamespace + " AND " + NotFromExtension("pg_type", "t.oid"));
    if (!types.ok()) return types.status();
    for (const Row& r : *types) {
      if (Text(r, 1) == "e") {
        out.push_back({"type", Text(r, 0), "", "enum", "enum (" + Text(r, 2) + ")", 0});
      } else {
        std::string def = "domain " + Text(r, 3) + (True(Text(r, 4)) ? " not null" : "");
        if (r[5]) def += " default " + *r[5];
        if (r[6]) def += " " + *r[6];
        out.push_back({"type", Text(r, 0), "", "domain", def, 0});
      }
    }
  }

  // Sequences are few: one pass over them costs less than a second lookup.
  const std::string seqs_sql =
      "SELECT " + rel +
      ", c.relname, format_type(s.seqtypid, NULL), s.seqstart, s.seqincrement, s.seqmin, "
      "s.seqmax, s.seqcache, s.seqcycle, owner.relname, owner_attr.attname "
      "FROM pg_sequence s JOIN pg_class c ON c.oid = s.seqrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
      "LEFT JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype IN ('a', 'i') "
      "AND d.refclassid = 'pg_class'::regclass "
      "LEFT JOIN pg_class owner ON owner.oid = d.refobjid "
      "LEFT JOIN pg_attribute owner_attr ON owner_attr.attrelid = d.refobjid AND owner_attr.attnum = d.refobjsubid "
      "WHERE " +
      kUserNamespace + " AND " + NotFromExtension("pg_class", "c.oid") +
      // Identity sequences are part of their column's definition.
      " AND (d.deptype IS NULL OR d.deptype <> 'i')" + in({"c.relname", "owner.relname"});
  const std::string tables_sql = "SELECT " + rel +
                                 ", c.relname, c.relkind, c.relpersistence, "
                                 "CASE WHEN c.relkind = 'p' THEN pg_get_partkeydef(c.oid) END "
                                 "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                                 "WHERE c.relkind IN ('r', 'p', 'f') AND " +
                                 std::string(kUserNamespace) + " AND " + NotFromExtension("pg_class", "c.oid") +
                                 in({"c.relname"});
  const std::string cols_sql =
      "SELECT " + rel +
      ", a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull, "
      "pg_get_expr(d.adbin, d.adrelid), a.attgenerated, a.attidentity, "
      "CASE WHEN a.attcollation <> t.typcollation THEN co.collname END, a.attnum "
      "FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
      "JOIN pg_type t ON t.oid = a.atttypid LEFT JOIN pg_collation co ON co.oid = a.attcollation "
      "LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum "
      "WHERE c.relkind IN ('r', 'p', 'f') AND a.attnum > 0 AND NOT a.attisdropped AND " +
      std::string(kUserNamespace) + in({"c.relname"}) + " ORDER BY 1, a.attnum";
  const std::string cons_sql = "SELECT " + rel +
                               ", k.conname, pg_get_constraintdef(k.oid) "
                               "FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid "
                               "JOIN pg_namespace n ON n.oid = c.relnamespace "
                               "WHERE k.contype IN ('p', 'u', 'f', 'c', 'x') AND " +
                               std::string(kUserNamespace) + in({"c.relname"});
  const std::string idx_sql = in_any(
      "SELECT " + rel +
      ", i.relname, pg_get_indexdef(x.indexrelid), c.relname "
      "FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class c ON c.oid = x.indrelid "
      "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE " +
      std::string(kUserNamespace) + " AND c.relkind IN ('r', 'p', 'm') AND " + NotFromExtension("pg_class", "c.oid") +
      // Indexes behind PRIMARY KEY / UNIQUE / EXCLUDE are reported as those constraints.
      " AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = x.indexrelid "
      "AND k.contype IN ('p', 'u', 'x'))",
      {"c.relname", "i.relname"});
  const std::string views_sql = "SELECT " + rel +
                                ", c.relkind, pg_get_viewdef(c.oid, true) FROM pg_class c "
                                "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('v', 'm') AND " +
                                std::string(kUserNamespace) + " AND " + NotFromExtension("pg_class", "c.oid") +
                                in({"c.relname"});
  const std::string trigs_sql = "SELECT " + rel +
                                ", t.tgname, pg_get_triggerdef(t.oid, true), c.relname "
                                "FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                                "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE NOT t.tgisinternal AND " +
                                std::string(kUserNamespace) + in({"c.relname"});

  // A scoped read asks for few rows: one round trip for all kinds, each
  // kind's columns as text under a tag (booleans read "true"/"false").
  std::map<std::string, std::vector<Row>> prefetched;
  if (only) {
    const std::vector<std::tuple<const char*, const std::string*, int>> kinds = {
        {"sequences", &seqs_sql, 11}, {"tables", &tables_sql, 5}, {"columns", &cols_sql, 9},
        {"constraints", &cons_sql, 3}, {"indexes", &idx_sql, 4},    {"views", &views_sql, 3},
        {"triggers", &trigs_sql, 4}};
    std::string sql;
    for (const auto& [what, q, n] : kinds) {
      std::string cols, names;
      for (int i = 1; i <= 11; ++i) {
        cols += std::string(", ") + (i <= n ? "c" + std::to_string(i) + "::text" : "NULL::text");
        if (i <= n) names += (i > 1 ? ", c" : "c") + std::to_string(i);
      }
      sql += (sql.empty() ? "" : " UNION ALL ") + std::string("SELECT '") + what + "'::text" + cols + " FROM (" +
             *q + ") AS q(" + names + ")";
    }
    // Planning this query costs more than running it: it is prepared once
    // per session and run with the names as its parameter.
    std::string names;
    for (const std::string& n : *only) names += (names.empty() ? "" : ", ") + QuoteLiteral(Dialect::kPostgres, n);
    const std::string execute = "EXECUTE dbroll_scoped_snapshot(ARRAY[" + names + "]::name[])";
    const std::string session = driver.SessionId();
    auto prepare = [&]() -> Status {
      auto p = driver.Query("PREPARE dbroll_scoped_snapshot (name[]) AS " + sql);
      // 42P05: prepared already in this session.
      if (!p.ok() && p.status().sqlstate() != "42P05") {
        Status s = p.status();
        s.Prepend("reading the objects in scope from the catalog: ");
        return s;
      }
      if (cache) cache->pg_scoped_session = session;
      return Status::Ok();
    };
    if (!cache || session.empty() || cache->pg_scoped_session != session) DBROLL_RETURN_IF_ERROR(prepare());
    auto rows = driver.Query(execute);
    if (!rows.ok() && rows.status().sqlstate() == "26000") {  // not prepared in this session after all
      DBROLL_RETURN_IF_ERROR(prepare());
      rows = driver.Query(execute);
    }
    if (!rows.ok()) {
      Status s = rows.status();
      s.Prepend("reading the objects in scope from the catalog: ");
      return s;
    }
    for (Row& r : rows.value()) {
      const std::string what = Text(r, 0);
      r.erase(r.begin());
      prefetched[what].push_back(std::move(r));
    }
    // The column positions count rows in attnum order.
    std::stable_sort(prefetched["columns"].begin(), prefetched["columns"].end(), [](const Row& a, const Row& b) {
      return std::make_pair(Text(a, 0), std::atol(Text(a, 8).c_str())) <
             std::make_pair(Text(b, 0), std::atol(Text(b, 8).c_str()));
    });
  }
  auto fetch = [&](const std::string& what, const std::string& sql, size_t n) -> Result<std::vector<Row>> {
    if (!only) return CatalogQuery(driver, what, sql);
    std::vector<Row> rows = std::move(prefetched[what]);
    for (Row& r : rows) r.resize(n);
    return rows;
  };

  auto seqs = fetch("sequences", seqs_sql, 11);
  if (!seqs.ok()) return seqs.status();
  for (const Row& r : *seqs) {
    if (filter.Excluded(Text(r, 1)) || (r[9] && filter.Excluded(*r[9]))) continue;
    std::string def = "as " + Text(r, 2) + " start " + Text(r, 3) + " increment " + Text(r, 4) + " minvalue " +
                      Text(r, 5) + " maxvalue " + Text(r, 6) + " cache " + Text(r, 7) +
                      (True(Text(r, 8)) ? " cycle" : "");
    if (r[9]) def += " owned by " + *r[9] + "." + Text(r, 10);
    out.push_back({"sequence", Text(r, 0), "", "", def, 0});
  }

  auto tables = fetch("tables", tables_sql, 5);
  if (!tables.ok()) return tables.status();
  std::map<std::string, std::string> kept;  // qualified name -> unqualified, for kept tables
  for (const Row& r : *tables) {
    if (filter.Excluded(Text(r, 1))) continue;
    kept[Text(r, 0)] = Text(r, 1);
    std::string def;
    if (Text(r, 3) == "u") def = "unlogged";
    if (Text(r, 2) == "f") def = "foreign";
    if (r[4]) def += (def.empty() ? "" : " ") + std::string("partition by ") + *r[4];
    out.push_back({"table", Text(r, 0), "", "", def, 0});
  }

  auto cols = fetch("columns", cols_sql, 9);
  if (!cols.ok()) return cols.status();
  std::string last_table;
  int position = 0;
  for (const Row& r : *cols) {
    const std::string& table = Text(r, 0);
    if (!kept.count(table)) continue;
    // attnum keeps gaps after DROP COLUMN; the position a reader sees has none.
    position = table == last_table ? position + 1 : 1;
    last_table = table;
    const std::string& type = Text(r, 2);
    std::string def = type;
    if (r[7]) def += " collate " + *r[7];
    if (True(Text(r, 3))) def += " not null";
    if (Text(r, 5) == "s") {
      def += " generated always as (" + Text(r, 4) + ") stored";
    } else if (r[4]) {
      def += " default " + *r[4];
    }
    if (Text(r, 6) == "a") def += " generated always as identity";
    if (Text(r, 6) == "d") def += " generated by default as identity";
    out.push_back({"column", table + "." + Text(r, 1), table, type, def, position});
  }

  auto cons = fetch("constraints", cons_sql, 3);
  if (!cons.ok()) return cons.status();
  for (const Row& r : *cons) {
    if (!kept.count(Text(r, 0))) continue;
    out.push_back({"constraint", Text(r, 0) + "." + Text(r, 1), Text(r, 0), "", Text(r, 2), 0});
  }

  auto idx = fetch("indexes", idx_sql, 4);
  if (!idx.ok()) return idx.status();
  for (const Row& r : *idx) {
    if (filter.Excluded(Text(r, 3))) continue;
    const std::string& def = Text(r, 2);
    // "CREATE UNIQUE INDEX n ON public.t USING btree (a) WHERE p" -> "unique on t using btree (a) where p".
    std::string normal = def.rfind("CREATE UNIQUE INDEX ", 0) == 0 ? "unique " : "";
    const size_t on = def.find(" ON ");
    const size_t using_at = def.find(" USING ", on == std::string::npos ? 0 : on);
    normal += "on " + Text(r, 0);
    if (using_at != std::string::npos) normal += def.substr(using_at);
    out.push_back({"index", Text(r, 0) + "." + Text(r, 1), Text(r, 0), "on " + Text(r, 0) + " " + IndexColumns(def),
                   normal, 0});
  }

  auto views = fetch("views", views_sql, 3);
  if (!views.ok()) return views.status();
  for (const Row& r : *views) {
    const bool mat = Text(r, 1) == "m";
    out.push_back({"view", Text(r, 0), "", mat ? "materialized" : "",
                   std::string(mat ? "materialized " : "") + "as " + CollapseSpace(Text(r, 2)), 0});
  }

  auto trigs = fetch("triggers", trigs_sql, 4);
  if (!trigs.ok()) return trigs.status();
  for (const Row& r : *trigs) {
    if (filter.Excluded(Text(r, 3))) continue;
    out.push_back({"trigger", Text(r, 0) + "." + Text(r, 1), Text(r, 0), "on " + Text(r, 0), Text(r, 2), 0});
  }

  if (only) return out;
  auto funcs = CatalogQuery(
      driver, "functions and procedures",
      "SELECT " + Qualified("n", "p.proname") + " || '(' || pg_get_function_identity_arguments(p.oid) || ')', "
      "p.prokind, pg_get_functiondef(p.oid) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
      "WHERE p.prokind IN ('f', 'p', 'w') AND " + std::string(kUserNamespace) + " AND " +
          NotFromExtension("pg_proc", "p.oid"));
  if (!funcs.ok()) return funcs.status();
  for (const Row& r : *funcs) {
    const bool proc = Text(r, 1) == "p";
    out.push_back({"function", Text(r, 0), "", proc ? "procedure" : "", CollapseSpace(Text(r, 2)), 0});
  }
  return out;
}

}  // namespace dbroll::internal
