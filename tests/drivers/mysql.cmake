if(DBROLL_WITH_MYSQL)
  dbroll_add_test(mysql_driver_test
    SOURCES ${CMAKE_CURRENT_LIST_DIR}/mysql_driver_test.cc $<TARGET_OBJECTS:dbroll_conformance>
    LABELS integration)
endif()
if(DBROLL_WITH_MYSQL)
  # The Galera decisions without a cluster; tests/mysql/galera_test.cc runs a real one.
  dbroll_add_test(mysql_galera_unit_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/galera_test.cc LABELS unit)
endif()
