"""python -m lib.reports monthly --month 2026-10 --out FILE [--db PATH] [--currency USD]"""
import sys

from lib.reports.cli import main

sys.exit(main())
