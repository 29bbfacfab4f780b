# Run by `cmake --install --component python` before copying: the prefix's interpreter must be able to load
# the built _eyemap (same EXT_SUFFIX: version and ABI) and import numpy and pandas, else stop naming both.
# Set by python/CMakeLists.txt (install(CODE)): EYEMAP_BUILT_FOR_PYTHON, EYEMAP_BUILT_FOR_VERSION, EYEMAP_BUILT_MODULE.
if(NOT "$ENV{DESTDIR}" STREQUAL "" OR "$ENV{EYEMAP_SKIP_INTERPRETER_CHECK}" STREQUAL "1")
  return()  # a staged (packaging) install: the prefix's interpreter is not on this machine yet
endif()
set(_py "")
foreach(_cand bin/python3 bin/python)
  if(EXISTS "${CMAKE_INSTALL_PREFIX}/${_cand}")
    set(_py "${CMAKE_INSTALL_PREFIX}/${_cand}")
    break()
  endif()
endforeach()
if(_py STREQUAL "")
  message(STATUS "eyemap: ${CMAKE_INSTALL_PREFIX} has no bin/python3 (not a venv); interpreter not checked")
  return()
endif()
execute_process(
  COMMAND "${_py}" -c "import importlib.util as u, os, sys, sysconfig\nprint(os.path.realpath(sys.executable))\nprint('%d.%d.%d' % sys.version_info[:3])\nprint(sysconfig.get_config_var('EXT_SUFFIX'))\nprint(' '.join(m for m in ('numpy', 'pandas') if u.find_spec(m) is None))"
  OUTPUT_VARIABLE _out ERROR_VARIABLE _err RESULT_VARIABLE _rc)
if(NOT _rc EQUAL 0)
  message(FATAL_ERROR "eyemap: the prefix's interpreter ${_py} does not run (${_rc}): ${_err}")
endif()
# Four lines (no list(): this runs under cmake_install.cmake's old policies, which drop empty elements).
string(REGEX MATCH "^([^\n]*)\n([^\n]*)\n([^\n]*)\n([^\n]*)" _ "${_out}")
set(_real "${CMAKE_MATCH_1}")
set(_version "${CMAKE_MATCH_2}")
set(_suffix "${CMAKE_MATCH_3}")
set(_missing "${CMAKE_MATCH_4}")
string(REGEX REPLACE "^_eyemap" "" _built_suffix "${EYEMAP_BUILT_MODULE}")
set(_them "the environment's interpreter: ${_py} (${_real}, Python ${_version})\nthe module was built for: ${EYEMAP_BUILT_FOR_PYTHON} (Python ${EYEMAP_BUILT_FOR_VERSION})")
if(NOT _suffix STREQUAL _built_suffix)
  # NOTICE, then FATAL_ERROR: CMake re-wraps FATAL_ERROR text, which would split the paths and commands.
  message(NOTICE "eyemap: cannot install into ${CMAKE_INSTALL_PREFIX}: its Python cannot load this build "
    "(extension suffix ${_suffix}, built ${_built_suffix}).\n${_them}\nFix: make the venv from the interpreter "
    "the module was built for:\n    ${EYEMAP_BUILT_FOR_PYTHON} -m venv --system-site-packages VENV\nor rebuild "
    "for this one: cmake -S . -B build -DPython3_EXECUTABLE=${_py}")
  message(FATAL_ERROR "eyemap: wrong interpreter in ${CMAKE_INSTALL_PREFIX} (above); nothing installed")
endif()
if(NOT _missing STREQUAL "")
  string(REPLACE " " " and " _missing_and "${_missing}")
  message(NOTICE "eyemap: cannot install into ${CMAKE_INSTALL_PREFIX}: its Python lacks ${_missing_and}.\n"
    "${_them}\nFix: make the venv from Debian's Python with its python3-numpy and python3-pandas:\n"
    "    ${EYEMAP_BUILT_FOR_PYTHON} -m venv --system-site-packages VENV\n"
    "or install them into it: ${_py} -m pip install ${_missing}")
  message(FATAL_ERROR "eyemap: ${CMAKE_INSTALL_PREFIX} lacks numpy/pandas (above); nothing installed")
endif()
