import sys

from benchmarks.scheduling import main

main(sys.argv[1:])
