"""What the browser tests share: the live server's handle, logging in, screenshots, a PDF."""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import requests

from ..conftest import PASSWORD, ROOT
from . import artifacts

HTTP_TIMEOUT = 30


@dataclass
class LiveServer:
    url: str
    database_url: str
    log: Path
    attachments: Path
    tokens: dict[str, str] = field(default_factory=dict)

    @property
    def api(self) -> str:
        return f"{self.url}/api/v1"

    def token(self, username: str) -> str:
        if username not in self.tokens:
            reply = requests.post(f"{self.api}/auth/token", json={"username": username, "password": PASSWORD},
                                  timeout=HTTP_TIMEOUT)
            assert reply.status_code == 200, reply.text
            self.tokens[username] = reply.json()["token"]
        return self.tokens[username]

    def call(self, method: str, path: str, username: str, **kwargs) -> requests.Response:
        """The public API as a user (for setting up or checking what the browser did)."""
        headers = {"Authorization": f"Bearer {self.token(username)}", **kwargs.pop("headers", {})}
        return requests.request(method, self.api + path, headers=headers, timeout=HTTP_TIMEOUT, **kwargs)

    def log_tail(self, lines: int = 60) -> str:
        try:
            return "\n".join(self.log.read_text("utf-8", errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


def save_screenshot(page, name: str, full_page: bool = True, height: int | None = None) -> Path:
    """The page as a PNG in the screenshot folder: the whole page, the viewport
    (`full_page=False`) or the top `height` pixels of the whole page."""
    safe = re.sub(r"[^\w.-]+", "_", name)
    path = artifacts.folder() / f"{safe}.png"
    if height is not None:
        width = page.viewport_size["width"]
        page.screenshot(path=str(path), full_page=True, clip={"x": 0, "y": 0, "width": width, "height": height})
    else:
        page.screenshot(path=str(path), full_page=full_page)
    return path


def assert_on_screen(locator) -> None:
    """The element is really drawn where a person would see it: scrolled into view, the point at
    its centre belongs to it (not to a card drawn over it, nor clipped away by a collapsed box)."""
    locator.scroll_into_view_if_needed()
    hit = locator.evaluate("""el => {
        const r = el.getBoundingClientRect();
        const at = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
        return {inside: Boolean(at && (el === at || el.contains(at))), width: r.width, height: r.height,
                at: at ? (at.outerHTML || '').slice(0, 160) : null};
    }""")
    assert hit["width"] > 0 and hit["height"] > 0, f"not drawn: {hit}"
    assert hit["inside"], f"covered or clipped: the point at its centre is {hit['at']}"


def assert_no_page_errors(page) -> None:
    assert not page.errors, f"uncaught errors in the page: {page.errors}"


def login(page, username: str, password: str = PASSWORD) -> None:
    """Log in through the login page as a person would."""
    page.goto("/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.get_by_test_id("current-user").wait_for()


def nav(page, name: str) -> None:
    """Click an entry of the top bar's navigation (我的待办, 发起申报, 流程修订 …)."""
    page.locator("header nav").get_by_role("link", name=name, exact=True).click()


def login_fast(page, server: LiveServer, username: str, path: str = "/") -> None:
    """A token from the API into sessionStorage (`govit.token`), then open `path`."""
    page.goto("/login")
    page.evaluate("token => window.sessionStorage.setItem('govit.token', token)", server.token(username))
    page.goto(path)
    page.get_by_test_id("current-user").wait_for()


def pdf_bytes(title: str = "govit test document") -> bytes:
    """A small, valid one-page PDF (no library needed)."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        None,
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    text = f"BT /F1 18 Tf 72 760 Td ({title}) Tj ET".encode("latin-1")
    objects[3] = b"<< /Length %d >>\nstream\n%s\nendstream" % (len(text), text)
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def copy_doc_screenshots(pairs: dict[str, Path]) -> None:
    """With UPDATE_DOC_SCREENSHOTS=1, copy chosen screenshots to docs/img/ (README pictures)."""
    if os.environ.get("UPDATE_DOC_SCREENSHOTS") != "1":
        return
    target = ROOT / "docs" / "img"
    target.mkdir(parents=True, exist_ok=True)
    for name, source in pairs.items():
        shutil.copyfile(source, target / name)


# What an official must never have to decode: identifiers (snake_case), boolean and null
# literals, file names of diagrams, tables and forms, and login names.
RAW_TOKEN = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b|\b(?:True|False|None|true|false|null)\b"
                       r"|\b[\w-]+\.(?:bpmn|dmn|json)\b|\bhrss_[a-z_]+")


def raw_tokens(page) -> list[str]:
    """The raw tokens in the visible text of the page's main area."""
    return sorted(set(RAW_TOKEN.findall(page.locator("main").inner_text())))
