# Runs one package test (cmake -P): MODE is install, find_package, shared, subdirectory, fetchcontent
# or pkg_config. Every consumer is configured from scratch in its own folder (never this build's
# cache) with the same generator and compiler, built, and run; any failure ends with FATAL_ERROR.
# Inputs (-D): MODE WORK_DIR PREFIX LIBDIR EYEMAP_SOURCE_DIR EYEMAP_BINARY_DIR CONSUMER_DIR GENERATOR
# MAKE_PROGRAM CXX VERSION PKG_CONFIG, optional BUILD_TYPE and SAN_COMPILE / SAN_LINK (space-separated).
cmake_minimum_required(VERSION 3.21)

function(run what)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    list(JOIN ARGN " " cmd)
    message(FATAL_ERROR "${what} failed (${rc}): ${cmd}")
  endif()
endfunction()

# Runs the built consumer and checks what it printed.
function(check_app exe)
  execute_process(COMMAND ${exe} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  message(STATUS "${exe}: ${out}${err}")
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "consumer exited with ${rc}")
  endif()
  if(NOT out STREQUAL "eyemap ${VERSION}: 3 rows, 4 files\n")
    message(FATAL_ERROR "consumer printed '${out}', expected 'eyemap ${VERSION}: 3 rows, 4 files'")
  endif()
endfunction()

separate_arguments(san_compile UNIX_COMMAND "${SAN_COMPILE}")
separate_arguments(san_link UNIX_COMMAND "${SAN_LINK}")

if(MODE STREQUAL "install")
  file(REMOVE_RECURSE ${PREFIX})
  run("cmake --install" ${CMAKE_COMMAND} --install ${EYEMAP_BINARY_DIR} --prefix ${PREFIX})
  foreach(f ${LIBDIR}/libeyemap.a ${LIBDIR}/cmake/eyemap/eyemapConfig.cmake
            ${LIBDIR}/cmake/eyemap/eyemapConfigVersion.cmake ${LIBDIR}/cmake/eyemap/eyemapTargets.cmake
            ${LIBDIR}/pkgconfig/eyemap.pc include/eyemap/version.hpp include/eyemap/table.hpp
            share/doc/eyemap/LICENSE bin/eyemap)
    if(NOT EXISTS ${PREFIX}/${f})
      message(FATAL_ERROR "not installed: ${PREFIX}/${f}")
    endif()
  endforeach()
  return()
endif()

set(dir ${WORK_DIR}/${MODE})
file(REMOVE_RECURSE ${dir})
file(MAKE_DIRECTORY ${dir})

if(MODE STREQUAL "pkg_config")
  set(ENV{PKG_CONFIG_PATH} "${PREFIX}/${LIBDIR}/pkgconfig")
  execute_process(COMMAND ${PKG_CONFIG} --modversion eyemap RESULT_VARIABLE rc OUTPUT_VARIABLE v
                  OUTPUT_STRIP_TRAILING_WHITESPACE)
  if(NOT rc EQUAL 0 OR NOT v STREQUAL VERSION)
    message(FATAL_ERROR "pkg-config --modversion eyemap: '${v}' (${rc}), expected ${VERSION}")
  endif()
  # fmt, cairo and libdeflate are link-only (Requires.private): nothing public, and static linking gets them.
  execute_process(COMMAND ${PKG_CONFIG} --print-requires eyemap RESULT_VARIABLE rc OUTPUT_VARIABLE requires
                  OUTPUT_STRIP_TRAILING_WHITESPACE)
  if(NOT rc EQUAL 0 OR NOT requires STREQUAL "")
    message(FATAL_ERROR "pkg-config --print-requires eyemap: '${requires}' (${rc}), expected nothing")
  endif()
  execute_process(COMMAND ${PKG_CONFIG} --print-requires-private eyemap RESULT_VARIABLE rc OUTPUT_VARIABLE requires
                  OUTPUT_STRIP_TRAILING_WHITESPACE)
  string(REPLACE "\n" ";" requires "${requires}")
  if(NOT rc EQUAL 0 OR NOT requires STREQUAL "fmt;cairo;libdeflate")
    message(FATAL_ERROR "pkg-config --print-requires-private eyemap: '${requires}' (${rc}), expected fmt, cairo, libdeflate")
  endif()
  execute_process(COMMAND ${PKG_CONFIG} --cflags --libs --static eyemap RESULT_VARIABLE rc OUTPUT_VARIABLE flags
                  ERROR_VARIABLE err OUTPUT_STRIP_TRAILING_WHITESPACE)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "pkg-config --cflags --libs --static eyemap failed: ${err}")
  endif()
  message(STATUS "pkg-config --cflags --libs --static eyemap: ${flags}")
  separate_arguments(flags UNIX_COMMAND "${flags}")
  run("compile+link" ${CXX} -std=c++20 -O2 ${san_compile} ${CONSUMER_DIR}/main.cpp -o ${dir}/app ${flags} ${san_link})
  check_app(${dir}/app)
  return()
endif()

set(args -S ${CONSUMER_DIR} -B ${dir} -G ${GENERATOR} -DCMAKE_CXX_COMPILER=${CXX}
    -DEYEMAP_CONSUMER_MODE=${MODE} -DEYEMAP_EXPECTED_VERSION=${VERSION})
if(MAKE_PROGRAM)
  list(APPEND args -DCMAKE_MAKE_PROGRAM=${MAKE_PROGRAM})
endif()
if(BUILD_TYPE)
  list(APPEND args -DCMAKE_BUILD_TYPE=${BUILD_TYPE})
endif()
if(SAN_COMPILE)
  list(APPEND args "-DCMAKE_CXX_FLAGS=${SAN_COMPILE}" "-DCMAKE_EXE_LINKER_FLAGS=${SAN_LINK}"
                   "-DCMAKE_SHARED_LINKER_FLAGS=${SAN_LINK}")
endif()
if(MODE STREQUAL "find_package" OR MODE STREQUAL "shared")
  list(APPEND args -DCMAKE_PREFIX_PATH=${PREFIX} -DEYEMAP_EXPECTED_PREFIX=${PREFIX})
else()
  list(APPEND args -DEYEMAP_SOURCE_DIR=${EYEMAP_SOURCE_DIR})
endif()
run("configure" ${CMAKE_COMMAND} ${args})
# Only app (and what it needs: eyemap, plug), not eyemap's CLI.
set(build_args --build ${dir} --target app -j 2)
if(BUILD_TYPE)
  list(APPEND build_args --config ${BUILD_TYPE})
endif()
run("build" ${CMAKE_COMMAND} ${build_args})
if(NOT EXISTS ${dir}/app AND BUILD_TYPE AND EXISTS ${dir}/${BUILD_TYPE}/app)  # multi-config generators
  set(dir ${dir}/${BUILD_TYPE})
endif()
check_app(${dir}/app)
