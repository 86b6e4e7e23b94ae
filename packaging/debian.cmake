# Install layout and the Debian package (CPack's DEB generator; scripts/package.sh runs it).
# CPack rather than dpkg-buildpackage: the package is built from the same CMake tree as
# every other build, with no second description of the sources in debian/rules, and
# CPack still runs dpkg-shlibdeps for the library dependencies.
include(GNUInstallDirs)

# The packaged program: the same objects as ecokiosk (ecokiosk_app), with main.cpp and
# installed.cpp compiled for the installed layout: data from /usr/share/ecokiosk, and,
# run as the service user, its state in /var/lib and its configuration in /etc
# (app/cli/installed.cpp). Not built by default; scripts/package.sh builds it in the
# same tree as the tests, so CI compiles the program once, not twice.
add_executable(ecokiosk_packaged EXCLUDE_FROM_ALL app/cli/main.cpp app/cli/installed.cpp)
ecokiosk_warnings(ecokiosk_packaged)
target_link_libraries(ecokiosk_packaged PRIVATE ecokiosk_app)
target_compile_definitions(ecokiosk_packaged PRIVATE ECOKIOSK_DEFAULT_DATA_DIR="/usr/share/ecokiosk"
  ECOKIOSK_SERVICE_USER="ecokiosk" ECOKIOSK_STATE_DIR="/var/lib/ecokiosk" ECOKIOSK_CONFIG_FILE="/etc/ecokiosk/config.json")
set_target_properties(ecokiosk_packaged PROPERTIES OUTPUT_NAME ecokiosk RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/packaged)
# `cpack` installs without building everything first (the tests need not be built to
# package the program); scripts/package.sh builds ecokiosk_packaged and the man page.
set(CMAKE_SKIP_INSTALL_ALL_DEPENDENCY ON)

install(CODE "if(NOT EXISTS \"$<TARGET_FILE:ecokiosk_packaged>\")
  message(FATAL_ERROR \"the packaged program is not built: cmake --build ${CMAKE_BINARY_DIR} --target ecokiosk_packaged manpage (scripts/package.sh does, then packages)\")
endif()")
install(TARGETS ecokiosk_packaged RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY questionnaires assets DESTINATION ${CMAKE_INSTALL_DATADIR}/ecokiosk
        PATTERN "README.md" EXCLUDE)
install(FILES packaging/debian/config.default.json DESTINATION ${CMAKE_INSTALL_DATADIR}/ecokiosk)
install(PROGRAMS packaging/debian/x11-session DESTINATION ${CMAKE_INSTALL_DATADIR}/ecokiosk/x11)
install(FILES packaging/debian/xorg.conf DESTINATION ${CMAKE_INSTALL_DATADIR}/ecokiosk/x11)
install(FILES packaging/debian/ecokiosk.service packaging/debian/ecokiosk-x11.service
        DESTINATION lib/systemd/system)
install(FILES packaging/debian/copyright DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/ecokiosk)

# The man page, compressed as Debian expects (-n: no timestamp, so builds repeat).
add_custom_command(OUTPUT ${CMAKE_BINARY_DIR}/ecokiosk.1.gz
                   COMMAND gzip -9nc ${CMAKE_SOURCE_DIR}/packaging/ecokiosk.1 > ${CMAKE_BINARY_DIR}/ecokiosk.1.gz
                   DEPENDS ${CMAKE_SOURCE_DIR}/packaging/ecokiosk.1)
add_custom_target(manpage ALL DEPENDS ${CMAKE_BINARY_DIR}/ecokiosk.1.gz)
install(FILES ${CMAKE_BINARY_DIR}/ecokiosk.1.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)

set(ECOKIOSK_PACKAGE_VERSION "${PROJECT_VERSION}" CACHE STRING "Debian package version")
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME ecokiosk)
set(CPACK_PACKAGE_VERSION "${ECOKIOSK_PACKAGE_VERSION}")
set(CPACK_PACKAGE_CONTACT "EcoKiosk maintainers <maintainers@users.noreply.r-seed-1963cc18.example>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "touch-screen survey kiosk for ecological-civilization indicators")
# CPack puts the summary first and indents these lines itself.
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION "EcoKiosk runs the green-travel, knowledge and satisfaction questionnaires of a
district's demonstration-zone campaign full-screen in a service hall, keeps every
response in SQLite, and computes indicators 35, 39 and 40 with their intervals.
The kiosk starts under the cage Wayland compositor on tty1 as the ecokiosk user.")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # ecokiosk_VERSION_ARCH.deb
set(CPACK_DEBIAN_PACKAGE_SECTION misc)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)  # libglfw3, libsqlite3, libsodium ... from the binary itself
# What the binary does not link but needs: the compositor and X server it runs in, a
# Chinese font, Mesa's drivers, the tools of the maintainer scripts, and the data the
# comment keyboard reads (the handwriting model, the pinyin schema and its presets;
# espeak-ng's voices come with libespeak-ng1), and the libraries opened at first use
# with dlopen, which dpkg-shlibdeps cannot see in the binary (issue 20: pinyin,
# read-aloud, the central store, PDF reports).
set(CPACK_DEBIAN_PACKAGE_DEPENDS
    "adduser, debconf (>= 0.5) | debconf-2.0, cage, xwayland, fonts-noto-cjk | fonts-wqy-microhei, libgl1-mesa-dri, tegaki-zinnia-simplified-chinese, rime-data-pinyin-simp, rime-prelude, librime1, libespeak-ng1, libpq5, libssl3, libpango-1.0-0, libpangocairo-1.0-0, libcairo2, libglib2.0-0")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "xinit, xserver-xorg-core, xserver-xorg-input-libinput")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${CMAKE_SOURCE_DIR}/packaging/debian/preinst ${CMAKE_SOURCE_DIR}/packaging/debian/postinst
    ${CMAKE_SOURCE_DIR}/packaging/debian/prerm ${CMAKE_SOURCE_DIR}/packaging/debian/postrm
    ${CMAKE_SOURCE_DIR}/packaging/debian/config ${CMAKE_SOURCE_DIR}/packaging/debian/templates)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_STRIP_FILES ON)  # the debug info stays in the build tree
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
include(CPack)
