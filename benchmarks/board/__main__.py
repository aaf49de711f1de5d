import sys

from benchmarks.board import main

main(sys.argv[1:])
