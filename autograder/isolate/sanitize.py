"""Nothing active leaves a sandbox: outputs and notebooks made inert before anybody's browser sees them.

A submission controls every output it displays and every markdown or raw cell it holds. The
feedback page (nbconvert) and formgrader (the instructor's Jupyter origin) render them as HTML, so a
``<script>``, an ``<iframe srcdoc>``, an ``onerror=`` handler, a ``Javascript()`` output or a
``javascript:`` link would run there. Everything that becomes HTML goes through nh3 (the Python
binding of the Rust sanitizer ammonia, an allow-list of tags, attributes and URL schemes):

* outputs keep only inert types: text/plain, PNG/JPEG/GIF images (base64 checked), text/html and
  text/markdown (sanitized); an SVG is shown as ``<img src="data:image/svg+xml;base64,...">``
  (a browser runs no script of an image); JavaScript, widgets, LaTeX and every other type are
  dropped, with a note when nothing is left;
* markdown and raw cells: one whose HTML nh3 keeps as written is kept byte for byte, any other
  has its ``<`` escaped (shown as text); markdown link targets with a scheme other than http, https or mailto become ``#``;
* attachments keep only checked PNG/JPEG/GIF images; notebook metadata keeps only the kernel's
  name and language (nbconvert's widget state would load scripts).
"""

from __future__ import annotations

import base64
import binascii
import html
import json
import re

import nbformat
import nh3

from .memo import BoundedMemo

IMAGE_TYPES = ("image/png", "image/jpeg", "image/gif")
SAFE_SCHEMES = {"http", "https", "mailto"}
_DATA_IMAGE = re.compile(r"data:image/(png|jpeg|gif|svg\+xml);base64,[A-Za-z0-9+/=\s]*\Z", re.I)
_SCHEME = re.compile(r"([a-z][a-z0-9+.\-]*):", re.I)
_INVISIBLE = re.compile(r"[\x00-\x20\x7f-\x9f]+")
# inline link or image targets ``](url``, and reference definitions ``[x]: url``
_MD_TARGET = re.compile(r"(\]\(\s*<?)([^)\s>]*)|(^[ ]{0,3}\[[^\]\n]+\]:[ \t]*<?)(\S+)", re.M)
_SAFE_TEXT = re.compile(r"[\w .+()\-]{0,64}\Z")


def _keep_attribute(element: str, attribute: str, value: str) -> str | None:
    if attribute in ("src", "href", "cite") and _scheme(value) == "data":
        return value if element == "img" and attribute == "src" and _DATA_IMAGE.match(value) else None
    return value


def _scheme(url: str) -> str | None:
    m = _SCHEME.match(_INVISIBLE.sub("", html.unescape(url)))
    return m.group(1).lower() if m else None


_CLEANER = nh3.Cleaner(
    attribute_filter=_keep_attribute,
    link_rel=None,
    url_schemes=SAFE_SCHEMES | {"data"},
)


_CLEANED = BoundedMemo()  # each student's notebook repeats the instructor's outputs


def clean_html(text: str) -> str:
    """``text`` with every script, iframe, style, event handler and unsafe URL removed."""
    return _CLEANED.get(("html", text), lambda: _CLEANER.clean(text))


def clean_markdown(text: str) -> str:
    """Markdown whose raw HTML and link targets are harmless (unchanged if they already were).

    Markdown whose HTML nh3 leaves exactly as written is kept byte for byte. Otherwise every ``<``
    becomes ``&lt;``: no raw HTML at all survives, and what the student wrote shows as text (nh3
    alone would also cut honest text such as a code span `a<b`, which HTML reads as a tag).
    """
    if html.unescape(clean_html(text)) != text:
        text = text.replace("<", "&lt;")

    def target(m: re.Match) -> str:
        head, url = (m.group(1), m.group(2)) if m.group(1) is not None else (m.group(3), m.group(4))
        scheme = _scheme(url)
        if scheme is None or scheme in SAFE_SCHEMES or (scheme == "data" and _DATA_IMAGE.match(url)):
            return m.group(0)
        return head + "#"

    return _MD_TARGET.sub(target, text)


def _is_base64(value) -> bool:
    if not isinstance(value, str):
        return False
    try:
        base64.b64decode(value.replace("\n", ""), validate=True)
    except (binascii.Error, ValueError):
        return False
    return True


def _text(value) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def clean_bundle(data: dict) -> dict:
    """A mime bundle with only inert representations (never empty if ``data`` was not)."""
    out = {}
    for mime, value in data.items():
        if mime == "text/plain":
            out[mime] = _text(value)
        elif mime in IMAGE_TYPES and _is_base64(value):
            out[mime] = value
        elif mime == "text/html":
            out[mime] = clean_html(_text(value))
        elif mime == "text/markdown":
            out[mime] = clean_markdown(_text(value))
        elif mime == "image/svg+xml" and "text/html" not in data:
            svg = base64.b64encode(_text(value).encode()).decode()
            out["text/html"] = f'<img src="data:image/svg+xml;base64,{svg}" alt="SVG image">'
    dropped = sorted(set(data) - set(out) - ({"image/svg+xml"} if "text/html" in out else set()))
    if dropped and "text/plain" not in out and not out:
        out["text/plain"] = f"[output removed by the autograder: {', '.join(dropped)} could run in a browser]"
    return out


def clean_output(output: dict) -> dict:
    """One nbformat output (a plain dict) made inert; streams and errors are text already."""
    kind = output.get("output_type")
    if kind in ("display_data", "execute_result", "update_display_data"):
        output = dict(output)
        output["data"] = clean_bundle(output.get("data") or {})
        sizes = {}
        for mime, meta in (output.get("metadata") or {}).items():
            if mime in output["data"] and isinstance(meta, dict):
                sizes[mime] = {k: v for k, v in meta.items() if k in ("width", "height") and _number(v)}
        output["metadata"] = {k: v for k, v in sizes.items() if v}
    return output


def _number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def clean_outputs(outputs: list) -> list:
    return [clean_output(o) for o in outputs if isinstance(o, dict)]


def clean_notebook(nb):
    """Make a whole notebook inert in place (outputs, markdown, raw cells, attachments, metadata)."""
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = [nbformat.from_dict(clean_output(o)) for o in cell.get("outputs", [])]
        elif cell.cell_type == "markdown":
            cell.source = clean_markdown(cell.source)
        elif cell.cell_type == "raw":  # nbconvert copies raw cells into its HTML as they are
            cell.source = clean_markdown(cell.source)
        if "attachments" in cell:
            kept = {}
            for name, bundle in (cell.attachments or {}).items():
                images = {m: v for m, v in (bundle or {}).items() if m in IMAGE_TYPES and _is_base64(v)}
                if images and re.fullmatch(r"[\w .\-]{1,128}", str(name)):
                    kept[name] = images
            cell.attachments = kept
    meta = nb.metadata
    kept = {}
    for key in ("kernelspec", "language_info"):
        value = meta.get(key)
        if isinstance(value, dict):
            kept[key] = {k: v for k, v in value.items() if isinstance(v, str) and _SAFE_TEXT.match(v)}
    nb.metadata = nbformat.from_dict(json.loads(json.dumps(kept)))
    return nb
