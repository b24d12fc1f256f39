"""HTML → Markdown: the lxml tree, its cleaning passes, the markdownify converter."""

from postconv.html.lean_bs4 import import_bs4

import_bs4()
