"""Exit codes of the ``signrules`` command line."""

from enum import IntEnum


class ExitCode(IntEnum):
    """Exit status of every ``signrules`` subcommand."""

    #: The command succeeded; for lint, no errors were found.
    OK = 0
    #: The command ran but found problems: lint errors, or images that failed.
    PROBLEMS_FOUND = 1
    #: The command could not run: invalid arguments, unreadable input, missing files.
    USAGE_ERROR = 2
    #: The user interrupted the command.
    INTERRUPTED = 130
