# Install rules: library + exported targets, headers (with the generated version.hpp), the CLI, the
# CMake package (eyemapConfig.cmake + version file), eyemap.pc and the licence.
# Layout under the prefix (GNUInstallDirs):
#   lib/libeyemap.a, lib/cmake/eyemap/{eyemapConfig,eyemapConfigVersion,eyemapTargets*}.cmake,
#   lib/pkgconfig/eyemap.pc, include/eyemap/*.hpp, bin/eyemap, share/doc/eyemap/LICENSE
include(CMakePackageConfigHelpers)

set(EYEMAP_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/eyemap)

install(TARGETS eyemap EXPORT eyemapTargets ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(TARGETS eyemap_cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY include/eyemap DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/include/eyemap/version.hpp DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/eyemap)
install(EXPORT eyemapTargets NAMESPACE eyemap:: DESTINATION ${EYEMAP_INSTALL_CMAKEDIR})

configure_package_config_file(cmake/eyemapConfig.cmake.in ${CMAKE_CURRENT_BINARY_DIR}/eyemapConfig.cmake
  INSTALL_DESTINATION ${EYEMAP_INSTALL_CMAKEDIR})
# SameMinorVersion while eyemap is 0.x: under semantic versioning every 0.y release may change the
# API, so find_package(eyemap 0.2) accepts 0.2.z only. From 1.0 on this becomes SameMajorVersion.
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/eyemapConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/eyemapConfig.cmake ${CMAKE_CURRENT_BINARY_DIR}/eyemapConfigVersion.cmake
  DESTINATION ${EYEMAP_INSTALL_CMAKEDIR})

# eyemap.pc finds the prefix from its own location (${pcfiledir}), so `cmake --install --prefix`
# and a moved prefix both work. An absolute CMAKE_INSTALL_LIBDIR/INCLUDEDIR is written as is.
if(IS_ABSOLUTE "${CMAKE_INSTALL_LIBDIR}")
  set(EYEMAP_PC_LIBDIR "${CMAKE_INSTALL_LIBDIR}")
  set(EYEMAP_PC_PREFIX "${CMAKE_INSTALL_PREFIX}")
else()
  set(EYEMAP_PC_LIBDIR "\${prefix}/${CMAKE_INSTALL_LIBDIR}")
  file(RELATIVE_PATH _eyemap_pc_up "/_prefix/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/_prefix")
  string(REGEX REPLACE "/$" "" _eyemap_pc_up "${_eyemap_pc_up}")
  set(EYEMAP_PC_PREFIX "\${pcfiledir}/${_eyemap_pc_up}")
endif()
if(IS_ABSOLUTE "${CMAKE_INSTALL_INCLUDEDIR}")
  set(EYEMAP_PC_INCLUDEDIR "${CMAKE_INSTALL_INCLUDEDIR}")
else()
  set(EYEMAP_PC_INCLUDEDIR "\${prefix}/${CMAKE_INSTALL_INCLUDEDIR}")
endif()
configure_file(cmake/eyemap.pc.in ${CMAKE_CURRENT_BINARY_DIR}/eyemap.pc @ONLY)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/eyemap.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

install(FILES LICENSE DESTINATION ${CMAKE_INSTALL_DOCDIR})
