"""nn-basics autograder: grades a class safely, fast, without leaking the hidden tests (see README.md)."""

import sys

# jsonschema (imported by nbformat) imports the optional rfc3987_syntax, which builds a parser for
# several seconds at import time. Nothing here validates IRIs, so let that optional import fail fast.
sys.modules.setdefault("rfc3987_syntax", None)
