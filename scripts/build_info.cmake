# Writes build_info.h at build time (not only at configure time), so the
# revision recorded with every run is the one actually built. configure_file
# leaves the file untouched when nothing changed, so nothing recompiles then.
# Inputs (-D): SRC, OUT, PROJECT_VERSION, PKB_HAVE_CUDA, CMAKE_BUILD_TYPE.
execute_process(COMMAND git -C ${SRC} rev-parse --short=12 HEAD
  OUTPUT_VARIABLE PKB_GIT_REV OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
if(NOT PKB_GIT_REV)
  set(PKB_GIT_REV "unknown")
endif()
execute_process(COMMAND git -C ${SRC} status --porcelain --untracked-files=no
  OUTPUT_VARIABLE dirty OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
if(dirty)
  set(PKB_GIT_REV "${PKB_GIT_REV}-modified")
endif()
configure_file(${SRC}/harness/build_info.h.in ${OUT} @ONLY)
