"""Nothing active or external leaves a sandbox: outputs and notebooks made inert before anybody's browser sees them.

A submission controls every output it displays and every markdown or raw cell it holds. The
feedback page (nbconvert) and formgrader (the instructor's Jupyter origin) render them as HTML, so a
``<script>``, an ``<iframe srcdoc>``, an ``onerror=`` handler, a ``Javascript()`` output or a
``javascript:`` link would run there, and an ``<img src=http://...>`` would tell a stranger who read
the page and when. The rule: **markdown is rendered to HTML first, and the final HTML is sanitized**
(a rewrite of the markdown source misses what the renderer reads differently: ``javascript\\:``, a
reference definition whose target is on the next line). ``clean_html`` is that final step, three
passes:

1. nh3 (the Python binding of the Rust sanitizer ammonia, an allow-list of tags and attributes)
   parses whatever came and writes it back normalized: no script, iframe, object, style, link,
   meta, form, SVG, event handler, ``style=`` or ``srcset=``;
2. every link becomes its text, followed by its URL when that is ``http(s):`` or ``mailto:``
   (``docs (https://numpy.org)``, never clickable); any other target (``javascript:``, ``data:``,
   ``vbscript:``, a relative ``//host`` or ``page.html``) is dropped with its link; an image whose
   source is not a checked ``data:image/...;base64`` URI becomes the text ``[image not shown: ...]``;
3. nh3 again, with no ``href`` but in-page ``#fragment`` ones and no ``src`` but checked data
   images: whatever the rewrite did, nothing can fetch or run.

* outputs keep only inert types: text/plain, PNG/JPEG/GIF images (base64 checked), text/html
  (``clean_html``) and text/markdown (rendered, then ``clean_html``: kept as text/html); an SVG is
  shown as ``<img src="data:image/svg+xml;base64,...">`` (a browser runs no script of an image and
  fetches nothing for it); JavaScript, widgets, LaTeX and every other type are dropped, with a note
  when nothing is left;
* markdown cells of the autograded notebook (formgrader renders them again): see ``clean_markdown``;
  raw cells (nbconvert copies them into its HTML as they are) have every ``<`` escaped;
* attachments keep only checked PNG/JPEG/GIF images (rendered as ``data:`` URIs); notebook
  metadata keeps only the kernel's name and language (nbconvert's widget state would load scripts).
"""

from __future__ import annotations

import base64
import binascii
import html
import json
import re
from html.parser import HTMLParser
from urllib.parse import unquote

import nbformat
import nh3

from .memo import BoundedMemo

IMAGE_TYPES = ("image/png", "image/jpeg", "image/gif")
SAFE_SCHEMES = {"http", "https", "mailto"}  # link targets shown (as text), never followed
_DATA_IMAGE = re.compile(r"data:image/(png|jpeg|gif|svg\+xml);base64,([A-Za-z0-9+/=\s]*)\Z", re.I)
_SCHEME = re.compile(r"([a-z][a-z0-9+.\-]*):", re.I)
_INVISIBLE = re.compile(r"[\x00-\x20\x7f-\x9f]+")
_SAFE_TEXT = re.compile(r"[\w .+()\-]{0,64}\Z")
# markdown that can hold no link, image or HTML in any dialect (CommonMark, GFM, mistune, marked):
# each of them starts with ``[`` or ``<``; bare URLs autolinked by GFM are http(s) or mailto
_INERT_MARKDOWN = re.compile(r"[^<\[]*\Z")
SANITIZED_DIV = '<div class="autograder-sanitized">'
_CODE_CLASSES = {"class"}  # pygments' highlighting of a markdown code block
_TAGS = set(nh3.ALLOWED_TAGS) - {"area", "map"}
_ATTRIBUTES = {tag: set(attrs) - {"cite"} for tag, attrs in nh3.ALLOWED_ATTRIBUTES.items()}
_ATTRIBUTES.update(
    {tag: _ATTRIBUTES.get(tag, set()) | _CODE_CLASSES for tag in ("span", "div", "pre", "code")}
)


def _scheme(url: str) -> str | None:
    m = _SCHEME.match(_INVISIBLE.sub("", html.unescape(url)))
    return m.group(1).lower() if m else None


def is_data_image(url: str) -> bool:
    """``url`` is a ``data:image/...;base64,`` URI whose payload is base64 (the only image source kept)."""
    m = _DATA_IMAGE.match(url.strip())
    return m is not None and _is_base64(m.group(2))


def _final_attribute(element: str, attribute: str, value: str) -> str | None:
    if attribute == "href":
        return value if value.startswith("#") else None
    if attribute == "src":
        return value if element == "img" and is_data_image(value) else None
    return value


