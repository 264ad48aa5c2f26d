"""``python -m sklstm``: the same as the ``sklstm`` command."""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
