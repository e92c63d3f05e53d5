# cmake -DCONFIG=<target>.cmake -DREJECT=h1,h2 -DACCEPT=h3,h4 -P check_layer.cmake
# Preprocesses one file including every REJECT header with the target's
# include path and requires the layering #error for each, then one including
# every ACCEPT header, which must preprocess cleanly.
include(${CONFIG})
set(flags -std=c++20 -E -o /dev/null)
foreach(dir ${INCLUDES})
  list(APPEND flags -I${dir})
endforeach()
string(REPLACE "," ";" REJECT "${REJECT}")
string(REPLACE "," ";" ACCEPT "${ACCEPT}")
file(MAKE_DIRECTORY ${WORK})
set(fails 0)

# Preprocesses ${WORK}/${TARGET}_<kind>.cc, which includes each of `headers`:
# the exit code in `rc_var`, the compiler's messages in `err_var`.
function(preprocess_includes kind headers rc_var err_var)
  set(src "")
  foreach(h ${headers})
    string(APPEND src "#include <${h}>\n")
  endforeach()
  file(WRITE ${WORK}/${TARGET}_${kind}.cc "${src}")
  execute_process(COMMAND ${CXX} ${flags} ${WORK}/${TARGET}_${kind}.cc RESULT_VARIABLE rc ERROR_VARIABLE err
                  OUTPUT_QUIET)
  set(${rc_var} ${rc} PARENT_SCOPE)
  set(${err_var} "${err}" PARENT_SCOPE)
endfunction()

preprocess_includes(rejects "${REJECT}" rc rejected)
if(rc EQUAL 0)
  message(SEND_ERROR "${TARGET}: a file including ${REJECT} preprocessed without an error")
endif()
foreach(h ${REJECT})
  string(FIND "${rejected}" "#error \"layering: ${h} belongs to" at)
  if(at EQUAL -1)
    math(EXPR fails "${fails} + 1")
    message(SEND_ERROR "${TARGET}: including <${h}> does not stop on the layering #error")
  endif()
endforeach()

preprocess_includes(accepts "${ACCEPT}" rc err)
if(NOT rc EQUAL 0)
  message(SEND_ERROR "${TARGET}: a file including ${ACCEPT} (all allowed) does not preprocess:\n${err}")
endif()
if(fails GREATER 0)
  message("compiler output for the rejected headers:\n${rejected}")
endif()
