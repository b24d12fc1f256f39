"""No link the site would run (issue 10, item 16): what counts as unsafe, and the CLI."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from postconv.cli import main
from postconv.text import unsafe_url, web_or_relative_url


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JavaScript:x",
        " javascript:x",
        "java\tscript:x",
        "jav\nascript:x",
        "\x01javascript:x",
        "vbscript:msgbox",
        "VBScript:x",
        "data:text/html,<script>",
        "data:image/svg+xml,<svg>",
    ],
)
def test_unsafe_link_destinations(url: str) -> None:
    assert unsafe_url(url)


@pytest.mark.parametrize(
    "url",
    [
        "http://x.com/javascript:x",
        "/javascript:x",
        "page.html#data:x",
        "https://x.com/",
        "mailto:a@b.c",
        "#top",
        "",
        "javascripts/app.js",
    ],
)
def test_safe_link_destinations(url: str) -> None:
    assert not unsafe_url(url)


def test_an_image_may_be_a_data_picture_not_a_data_page() -> None:
    assert not unsafe_url("data:image/png;base64,AA", image=True)
    assert unsafe_url("data:text/html,x", image=True)
    assert unsafe_url("data:image/png;base64,AA")  # as a link's destination


def test_embeds_load_from_the_web_or_the_site() -> None:
    assert all(
        map(
            web_or_relative_url, ["https://v.com/a", "HTTP://v.com", "//v.com/a", "/v.mp4", "v.mp4"]
        )
    )
    assert not any(
        map(web_or_relative_url, ["javascript:x", "file:///etc/passwd", "data:video/mp4,AA"])
    )


def test_in_place_drops_the_destination_verify_agrees_and_the_option_keeps_it(tmp_path) -> None:
    post = tmp_path / "p.html"
    source = '---\ntitle: t\n---\n<p><a href="jav&#x09;ascript:steal()">Win</a> a prize</p>\n'
    post.write_text(source, encoding="utf-8")
    done = CliRunner().invoke(main, ["-i", str(post)])
    assert done.exit_code == 0, done.stderr
    assert post.read_text("utf-8") == "---\ntitle: t\n---\n\nWin a prize\n"
    post.write_text(source, encoding="utf-8")
    done = CliRunner().invoke(main, ["-i", "--allow-unsafe-links", str(post)])
    assert done.exit_code == 0, done.stderr
    assert "](<javascript:steal()>)" in post.read_text("utf-8")


def test_markdown_an_author_wrote_is_kept_as_written(tmp_path) -> None:
    post = tmp_path / "p.md"
    post.write_text(
        "---\ntitle: t\n---\n[demo](javascript:void(0)) and <b>bold</b>\n", encoding="utf-8"
    )
    done = CliRunner().invoke(main, [str(post)])
    assert done.stdout.endswith("\n[demo](javascript:void(0)) and **bold**\n")
