# Sourced by tools/test.sh, tools/soak.sh and tools/demo.sh: configures the plain (uninstrumented) build the way
# the test command does. Usage: configure_plain_build SOURCE_DIR BUILD_DIR
configure_plain_build() {
  # Ninja for a new build folder (a folder made with Make keeps Make): it starts a target's
  # compiles before the libraries it links are linked, so both cores stay busy to the end.
  # Unity builds (batches of 8 sources per compiler run): a clean build takes 5.5 min instead of
  # 8 on 2 cores. Line tables only (-g1): a crash's backtrace still names files and lines, and the
  # heaviest source (the HTTP server, Beast's templates) compiles in two thirds of the time of -g.
  CMAKE_GENERATOR=${CMAKE_GENERATOR:-Ninja} cmake -S "$1" -B "$2" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 -g1 -DNDEBUG" -DCMAKE_UNITY_BUILD=ON >/dev/null
}
