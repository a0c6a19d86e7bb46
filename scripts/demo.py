"""The demo behind scripts/demo.sh: the project's Nextcloud fake (tests/fakes/nextcloud) seeded
with a few notes, files, two events and a task in the Personal calendar, a contact and a Deck
board, and nextcloud-mcp in basic mode on
127.0.0.1 in front of it. Prints the MCP URL and ready-to-paste client commands, then runs
until Ctrl-C. Standard library only (the fake's own packages come from scripts/demo_deps.py).

    python3 scripts/demo.py --binary target/debug/nextcloud-mcp [--port 8000] [--workdir .demo]
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import datetime, timedelta, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
USER = "alice"
APP_PASSWORD = "demo-app-password"

NOTES = [
    ("Welcome to the demo", "Ask your assistant to list, search or edit these notes.", "Demo"),
    ("Shopping list", "- coffee\n- oat milk\n- bread", "Personal"),
    ("Meeting notes 2026-11-30", "Agreed: ship the MCP server demo.\nNext: connect Claude.", "Work"),
]
FILES = {
    "Documents/": None,
    "Documents/readme.md": "# Demo files\nThese files live in the Nextcloud fake.\n",
    "Documents/budget.csv": "item,amount\nlaptop,1200\nsoftware,300\n",
    "Photos/": None,
}
DECK = ("Demo board", ["To do", "Doing", "Done"],
        {"To do": ["Try the MCP Inspector", "Connect Claude Code"], "Doing": ["Run scripts/demo.sh"]})


def request(base: str, method: str, path: str, body: bytes | None = None,
            headers: dict[str, str] | None = None) -> bytes:
    auth = base64.b64encode(f"{USER}:{APP_PASSWORD}".encode()).decode()
    req = urllib.request.Request(base + path, data=body, method=method,
                                 headers={"Authorization": f"Basic {auth}", **(headers or {})})
    with urllib.request.urlopen(req, timeout=10) as response:
        return response.read()


def post_json(base: str, path: str, payload: dict) -> dict:
    out = request(base, "POST", path, json.dumps(payload).encode(),
                  {"Content-Type": "application/json", "Accept": "application/json", "OCS-APIRequest": "true"})
    return json.loads(out or b"{}")


def seed(base: str) -> None:
    """Creates the demo content through the fake's public APIs, as a client would."""
    for title, content, category in NOTES:
        post_json(base, "/index.php/apps/notes/api/v1/notes",
                  {"title": title, "content": f"# {title}\n\n{content}", "category": category})
    for path, content in FILES.items():
        url = f"/remote.php/dav/files/{USER}/{path}"
        if content is None:
            try:
                request(base, "MKCOL", url)
            except urllib.error.HTTPError as err:
                if err.code != 405:  # 405: the folder exists already (Nextcloud's skeleton files)
                    raise
        else:
            request(base, "PUT", url, content.encode(), {"Content-Type": "text/plain"})
    api = "/index.php/apps/deck/api/v1.0"
    title, stacks, cards = DECK
    board = post_json(base, f"{api}/boards", {"title": title, "color": "0082c9"})
    for order, stack_title in enumerate(stacks):
        stack = post_json(base, f"{api}/boards/{board['id']}/stacks", {"title": stack_title, "order": order})
        for card_order, card in enumerate(cards.get(stack_title, [])):
            post_json(base, f"{api}/boards/{board['id']}/stacks/{stack['id']}/cards",
                      {"title": card, "type": "plain", "order": card_order})
    # The calendar: every Nextcloud account has the default "Personal" calendar, as the fake does.
    # Events, a task and a contact go in over CalDAV/CardDAV as a client would put them.
    for name, body in demo_dav_objects(datetime.now(timezone.utc)).items():
        kind = "addressbooks/users" if name.endswith(".vcf") else "calendars"
        collection = "contacts" if name.endswith(".vcf") else "personal"
        content_type = "text/vcard" if name.endswith(".vcf") else "text/calendar"
        request(base, "PUT", f"/remote.php/dav/{kind}/{USER}/{collection}/{name}", body.encode(),
                {"Content-Type": f"{content_type}; charset=utf-8", "If-None-Match": "*"})


