"""HTML → Markdown: the lxml tree, its cleaning passes, the markdownify converter."""
