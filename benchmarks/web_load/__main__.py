import sys

from benchmarks.web_load import main

main(sys.argv[1:])
