# Generates the C++ lexer/parser from grammar/*.g4 into the build folder at build time,
# with Debian's antlr4 tool, and checks that tool and runtime versions are ones we know.
find_program(ANTLR4_TOOL antlr4 REQUIRED)
find_package(antlr4-runtime REQUIRED)

execute_process(COMMAND ${ANTLR4_TOOL} OUTPUT_VARIABLE _antlr_banner ERROR_VARIABLE _antlr_banner)
string(REGEX MATCH "Version [0-9.]+" ANTLR4_TOOL_VERSION "${_antlr_banner}")
message(STATUS "antlr4 tool: ${ANTLR4_TOOL} (${ANTLR4_TOOL_VERSION})")
message(STATUS "antlr4 runtime: ${antlr4-runtime_VERSION} (${ANTLR4_INCLUDE_DIR})")

# Clang rejects one constructor in the 4.9 runtime's headers (InterpreterData default-
# constructs const members); for clang builds (the fuzzers) use a copy with that line fixed.
set(ANTLR4_INCLUDE_FOR_BUILD ${ANTLR4_INCLUDE_DIR})
if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  set(_shim ${CMAKE_BINARY_DIR}/antlr4-runtime-clang)
  file(COPY ${ANTLR4_INCLUDE_DIR}/ DESTINATION ${_shim})
  file(READ ${_shim}/misc/InterpreterDataReader.h _idr)
  string(REPLACE "InterpreterData() {}; // For invalid content." "" _idr "${_idr}")
  file(WRITE ${_shim}/misc/InterpreterDataReader.h "${_idr}")
  set(ANTLR4_INCLUDE_FOR_BUILD ${_shim})
endif()

function(antlr_generate target lexer_g4 parser_g4 namespace)
  set(out ${CMAKE_CURRENT_BINARY_DIR}/antlr)
  get_filename_component(lexer_name ${lexer_g4} NAME_WE)
  get_filename_component(parser_name ${parser_g4} NAME_WE)
  set(generated
    ${out}/${lexer_name}.cpp ${out}/${lexer_name}.h
    ${out}/${parser_name}.cpp ${out}/${parser_name}.h)
  add_custom_command(
    OUTPUT ${generated}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${out}
    COMMAND ${ANTLR4_TOOL} -Dlanguage=Cpp -no-listener -no-visitor
            -package ${namespace} -o ${out} -Xexact-output-dir ${lexer_g4} ${parser_g4}
    DEPENDS ${lexer_g4} ${parser_g4}
    COMMENT "antlr4: generating ${lexer_name} and ${parser_name}"
    VERBATIM)
  add_library(${target} STATIC ${generated})
  # The sources alone, without compiling them (what `make lint-cpp` needs).
  add_custom_target(${target}_sources DEPENDS ${generated})
  target_include_directories(${target} SYSTEM BEFORE PUBLIC ${out} ${ANTLR4_INCLUDE_FOR_BUILD})
  # The 4.7.2 tool's output predates C++20's char8_t; compile it as C++17, silently.
  set_target_properties(${target} PROPERTIES CXX_STANDARD 17 POSITION_INDEPENDENT_CODE ON)
  target_compile_options(${target} PRIVATE -w)
  target_link_libraries(${target} PUBLIC antlr4_static)
endfunction()
