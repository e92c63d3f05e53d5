if(DBROLL_WITH_POSTGRES)
  dbroll_add_test(postgres_driver_test
    SOURCES ${CMAKE_CURRENT_LIST_DIR}/postgres_driver_test.cc $<TARGET_OBJECTS:dbroll_conformance>
    LABELS integration)
endif()
if(DBROLL_WITH_POSTGRES)
  # libpg_query alone, no server.
  dbroll_add_test(pg_syntax_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/pg_syntax_test.cc LABELS unit)
endif()
