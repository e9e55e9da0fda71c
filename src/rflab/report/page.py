"""The report as one self-contained HTML page: every image is embedded as a data URI, so the file
opens anywhere. A small script counts the images that loaded (``body[data-images]``) for the tests."""

from __future__ import annotations

import base64
import html
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from rflab.report.judging import RULES, VERDICTS, Claim, Finding

MIME = {".png": "image/png", ".gif": "image/gif"}
COLOURS = {"reproduced": "#1b7f3b", "differs": "#b26a00", "not reproduced": "#b3261e", "not checkable": "#5f6368",
           "not run": "#5f6368"}

STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 1200px; padding: 0 1em; color: #202124; }
h1 { margin-bottom: 0.2em; } h2 { margin-top: 2em; border-bottom: 1px solid #ddd; }
table { border-collapse: collapse; width: 100%; font-size: 0.9em; }
th, td { border: 1px solid #ddd; padding: 0.35em 0.5em; vertical-align: top; text-align: left; }
th { background: #f4f4f4; } td.verdict { font-weight: bold; white-space: nowrap; }
.meta { color: #5f6368; } .counts span { margin-right: 1.2em; font-weight: bold; }
figure { margin: 1em 0 2em 0; } figure img { max-width: 100%; border: 1px solid #eee; }
figcaption { color: #5f6368; font-size: 0.9em; }
.gallery { display: flex; flex-wrap: wrap; gap: 1em; } .gallery figure { flex: 1 1 340px; margin: 0; }
code { background: #f4f4f4; padding: 0 0.2em; }
"""

SCRIPT = """
window.addEventListener('load', function () {
  var images = Array.prototype.slice.call(document.images);
  var ok = images.filter(function (i) { return i.complete && i.naturalWidth > 0; }).length;
  document.body.setAttribute('data-images', ok + '/' + images.length);
  var status = document.getElementById('image-status');
  if (status) { status.textContent = ok + ' of ' + images.length + ' images loaded'; }
});
"""


@dataclass(frozen=True)
class Image:
    """An image to embed: the file and its caption."""

    path: Path
    caption: str


@dataclass(frozen=True)
class Section:
    """A titled group of images with an optional note."""

    title: str
    note: str
    images: tuple[Image, ...]


def text(value: str) -> str:
    """Escape for HTML; `backticks` become code."""
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", html.escape(value))


def data_uri(path: Path) -> str:
    """The file as a base64 data URI."""
    return f"data:{MIME[path.suffix.lower()]};base64,{base64.b64encode(path.read_bytes()).decode()}"


def claims_table(rows: Sequence[tuple[Claim, Finding]], kind: str = "claim") -> str:
    """Claims grouped by topic: claim, source, what we measured, verdict, reason (rows of class ``kind``)."""
    out, topic = [], None
    out.append("<table><tr><th>#</th><th>claim</th><th>source</th><th>what we measured</th><th>verdict</th>"
               "<th>reason</th></tr>")
    for i, (claim, found) in enumerate(rows, 1):
        if claim.topic != topic:
            topic = claim.topic
            out.append(f'<tr><th colspan="6">{text(topic)}</th></tr>')
        colour = COLOURS.get(found.verdict, "#202124")
        out.append(f'<tr class="{kind}"><td>{i}</td><td>{text(claim.text)}</td><td>{text(claim.source)}</td>'
                   f"<td class=\"measured\">{text(found.measured) or '&mdash;'}</td>"
                   f'<td class="verdict" style="color:{colour}">{text(found.verdict)}</td>'
                   f"<td>{text(found.reason)}</td></tr>")
    out.append("</table>")
    return "\n".join(out)


def counts(rows: Sequence[tuple[Claim, Finding]]) -> str:
    """How many claims got each verdict."""
    tally = {v: sum(f.verdict == v for _, f in rows) for v in VERDICTS}
    return '<p class="counts">' + "".join(
        f'<span style="color:{COLOURS[v]}">{n} {html.escape(v)}</span>' for v, n in tally.items() if n) + "</p>"


def rules() -> str:
    return "<ul>" + "".join(f"<li><b>{html.escape(v)}</b>: {text(r)}</li>" for v, r in RULES.items()) + "</ul>"


def section(s: Section, gallery: bool) -> str:
    """A section's images, one under the other or as a gallery."""
    figures = "".join(f'<figure><img src="{data_uri(i.path)}" alt="{html.escape(i.caption)}">'
                      f"<figcaption>{text(i.caption)}</figcaption></figure>" for i in s.images)
    note = f"<p>{text(s.note)}</p>" if s.note else ""
    missing = "" if s.images else "<p class=\"meta\">not made yet</p>"
    body = f'<div class="gallery">{figures}</div>' if gallery else figures
    return f"<h3>{text(s.title)}</h3>{note}{missing}{body}"


def render(title: str, meta: Sequence[str], rows: Sequence[tuple[Claim, Finding]],
           checks: Sequence[tuple[Claim, Finding]], figures: Sequence[Section], galleries: Sequence[Section]) -> str:
    """The whole page: the claims of the public sources (counted), our own cross-checks (not counted),
    the figures and the runs' images."""
    parts = [
        "<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{html.escape(title)}</title><style>{STYLE}</style></head><body>",
        f"<h1>{html.escape(title)}</h1>",
        "".join(f'<p class="meta">{text(m)}</p>' for m in meta),
        '<p class="meta" id="image-status"></p>',
        "<h2>Claims against measurements</h2>",
        "<p>Every claim of the two source documents, their papers and the authors' published results, with what "
        "rflab measured. The numbers in the third column are read from the results store and the JSON files the "
        "figures write; the numbers in a claim are its source's.</p>",
        counts(rows), "<p>Verdicts:</p>", rules(), claims_table(rows),
        "<h2>Our own cross-checks (not counted above)</h2>",
        "<p>Exact values we derived, the seed's algorithm replayed, targets we set ourselves, and what we read in "
        "the authors' code, judged by the same rules.</p>",
        counts(checks), claims_table(checks, "check"),
        "<h2>Figures</h2>", *(section(s, gallery=False) for s in figures),
        "<h2>Runs</h2>", *(section(s, gallery=True) for s in galleries),
        f"<script>{SCRIPT}</script></body></html>",
    ]
    return "\n".join(parts)
