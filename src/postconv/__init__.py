"""postconv: HTML blog and news posts with front matter → clean Markdown."""

from postconv.errors import PostconvError
from postconv.options import Options
from postconv.pipeline import Result, convert

__all__ = ["Options", "PostconvError", "Result", "__version__", "convert"]
__version__ = "0.1.0"
