"""python -m lib.importing FILE --entity revenue [--dry-run] [--db PATH] [--json]"""
import sys

from lib.importing.cli import main

sys.exit(main())