def demo_dav_objects(now: datetime) -> dict[str, str]:
    """Two events in the coming days (so "what is on my calendar this week" has an answer), one
    open task and one contact, as the iCalendar/vCard texts a calendar client would store."""
    def stamp(day_offset: int, hour: int) -> str:
        day = (now + timedelta(days=day_offset)).date()
        return f"{day:%Y%m%d}T{hour:02d}0000Z"

    def event(uid: str, title: str, day: int, hour: int, hours: int, location: str) -> str:
        return ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//nextcloud-mcp//demo//EN\r\nBEGIN:VEVENT\r\n"
                f"UID:{uid}\r\nDTSTAMP:{stamp(0, 0)}\r\nDTSTART:{stamp(day, hour)}\r\n"
                f"DTEND:{stamp(day, hour + hours)}\r\nSUMMARY:{title}\r\nLOCATION:{location}\r\n"
                "END:VEVENT\r\nEND:VCALENDAR\r\n")

    task = ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//nextcloud-mcp//demo//EN\r\nBEGIN:VTODO\r\n"
            f"UID:demo-task-1\r\nDTSTAMP:{stamp(0, 0)}\r\nDUE:{stamp(3, 17)}\r\n"
            "SUMMARY:Write the demo feedback\r\nSTATUS:NEEDS-ACTION\r\nEND:VTODO\r\nEND:VCALENDAR\r\n")
    contact = ("BEGIN:VCARD\r\nVERSION:3.0\r\nUID:demo-contact-1\r\nFN:Bob Demo\r\nN:Demo;Bob;;;\r\n"
               "EMAIL;TYPE=WORK:bob@example.com\r\nTEL;TYPE=CELL:+49 30 1234567\r\nEND:VCARD\r\n")
    return {
        "demo-review.ics": event("demo-review", "Demo review", 1, 10, 1, "Video call"),
        "demo-planning.ics": event("demo-planning", "Sprint planning", 2, 14, 2, "Room 2"),
        "demo-task-1.ics": task,
        "demo-contact-1.vcf": contact,
    }


def wait_for(url: str, process: subprocess.Popen, what: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    last = ""
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"demo: {what} exited with status {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except urllib.error.HTTPError as err:
            last = f"HTTP {err.code}: {err.read()[:300]!r}"
        except OSError as err:
            last = str(err)
        time.sleep(0.2)
    raise SystemExit(f"demo: {what} not ready at {url}: {last}")


def start_fake(python: list[str], workdir: Path) -> tuple[subprocess.Popen, str]:
    log = open(workdir / "nextcloud-fake.log", "w")
    fake = subprocess.Popen([*python, "-m", "tests.fakes.nextcloud", "--port", "0",
                             "--users", f"{USER}:{APP_PASSWORD}", "--apps", "notes,deck,tables,calendar,contacts"],
                            cwd=REPO, stdout=subprocess.PIPE, stderr=log, text=True)
    assert fake.stdout is not None
    line = fake.stdout.readline().strip()
    if not line.startswith("READY "):
        fake.kill()
        raise SystemExit(f"demo: the Nextcloud fake did not start (see {workdir / 'nextcloud-fake.log'})")
    return fake, line.split(" ", 1)[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", required=True)
    parser.add_argument("--port", type=int, default=int(os.environ.get("DEMO_PORT", "8000")))
    parser.add_argument("--workdir", default=str(REPO / ".demo"))
    parser.add_argument("--python", default=sys.executable, help="interpreter for the fake (may carry options)")
    args = parser.parse_args()
    workdir = Path(args.workdir)
    workdir.mkdir(parents=True, exist_ok=True)

    fake, nextcloud_url = start_fake(args.python.split(), workdir)
    processes = [fake]

    def stop(*_: object) -> None:
        for process in reversed(processes):
            if process.poll() is None:
                process.terminate()
        for process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        seed(nextcloud_url)
        (workdir / "app-password").write_text(APP_PASSWORD + "\n")
        os.chmod(workdir / "app-password", 0o600)
        config = workdir / "nextcloud-mcp.yaml"
        config.write_text(
            "# Written by scripts/demo.sh: basic mode against the Nextcloud fake, loopback only.\n"
            f"server:\n  listen: 127.0.0.1:{args.port}\n"
            f"nextcloud:\n  url: {nextcloud_url}\n"
            f"auth:\n  mode: basic\n  basic:\n    username: {USER}\n"
            "    password_file: app-password      # relative to this file\n")
        server_log = open(workdir / "nextcloud-mcp.log", "w")
        env = {k: v for k, v in os.environ.items() if not k.startswith("NEXTCLOUD_")}
        server = subprocess.Popen([args.binary, "serve", "--config", str(config)], stdout=server_log,
                                  stderr=subprocess.STDOUT, env=env)
        processes.append(server)
        base = f"http://127.0.0.1:{args.port}"
        wait_for(f"{base}/readyz", server, f"nextcloud-mcp (log: {workdir / 'nextcloud-mcp.log'})")
        mcp = f"{base}/mcp"
        print(f"""
nextcloud-mcp demo is running (Ctrl-C stops it).

  MCP endpoint   {mcp}
  Nextcloud      {nextcloud_url}  (the project's fake; user {USER}, seeded with {len(NOTES)} notes,
                 files in Documents/ and Photos/, two events and a task this week,
                 a contact, a Deck board)
  Logs           {workdir / 'nextcloud-mcp.log'}

MCP Inspector (opens a browser UI):
  npx @modelcontextprotocol/inspector --transport http --server-url {mcp}

Claude Code:
  claude mcp add --transport http nextcloud-demo {mcp}

Then ask: "List my notes" or "What is on my Deck board?"
""", flush=True)
        while all(p.poll() is None for p in processes):
            time.sleep(0.5)
        raise SystemExit(f"demo: a process ended early (logs in {workdir})")
    finally:
        for process in reversed(processes):
            if process.poll() is None:
                process.terminate()


if __name__ == "__main__":
    main()
