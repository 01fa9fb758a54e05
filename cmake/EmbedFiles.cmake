# Embeds text files (the stdlib) into a generated C++ source as string literals, so the
# binary never reads its stdlib from disk at run time.
function(embed_files target namespace)
  set(out ${CMAKE_CURRENT_BINARY_DIR}/${target}_embedded.cpp)
  set(inputs ${ARGN})
  add_custom_command(
    OUTPUT ${out}
    COMMAND ${CMAKE_COMMAND} -DOUT=${out} -DNAMESPACE=${namespace}
            -DBASE=${CMAKE_CURRENT_SOURCE_DIR} "-DINPUTS=${inputs}"
            -P ${PROJECT_SOURCE_DIR}/cmake/EmbedScript.cmake
    DEPENDS ${inputs} ${PROJECT_SOURCE_DIR}/cmake/EmbedScript.cmake
    COMMENT "embedding ${target}"
    VERBATIM)
  add_library(${target} STATIC ${out})
  target_include_directories(${target} PUBLIC ${CMAKE_CURRENT_SOURCE_DIR})
endfunction()
