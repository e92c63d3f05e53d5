if(DBROLL_WITH_MYSQL)
  dbroll_add_conformance_test(mysql integration)
  # The Galera decisions without a cluster; tests/mysql/galera_test.cc runs a real one.
  dbroll_add_test(mysql_galera_unit_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/galera_test.cc LABELS unit)
endif()
