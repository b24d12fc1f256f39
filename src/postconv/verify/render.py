"""Markdown → HTML as a reader's renderer shows it: CommonMark, GFM tables and strikethrough.

The renderer is cmark-gfm, CommonMark's reference implementation with GitHub's
extensions, through the C library that ``cmarkgfm`` builds. Its Python
functions leak: they free neither the document tree nor the rendered string,
about 50 KB a rendering, a gigabyte per worker over a large archive. So the
same C functions are called here, and both are freed (the tree with
``cmark_node_free``, the string with the C library's ``free``, as cmark
allocates with the default allocator).

Where that cannot be set up (no C library to load), markdown-it-py renders,
with the same rules, at ten times the cost.
"""

from __future__ import annotations

import ctypes
from collections.abc import Callable
from functools import lru_cache

#: raw HTML kept as written (the default replaces it by a comment), and strikethrough
#: only between double tildes (as markdown-it, kramdown and goldmark read it)
_OPTIONS = 1 << 17 | 1 << 14
#: no links made of bare URLs: the sites postconv writes for do not make them
_EXTENSIONS = (b"table", b"strikethrough")


def render(markdown: str) -> str:
    """``markdown`` as HTML, raw HTML kept."""
    return _renderer()(markdown)


@lru_cache(maxsize=1)
def _renderer() -> Callable[[str], str]:
    try:
        return _Cmark()
    except (ImportError, OSError, AttributeError):  # pragma: no cover - no C library here
        import markdown_it

        parser = markdown_it.MarkdownIt("commonmark", {"html": True})
        return parser.enable(["table", "strikethrough"]).render


class _Cmark:
    """cmark-gfm's parser and HTML renderer, everything they allocate freed."""

    def __init__(self) -> None:
        from cmarkgfm import _cmark

        self.ffi, self.lib = _cmark.ffi, _cmark.lib
        library = ctypes.CDLL(_cmark.__file__)  # (loaded already: the same library)
        self.free_node = library.cmark_node_free
        self.free_node.argtypes, self.free_node.restype = [ctypes.c_void_p], None
        self.free = ctypes.CDLL(None).free
        self.free.argtypes, self.free.restype = [ctypes.c_void_p], None
        self.lib.cmark_gfm_core_extensions_ensure_registered()
        self.extensions = [self.lib.cmark_find_syntax_extension(name) for name in _EXTENSIONS]
        if any(extension == self.ffi.NULL for extension in self.extensions):
            raise AttributeError("cmark-gfm without its table and strikethrough extensions")

    def __call__(self, markdown: str) -> str:
        lib = self.lib
        parser = lib.cmark_parser_new(_OPTIONS)
        try:
            for extension in self.extensions:
                lib.cmark_parser_attach_syntax_extension(parser, extension)
            data = markdown.encode("utf-8", "replace")
            lib.cmark_parser_feed(parser, data, len(data))
            root = lib.cmark_parser_finish(parser)
            try:
                extensions = lib.cmark_parser_get_syntax_extensions(parser)
                html = lib.cmark_render_html(root, _OPTIONS, extensions)
                try:
                    return self.ffi.string(html).decode("utf-8", "replace")
                finally:
                    self.free(self._address(html))
            finally:
                self.free_node(self._address(root))
        finally:
            lib.cmark_parser_free(parser)

    def _address(self, pointer: object) -> int:
        return int(self.ffi.cast("uintptr_t", pointer))
