# The layers of libdbroll, each its own OBJECT library combined into the one
# shared library dbroll (see docs/architecture.md for what each may use).
#
# Vendor headers all live in /usr/include, which no target can be kept from
# by leaving out an include directory. So each header group a layer may not
# use is shadowed: a directory of same-named headers that only say #error is
# put first on that layer's include path, and including e.g. <pqxx/pqxx> from
# the engine stops the build naming the layer that owns it. The same is done
# for the private headers of the layers a layer may not reach (engine/ may
# not include drivers/*.h).

# group -> whole directories (searched in the compiler's include roots, or in
# the source tree for layer_*), single headers, and the targets that own it.
set(DBROLL_HEADER_GROUPS pqxx libpq mysql sqlite pg_query httplib curl toml openssl json cli11
  layer_engine layer_drivers layer_lint layer_coordinator layer_cli)
set(_dirs_pqxx pqxx)
set(_owner_pqxx dbroll_driver_postgres)
set(_dirs_libpq postgresql)
set(_files_libpq libpq-fe.h libpq-events.h postgres_ext.h)
set(_owner_libpq dbroll_driver_postgres)
set(_dirs_mysql cppconn mysql)
set(_files_mysql mysql_connection.h mysql_driver.h mysql_error.h)
set(_owner_mysql dbroll_driver_mysql)
set(_dirs_sqlite SQLiteCpp)
set(_files_sqlite sqlite3.h sqlite3ext.h)
set(_owner_sqlite dbroll_driver_sqlite)
set(_files_pg_query pg_query.h)
set(_owner_pg_query "dbroll_lint and dbroll_driver_postgres")
set(_files_httplib httplib.h)
set(_owner_httplib "no layer (tests only)")
set(_dirs_curl curl)
set(_owner_curl dbroll_coordinator)
set(_dirs_toml toml++)
set(_owner_toml dbroll_engine)
set(_dirs_openssl openssl)
set(_owner_openssl dbroll_engine)
set(_dirs_json nlohmann)
set(_owner_json "dbroll_lint, dbroll_coordinator and dbroll_cli")
set(_dirs_cli11 CLI)
set(_owner_cli11 dbroll_cli)
foreach(layer engine drivers lint coordinator cli)
  set(_src_layer_${layer} ${layer})
endforeach()
set(_owner_layer_engine "dbroll_engine, dbroll_lint and dbroll_coordinator")
set(_owner_layer_drivers "dbroll_drivers and dbroll_driver_<name>")
set(_owner_layer_lint dbroll_lint)
set(_owner_layer_coordinator dbroll_coordinator)
set(_owner_layer_cli dbroll_cli)

set(DBROLL_POISON_DIR ${PROJECT_BINARY_DIR}/layering)
set(_roots ${CMAKE_CXX_IMPLICIT_INCLUDE_DIRECTORIES} /usr/include /usr/include/${CMAKE_LIBRARY_ARCHITECTURE})
list(REMOVE_DUPLICATES _roots)

function(_dbroll_poison group rel)
  file(CONFIGURE OUTPUT ${DBROLL_POISON_DIR}/${group}/${rel}
    CONTENT "#error \"layering: ${rel} belongs to ${_owner_${group}}; the target compiling this file may not include it (see docs/architecture.md)\"\n")
endfunction()

foreach(group ${DBROLL_HEADER_GROUPS})
  foreach(f ${_files_${group}})
    _dbroll_poison(${group} ${f})
  endforeach()
  foreach(d ${_dirs_${group}})
    # The entry header alone, even when the library is not installed.
    if(d STREQUAL "pqxx")
      _dbroll_poison(${group} pqxx/pqxx)
    endif()
    foreach(root ${_roots})
      if(IS_DIRECTORY ${root}/${d})
        file(GLOB_RECURSE hs RELATIVE ${root} ${root}/${d}/*)
        foreach(h ${hs})
          _dbroll_poison(${group} ${h})
        endforeach()
      endif()
    endforeach()
  endforeach()
  foreach(d ${_src_${group}})
    file(GLOB_RECURSE hs CONFIGURE_DEPENDS RELATIVE ${PROJECT_SOURCE_DIR} ${PROJECT_SOURCE_DIR}/${d}/*.h)
    foreach(h ${hs})
      _dbroll_poison(${group} ${h})
    endforeach()
  endforeach()
endforeach()

# dbroll_layer(target ALLOW group...): an OBJECT library linked into dbroll
# whose code sees include/, the source root, and of the header groups above
# only those named in ALLOW. dbroll_layer_includes() does the same for a
# target of another kind (the dbroll executable).
function(dbroll_layer_includes target)
  cmake_parse_arguments(L "" "" "ALLOW" ${ARGN})
  foreach(group ${DBROLL_HEADER_GROUPS})
    if(NOT group IN_LIST L_ALLOW)
      target_include_directories(${target} BEFORE PRIVATE ${DBROLL_POISON_DIR}/${group})
    endif()
  endforeach()
  target_include_directories(${target} PRIVATE ${PROJECT_SOURCE_DIR}/include ${PROJECT_SOURCE_DIR})
  target_compile_features(${target} PRIVATE cxx_std_20)
endfunction()

function(dbroll_layer target)
  add_library(${target} OBJECT)
  set_target_properties(${target} PROPERTIES POSITION_INDEPENDENT_CODE ON)
  dbroll_layer_includes(${target} ${ARGN})
  target_link_libraries(dbroll PRIVATE ${target})
endfunction()
