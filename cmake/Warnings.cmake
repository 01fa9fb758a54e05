# Warnings as errors on regpol's own targets only; generated code gets its own flags.
function(regpol_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Werror
    -Wno-unused-parameter)
endfunction()
