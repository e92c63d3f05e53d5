# Debian packages: `cpack -G DEB` in the build directory (or scripts/package)
# writes dbroll_<version>_<arch>.deb and libdbroll-dev_<version>_<arch>.deb.
# dpkg-shlibdeps computes dbroll's Depends from the ELF files, so it names the
# runtime libraries (libpqxx-6.4, libmysqlcppconn7v5 ...) and never a -dev
# package, a database server or a tool the tests use.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME dbroll)
set(CPACK_PACKAGE_VENDOR "dbroll")
set(CPACK_PACKAGE_CONTACT "dbroll maintainers <dbroll@localhost>")
# No CPACK_PACKAGE_DESCRIPTION_SUMMARY: CPackDeb would put it above each
# package's own description; the first line of each below is its summary.
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL runtime dev)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_SECTION database)
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "https://github.com/dbroll/dbroll")
set(CPACK_DEBIAN_RUNTIME_PACKAGE_NAME dbroll)
set(CPACK_DEBIAN_RUNTIME_PACKAGE_SECTION database)
set(CPACK_DEBIAN_RUNTIME_DESCRIPTION "database migrations with rollbacks for PostgreSQL, MariaDB and SQLite
dbroll applies paired up.sql/down.sql migrations in order, records them in a
history table, rolls them back newest first, lints them, and coordinates
deploys. This package holds the dbroll command, its shared library, the man
page and the bash, zsh and fish completions.")
set(CPACK_DEBIAN_DEV_PACKAGE_NAME libdbroll-dev)
set(CPACK_DEBIAN_DEV_PACKAGE_SECTION libdevel)
set(CPACK_DEBIAN_DEV_DESCRIPTION "database migrations with rollbacks - development files
The C++20 headers of libdbroll, its CMake package (find_package(dbroll),
target dbroll::dbroll) and its pkg-config file. The database client
libraries are private to libdbroll: no vendor headers are needed.")
set(CPACK_DEBIAN_DEV_PACKAGE_DEPENDS "dbroll (= ${PROJECT_VERSION})")
include(CPack)