# pass 1: parse and normalize; links and images keep their targets for pass 2 to judge
_NORMALIZE = nh3.Cleaner(
    tags=_TAGS, attributes=_ATTRIBUTES, link_rel=None, url_schemes=SAFE_SCHEMES | {"data"}
)
# pass 3: the gate; nothing that fetches or navigates away survives it
_FINAL = nh3.Cleaner(
    tags=_TAGS, attributes=_ATTRIBUTES, attribute_filter=_final_attribute, link_rel=None, url_schemes={"data"}
)

# a whole page's body (the feedback template's markup around cells already cleaned): its classes and
# anchors kept, the same gate for everything else
_PAGE_ATTRIBUTES = {tag: set(attrs) for tag, attrs in _ATTRIBUTES.items()}
_PAGE_ATTRIBUTES.update({"*": {"class"}, "a": {"href", "name"}})
_PAGE = nh3.Cleaner(
    tags=_TAGS,
    attributes=_PAGE_ATTRIBUTES,
    attribute_filter=_final_attribute,
    link_rel=None,
    url_schemes={"data"},
)


def clean_page_body(text: str) -> str:
    """A page's body through the final gate only (its cells went through ``clean_html`` already)."""
    return _PAGE.clean(text)


# the tags the course's pages are made of first: the regex tries them in order
_COMMON = "span div a p pre code img br li ul ol td tr th table em".split()
_PAGE_TAGS = "|".join(
    _COMMON + sorted((_TAGS | {"html", "body", "main"}) - set(_COMMON), key=len, reverse=True)
)
_INERT_ATTRIBUTE = (
    r"(?:class|id|name|alt|width|height|colspan|rowspan|align|start|title|dir|scope|headers|span|datetime"
    r"|tabindex|role|aria-[a-z-]++|data-[a-z-]++)(?:=\"[^\"<>]*+\")?+"
    r"|href=\"#[^\"<>]*+\"|src=\"data:image/(?:png|jpeg|gif|svg\+xml);base64,[A-Za-z0-9+/=\s]*+\""
)
# a "<" that starts no comment and no allowed tag written with double-quoted inert attributes only
# (case-sensitive: nh3 and the templates write lower case; ``<IMG`` is not inert, so it is cleaned)
_NOT_INERT = re.compile(
    rf"<(?!!--|/(?:{_PAGE_TAGS})\b\s*>|(?:{_PAGE_TAGS})\b(?:\s++(?:{_INERT_ATTRIBUTE}))*+\s*+/?>)"
)


def page_body_is_inert(text: str) -> bool:
    """Every tag of ``text`` an allowed one with inert attributes (one regex, no parse: fast)."""
    return _NOT_INERT.search(text) is None


