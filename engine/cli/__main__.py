import sys

from signrules.engine.cli import main

sys.exit(main())
