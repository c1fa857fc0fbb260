"""Headless Chromium (Debian's ``chromium``) driven over the DevTools protocol, for the report's tests.

A small client over ``websockets`` (installed with Airflow's api-server): one browser per
``with Chromium() as browser``, one tab per :meth:`Chromium.open`, which records every network
request, console message and uncaught exception of the page until it has loaded.
"""

from __future__ import annotations

import base64
import itertools
import json
import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

from websockets.sync.client import ClientConnection, connect

CHROMIUM_NAMES = ("chromium", "chromium-browser")


def chromium_path() -> str | None:
    configured = os.environ.get("CULTURE_CHROMIUM")
    if configured:
        return configured
    return next((found for name in CHROMIUM_NAMES if (found := shutil.which(name))), None)


@dataclass
class PageVisit:
    url: str
    requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    exceptions: list[str] = field(default_factory=list)


class Chromium:
    def __init__(self, executable: str, width: int = 1200, height: int = 900) -> None:
        self.executable = executable
        self.width = width
        self.height = height
        self._ids = itertools.count(1)
        self._events: list[dict[str, Any]] = []

    def __enter__(self) -> Chromium:
        self._profile = tempfile.mkdtemp(prefix="culture-chromium-")
        self._process = subprocess.Popen(
            [
                self.executable,
                "--headless=new",
                "--no-sandbox",  # as root in a container there is no user namespace to sandbox with
                "--disable-gpu",
                "--hide-scrollbars",
                "--no-first-run",
                "--no-default-browser-check",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-extensions",
                f"--user-data-dir={self._profile}",
                "--remote-debugging-port=0",
                f"--window-size={self.width},{self.height}",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        port_file = Path(self._profile) / "DevToolsActivePort"
        deadline = time.monotonic() + 60
        while not (port_file.exists() and len(port_file.read_text().splitlines()) >= 2):
            if self._process.poll() is not None or time.monotonic() > deadline:
                self._stop()
                raise RuntimeError(f"{self.executable} did not start its DevTools endpoint")
            time.sleep(0.05)
        port, path = port_file.read_text().splitlines()[:2]
        self._socket: ClientConnection = connect(f"ws://127.0.0.1:{port}{path}", max_size=None)
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self._socket.close()
        self._stop()

    def _stop(self) -> None:
        self._process.terminate()
        try:
            self._process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        shutil.rmtree(self._profile, ignore_errors=True)

    def send(self, method: str, session: str | None = None, **params: Any) -> dict[str, Any]:
        """Send one command and wait for its answer; events that arrive meanwhile are kept."""
        message_id = next(self._ids)
        message: dict[str, Any] = {"id": message_id, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        self._socket.send(json.dumps(message))
        while True:
            answer = json.loads(self._socket.recv(timeout=60))
            if answer.get("id") == message_id:
                if "error" in answer:
                    raise RuntimeError(f"{method}: {answer['error']}")
                return dict(answer.get("result", {}))
            self._events.append(answer)

    def _wait_for(self, session: str, method: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while True:
            if any(e.get("method") == method and e.get("sessionId") == session for e in self._events):
                return
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(method)
            self._events.append(json.loads(self._socket.recv(timeout=remaining)))

    def open(self, url: str) -> Tab:
        """Open ``url`` in a new tab and return once it has loaded (and a moment after)."""
        target = self.send("Target.createTarget", url="about:blank")["targetId"]
        session = self.send("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        for domain in ("Page", "Network", "Runtime", "Log"):
            self.send(f"{domain}.enable", session)
        self.send(
            "Emulation.setDeviceMetricsOverride",
            session,
            width=self.width,
            height=self.height,
            deviceScaleFactor=1,
            mobile=False,
        )
        self._events.clear()
        self.send("Page.navigate", session, url=url)
        self._wait_for(session, "Page.loadEventFired")
        self.send("Runtime.evaluate", session, expression="1", awaitPromise=True)  # let late events in
        visit = PageVisit(url)
        for event in self._events:
            if event.get("sessionId") != session:
                continue
            params = event.get("params", {})
            method = event.get("method")
            if method == "Network.requestWillBeSent":
                visit.requests.append(params["request"]["url"])
            elif method == "Runtime.consoleAPICalled" and params.get("type") in {"error", "assert"}:
                visit.console_errors.append(json.dumps(params.get("args", []))[:300])
            elif method == "Log.entryAdded" and params["entry"].get("level") == "error":
                visit.console_errors.append(str(params["entry"].get("text"))[:300])
            elif method == "Runtime.exceptionThrown":
                visit.exceptions.append(str(params["exceptionDetails"].get("text"))[:300])
        return Tab(self, session, visit)


@dataclass
class Tab:
    browser: Chromium
    session: str
    visit: PageVisit

    def evaluate(self, expression: str) -> Any:
        result = self.browser.send(
            "Runtime.evaluate", self.session, expression=expression, returnByValue=True
        )
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails'].get('text')}")
        return result["result"].get("value")

    def screenshot(self, full_page: bool = True) -> bytes:
        shot = self.browser.send(
            "Page.captureScreenshot", self.session, format="png", captureBeyondViewport=full_page
        )
        return base64.b64decode(shot["data"])
