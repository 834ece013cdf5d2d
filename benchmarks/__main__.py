"""``python -m benchmarks``: run the issue 7 benchmark (see :mod:`benchmarks.runner`)."""

import sys

from benchmarks.runner import main

sys.exit(main())
