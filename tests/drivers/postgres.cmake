if(DBROLL_WITH_POSTGRES)
  dbroll_add_conformance_test(postgres integration)
  # libpg_query alone, no server.
  dbroll_add_test(pg_syntax_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/pg_syntax_test.cc LABELS unit)
endif()
