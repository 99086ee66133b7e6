# Configures the project with the Unix Makefiles generator in BINARY and
# builds the protoc-generated library (cmake -P; SOURCE and BINARY given).
file(REMOVE_RECURSE "${BINARY}")
execute_process(COMMAND "${CMAKE_COMMAND}" -S "${SOURCE}" -B "${BINARY}" -G "Unix Makefiles"
                        -DLANESCOPE_BUILD_TESTS=OFF
                RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "configure with Unix Makefiles failed (${rc})")
endif()
execute_process(COMMAND "${CMAKE_COMMAND}" --build "${BINARY}" --target lanescope_pprof_proto
                RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "build with Unix Makefiles failed (${rc})")
endif()
file(REMOVE_RECURSE "${BINARY}")
