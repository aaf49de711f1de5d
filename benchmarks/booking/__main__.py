import sys

from benchmarks.booking import main

main(sys.argv[1:])
