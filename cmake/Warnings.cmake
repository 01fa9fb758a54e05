# Warnings as errors on regpol's own targets only; generated code gets its own flags.
option(REGPOL_WERROR "treat warnings as errors on regpol's own targets" ON)
function(regpol_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wno-unused-parameter)
  if(REGPOL_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
