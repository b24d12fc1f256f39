"""The one exception type the core raises for bad input, and errors told in one line."""

from __future__ import annotations


class PostconvError(ValueError):
    """Bad input: the message is one line, fit to print after the file name.

    ``line`` is the 1-based line of the input the problem is on, when known.
    """

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line

    def __str__(self) -> str:
        if self.line is None:
            return self.message
        return f"line {self.line}: {self.message}"

    def __reduce__(self):  # keep picklable across worker processes
        return (type(self), (self.message, self.line))


class FrontMatterError(PostconvError):
    """The header is not closed, or its YAML/TOML does not parse."""


def first_line(error: BaseException) -> str:
    """The first line of an error's message, or its type's name when it has none."""
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
