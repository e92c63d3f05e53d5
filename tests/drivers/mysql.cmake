if(DBROLL_WITH_MYSQL)
  dbroll_add_test(mysql_driver_test
    SOURCES ${CMAKE_CURRENT_LIST_DIR}/mysql_driver_test.cc $<TARGET_OBJECTS:dbroll_conformance>
    LABELS integration)
endif()
