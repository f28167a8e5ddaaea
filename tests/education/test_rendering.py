"""Markdown rendering: sanitised output, heading ids kept for the contents list. No database needed."""

import pytest

from education.rendering import render_markdown


@pytest.mark.parametrize(
    "markdown",
    [
        "Hello <script>alert('x')</script> there",
        '<img src="x" onerror="alert(1)">',
        "[click](javascript:alert(1))",
        '<a href="/learn/" onclick="alert(1)">a link</a>',
        "<iframe src='https://evil.example'></iframe>",
        "<style>body{display:none}</style>",
        '<p style="position:fixed">covered</p>',
        "<svg><script>alert(1)</script></svg>",
    ],
)
def test_it_never_lets_script_through(markdown):
    html = render_markdown(markdown).html.lower()

    for bad in ("<script", "onerror", "onclick", "javascript:", "<iframe", "<style", "style=", "<svg", "alert(1)"):
        assert bad not in html


def test_it_keeps_heading_ids_and_builds_a_contents_list():
    rendered = render_markdown("## Signs\n\ntext\n\n### Early signs\n\nmore\n\n## What helps\n\nend\n")

    assert '<h2 id="signs">Signs</h2>' in rendered.html
    assert '<h3 id="early-signs">' in rendered.html
    assert [h.id for h in rendered.toc] == ["signs", "what-helps"]
    assert [c.id for c in rendered.toc[0].children] == ["early-signs"]


def test_it_renames_headings_that_would_clash_with_the_layout():
    rendered = render_markdown("## Main\n\n## FAQ\n")

    assert 'id="main"' not in rendered.html
    assert 'id="main-section"' in rendered.html
    assert 'id="faq-section"' in rendered.html


def test_it_renders_lists_tables_and_safe_links():
    rendered = render_markdown("| a | b |\n|---|---|\n| 1 | 2 |\n\n- one\n- [two](https://doi.org/10.1/x)\n")

    assert "<table>" in rendered.html
    assert "<li>one</li>" in rendered.html
    assert 'href="https://doi.org/10.1/x"' in rendered.html


def test_it_gives_plain_text_with_list_items_as_sentences():
    assert render_markdown("## Title\n\n- first item\n- second item\n").plain_text == "Title. first item. second item."