class _LinksToText(HTMLParser):
    """Writes nh3's normalized HTML back with links as text (URL shown) and foreign images as text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.links: list[tuple[str | None, list[str]]] = []  # open <a>: its href, its text so far

    def _tag(self, tag, attrs) -> str:
        written = "".join(f' {k}="{html.escape(v or "", quote=True)}"' for k, v in attrs)
        return f"<{tag}{written}>"

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag == "a":
            href = values.get("href")
            self.links.append((href, []))
            if href is not None and href.startswith("#"):  # in-page: kept as a link
                self.out.append(self._tag(tag, attrs))
        elif tag == "img" and not is_data_image(values.get("src") or ""):
            src, alt = values.get("src") or "", (values.get("alt") or "").strip()
            shown = [alt] if alt else []
            if _scheme(src) in ("http", "https"):
                shown.append(src)
            self.out.append(html.escape(f"[image not shown{': ' if shown else ''}{', '.join(shown)}]"))
        else:
            self.out.append(self._tag(tag, attrs))

    handle_startendtag = handle_starttag

    def handle_endtag(self, tag):
        if tag == "a" and self.links:
            href, text = self.links.pop()
            if href is not None and href.startswith("#"):
                self.out.append("</a>")
            elif href is not None and _scheme(href) in SAFE_SCHEMES:
                shown = "".join(text).strip()
                if shown not in (href, unquote(href), unquote(href).removeprefix("mailto:")):
                    self.out.append(html.escape(f" ({href})"))
            return
        if tag != "a":
            self.out.append(f"</{tag}>")

    def handle_data(self, data):
        for _, text in self.links:
            text.append(data)
        self.out.append(html.escape(data, quote=False))


def _links_to_text(text: str) -> str:
    parser = _LinksToText()
    parser.feed(text)
    parser.close()
    return "".join(parser.out)


_CLEANED = BoundedMemo()  # each student's notebook repeats the instructor's outputs


def clean_html(text: str) -> str:
    """``text`` with nothing that runs or fetches: links as text with their http(s)/mailto URL shown."""
    return _CLEANED.get(("html", text), lambda: _FINAL.clean(_links_to_text(_NORMALIZE.clean(text))))


_RENDERER = None


def _renderer_class():
    global _RENDERER
    if _RENDERER is None:
        from nbconvert.filters.markdown_mistune import IPythonRenderer

        class Renderer(IPythonRenderer):
            """nbconvert's renderer, but an attachment the cell does not hold stays a link to nothing
            (``clean_html`` then shows it as text) instead of failing the whole page."""

            def _embed_image_or_attachment(self, src: str) -> str:
                if src.startswith("attachment:") and src[len("attachment:") :] not in self.attachments:
                    return src
                return super()._embed_image_or_attachment(src)

        _RENDERER = Renderer
    return _RENDERER


def markdown_html(text: str, attachments: dict | None = None) -> str:
    """Markdown rendered the way nbconvert and formgrader render it (mistune, math kept as text)."""
    from nbconvert.filters.markdown_mistune import MarkdownWithMath

    renderer = _renderer_class()(escape=False, attachments=attachments or {})
    return MarkdownWithMath(renderer=renderer).render(text)


def _html_as_text(text: str) -> str:
    """Markdown whose raw HTML the final gate would change has every ``<`` escaped: the attempt
    (``<script>``, ``<img src=http://...>``) is shown as text rather than silently dropped."""
    return text if html.unescape(_FINAL.clean(text)) == text else text.replace("<", "&lt;")


def render_markdown(text: str, attachments: dict | None = None) -> str:
    """Markdown as the final, sanitized HTML a page shows (attachments inlined as data: images)."""
    if attachments:
        return clean_html(markdown_html(_html_as_text(text), attachments))
    return _CLEANED.get(("md", text), lambda: clean_html(markdown_html(_html_as_text(text))))


def clean_markdown(text: str, attachments: dict | None = None) -> str:
    """A markdown cell's source that no renderer can turn into a link, an image or HTML that acts.

    The autograded notebook stays a notebook (formgrader renders its markdown itself, with
    nbconvert's mistune; JupyterLab with marked). Markdown without ``<`` and ``[`` holds no image,
    no HTML and no link in any of them but a bare http(s) address written out (clickable in GFM
    renderers, its URL its own text), and is kept byte for byte (math included). Any other cell is
    replaced by its final HTML (``render_markdown``) as one HTML block: a ``<div>`` on one line
    (newlines written ``&#10;``), which every CommonMark renderer passes through without reading
    markdown inside it, so what formgrader shows is exactly the sanitized HTML.
    """
    if _INERT_MARKDOWN.match(text) or (
        text.startswith(SANITIZED_DIV) and _one_line(clean_html(text)) == text
    ):
        return (
            text  # holds nothing, or is this function's own output (formgrader's notebook is cleaned twice)
        )
    body = _one_line(render_markdown(text, attachments))
    return body if body.startswith(SANITIZED_DIV) else SANITIZED_DIV + body + "</div>"


def _one_line(html_text: str) -> str:
    return html_text.strip().replace("\r", "").replace("\n", "&#10;")


def _is_base64(value) -> bool:
    if not isinstance(value, str):
        return False
    try:
        base64.b64decode(re.sub(r"\s", "", value), validate=True)
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
        elif mime == "text/markdown" and "text/html" not in data:
            out["text/html"] = render_markdown(_text(value))
        elif mime == "image/svg+xml" and "text/html" not in data:
            svg = base64.b64encode(_text(value).encode()).decode()
            out["text/html"] = f'<img src="data:image/svg+xml;base64,{svg}" alt="SVG image">'
    shown = {"image/svg+xml", "text/markdown"} if "text/html" in out else set()
    dropped = sorted(set(data) - set(out) - shown)
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
        if "attachments" in cell:
            kept = {}
            for name, bundle in (cell.attachments or {}).items():
                images = {m: v for m, v in (bundle or {}).items() if m in IMAGE_TYPES and _is_base64(v)}
                if images and re.fullmatch(r"[\w .\-]{1,128}", str(name)):
                    kept[name] = images
            cell.attachments = kept
        if cell.cell_type == "code":
            cell.outputs = [nbformat.from_dict(clean_output(o)) for o in cell.get("outputs", [])]
        elif cell.cell_type == "markdown":
            cell.source = clean_markdown(cell.source, cell.get("attachments"))
        elif cell.cell_type == "raw":  # nbconvert copies raw cells into its HTML as they are: text only
            cell.source = cell.source.replace("<", "&lt;")
    meta = nb.metadata
    kept = {}
    for key in ("kernelspec", "language_info"):
        value = meta.get(key)
        if isinstance(value, dict):
            kept[key] = {k: v for k, v in value.items() if isinstance(v, str) and _SAFE_TEXT.match(v)}
    nb.metadata = nbformat.from_dict(json.loads(json.dumps(kept)))
    return nb
